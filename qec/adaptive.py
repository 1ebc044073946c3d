"""Adaptive sampling: spend shots where the budget's d* intervals need them (``qec sample --target``).

Uniform sampling gives every (d, p) task the same stopping rule. The budget's answer, d* with its
interval, depends on the tasks very unequally: the interval comes from the suppression model's
uncertainty at (d*, p), which the low-p, large-d points pin down and the points near threshold
barely touch. ``sample_adaptively`` samples in rounds instead:

1. **Pilot**: every task to ``pilot_errors`` errors or ``pilot_shots`` shots (a threshold and a
   first model for every (basis, decoder) group).
2. **Judge**: refit (``qec.fit.fit_all``, no bootstrap) and compute each group's budget rows
   (``qec.budget.budget_rows``) against the tolerance. A row is done when its d* interval is at
   most ``steps`` distance steps wider than it would be with the model known exactly (the
   *floor*: ε*'s own interval, which no amount of sampling narrows; 0 for an exact ε*).
3. **Choose**: the next batches go to the tasks that shrink the open rows' model variance most
   per core-second. A batch of Δn shots at a task whose per-shot error is r adds Δn·r/(1 − r) to
   the weight of its ln-rate in the model's least-squares fit; the variance of ln ε_round at a
   row's (d*, p) then falls by a rank-one (Sherman–Morrison) update of the model's covariance.
   Batches cost ``batch_seconds`` core-seconds each, at each task's measured seconds per shot.
4. Stop when every row is done, the core-hour cap is spent, or no task can take more shots.

**Without a tolerance** (``AdaptiveTarget.relative_width``, ``qec sample --fit-target W``) there
are no budget rows; the questions are ``qec fit``'s own: in every (basis, decoder) group, the
measured threshold (the finite-size-scaling crossing, ``qec.fit.fit_threshold``) and Λ at every
sampled p the group is not measured above threshold at (``qec.fit.fit_lambdas``). Each is done
when its 95% interval is at most W times its estimate wide, (high − low)/estimate ≤ W (the
threshold's profile interval; an end the data leave open is an infinite width). Rounds, pilot,
stop rule and files are the same; step 3 values a batch with the fits' own covariances, as for
the model:

- the threshold's scaling fit, P = A + B·x + C·x², x = (p − p_th)·d^(1/ν), has the Gauss–Newton
  information I = Σ w_i g_i g_iᵀ (g = ∂P/∂(p_th, ν, A, B, C), w = n/(r(1 − r)), the fit's own
  weights); p_th's variance, s²·(I⁻¹)₀₀ (s the fit's χ² scale), is what its profile interval
  measures to first order (``qec.fit.threshold.ScalingFit``). Δn more shots at (d, p) add
  Δn/(r(1 − r))·g gᵀ to I;
- Λ at p is exp(−2b) from the weighted fit ln ε_round = a + b·d; its relative width,
  2·sinh(2z·σ_b), falls with b's variance, and Δn more shots at (d, p) add Δn/(n·σ²) to that
  point's weight (σ its ln-rate's standard error, ``qec.fit.lambdas.lambda_fit_at``).

A batch's value is the relative fall of each open interval's variance (rank-one updates),
summed, and divided by the fit's χ²/dof widening where there is one: that share of the width is
lack of fit, which shots do not remove (``_fit_gains``).

Everything lives in the sinter CSV ``out``: each round decides from the file alone, so a killed
run resumes where it stopped, and the shards stay combinable with any other.
"""

from __future__ import annotations

import dataclasses
import math
import os
import sys
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import sinter

from qec._check import check_int, check_number
from qec.budget.rows import BudgetRow, budget_rows
from qec.fit import FitError, GroupFit, SuppressionModel, fit_all, points_from_stats
from qec.fit.lambdas import lambda_fit_at
from qec.fit.model import free_coefficients
from qec.fit.threshold import ScalingFit, threshold_points
from qec.sampling import Experiment
from qec.tolerance import Tolerance

# Stop reasons, as ``AdaptiveResult.stopped`` says them.
STOPPED = ("target", "cap", "exhausted")


