"""What an adaptive run samples for: the target, its defaults and the question it answers."""

from __future__ import annotations

import dataclasses
import math
from typing import Any

from qec._check import check_int, check_number
from qec.tolerance import Tolerance

# Stop reasons, as ``AdaptiveResult.stopped`` says them.


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
