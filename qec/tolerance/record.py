"""The tolerance record: the curve, the physical-noise runs and ε* with its interval."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any

from qec._check import check_number, record_fields
from qec.interval import BootstrapInterval, Interval, flat_attributes, flat_dict
from qec.tolerance.metric import Evaluations

DEFINITIONS: tuple[str, ...] = ("inference", "training")


def check_definition(definition: str) -> None:
    """Refuse a tolerance definition other than ``DEFINITIONS`` (``inference``, ``training``).

    Raises:
        ValueError: ``definition`` is not one of ``DEFINITIONS``.

    Example:
        >>> check_definition("inference")
        >>> check_definition("vibes")
        Traceback (most recent call last):
        ...
        ValueError: definition='vibes' is not known; allowed: inference, training
    """
    if definition not in DEFINITIONS:
        raise ValueError(f"definition={definition!r} is not known; allowed: {', '.join(DEFINITIONS)}")


def check_delta(delta: float) -> None:
    """Refuse an accuracy drop δ outside (0, 1).

    Raises:
        ValueError: ``delta`` is not a number in (0, 1).

    Example:
        >>> check_delta(0.05)
        >>> check_delta(1)
        Traceback (most recent call last):
        ...
        ValueError: delta=1 must be a number in (0, 1)
    """
    check_number("delta", delta, low=0, high=1, closed="()")


def check_eps_grid(eps_grid: Sequence[float]) -> None:
    """Refuse a logical-error grid that cannot bracket ε*: fewer than 3 points, or not distinct
    values in (0, 1).

    Raises:
        ValueError: ``eps_grid`` has fewer than 3 points, a repeated value or one outside (0, 1).

    Example:
        >>> check_eps_grid([0.001, 0.01, 0.1])
        >>> check_eps_grid([0.01, 0.1])
        Traceback (most recent call last):
        ...
        ValueError: eps_grid=[0.01, 0.1] must have at least 3 points to bracket ε*
    """
    if len(eps_grid) < 3:
        raise ValueError(f"eps_grid={list(eps_grid)} must have at least 3 points to bracket ε*")
    if any(not 0 < e < 1 for e in eps_grid) or len(set(eps_grid)) != len(eps_grid):
        raise ValueError(f"eps_grid={list(eps_grid)} must be distinct values in (0, 1)")


@flat_attributes
@dataclasses.dataclass(frozen=True)
class CurvePoint:
    """The paired change at one logical error rate.

    Attributes:
        eps_op: Logical error per logical operation. refined: Added by the second, denser grid.
        accuracy: Mean accuracy there. delta_accuracy: Mean paired accuracy change against
            ε = 0 and its interval (in the file: ``delta_accuracy``, ``_low``, ``_high``).
        delta_loss: The same for the squared-error loss.
        delta_accuracy_per_seed: The mean change of each seed's QNN (the seed spread).
    """

    eps_op: float
    refined: bool
    accuracy: float
    delta_accuracy: BootstrapInterval
    delta_loss: BootstrapInterval
    delta_accuracy_per_seed: tuple[float, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "delta_accuracy_per_seed", tuple(self.delta_accuracy_per_seed))
        check_number("curve eps_op", self.eps_op, low=0, high=1, closed="(]")


def per_seed_change(evals: Evaluations, spec: str) -> tuple[float, ...]:
    """Mean paired accuracy change of each seed's QNN at ``spec``: the spread between trained QNNs."""
    change = evals.accuracy[:, evals.column(spec), :] - evals.accuracy[:, evals.column("none"), :]
    return tuple(float(x) for x in change.mean(axis=1))


@flat_attributes
@dataclasses.dataclass(frozen=True)
class PhysicalPoint:
    """The QNN under the physical noise model at p, no QEC, measured the same way as ε*.

    Attributes:
        noise: ``circuit`` or ``si1000``. p: Physical error rate. accuracy: Mean accuracy.
        delta_accuracy: Paired change and its interval (in the file: ``delta_accuracy``,
            ``_low``, ``_high``).
        delta_loss: The same for the loss.
        within_delta: The mean accuracy change is ≥ −δ: hardware alone suffices.
    """

    noise: str
    p: float
    accuracy: float
    delta_accuracy: BootstrapInterval
    delta_loss: BootstrapInterval
    within_delta: bool

    def __post_init__(self) -> None:
        # A p or a change that is not a number would decide a verdict (catalog G10: NaN p said
        # "hardware alone suffices").
        check_number("physical p", self.p, low=0, high=0.5, closed="(]")
        check_number("physical delta_accuracy", self.delta_accuracy.best, low=-1, high=1)


