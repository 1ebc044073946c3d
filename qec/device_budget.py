"""The budget and resources of one device: the verdict from the QNN on the device, d* and qubits
from the fits of the device's noise, QDK qubit parameters from its calibration.

Three pieces, each from a ``qec.device.Device`` (a fake backend's calibration at a quantile):

- **The physical verdict** (``device_verdict``): the workload's noiselessly trained QNNs
  transpiled to the device (coupling map, basis gates, swaps counted) and simulated under Aer's
  ``NoiseModel.from_backend`` (``qec.qnn.device``), paired point by point with the noiseless QNN
  on the same test points, the change's interval a bootstrap over seeds and test points
  (``qec.tolerance.bootstrap_weights``/``paired_changes``, as the physical rows of the tolerance).
  Hardware alone suffices where the mean change is ≥ −δ.
- **The budget row** (``device_budget_plan``): the fits of device-noise shards group under the
  device's label (``Device.label``); the budget's p for the device is its ``DEPOLARIZE2``
  probability (``DeviceNoise.p``, the p the fits hold its points at), and the tolerance's
  physical rows are replaced by the device's verdict, so ``qec.budget.budget_plan`` gives one row
  per decoder: hardware, or QEC with d* [interval] and qubits.
- **The QDK qubit parameters** (``device_qubit_params``): gate and readout times and error rates
  of the calibration, in QDK's ``GateBased`` qubit-parameter keys, for ``qec resources``.
"""

from __future__ import annotations

import csv
import dataclasses
import io
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from qec.budget import BudgetPlan, budget_plan
from qec.device import IDEALISATION, Device, idle_pauli
from qec.fit import models_by_decoder
from qec.tolerance import PhysicalPoint, Tolerance, bootstrap_weights, paired_changes

VERDICT_ROUTE = (
    "the QNN transpiled to the device (its coupling map and basis gates, Qiskit preset level 1, "
    "swaps counted) and simulated exactly (density matrix) under Aer's NoiseModel.from_backend: "
    "per-qubit gate, relaxation and readout errors"
)


@dataclasses.dataclass(frozen=True)
class DeviceVerdict:
    """The QNN on one device, no QEC: its paired accuracy change and how it was run.

    Attributes:
        device: Fake backend name. label: ``Device.label`` (the fits' noise of this device).
        calibration: Snapshot date. quantile: Quantile of the Stim noise the fits used.
        p: The device's ``DEPOLARIZE2`` probability, the budget row's p.
        swaps: Swaps routing inserted. layout: Physical qubit of each QNN qubit.
        two_qubit_gates, depth, duration_ns: Of the transpiled circuit.
        point: The paired change (noise ``label``, p ``p``) with its interval and verdict.
    """

    device: str
    label: str
    calibration: str
    quantile: str
    p: float
    swaps: int
    layout: tuple[int, ...]
    two_qubit_gates: int
    depth: int
    duration_ns: float
    point: PhysicalPoint

    def to_dict(self) -> dict[str, Any]:
        out = dataclasses.asdict(self)
        out["layout"] = list(self.layout)
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> DeviceVerdict:
        values = {f.name: data[f.name] for f in dataclasses.fields(cls)}
        values["layout"] = tuple(values["layout"])
        values["point"] = PhysicalPoint(**data["point"])
        return cls(**values)

    def describe(self) -> str:
        """One line: the change, the verdict and the transpilation."""
        x = self.point
        verdict = "hardware alone suffices" if x.within_delta else "QEC needed"
        return (f"{self.device} (calibration {self.calibration[:10]}): Δacc no QEC {x.delta_accuracy:+.4f} "
                f"[{x.delta_accuracy_low:+.4f}, {x.delta_accuracy_high:+.4f}] -> {verdict}; "
                f"{self.swaps} swaps, "
                f"{self.two_qubit_gates} two-qubit gates, depth {self.depth}, {self.duration_ns:.0f} ns, "
                f"qubits {list(self.layout)}")  # fmt: skip


def device_verdict(
    workload: Any,
    device: Device,
    *,
    delta: float,
    confidence: float = 0.95,
    bootstrap: int = 1000,
    seed: int = 0,
) -> DeviceVerdict:
    """The physical verdict of ``workload`` (a ``qec.qnn.Workload``, inference definition) on
    ``device``'s fake backend (see the module docstring).

    Raises:
        ValueError: the device is a properties JSON (no coupling map), the workload is the
            training one, or its QNN too wide for a density matrix.
    """
    from qec.qnn.device import evaluate_on_device, fake_backend

    backend = fake_backend(device.name)
    run = evaluate_on_device(workload, backend, device.label, seed=seed)
    evals = run.evaluations
    n_seeds, _, n_points = evals.accuracy.shape
    weights = bootstrap_weights(n_seeds, n_points, replicates=bootstrap, rng=np.random.default_rng(seed))
    (acc,) = paired_changes(evals, [device.label], weights, metric="accuracy", confidence=confidence)
    (loss,) = paired_changes(evals, [device.label], weights, metric="loss", confidence=confidence)
    point = PhysicalPoint(
        noise=device.label, p=float(device.noise.p),
        accuracy=float(evals.accuracy[:, evals.column(device.label)].mean()),
        delta_accuracy=acc.mean, delta_accuracy_low=acc.low, delta_accuracy_high=acc.high,
        delta_loss=loss.mean, delta_loss_low=loss.low, delta_loss_high=loss.high,
        within_delta=acc.mean >= -delta,
    )  # fmt: skip
    t = run.transpiled
    return DeviceVerdict(device=device.name, label=device.label, calibration=device.calibration,
                         quantile=device.quantile, p=float(device.noise.p), swaps=t.swaps, layout=t.layout,
                         two_qubit_gates=t.two_qubit_gates, depth=t.depth, duration_ns=t.duration_ns,
                         point=point)  # fmt: skip


