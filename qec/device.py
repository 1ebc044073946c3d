"""A device's calibration summarised for QEC: its error rates and times, and the Stim noise they make.

A ``Device`` is one quantile (the median, or a named one such as ``q90``) of a real device's
calibration: two-qubit, single-qubit and readout errors, T1, T2 and the gate and readout
durations. It comes from one of ``qiskit_ibm_runtime.fake_provider``'s snapshots of IBM devices
(``available_devices()``; they load offline) or from a backend-properties JSON a user exported.

**Idealisation.** The code runs on an ideal square grid (every qubit coupled as the code needs)
with the device's error rates, not on the device's heavy-hex layout: no swaps, no routing, every
gate and qubit at the chosen quantile. A circuit's ``CX`` costs one native two-qubit gate (CZ,
ECR or CX) and ``H`` one single-qubit gate (``sx``).

The noise (``DeviceNoise``), per operation, in Stim's conventions:

- two-qubit gate: ``DEPOLARIZE2(p2)`` with p2 = r2·5/4, single-qubit gate: ``DEPOLARIZE1(p1)``
  with p1 = r1·3/2, where r is the device's reported ``gate_error``. IBM reports the error per
  gate from randomized benchmarking, an average gate infidelity r = 1 − F_avg. A Pauli channel
  that applies a non-identity Pauli with total probability p has process fidelity 1 − p, and
  F_avg = (d·F_pro + 1)/(d + 1) with d = 2ⁿ (Nielsen, Phys. Lett. A 303, 249 (2002); Horodecki
  et al., PRA 60, 1888 (1999)), so r = p·d/(d + 1) and p = r·(2ⁿ + 1)/2ⁿ. The same follows from
  RB's r = (d − 1)(1 − α)/d for a depolarizing channel of parameter α (Magesan, Gambetta and
  Emerson, PRL 106, 180504 (2011)).
- measurement: a flip with the qubit's ``readout_error`` (IBM's mean of P(0|1) and P(1|0)),
  symmetric, before every ``M``/``MR``.
- reset: a flip after every reset with the same probability as the readout error: IBM resets by
  measuring and flipping conditionally, so a reset fails when its measurement does.
- idling: every qubit a layer leaves idle decoheres for the layer's duration t (single-qubit
  gate, two-qubit gate, or readout + reset for a layer that measures or resets) under amplitude
  damping (T1) and dephasing (T2), Pauli-twirled into ``PAULI_CHANNEL_1(px, py, pz)`` with
  px = py = (1 − e^(−t/T1))/4 and pz = (1 − e^(−t/T2))/2 − (1 − e^(−t/T1))/4 (Ghosh, Fowler and
  Geller, PRA 86, 062318 (2012); ``idle_pauli``). T2 is capped at 2·T1, its physical bound.
  Qubits busy with a gate are not given idle noise on top: the gate's RB error includes its own
  decoherence (nor, in a layer that mixes them, the rest of the layer after a shorter gate). No
  dynamical decoupling is assumed.

A quantile ``qNN`` is the pessimistic NN-th percentile over the device's qubits or gates: the
NN-th percentile of errors and durations, the (100 − NN)-th of T1 and T2 (larger is better), so
``q90`` is a value 90% of the device is at least as good as. Couplers reported with
``gate_error`` 1 (IBM's mark of a gate out of service) are left out of the two-qubit errors.

The accepted JSON (``Device.from_backend("my_device.json")``) is the backend-properties format:
what ``json.dump(backend.properties().to_dict(), f, default=str)`` writes for a Qiskit backend
(IBM's ``BackendProperties``), the same as the ``props_*.json`` files of the fake backends. It
needs ``backend_name``, ``last_update_date``, ``qubits`` (a list per qubit of ``{"name", "value",
"unit"}`` entries: ``T1``, ``T2``, ``readout_error``, ``readout_length``) and ``gates`` (``{"gate",
"qubits", "parameters"}`` with ``gate_error`` and ``gate_length`` parameters); other keys are
ignored. A Qiskit ``Target`` has no JSON form and is not accepted: export ``backend.properties()``.
Nothing named in a file is imported or run: it is read as numbers and names only.
"""

