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

from qec._check import record_fields
from qec.budget import BudgetPlan, budget_plan
from qec.device import IDEALISATION, Device, idle_pauli
from qec.fit import models_by_decoder
from qec.interval import Interval, flat_dict
from qec.tolerance import PhysicalPoint, Tolerance, bootstrap_weights, physical_points

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
        out = flat_dict(self)  # the point's intervals as their flat keys, as in tolerance.json
        out["layout"] = list(self.layout)
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> DeviceVerdict:
        values = record_fields(cls, data, what="device verdict")  # a missing key is one line naming it
        values["layout"] = tuple(values["layout"])
        point = record_fields(PhysicalPoint, values["point"], what="device verdict point")
        values["point"] = PhysicalPoint(**point)
        return cls(**values)

    def describe(self) -> str:
        """One line: the change, the verdict and the transpilation."""
        x = self.point.delta_accuracy
        verdict = "hardware alone suffices" if self.point.within_delta else "QEC needed"
        return (f"{self.device} (calibration {self.calibration[:10]}): Δacc no QEC {x.best:+.4f} "
                f"[{x.low:+.4f}, {x.high:+.4f}] -> {verdict}; "
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
    (point,) = physical_points(evals, [(device.label, float(device.noise.p))], [device.label], weights,
                               delta=delta, confidence=confidence)  # fmt: skip
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
    # The measured-channel route reads the fits' CNOT groups: only the device's own count here.
    own = {**fits, "fits": {k: g for k, g in fits.get("fits", {}).items() if g.get("noise") == device.label}}
    return dataclasses.replace(plan, report=report, fits=own), verdict


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


# ---------------------------------------------------------------------------------------
# A study's devices side by side (`qec devices --study DIR`)

SUMMARY_COLUMNS: tuple[str, ...] = (
    "device", "qnn", "calibration", "quantile", "decoder", "error_2q", "error_1q", "readout_error", "t1_us",
    "t2_us", "p", "verdict", "delta_accuracy", "delta_accuracy_low", "delta_accuracy_high", "swaps", "d_star",
    "d_star_low", "d_star_high", "physical_qubits", "physical_qubits_low", "physical_qubits_high",
    "extrapolated_by", "qdk_machine", "qdk_code_distance", "qdk_physical_qubits", "qdk_runtime_ns",
    "qdk_inference_seconds",
)  # fmt: skip


def device_summary(data_dir: str) -> list[dict[str, Any]]:
    """One row per (device, decoder) of a study folder's ``devices/<device>/budget.json`` and
    ``resources.json``: calibration and derived noise, verdict, d* and qubits with intervals, and
    QDK's machine (the qubit parameters) with its code distance, qubits and run time.

    Raises:
        ValueError: the folder holds no device budgets.
    """
    import json
    import pathlib

    from qec.budget import BudgetReport

    root = pathlib.Path(data_dir)
    budgets = sorted([*root.glob("devices/*/budget.json"), *root.glob("devices/*/*/budget.json")])
    if not budgets:
        raise ValueError(f"{str(root)!r} holds no devices/<device>/budget.json (a study with "
                         "sampling.device)")  # fmt: skip
    rows = []
    for path in budgets:
        document = json.loads(path.read_text())
        report = BudgetReport.from_dict(document)
        verdict = DeviceVerdict.from_dict(document["device"])
        device = Device.from_backend(verdict.device, verdict.quantile)
        qp = device_qubit_params(device)
        machine = (f"2q {qp['twoQubitGateTime']} @ {qp['twoQubitGateErrorRate']:.3g}; "
                   f"1q {qp['oneQubitGateTime']} @ {qp['oneQubitGateErrorRate']:.3g}; "
                   f"meas {qp['oneQubitMeasurementTime']} @ "
                   f"{qp['oneQubitMeasurementErrorRate']:.3g}; idle {qp['idleErrorRate']:.3g}")  # fmt: skip
        res_path = path.with_name("resources.json")
        resources = json.loads(res_path.read_text()) if res_path.exists() else {"rows": []}
        q = report.tolerance.qnn
        qnn = (f"{q.get('qubits')}q {q.get('layers')}l {q.get('connectivity')} {q.get('dataset')}"
               if not q.get("circuit") else f"{q['circuit']} {q.get('dataset')}")  # fmt: skip
        for row in report.rows:
            want = {"decoder": row.decoder, "constants": "measured", "bound": "estimate"}
            est = next((r for r in resources["rows"] if all(r.get(k) == v for k, v in want.items())), {})
            rows.append({
                "device": device.name, "qnn": qnn, "calibration": device.calibration[:10],
                "quantile": device.quantile,
                "decoder": row.decoder, "error_2q": device.error_2q, "error_1q": device.error_1q,
                "readout_error": device.readout_error, "t1_us": device.t1 * 1e6, "t2_us": device.t2 * 1e6,
                "p": row.p, "verdict": row.verdict, **_ends("delta_accuracy", row.physical_delta_accuracy),
                "swaps": verdict.swaps, **_ends("d_star", row.d_star_interval),
                **_ends("physical_qubits", row.physical_qubits), "extrapolated_by": row.extrapolated_by,
                "qdk_machine": machine, "qdk_code_distance": est.get("code_distance"),
                "qdk_physical_qubits": est.get("physical_qubits"), "qdk_runtime_ns": est.get("runtime_ns"),
                "qdk_inference_seconds": est.get("inference_seconds"),
            })  # fmt: skip
    return rows


def _ends(key: str, interval: Interval | None) -> dict[str, Any]:
    """A summary row's three columns of an interval: ``key``, ``key_low``, ``key_high``."""
    parts = (None, None, None) if interval is None else (interval.best, interval.low, interval.high)
    return dict(zip((key, f"{key}_low", f"{key}_high"), parts, strict=True))


def format_summary(rows: Sequence[Mapping[str, Any]]) -> str:
    """The summary as a text table, one line per (device, decoder)."""
    f = lambda v, spec="": "?" if v is None else format(v, spec)  # noqa: E731
    lines = [
        "# devices: calibration (median or quantile) -> Stim noise on an ideal square grid for d*; "
        "verdict from the QNN transpiled to the device under Aer's NoiseModel.from_backend",
        f"{'device':<14} {'qnn':<22} {'calibration':<11} {'decoder':<22} {'p (DEP2)':>9} {'verdict':<9} "
        f"{'Δacc no QEC [95%]':<27} {'swaps':>5} {'d* [low, high]':<15} {'qubits [low, high]':<26} "
        f"{'QDK d':>5} {'QDK qubits':>11} {'run time':>10}  model used",
    ]
    for r in rows:
        change, d, q = (_interval(r, "delta_accuracy", "+.4f"), _interval(r, "d_star"),
                        _interval(r, "physical_qubits", ","))  # fmt: skip
        run = "?" if r["qdk_runtime_ns"] is None else f"{r['qdk_runtime_ns'] / 1e3:.3g} us"
        lines.append(f"{r['device']:<14} {r['qnn']:<22} {r['calibration']:<11} {r['decoder']:<22} "
                     f"{r['p']:>9.4g} "
                     f"{r['verdict']:<9} {change:<27} {r['swaps']:>5} {d:<15} {q:<26} "
                     f"{f(r['qdk_code_distance']):>5} {f(r['qdk_physical_qubits'], ','):>11} "
                     f"{run:>10}  {_model_note(r)}")  # fmt: skip
    machines = {(r["device"], r["qdk_machine"]) for r in rows}
    lines += [f"#   QDK machine of {name}: {m}" for name, m in sorted(machines)]
    lines.append(
        "#   ?: no value (no d* where hardware suffices or the model finds none; an open end: "
        "beyond the distances searched); model used: where d* lies against the sampled d"
    )
    return "\n".join(lines)


def _model_note(row: Mapping[str, Any]) -> str:
    """Whether the row's d* extrapolates the suppression model beyond the distances sampled."""
    if row["d_star"] is None:
        return "no d needed" if row["verdict"] == "hardware" else "the model finds no d"
    steps = row.get("extrapolated_by") or 0
    return f"extrapolated {steps} distance steps beyond the sampled d" if steps else "within the sampled d"


def _interval(row: Mapping[str, Any], key: str, spec: str = "") -> str:
    f = lambda v: "?" if v is None else format(v, spec)  # noqa: E731
    return f"{f(row[key])} [{f(row[key + '_low'])}, {f(row[key + '_high'])}]"


def plot_summary(rows: Sequence[Mapping[str, Any]], path: str) -> None:
    """d* (top) and physical qubits (bottom) per device on the x axis, one column per QNN, one
    marker per decoder, error bars the intervals (an arrow: no upper end within the search); a row
    without d* names its verdict at the bottom (HW: hardware alone suffices)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from qec._io import atomic_write_bytes

    short = {"hardware": "HW", "above_threshold": "above thr.", "no_distance": "no d"}
    devices = list(dict.fromkeys(r["device"] for r in rows))
    qnns = list(dict.fromkeys(r["qnn"] for r in rows))
    decoders = list(dict.fromkeys(r["decoder"] for r in rows))
    fig, axes = plt.subplots(2, len(qnns), figsize=(4.2 * len(qnns) + 1, 6.5), sharex=True, squeeze=False)
    width = 0.5 / max(len(decoders), 1)
    for c, qnn in enumerate(qnns):
        for k, decoder in enumerate(decoders):
            color = f"C{k}"
            for ax, key in zip(axes[:, c], ("d_star", "physical_qubits"), strict=True):
                for i, device in enumerate(devices):
                    want = (device, qnn, decoder)
                    r = next((r for r in rows if (r["device"], r["qnn"], r["decoder"]) == want), None)
                    if r is None:
                        continue
                    x = i + (k - (len(decoders) - 1) / 2) * width
                    if r[key] is None:
                        ax.text(x, 0.02, short.get(r["verdict"], r["verdict"]), rotation=90,
                                ha="center", va="bottom", fontsize=7, color=color,
                                transform=ax.get_xaxis_transform())  # fmt: skip
                        continue
                    low = r[f"{key}_low"] if r[f"{key}_low"] is not None else r[key]
                    high = r[f"{key}_high"]
                    ax.errorbar([x], [r[key]], yerr=[[r[key] - low], [(high or r[key]) - r[key]]], fmt="o",
                                color=color, capsize=3)  # fmt: skip
                    if high is None:  # the pessimistic end lies beyond the search
                        arrow = {"arrowstyle": "->", "color": color}
                        ax.annotate("", (x, 0.97), (x, r[key]), xycoords=("data", "axes fraction"),
                                    textcoords="data", arrowprops=arrow)  # fmt: skip
        axes[0, c].set_title(f"QNN {qnn}", fontsize=9)
        axes[1, c].set_yscale("log")
        labels = [f"{d}\n{next(r['calibration'] for r in rows if r['device'] == d)}" for d in devices]
        axes[1, c].set_xticks(range(len(devices)), labels, fontsize=8)
        axes[1, c].set_xlim(-0.5, len(devices) - 0.5)
    axes[0, 0].set_ylabel("d* [interval]")
    axes[1, 0].set_ylabel("physical qubits [interval]")
    handles = [plt.Line2D([], [], color=f"C{k}", marker="o", ls="") for k in range(len(decoders))]
    fig.legend(handles, decoders, loc="upper right", fontsize=8)
    fig.suptitle("QEC budget per device (surface code at its calibration; HW: hardware alone suffices)",
                 fontsize=9)  # fmt: skip
    fig.tight_layout(rect=(0, 0, 1, 0.95))
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=130)
    plt.close(fig)
    atomic_write_bytes(path, buffer.getvalue())


def write_summary(data_dir: str) -> str:
    """``devices.csv``, ``devices.txt`` and ``plots/devices.png`` of a study folder; returns the text."""
    import pathlib

    from qec._io import atomic_write_text

    rows = device_summary(data_dir)
    root = pathlib.Path(data_dir)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(SUMMARY_COLUMNS), lineterminator="\n")
    writer.writeheader()
    for r in rows:
        writer.writerow({k: "" if r[k] is None else r[k] for k in SUMMARY_COLUMNS})
    text = format_summary(rows)
    atomic_write_text(root / "devices.csv", out.getvalue())
    atomic_write_text(root / "devices.txt", text + "\n")
    (root / "plots").mkdir(exist_ok=True)
    plot_summary(rows, str(root / "plots" / "devices.png"))
    return text
