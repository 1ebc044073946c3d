"""The ``Device`` record (one quantile of a calibration) and ``DeviceNoise``, the Stim noise it makes.

The two refer to each other (``Device.noise``, ``DeviceNoise.device``), so they share a module.
"""

from __future__ import annotations

import dataclasses
import json
import pathlib
from typing import Any

import stim

from qec.device.backends import _backend_properties, _fake_backend
from qec.device.channels import depolarizing_probability, idle_pauli
from qec.device.properties import _device_fields
from qec.device.quantile import check_quantile
from qec.noise import NoiseRates, apply_rates

IDEALISATION = (
    "the code runs on an ideal square grid with the device's error rates, not on its heavy-hex layout"
)


@dataclasses.dataclass(frozen=True)
class Device:
    """One quantile of a device's calibration (times in seconds, errors as probabilities).

    Attributes:
        name: The fake backend's name (``fake_fez``) or, for a JSON file, its ``backend_name``.
        calibration: The snapshot's ``last_update_date`` (ISO 8601).
        quantile: ``"median"`` or ``"qNN"`` (``qec.device`` gives the direction).
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
        data = _backend_properties(backend)
        return cls.from_properties(data, quantile=quantile, where=backend.name, name=backend.name)

    @classmethod
    def from_properties(
        cls, data: Any, *, quantile: str = "median", where: str = "properties", name: str | None = None
    ) -> Device:
        """The device a backend-properties dict describes (``qec.device`` gives the format);
        ``where`` names it in errors, ``name`` replaces its ``backend_name``.

        Raises:
            ValueError: a bad ``quantile``, a malformed dict, or a calibration without two-qubit
                gate errors, T1, T2, or durations, or with an error outside [0, 0.5].
        """
        quantile = check_quantile(quantile)
        fields = _device_fields(data, quantile=quantile, where=where)
        return cls(**{**fields, "name": name or fields["name"]})

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
        """The channels (``qec.device``): gates depolarizing, readout and reset flips, twirled idling."""
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
