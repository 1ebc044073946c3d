"""The measured threshold: the finite-size-scaling fit and its profile interval."""

from __future__ import annotations

import dataclasses
import itertools
import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from qec._check import record_fields
from qec.fit.points import _Z, CONFIDENCE, FitError, Point
from qec.interval import BootstrapInterval, Interval, flat_attributes, flat_dict, json_keys
from qec.noise import NOISE_NAMES, NoiseModel

# Fewest bootstrap resamples a percentile 95% interval is made of: each end must have 2.5% of the
# resamples beyond it, at least one, so B·0.025 >= 1. With fewer, the "interval" is the range of a
# handful of refits, which can exclude the estimate itself (B = 1 gives one point). 0 means none.
MIN_BOOTSTRAP = 40


@flat_attributes
@dataclasses.dataclass(frozen=True)
class Threshold:
    """Finite-size-scaling threshold: P = A + B·x + C·x², x = (p − p_th)·d^(1/ν).

    This crossing is the project's one threshold: the budget's "above threshold", the model's
    points and the plots all use it (``AboveThreshold``). The model's p_th and the p where Λ
    reaches 1 are other quantities and are named as such.

    Attributes:
        p_th_bootstrap: Best-fit threshold with its 95% parametric-bootstrap interval, widened
            by ``interval_scale``; open ends when no bootstrap was run (``bootstrap=0``). In
            fits.json ``p_th``, ``p_th_low``, ``p_th_high``, and so as attributes.
        nu_bootstrap: Best-fit critical exponent ν with its 95% bootstrap interval, widened
            alike (open alike); ``nu``, ``nu_low``, ``nu_high``.
        distances: Distances used.
        n_points: Points used (rounds = d).
        chi2_dof: χ² per degree of freedom of the best fit.
        interval_scale: √(χ²/dof) when the points scatter about the scaling form more than
            their binomial errors allow (χ²/dof > 1), else 1: the binomial bootstrap sees only
            counting noise, so its interval is stretched about the best fit by this factor
            (the Particle Data Group's scale factor; the model fit's covariance is widened alike).
        p_th_profile: p_th with its 95% profile-likelihood interval: where χ² minimised over ν
            rises by z²·interval_scale² above the best fit (``p_th_profile_low``,
            ``p_th_profile_high``). An end is open where it runs past the sampled p range (the
            data do not bound the threshold on that side), or in a file written before it
            existed. It is a function of the counts alone, not of a random draw, so the
            decisions that use an interval (which points the model sees, where the budget says
            "above threshold") give the same answer for every bootstrap count.
    """

    # open_ends: bootstrap=0 writes no ends; the profile's may run past the sampled p range.
    p_th_bootstrap: BootstrapInterval = dataclasses.field(
        metadata=json_keys("p_th", "p_th_low", "p_th_high", open_ends=True)
    )
    nu_bootstrap: BootstrapInterval = dataclasses.field(
        metadata=json_keys("nu", "nu_low", "nu_high", open_ends=True)
    )
    distances: tuple[int, ...]
    n_points: int
    chi2_dof: float
    interval_scale: float = 1.0
    # Its best is p_th, under the same key; kw_only: a field without a default after one with.
    p_th_profile: Interval = dataclasses.field(
        kw_only=True, metadata=json_keys("p_th", "p_th_profile_low", "p_th_profile_high", open_ends=True)
    )

    def __post_init__(self) -> None:
        if self.p_th_profile.best != self.p_th_bootstrap.best:
            raise ValueError(f"p_th_profile {self.p_th_profile!r} and p_th_bootstrap "
                             f"{self.p_th_bootstrap!r} must share their best p_th")  # fmt: skip

    def to_dict(self) -> dict[str, Any]:
        return {**flat_dict(self), "distances": list(self.distances)}

    @classmethod
    def from_dict(cls, data: dict[str, Any], *, what: str = "threshold") -> Threshold:
        """Rebuild from ``to_dict`` output (a file written before the profile interval existed
        reads with its ends open, so nothing is decided from it).

        Raises:
            ValueError: a field is missing or of the wrong type (``qec._check.record_fields``).
        """
        optional = ("interval_scale", "p_th_profile")
        required = [f.name for f in dataclasses.fields(cls) if f.name not in optional]
        values = record_fields(cls, data, what=what, required=required)
        return cls(**{**values, "distances": tuple(values["distances"])})

    @property
    def bounded(self) -> bool:
        """Whether the profile interval closes on both sides within the p range of the threshold fit."""
        return self.p_th_profile_low is not None and self.p_th_profile_high is not None


