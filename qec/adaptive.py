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
from qec.fit import GroupFit, SuppressionModel, fit_all, points_from_stats
from qec.fit.model import free_coefficients
from qec.sampling import Experiment
from qec.tolerance import Tolerance

# Stop reasons, as ``AdaptiveResult.stopped`` says them.
STOPPED = ("target", "cap", "exhausted")


@dataclasses.dataclass(frozen=True)
class AdaptiveTarget:
    """How precise the budget must be, and what it may cost.

    Attributes:
        steps: Widest d* interval allowed, in distance steps ((d*_high − d*_low)/2), beyond
            the width ε*'s own interval gives (``RowWidth.floor``); ≥ 1, since a zero-width
            interval pins d* to one distance, which no finite sample promises.
        core_hours: Cap on sampling core-hours (sinter's worker seconds, all rounds, those
            already in the file included).
        batch_seconds: Core-seconds per batch given to one task.
        pilot_errors, pilot_shots: The pilot's stopping rule for every task.
        max_shots: No task is sampled beyond this many shots.

    Raises:
        ValueError: a field out of its range, naming it.

    Example:
        >>> AdaptiveTarget(steps=1, core_hours=0.5).pilot_errors
        100
        >>> AdaptiveTarget(steps=0, core_hours=0.5)  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        ValueError: steps=0 must be an integer >= 1 (a zero-width d* interval is one distance, ...)
    """

    steps: int
    core_hours: float = 1.0
    batch_seconds: float = 20.0
    pilot_errors: int = 100
    pilot_shots: int = 100_000
    max_shots: int = 100_000_000

    def __post_init__(self) -> None:
        check_int(
            "steps",
            self.steps,
            least=1,
            why="a zero-width d* interval is one distance, which no finite sample promises",
        )
        check_number("core_hours", self.core_hours, low=0, high=1e6, closed="(]")
        check_number("batch_seconds", self.batch_seconds, low=0, high=1e6, closed="(]")
        check_int("pilot_errors", self.pilot_errors, least=1)
        check_int("pilot_shots", self.pilot_shots, least=1)
        check_int("max_shots", self.max_shots, least=self.pilot_shots, why="at least pilot_shots")