from __future__ import annotations

import dataclasses
import datetime
import difflib
import functools
import json
import math
import pathlib
import re
from typing import Any

import stim

from qec.noise import NoiseRates, apply_rates

IDEALISATION = (
    "the code runs on an ideal square grid with the device's error rates, not on its heavy-hex layout"
)
# Native two-qubit gates, in order of preference (rzz, the fractional gate, is not one).
TWO_QUBIT_GATES: tuple[str, ...] = ("cz", "ecr", "cx")
# The single-qubit gate whose error stands for every single-qubit gate (u2 on the oldest devices).
ONE_QUBIT_GATES: tuple[str, ...] = ("sx", "x", "u2")
_SECONDS = {"s": 1.0, "ms": 1e-3, "us": 1e-6, "µs": 1e-6, "ns": 1e-9}
_QUANTILE = re.compile(r"q(\d{1,2})")


def check_quantile(quantile: str) -> str:
    """The quantile's label: ``"median"`` (also for ``"q50"``) or ``"qNN"``, NN in 1..99.

    Example:
        >>> check_quantile("q90"), check_quantile("q50")
        ('q90', 'median')
        >>> check_quantile("90%")
        Traceback (most recent call last):
        ...
        ValueError: quantile='90%' is not allowed; allowed: median or qNN with NN in 1..99 (e.g. q90)
    """
    match = _QUANTILE.fullmatch(quantile) if isinstance(quantile, str) else None
    if quantile == "median" or (match and int(match[1]) == 50):
        return "median"
    if match and 1 <= int(match[1]) <= 99:
        return f"q{int(match[1])}"
    raise ValueError(
        f"quantile={quantile!r} is not allowed; allowed: median or qNN with NN in 1..99 (e.g. q90)"
    )


def _fraction(quantile: str) -> float:
    return 0.5 if quantile == "median" else int(quantile[1:]) / 100