@dataclasses.dataclass(frozen=True)
class AdaptiveTarget:
    """How precise the answer must be, and what it may cost.

    Exactly one of ``steps`` (the budget's d* intervals: needs a tolerance) and
    ``relative_width`` (the threshold's and Λ's intervals: no tolerance) says what "precise"
    means.

    Attributes:
        steps: Widest d* interval allowed, in distance steps ((d*_high − d*_low)/2), beyond
            the width ε*'s own interval gives (``RowWidth.floor``); ≥ 1, since a zero-width
            interval pins d* to one distance, which no finite sample promises.
        relative_width: Widest 95% interval allowed for every group's measured threshold and
            every Λ below threshold, as a fraction of its estimate: (high − low)/estimate ≤
            this; a finite number > 0 (0 is an interval of zero width, which no finite sample
            gives).
        core_hours: Cap on sampling core-hours (sinter's worker seconds, all rounds, those
            already in the file included).
        batch_seconds: Core-seconds per batch given to one task.
        pilot_errors, pilot_shots: The pilot's stopping rule for every task.
        max_shots: No task is sampled beyond this many shots.

    Raises:
        ValueError: a field out of its range, or neither or both of ``steps`` and
            ``relative_width``, naming it.

    Example:
        >>> AdaptiveTarget(steps=1, core_hours=0.5).pilot_errors
        100
        >>> AdaptiveTarget(relative_width=0.1).mode
        'fit'
        >>> AdaptiveTarget(steps=0, core_hours=0.5)  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        ValueError: steps=0 must be an integer >= 1 (a zero-width d* interval is one distance, ...)
    """

    steps: int | None = None
    core_hours: float = 1.0
    batch_seconds: float = 20.0
    pilot_errors: int = 100
    pilot_shots: int = 100_000
    max_shots: int = 100_000_000
    relative_width: float | None = None

    def __post_init__(self) -> None:
        if (self.steps is None) == (self.relative_width is None):
            raise ValueError(
                f"steps={self.steps!r}, relative_width={self.relative_width!r}: give exactly one, steps "
                "(d* intervals, with a tolerance) or relative_width (threshold and Λ intervals, without)"
            )
        if self.steps is not None:
            check_int(
                "steps",
                self.steps,
                least=1,
                why="a zero-width d* interval is one distance, which no finite sample promises",
            )
        else:
            try:
                check_number("relative_width", self.relative_width, low=0, high=math.inf, closed="()")
            except ValueError as e:
                raise ValueError(f"{e} (a zero-width interval, which no finite sample gives, is 0)") from None
        check_number("core_hours", self.core_hours, low=0, high=1e6, closed="(]")
        check_number("batch_seconds", self.batch_seconds, low=0, high=1e6, closed="(]")
        check_int("pilot_errors", self.pilot_errors, least=1)
        check_int("pilot_shots", self.pilot_shots, least=1)
        check_int("max_shots", self.max_shots, least=self.pilot_shots, why="at least pilot_shots")

    @property
    def mode(self) -> str:
        """``d*`` (budget rows against a tolerance) or ``fit`` (threshold and Λ, no tolerance)."""
        return "d*" if self.steps is not None else "fit"


# The settings a study or the CLI may leave out, in one place (the target itself is not one).
DEFAULTS: dict[str, Any] = {
    f.name: f.default
    for f in dataclasses.fields(AdaptiveTarget)
    if f.default is not dataclasses.MISSING and f.name not in ("steps", "relative_width")
}


@dataclasses.dataclass(frozen=True)
class Question:
    """What an adaptive run must pin down: everything ``judge`` and ``plan_round`` need besides
    the statistics.

    Attributes:
        target: How precisely, and at what cost.
        tolerance: The tolerance whose budget rows are judged (its p values and ε*); with
            ``target.steps`` only, None with ``target.relative_width``.
        code: The code family judged (the budget's qubit counts; the groups fitted).
        cycles_per_gate: c, code cycles per logical operation (budget rows only).
        threshold_window: As ``qec.fit.fit_all``.

    Raises:
        ValueError: a tolerance with a ``relative_width`` target, or none with a ``steps`` one.

    Example:
        >>> Question(AdaptiveTarget(relative_width=0.1)).code
        'surface_rotated'
        >>> Question(AdaptiveTarget(steps=1))  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        ValueError: a d* target (steps=1) needs a tolerance: d* is judged at its p values and ε*
    """

    target: AdaptiveTarget
    tolerance: Tolerance | None = None
    code: str = "surface_rotated"
    cycles_per_gate: float = 1.0
    threshold_window: tuple[float, float] | None = None

    def __post_init__(self) -> None:
        if self.target.mode == "d*" and self.tolerance is None:
            raise ValueError(
                f"a d* target (steps={self.target.steps}) needs a tolerance: d* is judged at its p values "
                "and ε*"
            )
        if self.target.mode == "fit" and self.tolerance is not None:
            raise ValueError(
                "a tolerance is judged by d* (steps); a relative_width target judges the threshold and Λ, "
                "which need none"
            )


@dataclasses.dataclass(frozen=True)
class RowWidth:
    """One budget row's d* interval against the target.

    Attributes:
        group: The (code/noise/basis/decoder) group whose model gave the row.
        p: Physical error rate. d_star, d_star_low, d_star_high: d* and its interval (an open
            end is None). steps: The interval's width in distance steps (inf when open).
        floor: The width with the model known exactly (ε*'s interval alone).
        done: ``steps`` ≤ ``floor`` + the target: sampling adds at most the target to the width.
        unsettled: Why the row's verdict is not settled yet ("" when it is): "above threshold"
            only because Λ's interval at p reaches 1 while its estimate is above 1 (more shots
            at p decide it).
        extrapolated: What the row's d* extrapolates the model in, as budget.txt marks it:
            ``""``, ``"d"`` (d* beyond the largest sampled distance), ``"p"`` (p outside the p
            range the model was fitted on) or ``"d and p"``.
    """

    group: str
    p: float
    d_star: int | None
    d_star_low: int | None
    d_star_high: int | None
    steps: float
    floor: float
    done: bool
    unsettled: str = ""
    extrapolated: str = ""

    @property
    def width(self) -> float:
        """The width its target is judged by: ``steps``."""
        return self.steps

    def describe(self) -> str:
        """One line: the group, p and the interval, with the budget's extrapolation flag.

        Example:
            >>> RowWidth("c/n/z/pm", 0.002, 13, 11, None, math.inf, 0.0, False).describe()
            'c/n/z/pm at p = 0.002: d* 13 [11, ?] (open)'
            >>> RowWidth("c/n/z/pm", 0.002, 13, 11, 15, 2.0, 0.5, False, extrapolated="d").describe()
            'c/n/z/pm at p = 0.002: d* 13 [11, 15] (2 steps, floor 0.5; extrapolated in d)'
        """
        if self.unsettled:
            return f"{self.group} at p = {self.p:g}: {self.unsettled}"
        end = lambda d: "?" if d is None else str(d)  # noqa: E731
        width = "open" if math.isinf(self.steps) else f"{self.steps:g} steps"
        floor = f", floor {self.floor:g}" if self.floor > 0 else ""
        extra = f"; extrapolated in {self.extrapolated}" if self.extrapolated else ""
        return (
            f"{self.group} at p = {self.p:g}: d* {self.d_star} [{end(self.d_star_low)}, "
            f"{end(self.d_star_high)}] ({width}{floor}{extra})"
        )


