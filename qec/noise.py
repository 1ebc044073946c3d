"""Noise models as frozen dataclasses, applied to noiseless circuits layer by layer."""

from __future__ import annotations

import dataclasses
import math

import stim

from qec.codes import ANNOTATIONS, used_qubits

NOISE_NAMES: tuple[str, ...] = (
    "code_capacity",
    "code_capacity_bitflip",
    "phenomenological",
    "phenomenological_bitflip",
    "circuit",
    "si1000",
)
# The gate-level models: noise on every operation, so that a gate (the CNOT) or an Aer circuit
# can carry it; the others put noise on data qubits and measurements only.
CIRCUIT_LEVEL: tuple[str, ...] = ("circuit", "si1000")


@dataclasses.dataclass(frozen=True)
class NoiseRates:
    """Where a noise model puts which channel, with its probability (0 means none).

    Attributes:
        data_channel: Stim channel applied to every data qubit at the start of a round
            (``DEPOLARIZE1`` or ``X_ERROR``), or ``None``.
        data_p: Probability of ``data_channel``.
        data_every_round: True: before every round; False: only before the first one.
        gate1: ``DEPOLARIZE1`` after every single-qubit unitary gate.
        gate2: ``DEPOLARIZE2`` after every two-qubit gate.
        idle: ``DEPOLARIZE1`` on each qubit a layer leaves idle.
        idle_measure_reset: ``DEPOLARIZE1`` on each idle qubit in a layer that measures or
            resets other qubits (replaces ``idle`` there).
        measure_flip: flip before every syndrome measurement (``MR``/``MRX``).
        readout_flip: flip before the final data readout (``M``/``MX``).
        reset_flip: flip after every reset (``R``/``RX``, and the reset half of ``MR``).
        idle_pauli_1q, idle_pauli_2q, idle_pauli_measure_reset: ``PAULI_CHANNEL_1`` (px, py, pz)
            on each qubit a layer leaves idle, by the layer's kind: only single-qubit gates, any
            two-qubit gate, any measurement or reset. For noise whose idling depends on how long
            the layer lasts (``qec.device``); applied after ``idle``/``idle_measure_reset``.
    """

    data_channel: str | None = None
    data_p: float = 0.0
    data_every_round: bool = True
    gate1: float = 0.0
    gate2: float = 0.0
    idle: float = 0.0
    idle_measure_reset: float = 0.0
    measure_flip: float = 0.0
    readout_flip: float = 0.0
    reset_flip: float = 0.0
    idle_pauli_1q: tuple[float, float, float] = (0.0, 0.0, 0.0)
    idle_pauli_2q: tuple[float, float, float] = (0.0, 0.0, 0.0)
    idle_pauli_measure_reset: tuple[float, float, float] = (0.0, 0.0, 0.0)


