"""The rounds: pilot, judge, allocate, sample, until the target, the cap or the tasks run out."""

from __future__ import annotations

import dataclasses
import os
import sys
from collections.abc import Callable, Sequence
from typing import Any

import sinter

# Stop reasons, as ``AdaptiveResult.stopped`` says them.
from qec.adaptive.allocate import Plan, plan_round, task_key
from qec.adaptive.target import AdaptiveTarget, Question
from qec.adaptive.widths import Row
from qec.sampling import Experiment
from qec.tolerance import Tolerance


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
            >>> from qec.adaptive import AdaptiveResult, FitWidth
            >>> from qec.interval import Interval
            >>> t = Interval(0.009, low=0.0086, high=0.0095)
            >>> row = FitWidth("c/n/z/pm", "threshold", None, t, 0.1, True)
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
            wanted = {task_key(e.metadata, name) for e in experiments for name in decoders}
            mine = tuple(s for s in stats if task_key(s.json_metadata, s.decoder) in wanted)
            return AdaptiveResult(stopped=plan.stopped, rounds=rounds, core_seconds=plan.core_seconds,
                                  rows=plan.rows, stats=mine, mode=target.mode)  # fmt: skip
        rounds += 1
        _sample_round(plan, decoders, target, sample, common)


def _sample_round(
    plan: Plan,
    decoders: list[str],
    target: AdaptiveTarget,
    sample: Callable[..., Any],
    common: dict[str, Any],
) -> None:
    """Run one round's batches: the pilot as one stopping rule for every task, otherwise one call
    per decoder, in which sinter runs the batches side by side, each to its own total."""
    for name in decoders:
        mine = [b for b in plan.batches if b.decoder == name]
        if not mine:
            continue
        if plan.note == "pilot":
            sample([b.experiment for b in mine], decoder=name, max_shots=target.pilot_shots,
                   max_errors=target.pilot_errors, **common)  # fmt: skip
        else:
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