@dataclasses.dataclass(frozen=True)
class FitWidth:
    """One threshold or Λ interval against a ``relative_width`` target (no tolerance).

    Attributes:
        group: The (code/noise/basis/decoder) group.
        quantity: ``threshold`` (the measured finite-size-scaling crossing) or ``lambda``.
        p: Λ's physical error rate; None for the threshold.
        estimate, low, high: The estimate and its 95% interval (the threshold's profile
            interval); None where there is no fit, or an end the data leave open.
        width: (high − low)/estimate; inf with no fit or an open end.
        done: ``width`` ≤ the target.
        note: Why there is no fit or no closed interval ("" otherwise).
    """

    group: str
    quantity: str
    p: float | None
    estimate: float | None
    low: float | None
    high: float | None
    width: float
    done: bool
    note: str = ""

    def describe(self) -> str:
        """One line: the group, the quantity and its interval.

        Example:
            >>> FitWidth("c/n/z/pm", "threshold", None, 0.009, 0.0086, 0.0095, 0.1, True).describe()
            'c/n/z/pm threshold: 0.009 [0.0086, 0.0095] (width 10% of it)'
            >>> FitWidth("c/n/z/pm", "lambda", 0.002, 4.1, 3.2, None, math.inf, False).describe()
            'c/n/z/pm Λ at p = 0.002: 4.1 [3.2, open] (open)'
        """
        what = "threshold" if self.quantity == "threshold" else f"Λ at p = {self.p:g}"
        if self.estimate is None:
            return f"{self.group} {what}: not fitted ({self.note})"
        end = lambda x: "open" if x is None else f"{x:.3g}"  # noqa: E731
        width = "open" if math.isinf(self.width) else f"width {100 * self.width:.2g}% of it"
        text = f"{self.group} {what}: {self.estimate:.3g} [{end(self.low)}, {end(self.high)}] ({width})"
        return text + (f"; {self.note}" if self.note and not self.done else "")


Row = RowWidth | FitWidth


@dataclasses.dataclass(frozen=True)
class Batch:
    """Shots to add to one task: sample it until it holds ``max_shots`` (and, in the pilot,
    ``max_errors``) in total."""

    experiment: Experiment
    decoder: str
    max_shots: int
    max_errors: int | None = None


@dataclasses.dataclass(frozen=True)
class Plan:
    """What one round decided: the rows as they stand, and either a stop reason or batches."""

    rows: tuple[Row, ...]
    stopped: str
    batches: tuple[Batch, ...]
    core_seconds: float
    note: str = ""


@dataclasses.dataclass(frozen=True)
class AdaptiveResult:
    """How an adaptive run ended.

    Attributes:
        stopped: ``target`` (every row done), ``cap`` (core hours spent) or ``exhausted`` (no
            task may take more shots).
        rounds: Rounds run in this call (0 when the file already met the target).
        core_seconds: Sampling core-seconds in the file for these tasks, all runs included.
        rows: Every budget row's interval at the end (``RowWidth``), or, without a tolerance,
            every threshold and Λ interval (``FitWidth``).
        stats: The tasks' statistics.
        mode: The target's ``mode``: ``d*`` or ``fit``.
    """

    stopped: str
    rounds: int
    core_seconds: float
    rows: tuple[Row, ...]
    stats: tuple[sinter.TaskStats, ...]
    mode: str = "d*"

    def describe(self) -> str:
        """What held, and the widest row.

        Example:
            >>> row = FitWidth("c/n/z/pm", "threshold", None, 0.009, 0.0086, 0.0095, 0.1, True)
            >>> result = AdaptiveResult("target", 3, 360.0, (row,), (), mode="fit")
            >>> print(result.describe())  # doctest: +ELLIPSIS
            stopped: every threshold and Λ interval is within the target width; 3 rounds, 0.1 core-hours ...
        """
        target = {
            "d*": "every d* interval is within the target of its floor",
            "fit": "every threshold and Λ interval is within the target width",
        }[self.mode]
        why = {"target": target, "cap": "the core-hour cap is spent",
               "exhausted": "no task may take more shots"}  # fmt: skip
        open_rows = [r for r in self.rows if not r.done]
        widest = max(self.rows, key=lambda r: r.width, default=None)
        text = f"stopped: {why[self.stopped]}; {self.rounds} rounds, "
        text += f"{self.core_seconds / 3600:.3g} core-hours in all"
        if widest is not None:
            text += f"; widest: {widest.describe()}"
        if open_rows:
            noun = "rows" if self.mode == "d*" else "intervals"
            text += f"; {len(open_rows)} {noun} still wider than the target"
        return text


