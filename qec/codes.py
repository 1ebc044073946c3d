"""Code families: noiseless Stim memory experiments and the facts a budget needs."""

from __future__ import annotations

import dataclasses
from typing import Literal

import stim

from qec._check import check_int, is_int

Basis = Literal["x", "z"]

CODE_NAMES: tuple[str, ...] = ("repetition", "surface_rotated", "surface_unrotated")
BASES: tuple[str, ...] = ("x", "z")
# What a sampling task runs: a memory patch, or a lattice-surgery CNOT (qec.surgery).
EXPERIMENTS: tuple[str, ...] = ("memory", "cnot")
MIN_DISTANCE = 2  # what stim.Circuit.generated accepts for every family here

# Stim's generator task names per (code, basis). The repetition code has no X-basis
# generator in Stim; its X-basis memory is the Z-basis circuit conjugated by Hadamards.
_STIM_TASKS: dict[tuple[str, str], str] = {
    ("repetition", "z"): "repetition_code:memory",
    ("repetition", "x"): "repetition_code:memory",
    ("surface_rotated", "z"): "surface_code:rotated_memory_z",
    ("surface_rotated", "x"): "surface_code:rotated_memory_x",
    ("surface_unrotated", "z"): "surface_code:unrotated_memory_z",
    ("surface_unrotated", "x"): "surface_code:unrotated_memory_x",
}

# Hadamard conjugation: Z-basis resets/measurements become X-basis ones; CX(c, t) becomes
# CX(t, c). Detectors and observables refer to measurement records, which do not move.
_HADAMARD_DUAL = {"R": "RX", "M": "MX", "MR": "MRX", "RX": "R", "MX": "M", "MRX": "MR"}


@dataclasses.dataclass(frozen=True)
class Code:
    """A code family at one distance, with its qubit counts.

    Attributes:
        name: One of ``CODE_NAMES``: ``repetition``, ``surface_rotated``, ``surface_unrotated``.
        distance: The code distance; any integer ≥ 2 (even distances are allowed, as in Stim).

    Raises:
        ValueError: ``name`` is not one of ``CODE_NAMES``, or ``distance`` is not an integer ≥ 2.

    Example:
        >>> import qec
        >>> code = qec.Code("surface_rotated", 5)
        >>> code.data_qubits, code.measure_qubits, code.physical_qubits
        (25, 24, 49)
    """

    name: str
    distance: int

    def __post_init__(self) -> None:
        if self.name not in CODE_NAMES:
            raise ValueError(f"code={self.name!r} is not a known code; allowed: {CODE_NAMES}")
        if not is_int(self.distance) or self.distance < MIN_DISTANCE:
            raise ValueError(
                f"distance={self.distance!r} is not allowed for code {self.name!r}: "
                f"need an integer >= {MIN_DISTANCE}"
            )

    @property
    def data_qubits(self) -> int:
        """Number of data qubits."""
        d = self.distance
        if self.name == "repetition":
            return d
        if self.name == "surface_rotated":
            return d * d
        return d * d + (d - 1) * (d - 1)

    @property
    def measure_qubits(self) -> int:
        """Number of measure (ancilla) qubits, one per stabilizer."""
        d = self.distance
        if self.name == "repetition":
            return d - 1
        if self.name == "surface_rotated":
            return d * d - 1
        return 2 * d * (d - 1)

    @property
    def physical_qubits(self) -> int:
        """Data plus measure qubits: what the hardware must provide for one logical qubit.

        Not ``stim.Circuit.num_qubits``, which is the largest qubit index plus one and
        counts the unused indices of the rotated layout (Stim issue #960).
        """
        return self.data_qubits + self.measure_qubits

    def memory_circuit(self, *, rounds: int, basis: str = "z") -> stim.Circuit:
        """The noiseless memory experiment: prepare, measure ``rounds`` rounds, read out.

        Every layer ends with a TICK (including the one before the final data readout,
        which Stim's generator leaves out), so noise models can treat layers uniformly.

        Args:
            rounds: Number of stabilizer measurement rounds, ≥ 1.
            basis: ``"z"`` protects a logical |0>, ``"x"`` a logical |+>.

        Raises:
            ValueError: ``basis`` is not one of ``BASES``.

        Example:
            >>> import qec
            >>> c = qec.Code("repetition", 3).memory_circuit(rounds=2, basis="z")
            >>> c.num_detectors, c.num_observables
            (6, 1)
        """
        check_int("rounds", rounds, least=1)
        if basis not in BASES:
            raise ValueError(f"basis={basis!r} is not allowed; allowed: {BASES}")
        circuit = stim.Circuit.generated(
            _STIM_TASKS[(self.name, basis)], distance=self.distance, rounds=rounds
        )
        if self.name == "repetition" and basis == "x":
            circuit = _hadamard_dual(circuit)
        return _tick_before_readout(circuit)


def used_qubits(circuit: stim.Circuit) -> set[int]:
    """The qubits that some operation of ``circuit`` acts on (annotations excluded).

    Example:
        >>> sorted(used_qubits(stim.Circuit("QUBIT_COORDS(0) 7\\nH 0\\nCX 0 3")))
        [0, 3]
    """
    used: set[int] = set()
    for inst in circuit:
        if isinstance(inst, stim.CircuitRepeatBlock):
            used |= used_qubits(inst.body_copy())
        elif inst.name not in ANNOTATIONS | {"TICK", "MPAD"}:
            used.update(t.value for t in inst.targets_copy() if t.is_qubit_target)
    return used


# Stim instructions that annotate a circuit and act on no qubit: the one list every module uses
# (TICK, the layer separator, each module handles itself).
ANNOTATIONS = frozenset({"DETECTOR", "OBSERVABLE_INCLUDE", "QUBIT_COORDS", "SHIFT_COORDS"})


def _hadamard_dual(circuit: stim.Circuit) -> stim.Circuit:
    out = stim.Circuit()
    for inst in circuit:
        if isinstance(inst, stim.CircuitRepeatBlock):
            out.append(stim.CircuitRepeatBlock(inst.repeat_count, _hadamard_dual(inst.body_copy())))
        elif inst.name == "CX":
            targets = inst.targets_copy()
            swapped = [q for i in range(0, len(targets), 2) for q in (targets[i + 1], targets[i])]
            out.append("CX", swapped)
        elif inst.name in _HADAMARD_DUAL:
            out.append(_HADAMARD_DUAL[inst.name], inst.targets_copy(), inst.gate_args_copy())
        elif inst.name in ANNOTATIONS or inst.name == "TICK":
            out.append(inst)
        else:
            raise ValueError(f"cannot Hadamard-conjugate instruction {inst.name!r}")
    return out


def _tick_before_readout(circuit: stim.Circuit) -> stim.Circuit:
    """Insert a TICK before the final data readout if Stim's generator left none."""
    last = len(circuit) - 1
    while last >= 0 and not _is_measurement(circuit[last]):
        last -= 1
    if last <= 0 or (
        isinstance(circuit[last - 1], stim.CircuitInstruction) and circuit[last - 1].name == "TICK"
    ):
        return circuit
    return circuit[:last] + stim.Circuit("TICK") + circuit[last:]


def _is_measurement(inst: stim.CircuitInstruction | stim.CircuitRepeatBlock) -> bool:
    return isinstance(inst, stim.CircuitInstruction) and inst.name in ("M", "MX", "MY")