@dataclasses.dataclass(frozen=True)
class Device:
    """One quantile of a device's calibration (times in seconds, errors as probabilities).

    Attributes:
        name: The fake backend's name (``fake_fez``) or, for a JSON file, its ``backend_name``.
        calibration: The snapshot's ``last_update_date`` (ISO 8601).
        quantile: ``"median"`` or ``"qNN"`` (see the module docstring for the direction).
        qubits: Number of qubits.
        gate_2q: The native two-qubit gate whose errors were used (cz, ecr or cx).
        error_2q, error_1q: Reported gate errors (RB average gate infidelity).
        readout_error: Reported readout error.
        t1, t2: Relaxation and dephasing times.
        duration_1q, duration_2q, duration_readout, duration_reset: Operation durations.

    Example:
        >>> dev = Device.from_backend("FakeFez")
        >>> dev.name, dev.quantile, dev.gate_2q, dev.qubits
        ('fake_fez', 'median', 'cz', 156)
        >>> round(dev.error_2q, 5), round(dev.t1 * 1e6)
        (0.00382, 145)
    """

    name: str
    calibration: str
    quantile: str
    qubits: int
    gate_2q: str
    error_2q: float
    error_1q: float
    readout_error: float
    t1: float
    t2: float
    duration_1q: float
    duration_2q: float
    duration_readout: float
    duration_reset: float

    @classmethod
    def from_backend(cls, name_or_path: str, quantile: str = "median") -> Device:
        """The device named ``name_or_path`` (a fake backend in any spelling: ``fake_fez``,
        ``FakeFez``, ``fez``) or read from a backend-properties JSON file (a name ending in
        ``.json``), at ``quantile``.

        Raises:
            ValueError: unknown name (with close matches), unreadable or malformed file, or a
                calibration without two-qubit gate errors, T1, T2, or durations.
        """
        quantile = check_quantile(quantile)
        if not isinstance(name_or_path, str) or not name_or_path:
            raise ValueError(f"device={name_or_path!r} must be a fake backend's name or a .json file")
        if name_or_path.lower().endswith(".json"):
            path = pathlib.Path(name_or_path)
            try:
                data = json.loads(path.read_text())
            except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
                raise ValueError(f"device={name_or_path!r}: cannot read it as JSON: {e}") from None
            return cls.from_properties(data, quantile=quantile, where=name_or_path)
        backend = _fake_backend(name_or_path)
        data = json.loads(pathlib.Path(backend.dirname, backend.props_filename).read_text())
        return cls.from_properties(data, quantile=quantile, where=backend.name, name=backend.name)

    @classmethod
    def from_properties(
        cls, data: Any, *, quantile: str = "median", where: str = "properties", name: str | None = None
    ) -> Device:
        """The device a backend-properties dict describes (the module docstring gives the format);
        ``where`` names it in errors, ``name`` replaces its ``backend_name``."""
        quantile = check_quantile(quantile)
        props = _Properties(data, where)
        q = _fraction(quantile)
        pessimistic = {"error": q, "duration": q, "time": 1 - q}  # T1, T2: larger is better

        def pick(kind: str, what: str, values: list[float]) -> float:
            if not values:
                raise ValueError(f"{where}: the calibration has no {what}; cannot derive the device noise")
            return float(_quantile(values, pessimistic[kind]))

        errors_2q = {g: props.gate_values(g, "gate_error", working=True) for g in TWO_QUBIT_GATES}
        gate_2q = next((g for g in TWO_QUBIT_GATES if errors_2q[g]), None)
        if gate_2q is None:
            gates = ", ".join(TWO_QUBIT_GATES)
            raise ValueError(f"{where}: the calibration has no two-qubit gate error ({gates}) below 1 "
                             "(1 marks a gate out of service); cannot derive the device noise")  # fmt: skip
        gate_1q = next((g for g in ONE_QUBIT_GATES if props.gate_values(g, "gate_error")), ONE_QUBIT_GATES[0])
        t1s, t2s = props.qubit_values("T1"), props.qubit_values("T2")
        for label, values in (("T1", t1s), ("T2", t2s)):
            bad = [v for v in values if v <= 0]
            if bad:
                raise ValueError(f"{where}: {label}={bad[0]!r} s is not allowed; allowed: a time > 0")
        readout = props.qubit_values("readout_error") or [
            (a + b) / 2 for a, b in zip(props.qubit_values("prob_meas0_prep1"),
                                        props.qubit_values("prob_meas1_prep0"), strict=False)
        ]  # fmt: skip
        readout_length = props.qubit_values("readout_length") or props.gate_values("measure", "gate_length")
        duration_readout = pick("duration", "readout_length", readout_length)
        resets = props.gate_values("reset", "gate_length")
        t1 = pick("time", "T1", t1s)
        device = cls(
            name=name or props.backend_name,
            calibration=props.calibration,
            quantile=quantile,
            qubits=len(props.qubits),
            gate_2q=gate_2q,
            error_2q=pick("error", f"{gate_2q} gate_error", errors_2q[gate_2q]),
            error_1q=pick("error", f"{gate_1q} gate_error", props.gate_values(gate_1q, "gate_error")),
            readout_error=pick("error", "readout_error", readout),
            t1=t1,
            t2=min(pick("time", "T2", t2s), 2 * t1),
            duration_1q=pick("duration", f"{gate_1q} gate_length", props.gate_values(gate_1q, "gate_length")),
            duration_2q=pick("duration", f"{gate_2q} gate_length", props.gate_values(gate_2q, "gate_length")),
            duration_readout=duration_readout,
            # No reset gate: IBM resets by measuring, so a reset lasts as long as a readout.
            duration_reset=pick("duration", "reset gate_length", resets) if resets else duration_readout,
        )
        for field in ("error_2q", "error_1q", "readout_error"):
            value = getattr(device, field)
            if not 0 <= value <= 0.5:
                raise ValueError(f"{where}: {field}={value!r} at {quantile} is not allowed; "
                                 "allowed: [0, 0.5]")  # fmt: skip
        return device

    @property
    def noise(self) -> DeviceNoise:
        """The Stim noise this calibration makes."""
        return DeviceNoise(self)

    @property
    def label(self) -> str:
        """The noise's name in sinter rows and fit groups: device, calibration day and quantile.

        Example:
            >>> Device.from_backend("fez", "q90").label
            'device:fake_fez@2025-02-26:q90'
        """
        return f"device:{self.name}@{self.calibration[:10]}:{self.quantile}"

    def summary(self) -> str:
        """One paragraph: the quantile, the derived channels and the idealisation."""
        r = self.noise.rates
        return (
            f"{self.name} (calibration {self.calibration}), {self.quantile} over {self.qubits} qubits: "
            f"{self.gate_2q} error {self.error_2q:.3g} -> DEPOLARIZE2({r.gate2:.3g}), 1q error "
            f"{self.error_1q:.3g} -> DEPOLARIZE1({r.gate1:.3g}), readout {self.readout_error:.3g}, "
            f"T1 {self.t1 * 1e6:.4g} us, T2 {self.t2 * 1e6:.4g} us; {IDEALISATION}"
        )


