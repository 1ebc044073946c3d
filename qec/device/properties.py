"""A backend-properties document read at a quantile: checked field by field, numbers and names only."""

from __future__ import annotations

import datetime
import math
from typing import Any

from qec.device.quantile import _fraction, _quantile

# Native two-qubit gates, in order of preference (rzz, the fractional gate, is not one).
TWO_QUBIT_GATES: tuple[str, ...] = ("cz", "ecr", "cx")
# The single-qubit gate whose error stands for every single-qubit gate (u2 on the oldest devices).
ONE_QUBIT_GATES: tuple[str, ...] = ("sx", "x", "u2")
_SECONDS = {"s": 1.0, "ms": 1e-3, "us": 1e-6, "µs": 1e-6, "ns": 1e-9}


def _device_fields(data: Any, *, quantile: str, where: str) -> dict[str, Any]:
    """``Device``'s fields (``name`` is the ``backend_name``) from a backend-properties dict at a
    checked ``quantile``; ``where`` names it in errors (``qec.device`` gives the format)."""
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
    fields = dict(
        name=props.backend_name,
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
        value = fields[field]
        if not 0 <= value <= 0.5:
            raise ValueError(f"{where}: {field}={value!r} at {quantile} is not allowed; "
                             "allowed: [0, 0.5]")  # fmt: skip
    return fields


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
