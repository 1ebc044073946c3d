"""How far each answer is from its target: the budget rows' d* widths, the fits' relative widths."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence

import sinter

# Stop reasons, as ``AdaptiveResult.stopped`` says them.
from qec.adaptive.target import Question
from qec.budget.rows import BudgetRow, budget_rows
from qec.fit import GroupFit, SuppressionModel, fit_all, points_from_stats
from qec.fit.lambdas import lambda_fit_at
from qec.interval import Interval, flat_attributes, json_keys


@flat_attributes
@dataclasses.dataclass(frozen=True)
class RowWidth:
    """One budget row's d* interval against the target.

    Attributes:
        group: The (code/noise/basis/decoder) group whose model gave the row.
        p: Physical error rate. d_star_interval: d* and its interval (an open end is None;
            None for an unsettled row), also as ``d_star``, ``d_star_low``, ``d_star_high``.
        steps: The interval's width in distance steps (inf when open).
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
    d_star_interval: Interval[int] | None = dataclasses.field(metadata=json_keys("d_star", "d_star_low",
                                                                                 "d_star_high"))  # fmt: skip
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
            >>> from qec.interval import Interval
            >>> RowWidth("c/n/z/pm", 0.002, Interval(13, low=11, high=None), math.inf, 0.0, False).describe()
            'c/n/z/pm at p = 0.002: d* 13 [11, ?] (open)'
            >>> d_star = Interval(13, low=11, high=15)
            >>> RowWidth("c/n/z/pm", 0.002, d_star, 2.0, 0.5, False, extrapolated="d").describe()
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


@flat_attributes
@dataclasses.dataclass(frozen=True)
class FitWidth:
    """One threshold or Λ interval against a ``relative_width`` target (no tolerance).

    Attributes:
        group: The (code/noise/basis/decoder) group.
        quantity: ``threshold`` (the measured finite-size-scaling crossing) or ``lambda``.
        p: Λ's physical error rate; None for the threshold.
        value: The estimate and its 95% interval (the threshold's profile interval); None
            where there is no fit, an end None where the data leave it open. Also as
            ``estimate``, ``low``, ``high``.
        width: (high − low)/estimate; inf with no fit or an open end.
        done: ``width`` ≤ the target.
        note: Why there is no fit or no closed interval ("" otherwise).
    """

    group: str
    quantity: str
    p: float | None
    value: Interval | None = dataclasses.field(metadata=json_keys("estimate", "low", "high"))
    width: float
    done: bool
    note: str = ""

    def describe(self) -> str:
        """One line: the group, the quantity and its interval.

        Example:
            >>> from qec.interval import Interval
            >>> t = Interval(0.009, low=0.0086, high=0.0095)
            >>> FitWidth("c/n/z/pm", "threshold", None, t, 0.1, True).describe()
            'c/n/z/pm threshold: 0.009 [0.0086, 0.0095] (width 10% of it)'
            >>> lam = Interval(4.1, low=3.2, high=None)
            >>> FitWidth("c/n/z/pm", "lambda", 0.002, lam, math.inf, False).describe()
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
                rows.append(RowWidth(group=key, p=row.p, d_star_interval=None, steps=math.inf, floor=0.0,
                                     done=False, unsettled=why))  # fmt: skip
                continue
            if row.verdict != "qec" or row.d_star is None:
                continue
            steps, floor = _width(row), _width(ideal)
            rows.append(
                RowWidth(
                    group=key,
                    p=row.p,
                    d_star_interval=row.d_star_interval,
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
        value = None if est is None else Interval(est, low=low, high=high)
        return FitWidth(group=g.key, quantity=quantity, p=p, value=value, width=width, done=width <= goal,
                        note=note)  # fmt: skip

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