def _key(metadata: dict[str, Any], decoder: str) -> tuple[str, str]:
    import json

    return json.dumps(metadata, sort_keys=True), decoder


def _floor_model(model: SuppressionModel) -> SuppressionModel:
    return dataclasses.replace(model, cov=tuple((0.0,) * 4 for _ in range(4)))


def judge(
    stats: Sequence[sinter.TaskStats], question: Question
) -> tuple[list[Row], dict[str, GroupFit], list[str]]:
    """Every group's rows with their widths, the fits, and the groups without a model.

    With a d* target, the rows are the budget's (``RowWidth``): only memory groups whose noise
    is the tolerance's are judged (the budget's model), and a group with no model is listed by
    key (it needs more data before it can be judged). With a ``relative_width`` target, the rows
    are every memory group's threshold and Λ intervals (``FitWidth``); one that cannot be fitted
    yet is a row with no estimate, and no group is listed.
    """
    points = [pt for pt in points_from_stats(stats) if pt.experiment == "memory"]
    if question.target.mode == "fit":
        fits = {g.key: g for g in fit_all(points, bootstrap=0, threshold_window=question.threshold_window)
                if g.code == question.code}  # fmt: skip
        return [r for _, g in sorted(fits.items()) for r in _fit_rows(g, question)], fits, []
    tolerance, target = question.tolerance, question.target
    assert tolerance is not None  # Question's check
    noise = tolerance.physical[0].noise if tolerance.physical else None
    fits = {
        g.key: g
        for g in fit_all(points, bootstrap=0, threshold_window=question.threshold_window)
        if g.code == question.code and g.noise == noise
    }
    n_logical = int(tolerance.qnn.get("qubits", 1)) if tolerance.qnn else 1
    rows: list[Row] = []
    unfitted: list[str] = []
    for key, g in sorted(fits.items()):
        if g.model is None:
            unfitted.append(key)
            continue
        settings = dict(
            tolerance=tolerance,
            code=question.code,
            n_logical=n_logical,
            cycles_per_gate=question.cycles_per_gate,
            decoder=g.decoder,
            above_threshold=g.above_threshold,
        )
        real = budget_rows(model=g.model, alternatives=g.model_alternatives, **settings)
        exact = budget_rows(
            model=_floor_model(g.model),
            alternatives=tuple(map(_floor_model, g.model_alternatives)),
            **settings,
        )
        lambdas = {f.p: f for f in g.lambdas}
        for row, ideal in zip(real, exact, strict=True):
            fit = lambdas.get(row.p)
            above = g.above_threshold
            firm = above.threshold_high is not None and row.p > above.threshold_high
            if row.verdict == "above_threshold" and not firm and fit is not None and fit.lambda_ > 1:
                why = (f"above threshold only by Λ's interval: Λ = {fit.lambda_:.3g} "
                       f"[{fit.lambda_low:.3g}, {fit.lambda_high:.3g}] at p, not yet decided")  # fmt: skip
                rows.append(RowWidth(group=key, p=row.p, d_star=None, d_star_low=None, d_star_high=None,
                                     steps=math.inf, floor=0.0, done=False, unsettled=why))  # fmt: skip
                continue
            if row.verdict != "qec" or row.d_star is None:
                continue
            steps, floor = _width(row), _width(ideal)
            rows.append(
                RowWidth(
                    group=key,
                    p=row.p,
                    d_star=row.d_star,
                    d_star_low=row.d_star_low,
                    d_star_high=row.d_star_high,
                    steps=steps,
                    floor=floor,
                    done=steps <= floor + target.steps,
                    extrapolated=_extrapolated(row),
                )
            )
    return rows, fits, unfitted


def _fit_rows(g: GroupFit, question: Question) -> list[FitWidth]:
    """The group's threshold interval, then Λ's at every sampled p (with two or more distances)
    it is not measured above threshold at."""
    goal = question.target.relative_width
    assert goal is not None

    def row(quantity: str, p: float | None, est: float | None, low: float | None, high: float | None,
            note: str) -> FitWidth:  # fmt: skip
        width = math.inf if est is None or low is None or high is None else (high - low) / est
        return FitWidth(group=g.key, quantity=quantity, p=p, estimate=est, low=low, high=high, width=width,
                        done=width <= goal, note=note)  # fmt: skip

    t = g.threshold
    if t is None:
        rows = [row("threshold", None, None, None, None, g.threshold_note)]
    else:
        notes = [] if t.bounded else ["the data do not bound its profile interval on one side"]
        if t.interval_scale**2 >= 2:  # χ²/dof >= 2: mostly lack of fit, not counting
            notes.append(f"widened by √(χ²/dof) = {t.interval_scale:.3g}: the points scatter about the "
                         "scaling form more than counting allows, which shots do not remove")  # fmt: skip
        rows = [row("threshold", None, t.p_th, t.p_th_profile_low, t.p_th_profile_high, "; ".join(notes))]
    lambdas = {f.p: f for f in g.lambdas}
    above = g.above_threshold
    for p in sorted({pt.p for pt in g.points}):
        if len({pt.d for pt in g.points if pt.p == p}) < 2 or above.reason(p):
            continue
        f = lambdas.get(p)
        if f is None:
            rows.append(row("lambda", p, None, None, None, "fewer than two distances have errors at p"))
        else:
            fit = lambda_fit_at(g.points, p)
            widening = 1.0 if fit is None else fit[2]
            note = "" if widening < 2 else (
                f"widened by χ²/dof = {widening:.3g}: ln ε_round is not straight in d at p, which more shots "
                "do not change")  # fmt: skip
            rows.append(row("lambda", p, f.lambda_, f.lambda_low, f.lambda_high, note))
    return rows