def device_assumptions(device: Device, verdict: DeviceVerdict) -> tuple[str, ...]:
    """The report lines that say where a device's row comes from."""
    r = device.noise.rates
    return (
        f"device: {device.summary()}",
        f"device p = its DEPOLARIZE2 probability {r.gate2:.4g} (two-qubit error {device.error_2q:.4g} "
        "× 5/4): "
        f"the p its fits (noise {device.label}) were sampled at; d* extrapolates from that one p",
        f"device verdict (the 'Δacc no QEC' column): {VERDICT_ROUTE}; {verdict.describe()}",
    )


def device_budget_plan(
    fits: Mapping[str, Any],
    tolerance: Tolerance,
    workload: Any,
    device: Device,
    *,
    code: str,
    basis: str = "z",
    decoders: Sequence[str] | None = None,
    cycles_per_gate: float = 1.0,
    source: str = "the fits",
    verdict: DeviceVerdict | None = None,
    progress: Any = None,
) -> tuple[BudgetPlan, DeviceVerdict]:
    """The budget of ``device``: one row per decoder at the device's p, its verdict from the QNN
    on the device (``device_verdict``, measured here unless given), d* from the fits of noise
    ``device.label``.

    Raises:
        ValueError: the fits hold no model for the device's label (the message lists the groups
            they hold), or ``device_verdict``'s errors.
    """
    models_by_decoder(fits, code, device.label, basis, decoders)  # the fits' errors first
    if callable(workload):
        workload = workload()
    if verdict is None:
        if progress is not None:
            progress(f"the QNN on {device.name}: transpiled and simulated under its Aer noise model")
        verdict = device_verdict(workload, device, delta=tolerance.delta, confidence=tolerance.confidence,
                                 bootstrap=tolerance.bootstrap or 1000)  # fmt: skip
    if verdict.label != device.label:
        raise ValueError(f"the verdict is of {verdict.label}, the budget of {device.label}")
    at_device = dataclasses.replace(tolerance, physical=(verdict.point,))
    plan = budget_plan(fits, at_device, workload, code=code, basis=basis, decoders=decoders,
                       cycles_per_gate=cycles_per_gate, source=source)  # fmt: skip
    report = dataclasses.replace(plan.report, assumptions=(*plan.report.assumptions,
                                                           *device_assumptions(device, verdict)))  # fmt: skip
    return dataclasses.replace(plan, report=report), verdict


def labelled_csv(csv_text: str, device: Device) -> str:
    """A budget CSV (``BudgetReport.to_csv``) with the device's name, calibration, quantile and
    label in front of every row.

    Example:
        >>> dev = Device.from_backend("fake_fez")
        >>> labelled_csv("p,decoder\\n0.005,pymatching\\n", dev).splitlines()[1]
        'fake_fez,2025-02-26T15:16:25-05:00,median,device:fake_fez@2025-02-26:median,0.005,pymatching'
    """
    rows = list(csv.reader(io.StringIO(csv_text)))
    if not rows:
        return csv_text
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["device", "calibration", "quantile", "noise", *rows[0]])
    for row in rows[1:]:
        writer.writerow([device.name, device.calibration, device.quantile, device.label, *row])
    return out.getvalue()


# ---------------------------------------------------------------------------------------
# QDK qubit parameters


def device_qubit_params(device: Device) -> dict[str, Any]:
    """QDK ``GateBased`` qubit parameters of ``device`` (its quantile's values).

    Times: one-qubit gate and T gate = the single-qubit gate's duration (``sx``; a T is an
    ``rz``, which IBM applies in software, so this is the time of a non-virtual one-qubit gate),
    two-qubit gate = the native two-qubit gate's, measurement = readout. Error rates: the Stim
    noise's own probabilities (``DeviceNoise.rates``): DEPOLARIZE1 for one-qubit and T gates,
    DEPOLARIZE2 for two-qubit gates, the readout error for measurement, and for idling the
    probability of any Pauli error over one two-qubit gate's duration from T1 and T2 (the
    Pauli-twirled channel the code experiments apply to a waiting qubit). QDK's p in its
    per-cycle formula is the largest of these: the DEPOLARIZE2 probability or the readout error.

    Example:
        >>> qp = device_qubit_params(Device.from_backend("fake_fez"))
        >>> qp["twoQubitGateTime"], round(qp["twoQubitGateErrorRate"], 5)
        ('84 ns', 0.00477)
    """
    r = device.noise.rates
    ns = lambda seconds: f"{max(round(seconds * 1e9), 1)} ns"  # noqa: E731  QDK wants whole ns > 0
    return {
        "instructionSet": "GateBased",
        "name": f"qec_{device.name}_{device.quantile}",
        "oneQubitMeasurementTime": ns(device.duration_readout),
        "oneQubitGateTime": ns(device.duration_1q),
        "twoQubitGateTime": ns(device.duration_2q),
        "tGateTime": ns(device.duration_1q),
        "oneQubitMeasurementErrorRate": r.measure_flip,
        "oneQubitGateErrorRate": r.gate1,
        "twoQubitGateErrorRate": r.gate2,
        "tGateErrorRate": r.gate1,
        "idleErrorRate": sum(idle_pauli(device.duration_2q, device.t1, device.t2)),
    }


def device_resources_note(device: Device) -> str:
    """The line a device's resources report adds: where its qubit parameters came from."""
    return (f"qubit parameters of {device.label}: times and error rates of its {device.quantile} "
            f"calibration (qec.device_budget.device_qubit_params); p = its DEPOLARIZE2 probability "
            f"{device.noise.p:.4g}; {IDEALISATION}")  # fmt: skip