def _fss_chi2(params: np.ndarray, d: np.ndarray, p: np.ndarray, y: np.ndarray, w: np.ndarray
              ) -> tuple[float, np.ndarray]:  # fmt: skip
    p_th, log_nu = params
    x = (p - p_th) * d ** (1 / math.exp(log_nu))
    design = np.stack([np.ones_like(x), x, x * x], axis=1)
    sw = np.sqrt(w)
    coef, *_ = np.linalg.lstsq(design * sw[:, None], y * sw, rcond=None)
    resid = (design @ coef - y) * sw
    return float(resid @ resid), coef


def _fss_fit(d: np.ndarray, p: np.ndarray, y: np.ndarray, w: np.ndarray, start: tuple[float, float]
             ) -> tuple[float, float, float]:  # fmt: skip
    p_lo, p_hi = float(p.min()), float(p.max())

    def objective(params: np.ndarray) -> float:
        if not p_lo <= params[0] <= p_hi or not -3 < params[1] < 3:
            return 1e300
        return _fss_chi2(params, d, p, y, w)[0]

    import scipy.optimize

    best = scipy.optimize.minimize(objective, np.array([start[0], math.log(start[1])]),
                                   method="Nelder-Mead",
                                   options={"xatol": 1e-7, "fatol": 1e-9, "maxiter": 4000})  # fmt: skip
    return float(best.x[0]), float(math.exp(best.x[1])), float(best.fun)


def _profile_interval(d: np.ndarray, p: np.ndarray, y: np.ndarray, w: np.ndarray, best: tuple[float, float],
                      rise: float) -> tuple[float | None, float | None]:  # fmt: skip
    """Where χ² minimised over ν exceeds its best value by ``rise``, on each side of the best
    p_th; None on a side where it does not within the sampled p range."""
    import scipy.optimize

    p_best, nu_best = best
    chi2_best = _fss_chi2(np.array([p_best, math.log(nu_best)]), d, p, y, w)[0]

    def excess(p_th: float) -> float:
        at_best_nu = _fss_chi2(np.array([p_th, math.log(nu_best)]), d, p, y, w)[0]
        nu = scipy.optimize.minimize_scalar(lambda ln: _fss_chi2(np.array([p_th, ln]), d, p, y, w)[0],
                                            bounds=(-3, 3), method="bounded")  # fmt: skip
        return min(float(nu.fun), at_best_nu) - chi2_best - rise

    ends: list[float | None] = []
    for edge in (float(p.min()), float(p.max())):
        if excess(edge) <= 0:
            ends.append(None)
        else:
            ends.append(float(scipy.optimize.brentq(excess, p_best, edge, xtol=1e-9 * p_best)))
    return ends[0], ends[1]


def _extreme_differences(points: Sequence[Point]) -> list[tuple[float, float]]:
    """(p, rate of the largest d − rate of the smallest d) at every p both have, by p."""
    ds = sorted({pt.d for pt in points})
    lo = {pt.p: pt.shot_rate for pt in points if pt.d == ds[0]}
    hi = {pt.p: pt.shot_rate for pt in points if pt.d == ds[-1]}
    return [(p, hi[p] - lo[p]) for p in sorted(set(lo) & set(hi))]


def _crossing_guess(diffs: Sequence[tuple[float, float]]) -> float | None:
    """p where the difference turns from negative (below threshold) to not, or None."""
    for (p0, a), (p1, b) in itertools.pairwise(diffs):
        if a < 0 <= b:
            return p0 + (p1 - p0) * (-a) / (b - a)
    return None