def _extrapolated(row: BudgetRow) -> str:
    """What the row extrapolates in, from budget.txt's two flags: "", "d", "p" or "d and p"."""
    return " and ".join(x for x, on in (("d", row.extrapolated), ("p", row.extrapolated_p)) if on)


def _width(row: BudgetRow) -> float:
    if row.d_star_low is None or row.d_star_high is None:
        return math.inf
    return (row.d_star_high - row.d_star_low) / 2


def plan_round(
    experiments: Sequence[Experiment],
    decoders: Sequence[str],
    stats: Sequence[sinter.TaskStats],
    question: Question,
    *,
    picks: int = 2,
) -> Plan:
    """One round's decision from the statistics alone (so that a resumed run decides the same).

    Example:
        >>> import qec
        >>> exps = qec.sweep(codes=["surface_rotated"], noises=["circuit"], distances=[3, 5],
        ...                  ps=[0.001, 0.01], rounds_per_distance=1)
        >>> t = Tolerance.given(eps_star=1e-6, physical=[(0.001, -0.02)])
        >>> plan = plan_round(exps, ["pymatching"], [], Question(AdaptiveTarget(steps=1, core_hours=1), t))
        >>> plan.stopped, len(plan.batches), plan.batches[0].max_shots, plan.batches[0].max_errors
        ('', 4, 100000, 100)
    """
    target = question.target
    by_task = {_key(s.json_metadata, s.decoder): s for s in stats}
    tasks = [(e, name) for e in experiments for name in decoders]
    mine = [by_task[k] for k in (_key(e.metadata, name) for e, name in tasks) if k in by_task]
    seconds = sum(s.seconds for s in mine)
    pilot = [
        Batch(e, name, target.pilot_shots, target.pilot_errors)
        for e, name in tasks
        if not _reached(by_task.get(_key(e.metadata, name)), target.pilot_shots, target.pilot_errors)
    ]
    if pilot and seconds >= target.core_hours * 3600:  # the cap binds the pilot too
        return Plan(rows=(), stopped="cap", batches=(), core_seconds=seconds)
    if pilot:
        return Plan(rows=(), stopped="", batches=tuple(pilot), core_seconds=seconds, note="pilot")
    rows, fits, unfitted = judge(mine, question)
    if not unfitted and all(r.done for r in rows):
        return Plan(rows=tuple(rows), stopped="target", batches=(), core_seconds=seconds)
    if seconds >= target.core_hours * 3600:
        return Plan(rows=tuple(rows), stopped="cap", batches=(), core_seconds=seconds)

    def double(keep: Callable[[Experiment, sinter.TaskStats], bool], g: GroupFit) -> list[Batch]:
        """Twice the shots for the group's tasks that ``keep`` picks (a fit that needs more data)."""
        out = []
        for e, name in tasks:
            s = by_task.get(_key(e.metadata, name))
            if s is not None and s.shots < target.max_shots and _in_group(e, name, g) and keep(e, s):
                out.append(Batch(e, name, min(target.max_shots, 2 * s.shots)))
        return out

    batches: list[Batch] = []
    for key in unfitted:  # no model yet: double every task of the group
        batches += double(lambda e, s: True, fits[key])
    window = question.threshold_window
    inside = lambda e, s: window is None or window[0] <= e.noise.p <= window[1]  # noqa: E731
    for r in rows:
        if isinstance(r, RowWidth) and r.unsettled:  # more shots at its p, every distance of the group
            batches += double(lambda e, s, p=r.p: e.noise.p == p, fits[r.group])
        elif isinstance(r, FitWidth) and r.estimate is None and r.quantity == "threshold":
            batches += double(inside, fits[r.group])  # no threshold yet: every task it would be fitted to
        elif isinstance(r, FitWidth) and r.estimate is None:  # no Λ yet: the tasks at p without errors
            batches += double(lambda e, s, p=r.p: e.noise.p == p and s.errors == 0, fits[r.group])
    if target.mode == "d*":
        open_rows = [r for r in rows if isinstance(r, RowWidth) and not r.unsettled]
        batches += _best_batches(tasks, by_task, open_rows, fits, target, picks=picks)
    else:
        fitted = [r for r in rows if isinstance(r, FitWidth) and r.estimate is not None]
        best = _best_fit_batches(tasks, by_task, fitted, fits, question, picks=picks)
        for r in [] if best else [r for r in fitted if not r.done]:  # no fit to value a batch by
            at_p = lambda e, s, p=r.p: e.noise.p == p  # noqa: E731
            batches += double(inside if r.quantity == "threshold" else at_p, fits[r.group])
        batches += best
    merged: dict[tuple[str, str], Batch] = {}  # a task asked for twice gets the larger total
    for b in batches:
        k = _key(b.experiment.metadata, b.decoder)
        if k not in merged or b.max_shots > merged[k].max_shots:
            merged[k] = b
    batches = list(merged.values())
    if not batches:
        return Plan(rows=tuple(rows), stopped="exhausted", batches=(), core_seconds=seconds)
    note = "; ".join(f"no model yet for {k}" for k in unfitted)
    return Plan(rows=tuple(rows), stopped="", batches=tuple(batches), core_seconds=seconds, note=note)


