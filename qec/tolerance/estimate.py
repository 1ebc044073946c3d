"""Estimating ε* and its interval: the decreasing fit, the crossing of −δ, paired bootstrap changes."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence

import numpy as np

from qec.interval import BootstrapInterval, Interval, flat_attributes, json_keys
from qec.tolerance.metric import Evaluations, logical_spec


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


@flat_attributes
@dataclasses.dataclass(frozen=True)
class Change:
    """A paired mean change against ε = 0 with its bootstrap interval.

    Attributes:
        interval: The mean over seeds and test points with its percentile bootstrap interval;
            in a budget row's JSON ``mean``, ``low``, ``high``, and so as attributes.

    Example:
        >>> c = Change(BootstrapInterval(-0.004, low=-0.009, high=0.001))
        >>> c.mean, c.high
        (-0.004, 0.001)
    """

    interval: BootstrapInterval = dataclasses.field(metadata=json_keys("mean", "low", "high"))


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
    ends = zip(mean, lo, hi, strict=True)
    return [Change(BootstrapInterval(float(m), low=float(a), high=float(b))) for m, a, b in ends]


def eps_star_interval(
    evals: Evaluations, grid: Sequence[float], weights: np.ndarray, *, delta: float, confidence: float
) -> tuple[Interval, str]:
    """(ε* with its interval, bound) on ``grid``: the point estimate and the bootstrap
    percentiles (widened to hold the estimate), and ``crossing``'s bound."""
    data = evals.accuracy
    cols = [evals.column(logical_spec(e)) for e in grid]
    diff = data[:, cols, :] - data[:, evals.column("none"), None, :]
    value, bound = crossing(grid, diff.mean(axis=(0, 2)), delta=delta)
    reps = np.einsum("bsn,skn->bk", weights, diff)
    stars = np.log([crossing(grid, r, delta=delta)[0] for r in reps])
    lo, hi = np.quantile(stars, [(1 - confidence) / 2, (1 + confidence) / 2])
    return Interval(value, low=min(float(np.exp(lo)), value), high=max(float(np.exp(hi)), value)), bound