def _threshold_points(points: Sequence[Point]) -> list[Point]:
    """The points a threshold is fitted to: rounds = d; or, for noise that happens once
    (code capacity), every point — rounds cannot matter there — one per (d, p), the one with
    the most shots. A gate experiment's rounds are its own (they grow with d): every point."""
    if all(pt.experiment != "memory" for pt in points):
        return list(points)
    once = all(pt.noise in NOISE_NAMES and NoiseModel(pt.noise, 0.0).noisy_rounds(2) == 1 for pt in points)
    if not once:
        return [pt for pt in points if pt.rounds == pt.d]
    best: dict[tuple[int, float], Point] = {}
    for pt in points:
        key = (pt.d, pt.p)
        if key not in best or pt.shots > best[key].shots:
            best[key] = pt
    return list(best.values())


def threshold_points(points: Sequence[Point], *, window: tuple[float, float] | None = None) -> list[Point]:
    """The points ``fit_threshold`` fits, of those ``fit_all`` gives it with ``threshold_window``
    ``window``: rounds = d (or every point, for noise that happens once or a gate experiment),
    p in the window.

    Example:
        >>> tasks = [(3, 0.01, 3), (3, 0.02, 1), (5, 0.03, 5)]
        >>> pts = [Point.from_counts(code="c", noise="circuit", basis="z", d=d, p=p, rounds=r,
        ...                          shots=100, errors=10) for d, p, r in tasks]
        >>> [(pt.d, pt.p) for pt in threshold_points(pts, window=(0.0, 0.02))]
        [(3, 0.01)]
    """
    inside = [pt for pt in points if window is None or window[0] <= pt.p <= window[1]]
    return _threshold_points(inside) if inside else []


@dataclasses.dataclass(frozen=True)
class ScalingFit:
    """A fitted threshold's scaling form with all five parameters, and their covariance.

    ``fit_threshold`` fits P(d, p) = A + B·x + C·x², x = (p − p_th)·d^(1/ν), to the per-shot
    rates y_i by weighted least squares, χ² = Σ w_i (y_i − P_i)² with w_i = n_i/(r_i(1 − r_i)),
    and reports p_th and ν. Near the best fit, χ²/2 is quadratic with the Gauss–Newton
    information I = Σ w_i g_i g_iᵀ, g_i = ∂P/∂θ at point i, θ = (p_th, ν, A, B, C); the covariance
    of θ is s²·I⁻¹, s the fit's ``interval_scale``. Its (p_th, p_th) entry, with the other four
    parameters free, is what p_th's profile interval measures to first order: that interval's
    half-width is about z·√(cov[0][0]) (``half_width``). ``qec.adaptive`` uses it to say how much
    more shots at (d, p) would narrow the threshold's interval (a rank-one update of I).

    Attributes:
        p_th, nu: The threshold's best fit. coef: (A, B, C) at that best fit.
        interval_scale: The threshold's s (√(χ²/dof) when above 1).
        cov: 5×5 covariance of (p_th, ν, A, B, C).
        tasks: (d, p, rounds) of the points fitted.
    """

    p_th: float
    nu: float
    coef: tuple[float, float, float]
    interval_scale: float
    cov: tuple[tuple[float, ...], ...]
    tasks: tuple[tuple[int, float, int], ...]

    @classmethod
    def of(cls, threshold: Threshold, points: Sequence[Point]) -> ScalingFit:
        """The scaling form of ``threshold``, fitted to ``points`` (``threshold_points``: the ones
        it was fitted to), its covariance from the same points and weights.

        Raises:
            FitError: fewer points than the form's five parameters, or an information matrix
                that cannot be inverted.
        """
        if len(points) < 5:
            raise FitError(f"the scaling form has 5 parameters; {len(points)} points cannot fix them")
        d = np.array([pt.d for pt in points], dtype=float)
        p = np.array([pt.p for pt in points])
        n = np.array([pt.shots for pt in points], dtype=float)
        k = np.array([pt.errors for pt in points], dtype=float)
        w = _weights(n, k)
        _, coef = _fss_chi2(np.array([threshold.p_th, math.log(threshold.nu)]), d, p, k / n, w)
        fit = cls(p_th=threshold.p_th, nu=threshold.nu, coef=tuple(float(c) for c in coef),
                  interval_scale=threshold.interval_scale, cov=(), tasks=())  # fmt: skip
        g = np.array([fit.gradient(int(dd), float(pp)) for dd, pp in zip(d, p, strict=True)])
        info = (g * w[:, None]).T @ g
        if np.linalg.cond(info) > 1e14:
            raise FitError("the scaling form's information matrix is singular: too few distinct points")
        cov = np.linalg.inv(info) * threshold.interval_scale**2
        tasks = tuple((pt.d, pt.p, pt.rounds) for pt in points)
        return dataclasses.replace(fit, cov=tuple(tuple(float(c) for c in r) for r in cov), tasks=tasks)

    def rate(self, d: int, p: float) -> float:
        """P(d, p), the per-shot error the form gives."""
        x = (p - self.p_th) * d ** (1 / self.nu)
        a, b, c = self.coef
        return a + b * x + c * x * x

    def gradient(self, d: int, p: float) -> np.ndarray:
        """∂P/∂(p_th, ν, A, B, C) at (d, p)."""
        scale = d ** (1 / self.nu)
        x = (p - self.p_th) * scale
        _, b, c = self.coef
        slope = b + 2 * c * x
        return np.array([-slope * scale, -slope * x * math.log(d) / self.nu**2, 1.0, x, x * x])

    @property
    def half_width(self) -> float:
        """z·σ(p_th): the half-width of p_th's 95% interval the covariance predicts."""
        return _Z * math.sqrt(max(self.cov[0][0], 0.0))