def _reached(s: sinter.TaskStats | None, shots: int, errors: int) -> bool:
    return s is not None and (s.shots >= shots or s.errors >= errors)


def _best_batches(
    tasks: Sequence[tuple[Experiment, str]],
    by_task: dict[tuple[str, str], sinter.TaskStats],
    rows: Sequence[RowWidth],
    fits: dict[str, GroupFit],
    target: AdaptiveTarget,
    *,
    picks: int,
) -> list[Batch]:
    """Greedy: ``picks`` batches, each to the task whose batch shrinks the open rows' relative
    model variance most, the covariance updated after each pick (diminishing returns)."""
    groups: dict[str, dict[str, Any]] = {}
    for key, g in fits.items():
        open_rows = [r for r in rows if r.group == key and not r.done]
        if g.model is None or not open_rows:
            continue
        free = list(free_coefficients(g.model.form))
        sigma = np.asarray(g.model.cov)[np.ix_(free, free)]
        if not np.any(sigma):
            continue
        xs = np.array([SuppressionModel.design_vector(r.d_star, r.p)[free] for r in open_rows])
        groups[key] = {"g": g, "free": free, "sigma": sigma, "xs": xs}
    chosen: dict[tuple[str, str], int] = {}
    for _ in range(picks):
        for group in groups.values():  # the open rows' variances under this pick's covariance
            group["variances"] = np.einsum("ij,jk,ik->i", group["xs"], group["sigma"], group["xs"])
        best: tuple[float, Any] = (0.0, None)
        for e, name in tasks:
            s = by_task.get(_key(e.metadata, name))
            group = next(
                (v for v in groups.values() if v["g"].decoder == name and v["g"].basis == e.basis), None
            )
            if s is None or group is None:
                continue
            g, free, sigma = group["g"], group["free"], group["sigma"]
            if e.noise.p > g.model.p_max:  # above the points the model is fitted on
                continue
            shots = s.shots + chosen.get(_key(e.metadata, name), 0)
            dn = _batch_shots(s, shots, target)
            if dn < 1:
                continue
            r = _shot_rate(s, g.model, e)
            weight = dn * r / (1 - r) / max(g.model.chi2_dof if math.isfinite(g.model.chi2_dof) else 1.0, 1.0)
            x = SuppressionModel.design_vector(e.distance, e.noise.p)[free]
            sx = sigma @ x
            variances = group["variances"]
            shrink = weight * (group["xs"] @ sx) ** 2 / (1 + weight * float(x @ sx))
            gain = float(np.sum(shrink / np.maximum(variances, 1e-300)))
            if gain > best[0]:
                best = (gain, (e, name, int(dn), group, weight, sx, x))
        if best[1] is None:
            break
        e, name, dn, group, weight, sx, x = best[1]
        group["sigma"] = group["sigma"] - weight * np.outer(sx, sx) / (1 + weight * float(x @ sx))
        chosen[_key(e.metadata, name)] = chosen.get(_key(e.metadata, name), 0) + dn
    out = []
    for e, name in tasks:
        k = _key(e.metadata, name)
        if k in chosen:
            out.append(Batch(e, name, by_task[k].shots + chosen[k]))
    return out


def _in_group(e: Experiment, name: str, g: GroupFit) -> bool:
    m = e.metadata
    return (name, m["code"], m["noise"], m["basis"]) == (g.decoder, g.code, g.noise, g.basis)


def _batch_shots(s: sinter.TaskStats, shots: int, target: AdaptiveTarget) -> float:
    """Shots one batch of ``batch_seconds`` buys at the task's measured speed, within max_shots."""
    return min(target.batch_seconds / max(s.seconds / max(s.shots, 1), 1e-9), target.max_shots - shots)


