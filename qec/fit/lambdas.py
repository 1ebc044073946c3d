"""Λ = ε_d / ε_{d+2} at each p, from a weighted fit of ln ε_round against d."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from qec._check import record_fields
from qec.fit.model import _loggable, _wls
from qec.fit.points import _Z, Point
from qec.interval import Interval, flat_attributes, flat_dict, json_keys


@flat_attributes
@dataclasses.dataclass(frozen=True)
class LambdaFit:
    """Suppression factor Λ = ε_d / ε_{d+2} at one p, from a weighted fit of ln ε_round vs d.

    Attributes:
        p: Physical error rate. interval: Λ with its 95% interval (in fits.json ``lambda``,
            ``lambda_low``, ``lambda_high``; as attributes ``lambda_``, ``lambda_low``,
            ``lambda_high``). distances: Distances used.
    """

    p: float
    interval: Interval = dataclasses.field(metadata=json_keys("lambda", "lambda_low", "lambda_high"))
    distances: tuple[int, ...]

    @property
    def lambda_(self) -> float:
        """Λ (``interval.best``)."""
        return self.interval.best

    def to_dict(self) -> dict[str, Any]:
        """As fits.json stores it: the ends, the distances, then Λ under the key ``lambda``
        (the order the file has always had)."""
        out = {**flat_dict(self), "distances": list(self.distances)}
        out["lambda"] = out.pop("lambda")
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any], *, what: str = "Λ fit") -> LambdaFit:
        """Rebuild from ``to_dict`` output.

        Raises:
            ValueError: a field is missing or of the wrong type (``qec._check.record_fields``).
        """
        values = record_fields(cls, data, what=what)
        return cls(**{**values, "distances": tuple(values["distances"])})


def fit_lambdas(points: Sequence[Point]) -> list[LambdaFit]:
    """Λ at every p where two or more distances have errors (all rounds used, per round).

    ln ε_round(d) = a + b·d is fitted by weighted least squares; Λ = exp(−2b), so that
    Λ = ε_d / ε_{d+2}. Points without errors are left out (their log is undefined).

    Example:
        >>> pts = [Point.from_counts(code="c", noise="n", basis="z", d=d, p=0.001, rounds=1,
        ...                          shots=10**6, errors=e) for d, e in [(3, 1000), (5, 100)]]
        >>> round(fit_lambdas(pts)[0].lambda_, 6)
        10.0
    """
    out = []
    for p in sorted({pt.p for pt in points}):
        fit = lambda_fit_at(points, p)
        if fit is None:
            continue
        (_, slope), cov, _, used = fit
        se = math.sqrt(cov[1, 1])
        half = _Z * se
        lam = Interval(math.exp(-2 * slope), low=math.exp(-2 * (slope + half)),
                       high=math.exp(-2 * (slope - half)))  # fmt: skip
        out.append(LambdaFit(p=p, interval=lam, distances=tuple(sorted({pt.d for pt in used}))))
    return out


def lambda_fit_at(
    points: Sequence[Point], p: float
) -> tuple[np.ndarray, np.ndarray, float, list[Point]] | None:
    """The fit behind Λ at ``p`` (``fit_lambdas``): (a, b) of ln ε_round = a + b·d, their 2×2
    covariance (widened by χ²/dof when it exceeds 1, as Λ's interval is), that widening factor
    (≥ 1), and the points fitted; None where fewer than two distances have errors at ``p``.

    Λ's 95% interval is exp(−2b ∓ 2z·σ_b), so its width relative to Λ is 2·sinh(2z·σ_b), with
    σ_b² = cov[1][1]: a function of the slope's variance alone (``qec.adaptive`` uses this).

    Example:
        >>> pts = [Point.from_counts(code="c", noise="n", basis="z", d=d, p=0.001, rounds=1,
        ...                          shots=10**6, errors=e) for d, e in [(3, 1000), (5, 100)]]
        >>> coef, cov, widening, used = lambda_fit_at(pts, 0.001)
        >>> round(math.exp(-2 * coef[1]), 6), widening, len(used)
        (10.0, 1.0, 2)
    """
    at_p = _loggable(pt for pt in points if pt.p == p)
    if len({pt.d for pt in at_p}) < 2:
        return None
    design = np.stack([np.ones(len(at_p)), [pt.d for pt in at_p]], axis=1)
    y = np.log([pt.round_rate for pt in at_p])
    sigma = np.array([pt.log_round_sigma for pt in at_p])
    coef, cov, chi2_dof = _wls(design, y, sigma)
    widening = chi2_dof if math.isfinite(chi2_dof) and chi2_dof > 1 else 1.0
    return coef, cov, widening, at_p
