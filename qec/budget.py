"""The QML error budget: tolerance ε* and suppression model → one verdict per p, d* [interval], qubits."""

from __future__ import annotations

import csv
import dataclasses
import io
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from qec._check import record_fields
from qec.channel_budget import CHANNEL_ASSUMPTIONS, ChannelRow
from qec.channel_budget import channel_rows as measured_channel_rows
from qec.channel_budget import format_rows as format_channel_rows
from qec.codes import Code
from qec.fit import (
    AboveThreshold,
    SuppressionModel,
    above_threshold_by_decoder,
    groups_of,
    logical_eps_op,
    models_by_decoder,
)
from qec.qnn.workload import Workload, qnn_shape
from qec.sampling import DEFAULT_DECODER
from qec.tolerance import Change, Tolerance, measure_changes

VERDICTS: dict[str, str] = {
    "hardware": "hardware alone suffices",
    "qec": "QEC needed",
    "above_threshold": "above threshold: no distance suffices",
    "no_distance": "QEC needed; the model finds no d",
}
_QEC_NEEDED = {"hardware": False, "qec": True, "above_threshold": None, "no_distance": True}


@dataclasses.dataclass(frozen=True)
class BudgetRow:
    """The budget at one physical error rate with one decoder: exactly one of ``VERDICTS``.

    Attributes:
        p: Physical error rate.
        decoder: The decoder whose suppression model gave d* (the no-QEC verdict does not
            depend on it).
        verdict: ``hardware`` (the QNN under the physical model at p stays within δ),
            ``qec`` (it does not, and a distance suffices), ``above_threshold`` (p is above
            the measured threshold, or where Λ's interval reaches 1: ``AboveThreshold``) or
            ``no_distance`` (below it, but the model finds no distance: p at or above the
            model's p_th, an extrapolation parameter, or d beyond the search).
        qec_needed: False, True, or None (above threshold), as ``verdict`` says.
        physical_delta_accuracy, physical_delta_accuracy_low, physical_delta_accuracy_high:
            Paired accuracy change under the physical model at p (no QEC), with its interval.
        d_star: Smallest odd d with ε_op(d, p) ≤ ε* (best-fit model). d_star_low, d_star_high:
            With ε*'s upper end and the model's optimistic bound, and with ε*'s lower end and
            its pessimistic bound (None: beyond the search limit).
        qubits_per_logical: Physical qubits of one logical qubit at d*.
        physical_qubits, physical_qubits_low, physical_qubits_high: For all logical qubits.
        extrapolated: d* exceeds the largest sampled distance; extrapolated_by: by how many
            distance steps (of 2).
        extrapolated_p: p lies outside the p range the model was fitted on (rows that use
            the model: ``qec`` and ``no_distance``).
        suppression, suppression_low, suppression_high: p / ε* with ε*'s interval (QEC rows).
        eps_op_d_star, eps_op_d_star_minus_2: ε_op the best-fit model gives at d* and d* − 2.
        check_d_star, check_d_star_minus_2: Measured paired accuracy change at those ε_op.
        note: Anything a reader must know about this row.
    """

    p: float
    verdict: str
    qec_needed: bool | None
    physical_delta_accuracy: float
    physical_delta_accuracy_low: float
    physical_delta_accuracy_high: float
    decoder: str = DEFAULT_DECODER
    d_star: int | None = None
    d_star_low: int | None = None
    d_star_high: int | None = None
    qubits_per_logical: int | None = None
    physical_qubits: int | None = None
    physical_qubits_low: int | None = None
    physical_qubits_high: int | None = None
    extrapolated: bool = False
    extrapolated_by: int = 0
    extrapolated_p: bool = False
    suppression: float | None = None
    suppression_low: float | None = None
    suppression_high: float | None = None
    eps_op_d_star: float | None = None
    eps_op_d_star_minus_2: float | None = None
    check_d_star: Change | None = None
    check_d_star_minus_2: Change | None = None
    note: str = ""

    def __repr__(self) -> str:
        d = "" if self.d_star is None else f", d* = {self.d_star} [{self.d_star_low}, {self.d_star_high}]"
        return f"<BudgetRow p = {self.p:g}, {self.decoder}: {self.verdict}{d}>"

    def __post_init__(self) -> None:
        if self.verdict not in VERDICTS:
            raise ValueError(f"verdict={self.verdict!r} is not known; allowed: {sorted(VERDICTS)}")
        expected = _QEC_NEEDED[self.verdict]
        if self.qec_needed is not expected:
            raise ValueError(f"qec_needed={self.qec_needed!r} contradicts verdict={self.verdict!r}")
        if self.verdict == "qec" and self.d_star is None:
            raise ValueError("a row that needs QEC must give d_star")

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> BudgetRow:
        values = {f.name: data[f.name] for f in dataclasses.fields(cls) if f.name in data}
        for key in ("check_d_star", "check_d_star_minus_2"):
            if values.get(key) is not None:
                values[key] = Change(**values[key])
        return cls(**values)