@flat_attributes
@dataclasses.dataclass(frozen=True)
class Tolerance:
    """ε* with its interval, the curve it came from and the physical-noise comparison.

    Attributes:
        definition: ``inference`` or ``training``. delta: δ. confidence: Interval level.
        shots: Shots per prediction of the accuracy metric (0: exact sign).
        eps_star: ε* and its bootstrap interval (in the file: ``eps_star``, ``eps_star_low``,
            ``eps_star_high``; ``eps_star_low`` and ``eps_star_high`` are attributes too).
        bound: ``""``; ``"lower"`` when the accuracy stays within δ over the whole grid (ε* is
            at least the largest ε); ``"upper"`` when it is below already at the smallest ε.
        noiseless_accuracy: ε = 0 accuracy and its interval.
        curve: The paired changes over the grid (coarse and refined points).
        physical: The paired changes under the physical model at each p.
        qnn: The QNN configuration shared by every run. seeds: Seeds. test_points: Test points
            per seed. bootstrap: Bootstrap replicates.
        extra_test, extra_seed: Fresh test points per seed beside the held-out split, and
            their stream (``qec.qnn.load_dataset``), so later checks evaluate the same points.
        eps_star_per_seed: ε* of each seed's QNN alone (the spread between trained QNNs).
        simulation: How the noisy expectations were computed (``qec.qnn.Simulation.describe``;
            empty for tolerances given by hand or written before it was recorded).

    Raises:
        ValueError: an unknown ``definition``, ``delta`` outside (0, 1), or ε* outside its
            interval (or not a number).
    """

    definition: str
    delta: float
    confidence: float
    shots: int
    eps_star: Interval
    bound: str
    noiseless_accuracy: BootstrapInterval
    curve: tuple[CurvePoint, ...]
    physical: tuple[PhysicalPoint, ...]
    qnn: dict[str, Any]
    seeds: tuple[int, ...]
    test_points: int
    bootstrap: int
    extra_test: int = 0
    extra_seed: int = 0
    eps_star_per_seed: tuple[float, ...] = ()
    simulation: str = ""

    def __repr__(self) -> str:
        star = self.eps_star
        return f"<Tolerance ε* = {star.best:.3g} [{star.low:.3g}, {star.high:.3g}], δ = {self.delta:g}>"

    def __post_init__(self) -> None:
        object.__setattr__(self, "eps_star_per_seed", tuple(self.eps_star_per_seed))
        check_definition(self.definition)
        check_delta(self.delta)
        # ε* is a logical error rate (catalog G4-G6: -1, 0 or 5 was refused later as the budget's
        # eps_op, naming neither the file nor the field).
        star = self.eps_star
        ends = (("eps_star", star.best), ("eps_star_low", star.low), ("eps_star_high", star.high))
        for name, value in ends:
            check_number(f"tolerance {name}", value, low=0, high=1, closed="(]")
        if not star.low <= star.best <= star.high:  # NaN included: an Interval lets it pass
            raise ValueError(f"eps_star={star.best!r} must lie in [eps_star_low, eps_star_high] = "
                             f"[{star.low!r}, {star.high!r}]")  # fmt: skip

    @classmethod
    def given(
        cls,
        *,
        eps_star: float,
        physical: Sequence[tuple[float, float]] = (),
        delta: float = 0.01,
        noise: str = "circuit",
    ) -> Tolerance:
        """A tolerance with a given ε* (no interval) and physical accuracy changes ``(p, Δacc)``.

        Example:
            >>> Tolerance.given(eps_star=1e-3, physical=[(0.001, -0.02)]).physical[0].within_delta
            False
        """
        phys = tuple(
            PhysicalPoint(
                noise=noise,
                p=p,
                accuracy=1 + a,
                delta_accuracy=BootstrapInterval(a, low=a, high=a),
                delta_loss=BootstrapInterval(0.0, low=0.0, high=0.0),
                within_delta=a >= -delta,
            )
            for p, a in physical
        )
        return cls(
            definition="inference",
            delta=delta,
            confidence=0.95,
            shots=0,
            eps_star=Interval(eps_star, low=eps_star, high=eps_star),
            bound="",
            noiseless_accuracy=BootstrapInterval(1.0, low=1.0, high=1.0),
            curve=(),
            physical=phys,
            qnn={},
            seeds=(0,),
            test_points=0,
            bootstrap=0,
        )

    def describe(self) -> str:
        bound = {
            "lower": " (a lower bound: within δ on the whole grid)",
            "upper": " (an upper bound: beyond δ at the smallest ε)",
        }.get(self.bound, "")
        per_seed = ", ".join(f"{e:.3g}" for e in self.eps_star_per_seed)
        spread = f"; per seed {per_seed}" if len(self.eps_star_per_seed) > 1 else ""
        star = self.eps_star
        return (
            f"ε* = {star.best:.3g} [{star.low:.3g}, {star.high:.3g}]{bound} "
            f"({self.definition}, δ = {self.delta:g}, {self.confidence:.0%} bootstrap over "
            f"{len(self.seeds)} seeds × {self.test_points} test points{spread})"
        )

    def to_dict(self) -> dict[str, Any]:
        """The tolerance.json document: every interval as its flat keys (``eps_star_low``, ...)."""
        out = flat_dict(self)
        out["seeds"] = list(self.seeds)
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Tolerance:
        """Rebuild from ``to_dict`` output, field by field and each curve and physical point
        alike (``qec._check.record_fields``).

        Raises:
            ValueError: a field is missing or of the wrong type (the message names it).
        """
        values = record_fields(cls, data, what="tolerance")
        point = lambda kind, x: kind(**record_fields(kind, x, what=f"tolerance {kind.__name__}"))  # noqa: E731
        values["curve"] = tuple(point(CurvePoint, c) for c in values["curve"])
        values["physical"] = tuple(point(PhysicalPoint, x) for x in values["physical"])
        values["seeds"] = tuple(values["seeds"])
        return cls(**values)