def depolarizing_probability(error: float, qubits: int) -> float:
    """The Stim ``DEPOLARIZE1``/``DEPOLARIZE2`` probability whose average gate infidelity is
    ``error`` (RB error per gate): p = r·(2ⁿ + 1)/2ⁿ (see the module docstring).

    Example:
        >>> depolarizing_probability(0.004, 2), depolarizing_probability(0.001, 1)
        (0.005, 0.0015)
    """
    dim = 2**qubits
    return error * (dim + 1) / dim


def idle_pauli(duration: float, t1: float, t2: float) -> tuple[float, float, float]:
    """(px, py, pz) of amplitude and phase damping for ``duration``, Pauli-twirled.

    The twirl keeps the diagonal of the channel's Pauli transfer matrix: λx = λy = e^(−t/T2),
    λz = e^(−t/T1). A Pauli channel has λx = 1 − 2(py + pz), λy = 1 − 2(px + pz),
    λz = 1 − 2(px + py); solving gives px = py = (1 − e^(−t/T1))/4 and
    pz = (1 − e^(−t/T2))/2 − (1 − e^(−t/T1))/4 (Ghosh, Fowler and Geller, PRA 86, 062318 (2012)).
    Needs T2 ≤ 2·T1 (else pz < 0).

    Example:
        >>> [round(x, 6) for x in idle_pauli(1e-6, 100e-6, 100e-6)]
        [0.002488, 0.002488, 0.002488]
    """
    if not (t1 > 0 and 0 < t2 <= 2 * t1 and duration >= 0):
        raise ValueError(f"idle: need T1 > 0, 0 < T2 <= 2*T1 and a duration >= 0; got T1={t1}, T2={t2}, "
                         f"t={duration}")  # fmt: skip
    relax = (1 - math.exp(-duration / t1)) / 4
    return (relax, relax, max((1 - math.exp(-duration / t2)) / 2 - relax, 0.0))


