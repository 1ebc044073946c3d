"""Measuring the tolerance of a trained QNN: the grid, the refinement, the physical runs and the checks."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from qec.interval import BootstrapInterval, Interval
from qec.tolerance.estimate import Change, bootstrap_weights, crossing, eps_star_interval, paired_changes
from qec.tolerance.metric import Evaluations, Evaluator, logical_spec
from qec.tolerance.record import (
    CurvePoint,
    PhysicalPoint,
    Tolerance,
    check_definition,
    check_delta,
    check_eps_grid,
    per_seed_change,
)


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
        >>> import qec
        >>> from qec.tolerance import Evaluations
        >>> def evaluate(specs):  # 100 points whose accuracy falls as 1 − 2ε, 1 seed
        ...     eps = [0.0 if s == "none" else float(s.split(":")[1]) for s in specs]
        ...     acc = np.array([[[1 - 2 * e] * 100 for e in eps]])
        ...     return Evaluations(tuple(specs), (0,), acc, 0 * acc)
        >>> t = measure_tolerance(evaluate, eps_grid=[1e-3, 1e-2, 1e-1], delta=0.01, bootstrap=50)
        >>> round(t.eps_star.best, 4), t.bound, sum(c.refined for c in t.curve)  # exact: 0.005
        (0.005, '', 6)
    """
    _check_settings(definition=definition, delta=delta, eps_grid=eps_grid, confidence=confidence,
                    bootstrap=bootstrap)  # fmt: skip
    say = progress or (lambda _msg: None)
    grid = sorted(float(e) for e in eps_grid)
    phys_specs = [f"{noise}:{p:g}" for noise, p in physical]
    say(f"evaluating ε = 0, {len(grid)} grid points and {len(phys_specs)} physical-noise points")
    evals = evaluate(["none", *(logical_spec(e) for e in grid), *phys_specs])
    n_seeds, _, n_points = evals.accuracy.shape
    weights = bootstrap_weights(n_seeds, n_points, replicates=bootstrap, rng=np.random.default_rng(seed))
    star, bound = eps_star_interval(evals, grid, weights, delta=delta, confidence=confidence)
    refined: list[float] = []
    if refine > 0 and bound == "":
        lo, hi, refined = _refinement(grid, star, refine)
        say(f"refining ε* ≈ {star.best:.3g} [{star.low:.3g}, {star.high:.3g}] with {len(refined)} points "
            f"in [{lo:g}, {hi:g}]")  # fmt: skip
        evals, grid = evals + evaluate([logical_spec(e) for e in refined]), sorted(grid + refined)
        star, bound = eps_star_interval(evals, grid, weights, delta=delta, confidence=confidence)
    curve = _curve(evals, grid, refined, weights, confidence=confidence)
    phys_points = physical_points(evals, physical, phys_specs, weights, delta=delta, confidence=confidence)
    base = evals.accuracy[:, evals.column("none"), :]
    reps = np.einsum("bsn,sn->b", weights, base)
    base_lo, base_hi = np.quantile(reps, [(1 - confidence) / 2, (1 + confidence) / 2])
    per_seed = tuple(crossing(grid, [c.delta_accuracy_per_seed[k] for c in curve], delta=delta)[0]
                     for k in range(len(evals.seeds)))  # fmt: skip
    return Tolerance(
        definition=definition, delta=delta, confidence=confidence, shots=int((qnn or {}).get("shots", 0)),
        eps_star=star, bound=bound,
        noiseless_accuracy=BootstrapInterval(float(base.mean()), low=float(base_lo), high=float(base_hi)),
        curve=curve, physical=phys_points, qnn=dict(qnn or {}),
        seeds=evals.seeds, test_points=n_points, bootstrap=bootstrap, extra_test=extra_test,
        extra_seed=extra_seed, simulation=simulation, eps_star_per_seed=per_seed,
    )  # fmt: skip


def _check_settings(
    *, definition: str, delta: float, eps_grid: Sequence[float], confidence: float, bootstrap: int
) -> None:
    """Usage errors for settings no tolerance can be measured with."""
    check_definition(definition)
    check_delta(delta)
    check_eps_grid(eps_grid)
    if not 0 < confidence < 1:
        raise ValueError(f"confidence={confidence!r} must be in (0, 1)")
    if bootstrap < 10:
        raise ValueError(f"bootstrap={bootstrap!r} must be >= 10")


def _refinement(grid: Sequence[float], star: Interval, refine: int) -> tuple[float, float, list[float]]:
    """The grid cells ε*'s interval spans (their ends), and ``refine`` log-spaced new points in them."""
    lo = max([e for e in grid if e <= star.low], default=grid[0])
    hi = min([e for e in grid if e >= star.high], default=grid[-1])
    refined = [float(f"{e:.6g}") for e in np.geomspace(lo, hi, refine + 2)[1:-1]]
    return lo, hi, [e for e in refined if e not in grid]


def _curve(
    evals: Evaluations,
    grid: Sequence[float],
    refined: Sequence[float],
    weights: np.ndarray,
    *,
    confidence: float,
) -> tuple[CurvePoint, ...]:
    """The paired accuracy and loss change at every grid point, with their intervals."""
    specs = [logical_spec(e) for e in grid]
    acc = paired_changes(evals, specs, weights, metric="accuracy", confidence=confidence)
    loss = paired_changes(evals, specs, weights, metric="loss", confidence=confidence)
    return tuple(
        CurvePoint(eps_op=e, refined=e in refined, accuracy=float(evals.accuracy[:, evals.column(s)].mean()),
                   delta_accuracy=a.interval, delta_loss=lo_.interval,
                   delta_accuracy_per_seed=per_seed_change(evals, s))
        for e, s, a, lo_ in zip(grid, specs, acc, loss, strict=True)
    )  # fmt: skip


def physical_points(
    evals: Evaluations,
    physical: Sequence[tuple[str, float]],
    specs: Sequence[str],
    weights: np.ndarray,
    *,
    delta: float,
    confidence: float,
) -> tuple[PhysicalPoint, ...]:
    """The paired changes under each physical noise model at p (no QEC), and whether within δ:
    the tolerance's physical rows, and a device's verdict (``qec.device_budget``).

    Args:
        evals: The evaluations, ``none`` and every spec among their columns.
        physical: ``(noise, p)`` of each run, as the rows record them.
        specs: The evaluation column of each run.
        weights: Bootstrap weights (replicates, seeds, points).
        delta: Accuracy loss tolerated.
        confidence: Of the intervals.
    """
    if not specs:
        return ()
    acc = paired_changes(evals, list(specs), weights, metric="accuracy", confidence=confidence)
    loss = paired_changes(evals, list(specs), weights, metric="loss", confidence=confidence)
    return tuple(
        PhysicalPoint(noise=noise, p=float(p), accuracy=float(evals.accuracy[:, evals.column(s)].mean()),
                      delta_accuracy=a.interval, delta_loss=lo_.interval, within_delta=a.mean >= -delta)
        for (noise, p), s, a, lo_ in zip(physical, specs, acc, loss, strict=True)
    )  # fmt: skip


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
        >>> import qec
        >>> from qec.tolerance import Evaluations
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