def _fit_gains(
    rows: Sequence[FitWidth], fits: dict[str, GroupFit], question: Question
) -> list[dict[str, Any]]:
    """How a batch is valued for the threshold and Λ: for each open interval with a fit, the
    covariance its width comes from, the entry that is its variance, and, per fitted task
    (d, p, rounds), the design vector x and the weight one more shot adds to that covariance's
    inverse.

    - **Threshold**: the scaling fit's covariance of (p_th, ν, A, B, C) is s²·I⁻¹ with
      I = Σ w_i g_i g_iᵀ (``qec.fit.threshold.ScalingFit``): a point's weight is
      w = n/(r(1 − r)), so one more shot adds x = g = ∂P/∂θ at (d, p) with weight
      1/(r(1 − r))/s², r the point's rate as the fit takes it, (k + ½)/(n + 1). The variance
      is p_th's, whose z-multiple is the profile interval's half-width to first order.
    - **Λ at p**: the fit of ln ε_round = a + b·d at p (``qec.fit.lambdas.lambda_fit_at``) has
      covariance c·(Σ x_i x_iᵀ/σ_i²)⁻¹, x = (1, d), c its χ²/dof widening; σ_i² falls as 1/n,
      so one more shot adds weight 1/(n·σ_i²)/c. The variance is b's: Λ's relative width is
      2·sinh(2z·σ_b), which falls with it.

    A batch of Δn shots then shrinks each variance by a rank-one (Sherman–Morrison) update,
    the same as the d* rows' (``_best_batches``). A task outside a fit (a point without
    errors, rounds ≠ d, p outside the threshold window) adds nothing to that interval.

    Where a fit is widened (χ²/dof > 1: the points scatter about the form more than counting
    allows, e.g. ln ε_round not straight in d), the widening's share of the variance is lack
    of fit, which more shots do not remove: with variance V = c·v (c the widening, v the
    counting part), a batch that shrinks v by δ shrinks V by about δ, not c·δ. The value,
    δ/V, is therefore the relative shrink of the counting part divided by c (``discount``).
    """
    out: list[dict[str, Any]] = []
    for r in rows:
        if r.done or r.estimate is None:
            continue
        g = fits[r.group]
        if r.quantity == "threshold":
            points = threshold_points(g.points, window=question.threshold_window)
            if g.threshold is None:
                continue
            try:
                scaling = ScalingFit.of(g.threshold, points)
            except FitError:
                continue
            per_shot = {}
            for pt in points:
                rate = min(max((pt.errors + 0.5) / (pt.shots + 1), 1e-9), 1 - 1e-9)
                weight = 1 / (rate * (1 - rate)) / scaling.interval_scale**2
                per_shot[(pt.d, pt.p, pt.rounds)] = (scaling.gradient(pt.d, pt.p), weight)
            discount = 1 / scaling.interval_scale**2
            out.append({"group": g, "sigma": np.array(scaling.cov), "index": 0, "per_shot": per_shot,
                        "discount": discount})  # fmt: skip
        else:
            assert r.p is not None
            fit = lambda_fit_at(g.points, r.p)
            if fit is None:
                continue
            _, cov, widening, used = fit
            per_shot = {
                (pt.d, pt.p, pt.rounds): (
                    np.array([1.0, pt.d]),
                    1 / (pt.shots * pt.log_round_sigma**2 * widening),
                )
                for pt in used
            }
            out.append({"group": g, "sigma": np.array(cov), "index": 1, "per_shot": per_shot,
                        "discount": 1 / widening})  # fmt: skip
    return out


def _best_fit_batches(
    tasks: Sequence[tuple[Experiment, str]],
    by_task: dict[tuple[str, str], sinter.TaskStats],
    rows: Sequence[FitWidth],
    fits: dict[str, GroupFit],
    question: Question,
    *,
    picks: int,
) -> list[Batch]:
    """Greedy, as ``_best_batches``: ``picks`` batches, each to the task whose batch shrinks the
    open threshold and Λ intervals' variances most, relative to each variance, summed
    (``_fit_gains``); every covariance is updated after each pick (diminishing returns)."""
    target = question.target
    questions = _fit_gains(rows, fits, question)
    chosen: dict[tuple[str, str], int] = {}
    for _ in range(picks):
        best: tuple[float, Any] = (0.0, None)
        for e, name in tasks:
            k = _key(e.metadata, name)
            s = by_task.get(k)
            if s is None:
                continue
            dn = _batch_shots(s, s.shots + chosen.get(k, 0), target)
            if dn < 1:
                continue
            gain, updates = 0.0, []
            for q in questions:
                entry = q["per_shot"].get((e.distance, e.noise.p, e.rounds))
                if entry is None or not _in_group(e, name, q["group"]):
                    continue
                x, per_shot = entry
                weight, sx = dn * per_shot, q["sigma"] @ x
                i = q["index"]
                shrink = weight * sx[i] ** 2 / (1 + weight * float(x @ sx))
                gain += q["discount"] * shrink / max(float(q["sigma"][i, i]), 1e-300)
                updates.append((q, weight, sx, x))
            if gain > best[0]:
                best = (gain, (k, int(dn), updates))
        if best[1] is None:
            break
        k, dn, updates = best[1]
        for q, weight, sx, x in updates:
            q["sigma"] = q["sigma"] - weight * np.outer(sx, sx) / (1 + weight * float(x @ sx))
        chosen[k] = chosen.get(k, 0) + dn
    return [Batch(e, name, by_task[k].shots + chosen[k]) for e, name in tasks
            if (k := _key(e.metadata, name)) in chosen]  # fmt: skip


def _shot_rate(s: sinter.TaskStats, model: SuppressionModel, e: Experiment) -> float:
    """The task's per-shot error: measured when it has errors, else the model's prediction."""
    if s.errors > 0:
        return min(s.errors / max(s.shots - s.discards, 1), 0.5)
    eps = min(model.eps_round(e.distance, e.noise.p), 0.5)
    return min(float(-np.expm1(e.rounds * np.log1p(-eps))), 0.5)