@dataclasses.dataclass(frozen=True)
class DeviceNoise:
    """A device's calibration as Stim noise: what ``qec.Experiment`` takes in place of a
    ``NoiseModel`` (same ``name``, ``p``, ``rates``, ``apply``, ``noisy_rounds``).

    ``name`` is the device's label (``Device.label``) and ``p`` its ``DEPOLARIZE2`` probability
    (the p of ``circuit`` noise with the same two-qubit gate error), so sinter rows and fits group
    by device and sort by their two-qubit noise.

    Example:
        >>> noise = Device.from_backend("fake_fez").noise
        >>> noise.name, round(noise.p, 5)
        ('device:fake_fez@2025-02-26:median', 0.00477)
    """

    device: Device

    @property
    def name(self) -> str:
        return self.device.label

    @property
    def p(self) -> float:
        return self.rates.gate2

    @property
    def rates(self) -> NoiseRates:
        """The channels (module docstring): gates depolarizing, readout and reset flips, twirled idling."""
        dev = self.device
        read_reset = dev.duration_readout + dev.duration_reset
        return NoiseRates(
            gate1=depolarizing_probability(dev.error_1q, 1),
            gate2=depolarizing_probability(dev.error_2q, 2),
            measure_flip=dev.readout_error,
            readout_flip=dev.readout_error,
            reset_flip=dev.readout_error,
            idle_pauli_1q=idle_pauli(dev.duration_1q, dev.t1, dev.t2),
            idle_pauli_2q=idle_pauli(dev.duration_2q, dev.t1, dev.t2),
            idle_pauli_measure_reset=idle_pauli(read_reset, dev.t1, dev.t2),
        )

    @property
    def metadata(self) -> dict[str, Any]:
        """What sinter rows carry besides ``noise`` and ``p``: the device, calibration and quantile."""
        return {"device": self.device.name, "calibration": self.device.calibration,
                "quantile": self.device.quantile}  # fmt: skip

    def noisy_rounds(self, rounds: int) -> int:
        """Every round carries noise."""
        return rounds

    def apply(self, circuit: stim.Circuit) -> stim.Circuit:
        """``circuit`` (noiseless, layers separated by TICKs) with the device's noise inserted."""
        return apply_rates(circuit, self.rates)


def available_devices() -> list[str]:
    """The fake backends' names (``qiskit_ibm_runtime.fake_provider``), sorted.

    Example:
        >>> "fake_fez" in available_devices()
        True
    """
    return sorted(_fake_backends())


@functools.cache
def _fake_backends() -> dict[str, Any]:
    import warnings

    from qiskit_ibm_runtime.fake_provider import FakeProviderForBackendV2

    with warnings.catch_warnings():  # fake_nighthawk warns that its numbers are not typical
        warnings.simplefilter("ignore", UserWarning)
        return {b.name: b for b in FakeProviderForBackendV2().backends() if b.props_filename}


def _spelling(name: str) -> str:
    key = re.sub(r"[\s_-]", "", name.lower())
    for prefix in ("fake", "ibmq", "ibm"):
        if key.startswith(prefix) and len(key) > len(prefix):
            return key[len(prefix) :]
    return key


def _fake_backend(name: str) -> Any:
    backends = _fake_backends()
    by_key = {_spelling(n): b for n, b in backends.items()}
    if _spelling(name) in by_key:
        return by_key[_spelling(name)]
    close = difflib.get_close_matches(_spelling(name), list(by_key), n=4, cutoff=0.6)
    hint = (f"; close: {', '.join(by_key[k].name for k in close)}" if close
            else "; `qec devices` lists them")  # fmt: skip
    raise ValueError(f"device={name!r} is not a fake backend of qiskit_ibm_runtime (nor a .json file){hint}")


def _quantile(values: list[float], fraction: float) -> float:
    import numpy as np

    return float(np.quantile(np.asarray(values, dtype=float), fraction))