@dataclasses.dataclass(frozen=True)
class NoiseModel:
    """A named noise model at physical error rate ``p`` (Stim convention, see docs/concepts.md).

    ``p`` is a probability per operation: ``DEPOLARIZE1(p)`` applies X, Y or Z each with p/3.

    Attributes:
        name: One of ``NOISE_NAMES``.
        p: Physical error rate in [0, 0.5].

    Raises:
        ValueError: an unknown ``name``, or ``p`` outside [0, 0.5] ([0, 0.1] for si1000).

    Example:
        >>> import qec
        >>> noise = qec.NoiseModel("si1000", 0.001)
        >>> noise.rates.measure_flip, noise.rates.gate1
        (0.005, 0.0001)
        >>> qec.NoiseModel.from_spec("circuit:0.002")
        NoiseModel(name='circuit', p=0.002)
    """

    name: str
    p: float

    def __post_init__(self) -> None:
        if self.name not in NOISE_NAMES:
            raise ValueError(f"noise={self.name!r} is not a known noise model; allowed: {NOISE_NAMES}")
        if isinstance(self.p, bool) or not isinstance(self.p, int | float):
            raise ValueError(f"p={self.p!r} must be a number in [0, 0.5]")
        if not (math.isfinite(self.p) and 0 <= self.p <= 0.5):
            raise ValueError(f"p={self.p!r} must be in [0, 0.5]")
        if self.name == "si1000" and self.p > 0.1:
            # si1000 measures with 5p: keep every channel a probability <= 0.5.
            raise ValueError(f"p={self.p!r} must be in [0, 0.1] for si1000 (measure flip is 5p)")

    @classmethod
    def from_spec(cls, spec: str) -> NoiseModel:
        """Parse ``"name:p"``, e.g. ``"circuit:0.001"``."""
        return cls(*split_spec(spec, expected="NAME:P, e.g. circuit:0.001"))

    @property
    def rates(self) -> NoiseRates:
        """The channel probabilities this model places (the noise-model table of docs/concepts.md)."""
        p = self.p
        if self.name == "code_capacity":
            return NoiseRates(data_channel="DEPOLARIZE1", data_p=p, data_every_round=False)
        if self.name == "code_capacity_bitflip":
            return NoiseRates(data_channel="X_ERROR", data_p=p, data_every_round=False)
        if self.name == "phenomenological":
            return NoiseRates(data_channel="DEPOLARIZE1", data_p=p, measure_flip=p)
        if self.name == "phenomenological_bitflip":
            return NoiseRates(data_channel="X_ERROR", data_p=p, measure_flip=p)
        if self.name == "circuit":
            return NoiseRates(
                gate1=p, gate2=p, idle=p, idle_measure_reset=p,
                measure_flip=p, readout_flip=p, reset_flip=p,
            )  # fmt: skip
        return NoiseRates(  # si1000, Gidney et al. arXiv:2108.10457
            gate1=p / 10, gate2=p, idle=p / 10, idle_measure_reset=2 * p,
            measure_flip=5 * p, readout_flip=5 * p, reset_flip=2 * p,
        )  # fmt: skip

    def noisy_rounds(self, rounds: int) -> int:
        """How many of ``rounds`` rounds carry noise: 1 for the code-capacity models.

        Per-round error rates divide by this, not by ``rounds``: a code-capacity memory
        fails at the same rate however many perfect rounds follow its one noisy step.

        Example:
            >>> import qec
            >>> qec.NoiseModel("code_capacity", 0.1).noisy_rounds(7)
            1
        """
        return 1 if self.name.startswith("code_capacity") else rounds

    def apply(self, circuit: stim.Circuit) -> stim.Circuit:
        """Return ``circuit`` with this model's noise inserted.

        ``circuit`` must be noiseless, with layers separated by TICKs (as
        ``Code.memory_circuit`` makes them). Data qubits are those read out by a plain
        ``M``/``MX`` measurement; a round starts at the first layer after a reset layer.

        Example:
            >>> import qec
            >>> c = qec.Code("repetition", 3).memory_circuit(rounds=1)
            >>> noisy = qec.NoiseModel("code_capacity_bitflip", 0.1).apply(c)
            >>> print(noisy[2])
            X_ERROR(0.1) 0 2 4
        """
        return apply_rates(circuit, self.rates)


def apply_rates(circuit: stim.Circuit, rates: NoiseRates) -> stim.Circuit:
    """Return the noiseless ``circuit`` with the channels of ``rates`` inserted (as
    ``NoiseModel.apply`` describes): the one insertion routine every noise model uses.

    Example:
        >>> import qec
        >>> c = qec.Code("repetition", 3).memory_circuit(rounds=1)
        >>> print(apply_rates(c, qec.NoiseRates(idle_pauli_2q=(0.01, 0.01, 0.02)))[3])
        PAULI_CHANNEL_1(0.01, 0.01, 0.02) 4
    """
    data = _data_qubits(circuit)
    state = _State()
    return _apply(circuit, rates, data=data, every=sorted(used_qubits(circuit)), state=state)


def split_spec(spec: str, *, expected: str) -> tuple[str, float]:
    """Split ``"name:value"`` into the name and a finite float; ``expected`` goes in errors.

    Raises:
        ValueError: ``spec`` is not ``name:value``, or its value is not a finite number.

    Example:
        >>> split_spec("logical:1e-3", expected="KIND:VALUE")
        ('logical', 0.001)
    """
    name, sep, text = spec.partition(":")
    if not sep:
        raise ValueError(f"noise spec {spec!r} must look like {expected}")
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"noise spec {spec!r}: {text!r} is not a number") from None
    if not math.isfinite(value):
        raise ValueError(f"noise spec {spec!r}: {text!r} is not a finite number")
    return name, value


@dataclasses.dataclass
class _State:
    round_pending: bool = False  # a reset layer ended; the next gate layer starts a round
    data_applied: bool = False  # the data channel has been applied at least once