def sample_adaptively(
    experiments: Sequence[Experiment],
    *,
    out: str,
    target: AdaptiveTarget,
    tolerance: Tolerance | None = None,
    decoder: str | Sequence[str] = "pymatching",
    code: str = "surface_rotated",
    cycles_per_gate: float = 1.0,
    threshold_window: tuple[float, float] | None = None,
    workers: int = 1,
    custom_decoders: dict[str, Any] | None = None,
    print_progress: bool = False,
    sample: Callable[..., Any] | None = None,
) -> AdaptiveResult:
    """Sample ``experiments`` in rounds until ``target`` is met: every budget row's d* interval
    (``target.steps``, with ``tolerance``), or every threshold and Λ interval
    (``target.relative_width``, without one).

    Args:
        experiments: Memory experiments (one code; any distances, ps, bases; one noise model
            with a tolerance).
        out: The sinter CSV to create or extend (resumable, as ``qec.collect``).
        target: Precision and cost limits.
        tolerance: The tolerance whose rows the budget gives (its p values and ε*): with a
            ``steps`` target only.
        decoder: Decoder name(s): each (basis, decoder) group is judged on its own fits.
        code: The code family judged (the budget's qubit counts).
        cycles_per_gate: c, code cycles per logical operation.
        threshold_window: As ``qec.fit.fit_all``.
        workers: Worker processes per batch.
        custom_decoders: As ``qec.collect``.
        print_progress: One line per round on stderr.
        sample: The sampler, ``qec.collect`` by default (the same keyword arguments).

    Returns:
        How it ended (``AdaptiveResult.describe`` says which limit held).

    Raises:
        ValueError: an experiment that is not memory, no experiments, or a tolerance that does
            not go with the target (``Question``).
    """
    from qec.sampling import collect
    from qec.stats import read_stats

    sample = sample or collect
    question = Question(target=target, tolerance=tolerance, code=code, cycles_per_gate=cycles_per_gate,
                        threshold_window=threshold_window)  # fmt: skip
    experiments = list(experiments)
    if not experiments:
        raise ValueError("experiments is empty: nothing to sample")
    if any(e.experiment != "memory" for e in experiments):
        raise ValueError(
            "adaptive sampling targets the memory experiment's fits: give memory experiments only "
            "(sample gate experiments with a fixed --max-shots/--max-errors)"
        )
    decoders = [decoder] if isinstance(decoder, str) else list(decoder)
    common = dict(out=out, custom_decoders=custom_decoders, workers=workers)
    rounds = 0
    while True:
        # repair: a line cut off by a killed run, or one another run is appending, is not read
        stats = read_stats(out, repair=True) if os.path.exists(out) and os.path.getsize(out) > 0 else []
        plan = plan_round(experiments, decoders, stats, question, picks=max(2, workers))
        if print_progress:
            print(_progress(rounds, plan, target), file=sys.stderr, flush=True)
        if plan.stopped:
            wanted = {_key(e.metadata, name) for e in experiments for name in decoders}
            mine = tuple(s for s in stats if _key(s.json_metadata, s.decoder) in wanted)
            return AdaptiveResult(
                stopped=plan.stopped,
                rounds=rounds,
                core_seconds=plan.core_seconds,
                rows=plan.rows,
                stats=mine,
                mode=target.mode,
            )
        rounds += 1
        if plan.note == "pilot":  # one call: every task to the same stopping rule
            for name in decoders:
                exps = [b.experiment for b in plan.batches if b.decoder == name]
                if exps:
                    sample(
                        exps,
                        decoder=name,
                        max_shots=target.pilot_shots,
                        max_errors=target.pilot_errors,
                        **common,
                    )
            continue
        # One call per decoder: sinter runs the round's batches side by side, each to its own total.
        for name in decoders:
            mine = [b for b in plan.batches if b.decoder == name]
            if mine:
                limits = {(b.experiment, name): b.max_shots for b in mine}
                sample([b.experiment for b in mine], decoder=name, max_shots=None, max_errors=None,
                       task_max_shots=limits, **common)  # fmt: skip


def _progress(rounds: int, plan: Plan, target: AdaptiveTarget) -> str:
    spent = f"{plan.core_seconds:.0f} of {target.core_hours * 3600:.0f} core-s"
    if plan.note == "pilot":
        return (
            f"adaptive: pilot, {len(plan.batches)} tasks to {target.pilot_errors} errors or "
            f"{target.pilot_shots} shots ({spent})"
        )
    open_rows = [r for r in plan.rows if not r.done]
    widest = max(plan.rows, key=lambda r: r.width, default=None)
    noun = "rows" if target.mode == "d*" else "intervals"
    line = f"adaptive round {rounds + 1}: {len(open_rows)} of {len(plan.rows)} {noun} open ({spent})"
    if widest is not None:
        line += f"; widest {widest.describe()}"
    if plan.batches:
        line += "; next: " + ", ".join(
            f"d={b.experiment.distance} p={b.experiment.noise.p:g} {b.experiment.basis} {b.decoder} "
            f"to {b.max_shots}"
            for b in plan.batches
        )
    if plan.note and plan.note != "pilot":
        line += f"; {plan.note}"
    return line