class _Properties:
    """A backend-properties dict, checked field by field (numbers and names only)."""

    def __init__(self, data: Any, where: str) -> None:
        self.where = where
        if not isinstance(data, dict):
            raise ValueError(f"{where}: must be a backend-properties object "
                             f"(backend.properties().to_dict()), got {type(data).__name__}")  # fmt: skip
        fields = (("backend_name", str), ("last_update_date", str), ("qubits", list), ("gates", list))
        for key, kind in fields:
            if not isinstance(data.get(key), kind):
                got = "missing" if key not in data else f"{data[key]!r}"[:60]
                raise ValueError(f"{where}: {key}={got} is not allowed; allowed: a {kind.__name__} "
                                 "(backend-properties JSON, see qec.device)")  # fmt: skip
        self.backend_name: str = data["backend_name"]
        try:
            self.calibration = datetime.datetime.fromisoformat(data["last_update_date"]).isoformat()
        except ValueError:
            raise ValueError(f"{where}: last_update_date={data['last_update_date']!r} is not allowed; "
                             "allowed: an ISO 8601 date") from None  # fmt: skip
        self.qubits: list[dict[str, Any]] = []
        for i, entries in enumerate(data["qubits"]):
            if not isinstance(entries, list):
                raise ValueError(f"{where}: qubits[{i}]={str(entries)[:60]} is not allowed; allowed: a list "
                                 "of {name, value, unit} entries")  # fmt: skip
            self.qubits.append(self._entries(entries, f"qubits[{i}]"))
        self.gates: list[tuple[str, dict[str, Any]]] = []
        for i, gate in enumerate(data["gates"]):
            ok = (isinstance(gate, dict) and isinstance(gate.get("gate"), str)
                  and isinstance(gate.get("qubits"), list)
                  and isinstance(gate.get("parameters"), list))  # fmt: skip
            if not ok:
                raise ValueError(f"{where}: gates[{i}]={str(gate)[:60]} is not allowed; allowed: "
                                 "{gate, qubits, parameters}")  # fmt: skip
            at = f"gates[{i}] ({gate['gate']})"
            self.gates.append((gate["gate"], self._entries(gate["parameters"], at)))

    def _entries(self, entries: list[Any], at: str) -> dict[str, Any]:
        out = {}
        for entry in entries:
            if not (isinstance(entry, dict) and isinstance(entry.get("name"), str)):
                raise ValueError(f"{self.where}: {at} entry {str(entry)[:60]} is not allowed; allowed: "
                                 "{name, value, unit}")  # fmt: skip
            out[entry["name"]] = (at, entry)
        return out

    def _value(self, at: str, entry: dict[str, Any]) -> float:
        """An entry's value as a finite number, times in seconds (checked only where used)."""
        value, unit, name = entry.get("value"), entry.get("unit", ""), entry["name"]
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            raise ValueError(f"{self.where}: {at} {name}={value!r} is not allowed; allowed: a finite number")
        if name not in ("T1", "T2", "readout_length", "gate_length"):
            return float(value)
        if unit not in _SECONDS:
            raise ValueError(f"{self.where}: {at} {name} unit={unit!r} is not allowed; "
                             f"allowed: {sorted(_SECONDS)}")  # fmt: skip
        return value * _SECONDS[unit]

    def qubit_values(self, name: str) -> list[float]:
        return [self._value(*q[name]) for q in self.qubits if name in q]

    def gate_values(self, gate: str, name: str, *, working: bool = False) -> list[float]:
        found = [p for g, p in self.gates if g == gate and name in p]
        if working:  # gate_error 1: IBM's mark of a coupler out of service
            found = [p for p in found if "gate_error" not in p or self._value(*p["gate_error"]) < 1]
        return [self._value(*p[name]) for p in found]


def device_table(quantile: str = "median") -> str:
    """``qec devices``: every fake backend with its calibration date and quantile values.

    Devices whose calibration cannot make a noise model (no two-qubit gate, no readout length,
    ...) are listed with the reason.
    """
    quantile = check_quantile(quantile)
    lines = [
        f"fake backends of qiskit_ibm_runtime; values are the {quantile} over qubits/gates "
        f"(errors: reported RB/readout error); {IDEALISATION}",
        f"{'device':<18} {'calibration':<11} {'qubits':>6} {'2q gate':>7} {'2q error':>9} {'1q error':>9} "
        f"{'readout':>9} {'T1 (us)':>8} {'T2 (us)':>8}",
    ]
    for name, backend in sorted(_fake_backends().items()):
        try:
            data = json.loads(pathlib.Path(backend.dirname, backend.props_filename).read_text())
            d = Device.from_properties(data, quantile=quantile, where=name, name=name)
        except (OSError, ValueError) as e:
            reason = str(e).removeprefix(f"{name}: ")
            lines.append(f"{name:<18} not usable: {reason}")
            continue
        lines.append(
            f"{d.name:<18} {d.calibration[:10]:<11} {d.qubits:>6} {d.gate_2q:>7} {d.error_2q:>9.2e} "
            f"{d.error_1q:>9.2e} {d.readout_error:>9.2e} {d.t1 * 1e6:>8.1f} {d.t2 * 1e6:>8.1f}"
        )
    return "\n".join(lines)