def budget_rows(
    *,
    model: SuppressionModel,
    tolerance: Tolerance,
    code: str,
    n_logical: int,
    cycles_per_gate: float = 1.0,
    max_distance: int = 1001,
    alternatives: Sequence[SuppressionModel] = (),
    decoder: str = DEFAULT_DECODER,
    above_threshold: AboveThreshold | None = None,
) -> list[BudgetRow]:
    """The budget at every p the tolerance measured the physical model at (no checks yet), for
    the suppression ``model`` of one ``decoder``.

    Where ``above_threshold`` (the decoder's measured threshold and Λ, ``GroupFit.above_threshold``)
    says p is above threshold, the row says so whatever the model would give. Elsewhere d*
    comes from ``model``; its interval spans ε*'s interval, the model's 95% bounds and the
    ``alternatives`` (other forms the data support about as well), so that the choice of form
    is part of the uncertainty. A p outside the p range the model was fitted on is marked
    ``extrapolated_p``.

    Example:
        >>> t = Tolerance.given(eps_star=1e-4, physical=[(0.001, -0.02), (0.02, -0.3), (1e-4, 0.0)])
        >>> rows = budget_rows(model=SuppressionModel.power(A=0.1, p_th=0.01), tolerance=t,
        ...                    code="surface_rotated", n_logical=4,
        ...                    above_threshold=AboveThreshold(lambda_reaches_one=0.01))
        >>> [(r.verdict, r.d_star, r.physical_qubits) for r in rows]
        [('qec', 7, 388), ('above_threshold', None, None), ('hardware', None, None)]
    """
    largest = max(model.distances, default=0)
    rows = []
    for phys in tolerance.physical:
        p = phys.p
        measured = {
            "physical_delta_accuracy": phys.delta_accuracy,
            "physical_delta_accuracy_low": phys.delta_accuracy_low,
            "physical_delta_accuracy_high": phys.delta_accuracy_high,
            "decoder": decoder,
        }
        # The verdict follows the best estimate; where its interval holds −δ, say so.
        marginal = phys.delta_accuracy_low < -tolerance.delta < phys.delta_accuracy_high
        close = "marginal: the no-QEC accuracy change's interval contains −δ" if marginal else ""
        if phys.within_delta:
            rows.append(BudgetRow(p=p, verdict="hardware", qec_needed=False, note=close, **measured))
            continue
        above = above_threshold.reason(p) if above_threshold is not None else ""
        if above:
            note = "; ".join(x for x in (close, above) if x)
            rows.append(BudgetRow(p=p, verdict="above_threshold", qec_needed=None, note=note, **measured))
            continue
        fitted = model.p_range
        outside_p = fitted is not None and not fitted[0] <= p <= fitted[1]
        in_p = (
            f"extrapolated in p: the model was fitted on p in [{fitted[0]:.4g}, {fitted[1]:.4g}]"
            if outside_p
            else ""
        )

        def distance(eps: float, bound: str, p: float = p, m: SuppressionModel = model) -> int | None:
            return m.distance_for(
                eps_op=eps, p=p, cycles_per_gate=cycles_per_gate, bound=bound, max_distance=max_distance
            )

        d = distance(tolerance.eps_star, "best")
        if d is None:
            why = (
                f"p is not below the model's p_th {model.p_th:.4g} (an extrapolation parameter): its "
                "ε_round stops falling with d"
                if p >= model.p_th
                else f"needs d > {max_distance}"
            )
            note = "; ".join(x for x in (close, why, in_p) if x)
            rows.append(BudgetRow(p=p, verdict="no_distance", qec_needed=True, extrapolated_p=outside_p,
                                  note=note, **measured))  # fmt: skip
            continue
        lows = [distance(tolerance.eps_star_high, "low", m=m) for m in (model, *alternatives)]
        highs = [distance(tolerance.eps_star_low, "high", m=m) for m in (model, *alternatives)]
        d_low = min((x for x in lows if x is not None), default=None)
        d_high = None if None in highs else max(x for x in highs if x is not None)
        qubits = {x: None if x is None else Code(code, x).physical_qubits for x in {d, d_low, d_high}}
        notes = [close] if close else []
        if tolerance.bound == "lower":
            notes.append("ε* is a lower bound, so d* is an upper bound")
        elif tolerance.bound == "upper":
            notes.append("ε* is an upper bound, so d* is a lower bound")
        if d_high is None:
            notes.append(
                f"the pessimistic end needs d > {max_distance}, or p is not below a supported form's p_th"
            )
        if d > largest:
            notes.append(f"extrapolated {(d - largest) // 2} distance steps beyond d = {largest}")
        if in_p:
            notes.append(in_p)
        if p < tolerance.eps_star:
            notes.append("p < ε*: the physical model (idle and readout noise on every layer) costs more than "
                         "logical noise at ε_op = p")  # fmt: skip
        eps_at = lambda dist, p=p: logical_eps_op(  # noqa: E731
            min(model.eps_round(dist, p), 1.0), distance=dist, cycles_per_gate=cycles_per_gate
        )
        rows.append(
            BudgetRow(
                p=p,
                verdict="qec",
                qec_needed=True,
                **measured,
                d_star=d,
                d_star_low=d_low,
                d_star_high=d_high,
                qubits_per_logical=qubits[d],
                physical_qubits=n_logical * qubits[d],
                physical_qubits_low=None if d_low is None else n_logical * qubits[d_low],
                physical_qubits_high=None if d_high is None else n_logical * qubits[d_high],
                extrapolated=d > largest,
                extrapolated_by=max(0, (d - largest) // 2),
                extrapolated_p=outside_p,
                suppression=p / tolerance.eps_star,
                suppression_low=p / tolerance.eps_star_high,
                suppression_high=p / tolerance.eps_star_low,
                eps_op_d_star=eps_at(d),
                eps_op_d_star_minus_2=eps_at(d - 2) if d >= 5 else None,
                note="; ".join(notes),
            )
        )
    return rows


def check_eps(rows: Sequence[BudgetRow]) -> list[float]:
    """The ε_op values the d* and d* − 2 checks must measure."""
    return sorted({e for r in rows for e in (r.eps_op_d_star, r.eps_op_d_star_minus_2) if e is not None})


def with_checks(rows: Sequence[BudgetRow], changes: Mapping[float, Change]) -> list[BudgetRow]:
    """Rows with the measured accuracy change at ε_op(d*) and ε_op(d* − 2) filled in."""
    return [
        dataclasses.replace(
            r,
            check_d_star=None if r.eps_op_d_star is None else changes[r.eps_op_d_star],
            check_d_star_minus_2=None
            if r.eps_op_d_star_minus_2 is None
            else changes[r.eps_op_d_star_minus_2],
        )
        for r in rows
    ]


@dataclasses.dataclass(frozen=True)
class BudgetReport:
    """Everything ``qec budget`` writes: assumptions, tolerance, the model of each decoder, rows.

    Attributes:
        code: Code family. basis: Memory basis of the models. noise: Physical noise model.
        cycles_per_gate: c, the d-round cycles per logical operation.
        n_logical: Logical qubits (the QNN's qubits).
        models: Decoder → its suppression model, in the order the rows give them.
        tolerance: The measured tolerance.
        rows: One per (p, decoder), by p and then decoder. assumptions: Text lines printed above
            the table.
        alternatives: Decoder → other model forms its data support (their d* spans the interval).
        above_threshold: Decoder → where its measurements say "above threshold" (none given:
            only the model speaks, and never says "above threshold").
        channel_rows: The measured-channel route beside the rows (``qec.channel_budget``), one
            per row, when the fits hold the lattice-surgery CNOT; empty otherwise.
    """

    code: str
    basis: str
    noise: str
    cycles_per_gate: float
    n_logical: int
    models: Mapping[str, SuppressionModel]
    tolerance: Tolerance
    rows: tuple[BudgetRow, ...]
    assumptions: tuple[str, ...] = ()
    alternatives: Mapping[str, tuple[SuppressionModel, ...]] = dataclasses.field(default_factory=dict)
    above_threshold: Mapping[str, AboveThreshold] = dataclasses.field(default_factory=dict)
    channel_rows: tuple[ChannelRow, ...] = ()

    @property
    def decoders(self) -> tuple[str, ...]:
        return tuple(self.models)

    def to_dict(self) -> dict[str, Any]:
        out = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        out["models"] = {name: m.to_dict() for name, m in self.models.items()}
        out["tolerance"] = self.tolerance.to_dict()
        out["rows"] = [r.to_dict() for r in self.rows]
        out["assumptions"] = list(self.assumptions)
        out["alternatives"] = {name: [m.to_dict() for m in ms] for name, ms in self.alternatives.items()}
        out["above_threshold"] = {name: a.to_dict() for name, a in self.above_threshold.items()}
        out["channel_rows"] = [r.to_dict() for r in self.channel_rows]
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> BudgetReport:
        """Rebuild from ``to_dict`` output; a missing field is a ``ValueError`` naming it."""
        record_fields(cls, data, what="budget")
        return cls(
            code=data["code"],
            basis=data["basis"],
            noise=data["noise"],
            cycles_per_gate=data["cycles_per_gate"],
            n_logical=data["n_logical"],
            models={name: SuppressionModel.from_dict(m) for name, m in data["models"].items()},
            tolerance=Tolerance.from_dict(data["tolerance"]),
            rows=tuple(BudgetRow.from_dict(r) for r in data["rows"]),
            assumptions=tuple(data.get("assumptions", ())),
            alternatives={
                name: tuple(SuppressionModel.from_dict(m) for m in ms)
                for name, ms in data.get("alternatives", {}).items()
            },
            above_threshold={
                name: AboveThreshold.from_dict(a) for name, a in data.get("above_threshold", {}).items()
            },
            channel_rows=tuple(ChannelRow.from_dict(r) for r in data.get("channel_rows", ())),
        )

    def to_csv(self) -> str:
        """One line per p; the checks flattened to ``check_d_star_delta_accuracy[_low|_high]``."""
        out = io.StringIO()
        writer = None
        for row in self.rows:
            flat: dict[str, Any] = {"p": row.p, "decoder": row.decoder}
            for key, value in row.to_dict().items():
                if key.startswith("check_"):
                    for part, name in (("mean", ""), ("low", "_low"), ("high", "_high")):
                        flat[f"{key}_delta_accuracy{name}"] = None if value is None else value[part]
                else:
                    flat[key] = value
            if writer is None:
                writer = csv.DictWriter(out, fieldnames=list(flat), lineterminator="\n")
                writer.writeheader()
            writer.writerow({k: "" if v is None else v for k, v in flat.items()})
        return out.getvalue()

    def format(self) -> str:
        """The printed budget: every assumption, then one line per p saying one thing."""
        t = self.tolerance
        lines = ["# QML error budget. Assumptions (disagree with one? change the study config):"]
        s = t.qnn
        if s:  # a tolerance measured on a workload, not given by hand
            circuit = (
                f"circuit {s['circuit']}"
                if s.get("circuit")
                else f"{s['layers']} layers, {s['connectivity']} connectivity"
            )
            lines.append(
                f"#   QNN: {s['dataset']}, {s['qubits']} qubits, {circuit}, {s['observable']} observable, "
                f"{s['samples']} samples (test {s['test_fraction']}), COBYLA {s['maxiter']} iterations, "
                f"seeds {list(t.seeds)}"
            )
            if t.simulation:
                lines.append(f"#   noisy simulation: {t.simulation}")
            lines.append(
                f"#   accuracy: expected accuracy from {t.shots} shots per prediction (exact binomial), "
                f"{t.test_points} test points per seed ({t.extra_test} fresh beyond the held-out split)"
            )
        lines.append(
            "#   logical noise: depolarizing ε_op after every logical gate (by its arity), readout flip ε_op"
        )
        lines += [f"#   {a}" for a in self.assumptions]
        lines.append(f"#   tolerance: {t.describe()}")
        lines.append(
            f"#   noiseless accuracy {t.noiseless_accuracy:.4f} [{t.noiseless_accuracy_low:.4f}, "
            f"{t.noiseless_accuracy_high:.4f}]"
        )
        lines.append(
            "#   above threshold: p above the upper end of the measured threshold's 95% profile interval "
            "(finite-size-scaling crossing of the per-shot error at rounds = d, from qec fit), or from "
            "the p where Λ's 95% interval reaches 1 on; a model's p_th is an extrapolation parameter "
            "and decides no verdict"
        )
        for name, model in self.models.items():
            if name in self.above_threshold:
                lines.append(f"#   measured (decoder {name}): {self.above_threshold[name].describe()}")
            fitted = model.p_range
            where = f"fitted on p in [{fitted[0]:.4g}, {fitted[1]:.4g}], " if fitted else ""
            lines.append(
                f"#   suppression model ({self.code}, {self.basis} basis, decoder {name}): ε_round = "
                f"{model.describe()}, χ²/dof {model.chi2_dof:.2f}, {where}sampled d = {list(model.distances)}"
            )
            for alt in self.alternatives.get(name, ()):
                lines.append(
                    f"#     also supported (AIC within 2): ε_round = {alt.describe()}, "
                    f"χ²/dof {alt.chi2_dof:.2f}"
                )
        lines.append(
            f"#   ε_op(d, p) = 1 − (1 − ε_round(d, p))^(c·d), c = {self.cycles_per_gate:g}; "
            f"qubits = {self.n_logical} logical × qubits({self.code}, d)"
        )
        lines.append(
            "#   d* [low, high]: ε*'s upper end with the optimistic 95% bound of the model (and of each "
            "supported form), its lower end with the pessimistic one"
        )
        lines.append(
            f"#   hardware alone suffices where the paired accuracy change under {self.noise} noise at "
            f"p (no QEC) is ≥ −δ = −{t.delta:g}"
        )
        lines.append(
            "#   (extrapolated): d* beyond the largest sampled distance; (extrapolated in p): p outside the "
            "p range the model was fitted on; (extrapolated in d and p): both"
        )
        lines.append(f"#   Δacc: paired accuracy change against ε = 0 [{t.confidence:.0%} interval]")
        w = max(len("decoder"), *(len(r.decoder) for r in self.rows)) if self.rows else len("decoder")
        verdicts = [VERDICTS[r.verdict] + _extrapolation_mark(r) for r in self.rows]
        vw = max(38, *map(len, verdicts)) if verdicts else 38
        header = (
            f"{'p':>8}  {'decoder':<{w}} {'verdict':<{vw}} {'Δacc no QEC':<28} {'d* [low, high]':<16} "
            f"{'physical qubits [low, high]':<28} {'suppression p/ε*':<22} {'Δacc at d*':<28} "
            f"{'Δacc at d*-2':<28}"
        )
        lines.append(header)
        for r, verdict in zip(self.rows, verdicts, strict=True):
            cells = [
                f"{r.p:>8g} ",
                f"{r.decoder:<{w}}",
                f"{verdict:<{vw}}",
                f"{_change(*(getattr(r, f'physical_delta_accuracy{x}') for x in ('', '_low', '_high'))):<28}",
            ]
            if r.verdict == "qec":
                cells += [
                    f"{_interval(r.d_star, r.d_star_low, r.d_star_high, 'd'):<16}",
                    f"{_interval(r.physical_qubits, r.physical_qubits_low, r.physical_qubits_high, ','):<28}",
                    f"{_interval(r.suppression, r.suppression_low, r.suppression_high, '.3g'):<22}",
                    f"{_check(r.check_d_star):<28}",
                    f"{_check(r.check_d_star_minus_2):<28}",
                ]
            lines.append(" ".join(cells).rstrip() + (f"  ({r.note})" if r.note else ""))
        if self.channel_rows:
            lines += ["", "# The measured route (no depolarizing assumption): " + CHANNEL_ASSUMPTIONS,
                      format_channel_rows(self.channel_rows, delta=t.delta)]  # fmt: skip
        return "\n".join(lines)


# ---------------------------------------------------------------------------------------------
# From a fits.json and a tolerance to the report (what `qec budget` runs)


@dataclasses.dataclass(frozen=True)
class BudgetPlan:
    """A budget laid out from the fits and the tolerance, its checks not yet measured.

    ``budget_plan`` makes it (every input error is raised there, before anything is measured);
    ``measure_budget`` measures its checks and its measured-channel route into the report.

    Attributes:
        report: The report, its rows' d* checks and its channel rows still empty.
        workload: The runs the tolerance was measured from; the checks are measured on them.
        fits: The fits.json document the models came from (the measured-channel route reads
            the lattice-surgery CNOT's groups from it).
    """

    report: BudgetReport
    workload: Workload
    fits: Mapping[str, Any]

    def __repr__(self) -> str:
        return f"<BudgetPlan of {len(self.report.rows)} rows, decoders {list(self.report.models)}>"


def budget_plan(
    fits: Mapping[str, Any],
    tolerance: Tolerance,
    workload: Workload | Callable[[], Workload],
    *,
    code: str,
    basis: str = "z",
    decoders: Sequence[str] | None = None,
    cycles_per_gate: float = 1.0,
    source: str = "the fits",
) -> BudgetPlan:
    """The budget rows of every decoder's suppression model (``budget_rows``), sorted by p and
    then decoder, for the noise model the tolerance was measured under.

    Args:
        fits: A parsed fits.json document (``qec fit``).
        tolerance: The tolerance measured on ``workload``'s runs.
        workload: Those runs, or a function that makes them (called once the fits have been
            read, so that the fits' errors are reported first).
        code: Code family of the models and of the qubit counts.
        basis: Memory basis of the models.
        decoders: Decoders whose models to budget side by side (default: all in ``fits``).
        cycles_per_gate: c, the d-round code cycles per logical operation.
        source: Where ``fits`` came from, named in the report's assumptions.

    Raises:
        ValueError: ``fits`` has no model for (code, noise, basis) or one of ``decoders``, or
            a corrupt one; the runs are not those the tolerance was measured from.

    Example:
        >>> from qec.budget import budget_plan
        >>> from qec.tolerance import Tolerance
        >>> t = Tolerance.given(eps_star=1e-3, physical=[(0.001, -0.02)])
        >>> try:
        ...     budget_plan({"fits": {}}, t, lambda: None, code="surface_rotated")
        ... except ValueError as e:
        ...     print(e)
        no fit for code='surface_rotated', noise='circuit', basis='z'; the document has []
    """
    noise = tolerance.physical[0].noise if tolerance.physical else "circuit"
    models = models_by_decoder(fits, code, noise, basis, decoders)
    above = above_threshold_by_decoder(fits, code, noise, basis, list(models))
    if not isinstance(workload, Workload):
        workload = workload()
    if workload.shape != qnn_shape(tolerance.qnn) or workload.seeds != tolerance.seeds:
        raise ValueError(
            f"--results are not the runs --tolerance was measured from: QNN {workload.shape}, "
            f"seeds {workload.seeds} vs {tolerance.qnn}, seeds {tolerance.seeds}"
        )
    n_logical = int(tolerance.qnn["qubits"])
    rows: list[BudgetRow] = []
    for name, (model, *alternatives) in models.items():
        rows += budget_rows(model=model, tolerance=tolerance, code=code, n_logical=n_logical,
                            cycles_per_gate=cycles_per_gate, alternatives=alternatives, decoder=name,
                            above_threshold=above[name])  # fmt: skip
    order = {name: i for i, name in enumerate(models)}
    rows.sort(key=lambda r: (r.p, order[r.decoder]))
    report = BudgetReport(
        code=code,
        basis=basis,
        noise=noise,
        cycles_per_gate=cycles_per_gate,
        n_logical=n_logical,
        models={name: ms[0] for name, ms in models.items()},
        tolerance=tolerance,
        rows=tuple(rows),
        alternatives={name: tuple(ms[1:]) for name, ms in models.items()},
        above_threshold=above,
        assumptions=(f"decoders: {', '.join(models)}, each fitted on its own in {source}",),
    )
    return BudgetPlan(report=report, workload=workload, fits=fits)


def measure_budget(
    plan: BudgetPlan, *, jobs: int = 1, progress: Callable[[str], None] | None = None
) -> BudgetReport:
    """The plan's report with its checks measured: the accuracy change at ε_op(d*) and
    ε_op(d* − 2) of every row, and, where the fits hold the lattice-surgery CNOT and the
    tolerance is the inference one, the measured-channel route (``qec.channel_budget``).

    Args:
        plan: From ``budget_plan``.
        jobs: Processes for the measured-channel route.
        progress: Called with a line of text before each long step.
    """
    say = progress or (lambda message: None)
    report, t = plan.report, plan.report.tolerance
    eps = check_eps(report.rows)
    say(f"measuring the accuracy change at ε_op(d*) and ε_op(d* − 2): {len(eps)} values")
    changes = measure_changes(plan.workload.evaluate, eps, confidence=t.confidence,
                              bootstrap=t.bootstrap or 1000)  # fmt: skip
    groups = {g.key: g for g in groups_of(plan.fits)}
    channel: list[ChannelRow] = []
    if any(g.experiment == "cnot" for g in groups.values()) and t.definition == "inference":
        say(f"the measured-channel route: {len(report.rows)} rows, the QNN evaluated at each d")
        channel = measured_channel_rows(
            report.rows, groups=groups, workload=plan.workload, delta=t.delta, code=report.code,
            noise=report.noise, cycles_per_gate=report.cycles_per_gate, confidence=t.confidence,
            bootstrap=t.bootstrap or 1000, jobs=jobs, progress=progress,
        )  # fmt: skip
    checked = tuple(with_checks(report.rows, changes))
    return dataclasses.replace(report, rows=checked, channel_rows=tuple(channel))


def budget_report(
    fits: Mapping[str, Any],
    tolerance: Tolerance,
    workload: Workload | Callable[[], Workload],
    *,
    code: str,
    basis: str = "z",
    decoders: Sequence[str] | None = None,
    cycles_per_gate: float = 1.0,
    source: str = "the fits",
    jobs: int = 1,
    progress: Callable[[str], None] | None = None,
) -> BudgetReport:
    """The measured budget report: ``budget_plan`` and then ``measure_budget`` (see both)."""
    plan = budget_plan(fits, tolerance, workload, code=code, basis=basis, decoders=decoders,
                       cycles_per_gate=cycles_per_gate, source=source)  # fmt: skip
    return measure_budget(plan, jobs=jobs, progress=progress)


def _extrapolation_mark(row: BudgetRow) -> str:
    """The verdict's mark: distance extrapolation as before, p extrapolation named."""
    if row.extrapolated and row.extrapolated_p:
        return " (extrapolated in d and p)"
    return " (extrapolated)" if row.extrapolated else " (extrapolated in p)" if row.extrapolated_p else ""


def _interval(value: Any, low: Any, high: Any, spec: str) -> str:
    f = lambda v: "?" if v is None else format(v, spec)  # noqa: E731
    return f"{f(value)} [{f(low)}, {f(high)}]"


def _change(mean: float, low: float, high: float) -> str:
    return f"{mean:+.4f} [{low:+.4f}, {high:+.4f}]"


def _check(change: Change | None) -> str:
    return "—" if change is None else _change(change.mean, change.low, change.high)