# The settings a study or the CLI may leave out, in one place.
DEFAULTS: dict[str, Any] = {
    f.name: f.default for f in dataclasses.fields(AdaptiveTarget) if f.default is not dataclasses.MISSING
}


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

    rows: tuple[RowWidth, ...]
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
        rows: Every budget row's interval at the end.
        stats: The tasks' statistics.
    """

    stopped: str
    rounds: int
    core_seconds: float
    rows: tuple[RowWidth, ...]
    stats: tuple[sinter.TaskStats, ...]

    def describe(self) -> str:
        """What held, and the widest row."""
        why = {
            "target": "every d* interval is within the target of its floor",
            "cap": "the core-hour cap is spent",
            "exhausted": "no task may take more shots",
        }[self.stopped]
        open_rows = [r for r in self.rows if not r.done]
        widest = max(self.rows, key=lambda r: r.steps, default=None)
        text = f"stopped: {why}; {self.rounds} rounds, {self.core_seconds / 3600:.3g} core-hours in all"
        if widest is not None:
            text += f"; widest: {widest.describe()}"
        if open_rows:
            text += f"; {len(open_rows)} rows still wider than the target"
        return text


def _key(metadata: dict[str, Any], decoder: str) -> tuple[str, str]:
    import json

    return json.dumps(metadata, sort_keys=True), decoder


def _floor_model(model: SuppressionModel) -> SuppressionModel:
    return dataclasses.replace(model, cov=tuple((0.0,) * 4 for _ in range(4)))


def judge(
    stats: Sequence[sinter.TaskStats],
    tolerance: Tolerance,
    target: AdaptiveTarget,
    *,
    code: str,
    cycles_per_gate: float = 1.0,
    threshold_window: tuple[float, float] | None = None,
) -> tuple[list[RowWidth], dict[str, GroupFit], list[str]]:
    """Every group's budget rows with their widths, the fits, and the groups without a model.

    Only memory groups whose noise is the tolerance's are judged (the budget's model). A group
    with no model is listed by key (it needs more data before it can be judged).
    """
    points = [pt for pt in points_from_stats(stats) if pt.experiment == "memory"]
    noise = tolerance.physical[0].noise if tolerance.physical else None
    fits = {
        g.key: g
        for g in fit_all(points, bootstrap=0, threshold_window=threshold_window)
        if g.code == code and g.noise == noise
    }
    n_logical = int(tolerance.qnn.get("qubits", 1)) if tolerance.qnn else 1
    rows: list[RowWidth] = []
    unfitted: list[str] = []
    for key, g in sorted(fits.items()):
        if g.model is None:
            unfitted.append(key)
            continue
        settings = dict(
            tolerance=tolerance,
            code=code,
            n_logical=n_logical,
            cycles_per_gate=cycles_per_gate,
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
    tolerance: Tolerance,
    target: AdaptiveTarget,
    *,
    code: str,
    cycles_per_gate: float = 1.0,
    threshold_window: tuple[float, float] | None = None,
    picks: int = 2,
) -> Plan:
    """One round's decision from the statistics alone (so that a resumed run decides the same).

    Example:
        >>> import qec
        >>> exps = qec.sweep(codes=["surface_rotated"], noises=["circuit"], distances=[3, 5],
        ...                  ps=[0.001, 0.01], rounds_per_distance=1)
        >>> t = Tolerance.given(eps_star=1e-6, physical=[(0.001, -0.02)])
        >>> plan = plan_round(exps, ["pymatching"], [], t, AdaptiveTarget(steps=1, core_hours=1),
        ...                   code="surface_rotated")
        >>> plan.stopped, len(plan.batches), plan.batches[0].max_shots, plan.batches[0].max_errors
        ('', 4, 100000, 100)
    """
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
    rows, fits, unfitted = judge(
        mine, tolerance, target, code=code, cycles_per_gate=cycles_per_gate, threshold_window=threshold_window
    )
    if not unfitted and all(r.done for r in rows):
        return Plan(rows=tuple(rows), stopped="target", batches=(), core_seconds=seconds)
    if seconds >= target.core_hours * 3600:
        return Plan(rows=tuple(rows), stopped="cap", batches=(), core_seconds=seconds)
    batches: list[Batch] = []
    for key in unfitted:  # no model yet: double every task of the group
        g = fits[key]
        for e, name in tasks:
            s = by_task.get(_key(e.metadata, name))
            if name == g.decoder and e.basis == g.basis and s is not None and s.shots < target.max_shots:
                batches.append(Batch(e, name, min(target.max_shots, 2 * s.shots)))
    for r in rows:  # an unsettled verdict: more shots at its p, every distance of the group
        if r.unsettled:
            g = fits[r.group]
            for e, name in tasks:
                s = by_task.get(_key(e.metadata, name))
                mine_p = name == g.decoder and e.basis == g.basis and e.noise.p == r.p
                if mine_p and s is not None and s.shots < target.max_shots:
                    batches.append(Batch(e, name, min(target.max_shots, 2 * s.shots)))
    batches += _best_batches(tasks, by_task, [r for r in rows if not r.unsettled], fits, target, picks=picks)
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
            dn = min(target.batch_seconds / max(s.seconds / max(s.shots, 1), 1e-9), target.max_shots - shots)
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
    tolerance: Tolerance,
    target: AdaptiveTarget,
    decoder: str | Sequence[str] = "pymatching",
    code: str = "surface_rotated",
    cycles_per_gate: float = 1.0,
    threshold_window: tuple[float, float] | None = None,
    workers: int = 1,
    custom_decoders: dict[str, Any] | None = None,
    print_progress: bool = False,
    sample: Callable[..., Any] | None = None,
) -> AdaptiveResult:
    """Sample ``experiments`` in rounds until every budget row's d* interval meets ``target``.

    Args:
        experiments: Memory experiments (one code and noise model; any distances, ps, bases).
        out: The sinter CSV to create or extend (resumable, as ``qec.collect``).
        tolerance: The tolerance whose rows the budget gives (its p values and ε*).
        target: Precision and cost limits.
        decoder: Decoder name(s): each (basis, decoder) group is judged on its own model.
        code: The budget's code family (qubit counts).
        cycles_per_gate: c, code cycles per logical operation.
        threshold_window: As ``qec.fit.fit_all``.
        workers: Worker processes per batch.
        custom_decoders: As ``qec.collect``.
        print_progress: One line per round on stderr.
        sample: The sampler, ``qec.collect`` by default (the same keyword arguments).

    Returns:
        How it ended (``AdaptiveResult.describe`` says which limit held).

    Raises:
        ValueError: an experiment that is not memory, or no experiments.
    """
    from qec.sampling import collect
    from qec.stats import read_stats

    sample = sample or collect
    experiments = list(experiments)
    if not experiments:
        raise ValueError("experiments is empty: nothing to sample")
    if any(e.experiment != "memory" for e in experiments):
        raise ValueError(
            "adaptive sampling targets the budget's memory model: give memory experiments only "
            "(sample gate experiments with a fixed --max-shots/--max-errors)"
        )
    decoders = [decoder] if isinstance(decoder, str) else list(decoder)
    common = dict(out=out, custom_decoders=custom_decoders, workers=workers)
    rounds = 0
    while True:
        stats = read_stats(out) if os.path.exists(out) and os.path.getsize(out) > 0 else []
        plan = plan_round(
            experiments,
            decoders,
            stats,
            tolerance,
            target,
            code=code,
            cycles_per_gate=cycles_per_gate,
            threshold_window=threshold_window,
            picks=max(2, workers),
        )
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
    widest = max(plan.rows, key=lambda r: r.steps, default=None)
    line = f"adaptive round {rounds + 1}: {len(open_rows)} of {len(plan.rows)} rows open ({spent})"
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