def _weights(n: np.ndarray, k: np.ndarray) -> np.ndarray:
    """The threshold fit's weights: n/(r(1 − r)), r = (k + ½)/(n + 1) (zero counts stay finite)."""
    rate = np.clip((k + 0.5) / (n + 1), 1e-9, 1 - 1e-9)
    return n / (rate * (1 - rate))


def check_bootstrap(bootstrap: int) -> None:
    """Refuse a bootstrap count that cannot make a 95% percentile interval (``MIN_BOOTSTRAP``).

    Raises:
        ValueError: ``bootstrap`` is neither 0 nor at least ``MIN_BOOTSTRAP``.

    Example:
        >>> check_bootstrap(0), check_bootstrap(200)
        (None, None)
        >>> check_bootstrap(2)
        Traceback (most recent call last):
        ...
        ValueError: bootstrap=2 is too few resamples for a 95% percentile interval: give 0 (no ...
    """
    if (
        isinstance(bootstrap, bool)
        or not isinstance(bootstrap, int)
        or not (bootstrap == 0 or bootstrap >= MIN_BOOTSTRAP)
    ):
        raise ValueError(f"bootstrap={bootstrap!r} is too few resamples for a 95% percentile interval: give "
                         f"0 (no bootstrap interval) or at least {MIN_BOOTSTRAP} (2.5% of them beyond each "
                         "end)")  # fmt: skip


