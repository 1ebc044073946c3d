"""From a fits.json and a tolerance to the report: what qec budget runs."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from qec.budget.report import BudgetReport
from qec.budget.rows import BudgetRow, budget_rows, check_eps, with_checks
from qec.channel_budget import ChannelRow
from qec.channel_budget import channel_rows as measured_channel_rows
from qec.fit import (
    above_threshold_by_decoder,
    checked_fits,
    groups_of,
    models_by_decoder,
)
from qec.qnn.workload import Workload, qnn_shape
from qec.tolerance import Tolerance, measure_changes


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
        >>> import qec
        >>> from qec.budget import budget_plan
        >>> from qec.tolerance import Tolerance
        >>> t = Tolerance.given(eps_star=1e-3, physical=[(0.001, -0.02)])
        >>> try:
        ...     budget_plan({"fits": {}}, t, lambda: None, code="surface_rotated")
        ... except ValueError as e:
        ...     print(e)
        no fit for code='surface_rotated', noise='circuit', basis='z'; the document has []
    """
    if not tolerance.physical:  # catalog G14: an empty budget, exit 0
        raise ValueError("the tolerance has no physical-noise runs (its 'physical' list is empty): the "
                         "budget gives one row per p they were measured at; measure them with qec "
                         "tolerance --p")  # fmt: skip
    noise = tolerance.physical[0].noise
    checked_fits(fits)  # the whole document read first: a corrupt group is one ValueError
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
