"""The QNN's tolerance ε*: paired evaluations over a logical-error grid, with a bootstrap interval.

Two definitions (docs/concepts.md, "The tolerance ε*"):

- ``inference``: the noiselessly trained weights of each seed, evaluated on the same test points
  at every ε. Differences against ε = 0 are paired point by point, so their error comes from
  the test set and the seeds, never from retraining.
- ``training``: the QNN trained under ε versus trained noiselessly, paired by seed (same split,
  same initial point) and by test point; each model is evaluated under the noise it was
  trained with.

The metric is the expected accuracy from S shots per prediction, computed exactly from the
binomial distribution of the ±1 outcomes (no shot sampling noise); the squared-error loss is
reported beside it as a continuous view. ε* is where the mean paired accuracy change, made
monotone in ε, crosses −δ, interpolated in log ε; its interval is a percentile bootstrap over
seeds and test points (test points resampled within each resampled seed).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from qec._check import check_number, record_fields

DEFINITIONS: tuple[str, ...] = ("inference", "training")


# ---------------------------------------------------------------------------------------
# The metric


def plus_probability(expectation: np.ndarray) -> np.ndarray:
    """Probability (1 + ⟨O⟩)/2 that one shot of an observable with eigenvalues ±1 reads +1.

    The one shot model: training's scored accuracy and ``shot_accuracy`` both use it, and
    ``qec.qnn.parse_observable`` admits only observables it holds for (O² = I), whose mean
    lies in [−1, 1]. A mean outside (beyond rounding) or NaN (weights that are not numbers)
    is an error, not something to clip.

    Example:
        >>> plus_probability(np.array([-1.0, 0.0, 0.5]))
        array([0.  , 0.5 , 0.75])
    """
    ev = np.asarray(expectation, dtype=float)
    if not np.all(np.abs(ev) <= 1 + 1e-9):
        bad = ev[~(np.abs(ev) <= 1 + 1e-9)][:3].tolist()
        raise ValueError(f"expectation values {bad} are not in [-1, 1]: a shot model of ±1 outcomes needs an "
                         "observable with eigenvalues ±1 and finite weights")  # fmt: skip
    return np.clip((1 + ev) / 2, 0, 1)


def shot_accuracy(expectation: np.ndarray, label: np.ndarray, *, shots: int) -> np.ndarray:
    """Probability that ``shots`` ±1 outcomes of an observable with mean ``expectation`` vote
    for ``label`` (a tie is a coin flip); with ``shots=0``, whether the exact sign is right.

    Example:
        >>> # ⟨O⟩ = 0.1: k ~ Binomial(100, 0.55) outcomes +1; P(k > 50) + P(k = 50)/2
        >>> shot_accuracy(np.array([0.1, 0.1, 0.0]), np.array([1, -1, 1]), shots=100).round(4)
        array([0.8413, 0.1587, 0.5   ])
    """
    import scipy.stats

    ev, y = np.asarray(expectation, dtype=float), np.asarray(label)
    q = plus_probability(ev)  # probability of a +1 outcome
    if shots == 0:
        return (np.where(ev >= 0, 1, -1) == y).astype(float)
    half = shots / 2
    below = scipy.stats.binom.cdf(math.ceil(half) - 1, shots, q)  # fewer +1 than half
    tie = scipy.stats.binom.pmf(half, shots, q) if shots % 2 == 0 else np.zeros_like(q)
    above = 1 - below - tie
    return np.where(y == 1, above, below) + tie / 2


@dataclasses.dataclass(frozen=True)
class Evaluations:
    """Per-test-point metrics of one workload at several noise specs.

    Attributes:
        specs: Noise specs (``none``, ``logical:<eps>``, ``circuit:<p>``, ``si1000:<p>``).
        seeds: Seeds (one trained QNN each).
        accuracy: Expected shot accuracy, shape (seeds, specs, test points).
        loss: Squared error (⟨O⟩ − y)², same shape.
    """

    specs: tuple[str, ...]
    seeds: tuple[int, ...]
    accuracy: np.ndarray
    loss: np.ndarray

    def __post_init__(self) -> None:
        want = (len(self.seeds), len(self.specs))
        if self.accuracy.shape[:2] != want or self.loss.shape != self.accuracy.shape:
            raise ValueError(
                f"accuracy {self.accuracy.shape} and loss {self.loss.shape} must be "
                f"(seeds, specs, points) = {(*want, -1)}"
            )

    def __add__(self, other: Evaluations) -> Evaluations:
        if other.seeds != self.seeds:
            raise ValueError(f"cannot join evaluations of seeds {self.seeds} and {other.seeds}")
        return Evaluations(
            self.specs + other.specs,
            self.seeds,
            np.concatenate([self.accuracy, other.accuracy], axis=1),
            np.concatenate([self.loss, other.loss], axis=1),
        )

    def column(self, spec: str) -> int:
        return self.specs.index(spec)


Evaluator = Callable[[Sequence[str]], Evaluations]


# ---------------------------------------------------------------------------------------
# Estimating ε* and its interval


def decreasing_fit(values: Sequence[float]) -> np.ndarray:
    """Least-squares non-increasing fit, equal weights (scipy's pool-adjacent-violators).

    Example:
        >>> decreasing_fit([0.0, -0.02, -0.01, -0.05]).tolist()
        [0.0, -0.015, -0.015, -0.05]
    """
    from scipy.optimize import isotonic_regression  # lazily: `qec --help` imports no scipy

    return isotonic_regression(np.asarray(values, dtype=float), increasing=False).x


def crossing(eps: Sequence[float], change: Sequence[float], *, delta: float) -> tuple[float, str]:
    """Where the accuracy change vs ε, made non-increasing, first falls below −δ.

    Interpolated linearly in log ε between the two grid points that bracket it. Returns
    ``(eps_star, bound)`` with ``bound`` ``""``, ``"lower"`` (still within δ at the largest ε)
    or ``"upper"`` (already below at the smallest ε).

    Example:
        >>> crossing([1e-3, 1e-2, 1e-1], [0.0, 0.0, -0.2], delta=0.1)[0]  # halfway in log ε
        0.0316227766016838
    """
    eps = np.asarray(eps, dtype=float)
    monotone = decreasing_fit(change)
    below = np.flatnonzero(monotone < -delta)
    if below.size == 0:
        return float(eps[-1]), "lower"
    i = int(below[0])
    if i == 0:
        return float(eps[0]), "upper"
    t = (monotone[i - 1] + delta) / (monotone[i - 1] - monotone[i])
    return float(math.exp(math.log(eps[i - 1]) + t * (math.log(eps[i]) - math.log(eps[i - 1])))), ""


def bootstrap_weights(
    n_seeds: int, n_points: int, *, replicates: int, rng: np.random.Generator
) -> np.ndarray:
    """Weights (replicates, seeds, points), each replicate summing to 1: seeds resampled with
    replacement, then test points resampled with replacement within each drawn seed.

    Example:
        >>> w = bootstrap_weights(2, 5, replicates=3, rng=np.random.default_rng(0))
        >>> w.shape, np.allclose(w.sum(axis=(1, 2)), 1)
        ((3, 2, 5), True)
    """
    seed_counts = rng.multinomial(n_seeds, [1 / n_seeds] * n_seeds, size=replicates)  # (B, S)
    point_counts = rng.multinomial(n_points, [1 / n_points] * n_points, size=(replicates, n_seeds))
    return seed_counts[:, :, None] * point_counts / (n_seeds * n_points)


@dataclasses.dataclass(frozen=True)
class Change:
    """A paired mean change against ε = 0 with its bootstrap interval.

    Attributes:
        mean: Mean over seeds and test points. low, high: Percentile bootstrap interval.
    """

    mean: float
    low: float
    high: float


def paired_changes(
    evals: Evaluations, specs: Sequence[str], weights: np.ndarray, *, metric: str, confidence: float
) -> list[Change]:
    """Mean change of ``metric`` (``accuracy`` or ``loss``) at each spec against ``none``."""
    data = getattr(evals, metric)
    base = data[:, evals.column("none"), :]
    cols = [evals.column(s) for s in specs]
    diff = data[:, cols, :] - base[:, None, :]  # (S, K, N)
    reps = np.einsum("bsn,skn->bk", weights, diff)
    lo, hi = np.quantile(reps, [(1 - confidence) / 2, (1 + confidence) / 2], axis=0)
    mean = diff.mean(axis=(0, 2))
    return [Change(float(m), float(a), float(b)) for m, a, b in zip(mean, lo, hi, strict=True)]


@dataclasses.dataclass(frozen=True)
class CurvePoint:
    """The paired change at one logical error rate.

    Attributes:
        eps_op: Logical error per logical operation. refined: Added by the second, denser grid.
        accuracy: Mean accuracy there. delta_accuracy, delta_accuracy_low, delta_accuracy_high:
            Mean paired accuracy change against ε = 0 and its interval.
        delta_loss, delta_loss_low, delta_loss_high: The same for the squared-error loss.
        delta_accuracy_per_seed: The mean change of each seed's QNN (the seed spread).
    """

    eps_op: float
    refined: bool
    accuracy: float
    delta_accuracy: float
    delta_accuracy_low: float
    delta_accuracy_high: float
    delta_loss: float
    delta_loss_low: float
    delta_loss_high: float
    delta_accuracy_per_seed: tuple[float, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "delta_accuracy_per_seed", tuple(self.delta_accuracy_per_seed))


def _per_seed(evals: Evaluations, spec: str) -> tuple[float, ...]:
    """Mean paired accuracy change of each seed's QNN at ``spec``: the spread between trained QNNs."""
    change = evals.accuracy[:, evals.column(spec), :] - evals.accuracy[:, evals.column("none"), :]
    return tuple(float(x) for x in change.mean(axis=1))


@dataclasses.dataclass(frozen=True)
class PhysicalPoint:
    """The QNN under the physical noise model at p, no QEC, measured the same way as ε*.

    Attributes:
        noise: ``circuit`` or ``si1000``. p: Physical error rate. accuracy: Mean accuracy.
        delta_accuracy, delta_accuracy_low, delta_accuracy_high: Paired change and interval.
        delta_loss, delta_loss_low, delta_loss_high: The same for the loss.
        within_delta: The mean accuracy change is ≥ −δ: hardware alone suffices.
    """

    noise: str
    p: float
    accuracy: float
    delta_accuracy: float
    delta_accuracy_low: float
    delta_accuracy_high: float
    delta_loss: float
    delta_loss_low: float
    delta_loss_high: float
    within_delta: bool


@dataclasses.dataclass(frozen=True)
class Tolerance:
    """ε* with its interval, the curve it came from and the physical-noise comparison.

    Attributes:
        definition: ``inference`` or ``training``. delta: δ. confidence: Interval level.
        shots: Shots per prediction of the accuracy metric (0: exact sign).
        eps_star, eps_star_low, eps_star_high: ε* and its bootstrap interval.
        bound: ``""``; ``"lower"`` when the accuracy stays within δ over the whole grid (ε* is
            at least the largest ε); ``"upper"`` when it is below already at the smallest ε.
        noiseless_accuracy, noiseless_accuracy_low, noiseless_accuracy_high: ε = 0 accuracy.
        curve: The paired changes over the grid (coarse and refined points).
        physical: The paired changes under the physical model at each p.
        qnn: The QNN configuration shared by every run. seeds: Seeds. test_points: Test points
            per seed. bootstrap: Bootstrap replicates.
        extra_test, extra_seed: Fresh test points per seed beside the held-out split, and
            their stream (``qec.qnn.load_dataset``), so later checks evaluate the same points.
        eps_star_per_seed: ε* of each seed's QNN alone (the spread between trained QNNs).
        simulation: How the noisy expectations were computed (``qec.qnn.Simulation.describe``;
            empty for tolerances given by hand or written before it was recorded).
    """

    definition: str
    delta: float
    confidence: float
    shots: int
    eps_star: float
    eps_star_low: float
    eps_star_high: float
    bound: str
    noiseless_accuracy: float
    noiseless_accuracy_low: float
    noiseless_accuracy_high: float
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
        star = f"{self.eps_star:.3g} [{self.eps_star_low:.3g}, {self.eps_star_high:.3g}]"
        return f"<Tolerance ε* = {star}, δ = {self.delta:g}>"

    def __post_init__(self) -> None:
        object.__setattr__(self, "eps_star_per_seed", tuple(self.eps_star_per_seed))
        check_definition(self.definition)
        check_delta(self.delta)
        if not self.eps_star_low <= self.eps_star <= self.eps_star_high:
            raise ValueError(
                f"eps_star={self.eps_star!r} must lie in [eps_star_low, eps_star_high] = "
                f"[{self.eps_star_low!r}, {self.eps_star_high!r}]"
            )

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
                delta_accuracy=a,
                delta_accuracy_low=a,
                delta_accuracy_high=a,
                delta_loss=0.0,
                delta_loss_low=0.0,
                delta_loss_high=0.0,
                within_delta=a >= -delta,
            )
            for p, a in physical
        )
        return cls(
            definition="inference",
            delta=delta,
            confidence=0.95,
            shots=0,
            eps_star=eps_star,
            eps_star_low=eps_star,
            eps_star_high=eps_star,
            bound="",
            noiseless_accuracy=1.0,
            noiseless_accuracy_low=1.0,
            noiseless_accuracy_high=1.0,
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
        return (
            f"ε* = {self.eps_star:.3g} [{self.eps_star_low:.3g}, {self.eps_star_high:.3g}]{bound} "
            f"({self.definition}, δ = {self.delta:g}, {self.confidence:.0%} bootstrap over "
            f"{len(self.seeds)} seeds × {self.test_points} test points{spread})"
        )

    def to_dict(self) -> dict[str, Any]:
        out = dataclasses.asdict(self)
        out["seeds"] = list(self.seeds)
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Tolerance:
        """Rebuild from ``to_dict`` output; a missing field is a ``ValueError`` naming it."""
        values = record_fields(cls, data, what="tolerance")
        values["curve"] = tuple(CurvePoint(**c) for c in data["curve"])
        values["physical"] = tuple(PhysicalPoint(**x) for x in data["physical"])
        values["seeds"] = tuple(data["seeds"])
        return cls(**values)


def check_definition(definition: str) -> None:
    if definition not in DEFINITIONS:
        raise ValueError(f"definition={definition!r} is not known; allowed: {', '.join(DEFINITIONS)}")


def check_delta(delta: float) -> None:
    check_number("delta", delta, low=0, high=1, closed="()")


def check_eps_grid(eps_grid: Sequence[float]) -> None:
    if len(eps_grid) < 3:
        raise ValueError(f"eps_grid={list(eps_grid)} must have at least 3 points to bracket ε*")
    if any(not 0 < e < 1 for e in eps_grid) or len(set(eps_grid)) != len(eps_grid):
        raise ValueError(f"eps_grid={list(eps_grid)} must be distinct values in (0, 1)")


def logical_spec(eps: float) -> str:
    return f"logical:{eps:.6g}"


def measure_tolerance(
    evaluate: Evaluator,
    *,
    eps_grid: Sequence[float],
    physical: Sequence[tuple[str, float]] = (),
    delta: float,
    definition: str = "inference",
    confidence: float = 0.95,
    bootstrap: int = 1000,
    refine: int = 6,
    seed: int = 0,
    qnn: Mapping[str, Any] | None = None,
    extra_test: int = 0,
    extra_seed: int = 0,
    simulation: str = "",
    progress: Callable[[str], None] | None = None,
) -> Tolerance:
    """ε* of the workload behind ``evaluate``, its interval, and the physical-noise comparison.

    ``evaluate(specs)`` returns per-point metrics at each noise spec (``none`` among them
    when asked). The grid is evaluated, ε* and its interval estimated; then ``refine``
    log-spaced points are added inside the grid cells that the interval spans and everything
    is estimated again on the merged grid, so that ε* is interpolated between close points.

    Example:
        >>> def evaluate(specs):  # 100 points whose accuracy falls as 1 − 2ε, 1 seed
        ...     eps = [0.0 if s == "none" else float(s.split(":")[1]) for s in specs]
        ...     acc = np.array([[[1 - 2 * e] * 100 for e in eps]])
        ...     return Evaluations(tuple(specs), (0,), acc, 0 * acc)
        >>> t = measure_tolerance(evaluate, eps_grid=[1e-3, 1e-2, 1e-1], delta=0.01, bootstrap=50)
        >>> round(t.eps_star, 4), t.bound, sum(c.refined for c in t.curve)  # exact: 0.005
        (0.005, '', 6)
    """
    check_definition(definition)
    check_delta(delta)
    check_eps_grid(eps_grid)
    if not 0 < confidence < 1:
        raise ValueError(f"confidence={confidence!r} must be in (0, 1)")
    if bootstrap < 10:
        raise ValueError(f"bootstrap={bootstrap!r} must be >= 10")
    say = progress or (lambda _msg: None)
    grid = sorted(float(e) for e in eps_grid)
    phys_specs = [f"{noise}:{p:g}" for noise, p in physical]
    say(f"evaluating ε = 0, {len(grid)} grid points and {len(phys_specs)} physical-noise points")
    evals = evaluate(["none", *(logical_spec(e) for e in grid), *phys_specs])
    n_seeds, _, n_points = evals.accuracy.shape
    weights = bootstrap_weights(n_seeds, n_points, replicates=bootstrap, rng=np.random.default_rng(seed))
    star = _eps_star(evals, grid, weights, delta=delta, confidence=confidence)
    refined: list[float] = []
    if refine > 0 and star[3] == "":
        lo = max([e for e in grid if e <= star[1]], default=grid[0])
        hi = min([e for e in grid if e >= star[2]], default=grid[-1])
        refined = [float(f"{e:.6g}") for e in np.geomspace(lo, hi, refine + 2)[1:-1]]
        refined = [e for e in refined if e not in grid]
        say(
            f"refining ε* ≈ {star[0]:.3g} [{star[1]:.3g}, {star[2]:.3g}] with {len(refined)} points "
            f"in [{lo:g}, {hi:g}]"
        )
        evals = evals + evaluate([logical_spec(e) for e in refined])
        grid = sorted(grid + refined)
        star = _eps_star(evals, grid, weights, delta=delta, confidence=confidence)
    specs = [logical_spec(e) for e in grid]
    acc = paired_changes(evals, specs, weights, metric="accuracy", confidence=confidence)
    loss = paired_changes(evals, specs, weights, metric="loss", confidence=confidence)
    curve = tuple(
        CurvePoint(
            eps_op=e,
            refined=e in refined,
            accuracy=float(evals.accuracy[:, evals.column(s)].mean()),
            delta_accuracy=a.mean,
            delta_accuracy_low=a.low,
            delta_accuracy_high=a.high,
            delta_loss=lo_.mean,
            delta_loss_low=lo_.low,
            delta_loss_high=lo_.high,
            delta_accuracy_per_seed=_per_seed(evals, s),
        )
        for e, s, a, lo_ in zip(grid, specs, acc, loss, strict=True)
    )
    phys_points = []
    if phys_specs:
        p_acc = paired_changes(evals, phys_specs, weights, metric="accuracy", confidence=confidence)
        p_loss = paired_changes(evals, phys_specs, weights, metric="loss", confidence=confidence)
        for (noise, p), s, a, lo_ in zip(physical, phys_specs, p_acc, p_loss, strict=True):
            phys_points.append(
                PhysicalPoint(
                    noise=noise,
                    p=float(p),
                    accuracy=float(evals.accuracy[:, evals.column(s)].mean()),
                    delta_accuracy=a.mean,
                    delta_accuracy_low=a.low,
                    delta_accuracy_high=a.high,
                    delta_loss=lo_.mean,
                    delta_loss_low=lo_.low,
                    delta_loss_high=lo_.high,
                    within_delta=a.mean >= -delta,
                )
            )
    base = evals.accuracy[:, evals.column("none"), :]
    base_reps = np.einsum("bsn,sn->b", weights, base)
    base_lo, base_hi = np.quantile(base_reps, [(1 - confidence) / 2, (1 + confidence) / 2])
    return Tolerance(
        definition=definition,
        delta=delta,
        confidence=confidence,
        shots=int((qnn or {}).get("shots", 0)),
        eps_star=star[0],
        eps_star_low=star[1],
        eps_star_high=star[2],
        bound=star[3],
        noiseless_accuracy=float(base.mean()),
        noiseless_accuracy_low=float(base_lo),
        noiseless_accuracy_high=float(base_hi),
        curve=curve,
        physical=tuple(phys_points),
        qnn=dict(qnn or {}),
        seeds=evals.seeds,
        test_points=n_points,
        bootstrap=bootstrap,
        extra_test=extra_test,
        extra_seed=extra_seed,
        simulation=simulation,
        eps_star_per_seed=tuple(
            crossing(grid, [c.delta_accuracy_per_seed[k] for c in curve], delta=delta)[0]
            for k in range(len(evals.seeds))
        ),
    )


def measure_changes(
    evaluate: Evaluator,
    eps_ops: Sequence[float],
    *,
    confidence: float = 0.95,
    bootstrap: int = 1000,
    seed: int = 0,
) -> dict[float, Change]:
    """The paired accuracy change at each logical ε_op (the budget's d* and d* − 2 checks).

    Example:
        >>> def evaluate(specs):  # accuracy 1 − 2ε on 50 points
        ...     eps = [0.0 if s == "none" else float(s.split(":")[1]) for s in specs]
        ...     acc = np.array([[[1 - 2 * e] * 50 for e in eps]])
        ...     return Evaluations(tuple(specs), (0,), acc, 0 * acc)
        >>> round(measure_changes(evaluate, [0.01], bootstrap=20)[0.01].mean, 6)
        -0.02
    """
    if not eps_ops:
        return {}
    specs = [logical_spec(e) for e in eps_ops]
    evals = evaluate(["none", *specs])
    n_seeds, _, n_points = evals.accuracy.shape
    weights = bootstrap_weights(n_seeds, n_points, replicates=bootstrap, rng=np.random.default_rng(seed))
    changes = paired_changes(evals, specs, weights, metric="accuracy", confidence=confidence)
    return dict(zip(eps_ops, changes, strict=True))


def _eps_star(
    evals: Evaluations, grid: Sequence[float], weights: np.ndarray, *, delta: float, confidence: float
) -> tuple[float, float, float, str]:
    """(ε*, low, high, bound) on ``grid``: the point estimate and the bootstrap percentiles."""
    data = evals.accuracy
    cols = [evals.column(logical_spec(e)) for e in grid]
    diff = data[:, cols, :] - data[:, evals.column("none"), None, :]
    value, bound = crossing(grid, diff.mean(axis=(0, 2)), delta=delta)
    reps = np.einsum("bsn,skn->bk", weights, diff)
    stars = np.log([crossing(grid, r, delta=delta)[0] for r in reps])
    lo, hi = np.quantile(stars, [(1 - confidence) / 2, (1 + confidence) / 2])
    return value, min(float(np.exp(lo)), value), max(float(np.exp(hi)), value), bound