def fit_threshold(points: Sequence[Point], *, bootstrap: int = 200, seed: int = 0) -> Threshold:
    """Fit the finite-size-scaling threshold to the points with rounds = d.

    The per-shot rates are fitted by weighted least squares (binomial variances) to
    P = A + B·x + C·x², x = (p − p_th)·d^(1/ν); for each (p_th, ν) the quadratic is solved
    exactly, and (p_th, ν) are minimised by Nelder–Mead. Intervals are percentiles of a
    parametric bootstrap: the counts are redrawn as Binomial(shots, observed rate) and refit;
    when the fit's χ²/dof exceeds 1 they are stretched about the best fit by √(χ²/dof)
    (``Threshold.interval_scale``), since the bootstrap sees only the counting noise. p_th also
    gets a profile-likelihood interval, which needs no random draws (``Threshold``).

    Args:
        points: Points of one (code, noise, basis); only rounds = d ones are used, except for
            noise that happens once (code capacity), where rounds cannot matter.
        bootstrap: Bootstrap resamples: 0 (no bootstrap interval: its ends are None) or at
            least ``MIN_BOOTSTRAP``.
        seed: Seed of the bootstrap's random draws.

    Raises:
        FitError: fewer than two distances, or no crossing to bracket (all points on one
            side of threshold), or a best fit outside the sampled p range.
        ValueError: ``bootstrap`` between 1 and ``MIN_BOOTSTRAP`` - 1.
    """
    check_bootstrap(bootstrap)
    used = _threshold_points(points)
    ds = sorted({pt.d for pt in used})
    if len(ds) < 2:
        raise FitError(f"threshold needs points with rounds = d at two or more distances; have {ds}")
    diffs = _extreme_differences(used)
    guess = _crossing_guess(diffs)
    if guess is None:
        big = bool(diffs) and all(x < 0 for _, x in diffs)  # largest d always better
        small = bool(diffs) and all(x >= 0 for _, x in diffs)  # always worse
        raise FitError(
            f"cannot bracket a threshold: at every shared p the largest distance d={ds[-1]} is "
            f"{'better' if big else 'worse' if small else 'not comparable'} than d={ds[0]}; "
            f"sample {'higher' if big else 'lower'} p"
        )
    d = np.array([pt.d for pt in used], dtype=float)
    p = np.array([pt.p for pt in used])
    n = np.array([pt.shots for pt in used], dtype=float)
    k = np.array([pt.errors for pt in used], dtype=float)

    def weights(kk: np.ndarray) -> np.ndarray:
        return _weights(n, kk)

    p_th, nu, chi2 = _fss_fit(d, p, k / n, weights(k), (guess, 1.0))
    if not p.min() < p_th < p.max():
        raise FitError(f"threshold fit p_th={p_th:.4g} lies outside the sampled p range "
                       f"[{p.min():.4g}, {p.max():.4g}]")  # fmt: skip
    rng = np.random.default_rng(seed)
    samples = []
    for _ in range(bootstrap):
        kk = rng.binomial(n.astype(np.int64), k / n).astype(float)
        samples.append(_fss_fit(d, p, kk / n, weights(kk), (p_th, nu))[:2])
    dof = max(len(used) - 5, 1)
    scale = max(1.0, math.sqrt(chi2 / dof)) if len(used) > 5 else 1.0
    widen = lambda best, end: float(best + scale * (end - best))  # noqa: E731
    ends: list[float | None] = [None] * 4  # p_th low, high, ν low, high: none without a bootstrap
    if samples:
        tail = 100 * (1 - CONFIDENCE) / 2
        (p_lo, nu_lo), (p_hi, nu_hi) = np.percentile(np.array(samples), [tail, 100 - tail], axis=0)
        # a threshold is a rate: its interval ends at 0
        ends = [max(0.0, widen(p_th, p_lo)), widen(p_th, p_hi), widen(nu, nu_lo), widen(nu, nu_hi)]
    # Δχ² = z² is the 95% profile interval of one parameter; × scale² widens it as the
    # bootstrap's is widened (χ² is quadratic near the best fit, so its width grows by scale).
    profile = _profile_interval(d, p, k / n, weights(k), (p_th, nu), rise=(_Z * scale) ** 2)
    return Threshold(p_th_bootstrap=BootstrapInterval(p_th, low=ends[0], high=ends[1]),
                     nu_bootstrap=BootstrapInterval(nu, low=ends[2], high=ends[3]), distances=tuple(ds),
                     n_points=len(used), chi2_dof=chi2 / dof, interval_scale=scale,
                     p_th_profile=Interval(p_th, low=profile[0], high=profile[1]))  # fmt: skip