def _data_qubits(circuit: stim.Circuit) -> list[int]:
    data: set[int] = set()
    for inst in circuit.flattened():
        if inst.name in ("M", "MX", "MY"):
            data.update(t.value for t in inst.targets_copy())
    return sorted(data)


def _flip_channel(gate: str) -> str:
    # X-basis resets and measurements are flipped by Z errors, Z-basis ones by X errors.
    return "Z_ERROR" if gate.endswith("X") else "X_ERROR"


def _apply(
    circuit: stim.Circuit, rates: NoiseRates, *, data: list[int], every: list[int], state: _State
) -> stim.Circuit:
    out = stim.Circuit()
    layer: list[stim.CircuitInstruction] = []
    for inst in circuit:
        if isinstance(inst, stim.CircuitRepeatBlock):
            _emit_layer(out, layer, rates, data=data, every=every, state=state)
            layer = []
            entry = dataclasses.replace(state)
            body = _apply(inst.body_copy(), rates, data=data, every=every, state=state)
            if state != entry:
                # Noise placement must be the same in every iteration of the loop.
                raise ValueError(
                    f"REPEAT block changes the round structure ({entry} -> {state}); "
                    "cannot place noise consistently"
                )
            out.append(stim.CircuitRepeatBlock(inst.repeat_count, body))
        elif inst.name == "TICK":
            _emit_layer(out, layer, rates, data=data, every=every, state=state)
            layer = []
            out.append(inst)
        else:
            if stim.gate_data(inst.name).is_noisy_gate and (
                not stim.gate_data(inst.name).produces_measurements or inst.gate_args_copy()
            ):
                raise ValueError(f"circuit already has noise ({inst}); apply noise to a noiseless one")
            layer.append(inst)
    _emit_layer(out, layer, rates, data=data, every=every, state=state)
    return out


def _emit_layer(
    out: stim.Circuit,
    layer: list[stim.CircuitInstruction],
    rates: NoiseRates,
    *,
    data: list[int],
    every: list[int],
    state: _State,
) -> None:
    ops = [inst for inst in layer if inst.name not in ANNOTATIONS]
    if not ops:
        for inst in layer:
            out.append(inst)
        return
    gates = [stim.gate_data(inst.name) for inst in ops]
    has_reset = any(g.is_reset for g in gates)
    readout_only = all(g.produces_measurements and not g.is_reset for g in gates)

    if state.round_pending and not readout_only and (rates.data_every_round or not state.data_applied):
        _append(out, rates.data_channel, data, rates.data_p)
        state.data_applied = True
    if state.round_pending:
        state.round_pending = False
    if has_reset:
        state.round_pending = True

    touched: set[int] = set()
    for inst in layer:
        if inst.name in ANNOTATIONS:
            out.append(inst)
            continue
        gate = stim.gate_data(inst.name)
        targets = [t.value for t in inst.targets_copy()]
        touched.update(targets)
        if gate.produces_measurements:
            flip = rates.measure_flip if gate.is_reset else rates.readout_flip
            _append(out, _flip_channel(inst.name), targets, flip)
        out.append(inst)
        if gate.is_reset:
            _append(out, _flip_channel(inst.name), targets, rates.reset_flip)
        elif gate.is_unitary and gate.is_two_qubit_gate:
            _append(out, "DEPOLARIZE2", targets, rates.gate2)
        elif gate.is_unitary and gate.is_single_qubit_gate:
            _append(out, "DEPOLARIZE1", targets, rates.gate1)
        elif not gate.produces_measurements:
            raise ValueError(f"noise models do not know where to put noise on {inst.name!r}")

    measuring = any(g.produces_measurements or g.is_reset for g in gates)
    idle = [q for q in every if q not in touched]
    _append(out, "DEPOLARIZE1", idle, rates.idle_measure_reset if measuring else rates.idle)
    if measuring:
        pauli = rates.idle_pauli_measure_reset
    elif any(g.is_two_qubit_gate for g in gates):
        pauli = rates.idle_pauli_2q
    else:
        pauli = rates.idle_pauli_1q
    if idle and any(pauli):
        out.append("PAULI_CHANNEL_1", idle, pauli)


def _append(out: stim.Circuit, channel: str | None, targets: list[int], p: float) -> None:
    if channel is not None and targets and p > 0:
        out.append(channel, targets, p)
