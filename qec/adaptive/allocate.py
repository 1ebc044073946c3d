"""Where the next shots go: batches valued by how much they shrink the open intervals per core-second."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import sinter

# Stop reasons, as ``AdaptiveResult.stopped`` says them.
from qec.adaptive.target import AdaptiveTarget, Question
from qec.adaptive.widths import FitWidth, Row, RowWidth, judge
from qec.fit import FitError, GroupFit, SuppressionModel
from qec.fit.lambdas import lambda_fit_at
from qec.fit.model import free_coefficients
from qec.fit.threshold import ScalingFit, threshold_points
from qec.sampling import Experiment


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


def task_key(metadata: dict[str, Any], decoder: str) -> tuple[str, str]:
    """One task and decoder as a hashable key: its metadata (sorted JSON) and the decoder's name."""
    import json

    return json.dumps(metadata, sort_keys=True), decoder


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
        >>> from qec.adaptive import AdaptiveTarget, Question
        >>> from qec.tolerance import Tolerance
        >>> exps = qec.sweep(codes=["surface_rotated"], noises=["circuit"], distances=[3, 5],
        ...                  ps=[0.001, 0.01], rounds_per_distance=1)
        >>> t = Tolerance.given(eps_star=1e-6, physical=[(0.001, -0.02)])
        >>> plan = plan_round(exps, ["pymatching"], [], Question(AdaptiveTarget(steps=1, core_hours=1), t))
        >>> plan.stopped, len(plan.batches), plan.batches[0].max_shots, plan.batches[0].max_errors
        ('', 4, 100000, 100)
    """
    target = question.target
    by_task = {task_key(s.json_metadata, s.decoder): s for s in stats}
    tasks = [(e, name) for e in experiments for name in decoders]
    mine = [by_task[k] for k in (task_key(e.metadata, name) for e, name in tasks) if k in by_task]
    seconds = sum(s.seconds for s in mine)
    pilot = [
        Batch(e, name, target.pilot_shots, target.pilot_errors)
        for e, name in tasks
        if not _reached(by_task.get(task_key(e.metadata, name)), target.pilot_shots, target.pilot_errors)
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
            s = by_task.get(task_key(e.metadata, name))
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
    batches = _merged(batches)
    if not batches:
        return Plan(rows=tuple(rows), stopped="exhausted", batches=(), core_seconds=seconds)
    note = "; ".join(f"no model yet for {k}" for k in unfitted)
    return Plan(rows=tuple(rows), stopped="", batches=tuple(batches), core_seconds=seconds, note=note)


def _merged(batches: list[Batch]) -> list[Batch]:
    """One batch per task: a task asked for twice gets the larger total."""
    merged: dict[tuple[str, str], Batch] = {}
    for b in batches:
        k = task_key(b.experiment.metadata, b.decoder)
        if k not in merged or b.max_shots > merged[k].max_shots:
            merged[k] = b
    return list(merged.values())


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
            s = by_task.get(task_key(e.metadata, name))
            group = next(
                (v for v in groups.values() if v["g"].decoder == name and v["g"].basis == e.basis), None
            )
            if s is None or group is None:
                continue
            g, free, sigma = group["g"], group["free"], group["sigma"]
            if e.noise.p > g.model.p_max:  # above the points the model is fitted on
                continue
            shots = s.shots + chosen.get(task_key(e.metadata, name), 0)
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
        chosen[task_key(e.metadata, name)] = chosen.get(task_key(e.metadata, name), 0) + dn
    out = []
    for e, name in tasks:
        k = task_key(e.metadata, name)
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
            k = task_key(e.metadata, name)
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
            if (k := task_key(e.metadata, name)) in chosen]  # fmt: skip


def _shot_rate(s: sinter.TaskStats, model: SuppressionModel, e: Experiment) -> float:
    """The task's per-shot error: measured when it has errors, else the model's prediction."""
    if s.errors > 0:
        return min(s.errors / max(s.shots - s.discards, 1), 0.5)
    eps = min(model.eps_round(e.distance, e.noise.p), 0.5)
    return min(float(-np.expm1(e.rounds * np.log1p(-eps))), 0.5)
