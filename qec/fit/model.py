"""The suppression model ε_round(d, p): its forms, their weighted least-squares fits, the choice of form."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from qec._check import check_number, is_int, record_fields
from qec.fit.points import CONFIDENCE, FitError, Point
from qec.interval import Interval

# Forms whose AIC is within this of the best are "substantially supported" (Burnham & Anderson,
# Model Selection and Multimodel Inference, 2002, §2.6): the budget's d* interval spans them.
AIC_SUPPORT = 2.0

# The suppression-model forms, as a linear model ln ε_round = β · (1, u, u·ln p, ln d), u = (d+1)/2.
# Each form frees some coefficients and fixes the rest (fixed: β₂ = 1 or β₃ = 0).
MODEL_FORMS: dict[str, str] = {
    "power": "A·(p/p_th)^((d+1)/2)",
    "power_dk": "A·d^k·(p/p_th)^((d+1)/2)",
    "power_alpha": "A·(p/p_th)^(α(d+1)/2)",
    "power_alpha_dk": "A·d^k·(p/p_th)^(α(d+1)/2)",
}
_FREE = {"power": (0, 1), "power_dk": (0, 1, 3), "power_alpha": (0, 1, 2), "power_alpha_dk": (0, 1, 2, 3)}
_FIXED: dict[str, dict[int, float]] = {
    "power": {2: 1.0, 3: 0.0},
    "power_dk": {2: 1.0},
    "power_alpha": {3: 0.0},
    "power_alpha_dk": {},
}


def free_coefficients(form: str) -> tuple[int, ...]:
    """Indices of the coefficients (β₀, β₁, β₂, β₃) that ``form`` fits; the others are fixed.

    Raises:
        ValueError: ``form`` is not one of ``MODEL_FORMS``.

    Example:
        >>> free_coefficients("power_dk")
        (0, 1, 3)
    """
    if form not in MODEL_FORMS:
        raise ValueError(f"form={form!r} is not known; allowed: {sorted(MODEL_FORMS)}")
    return _FREE[form]


@dataclasses.dataclass(frozen=True)
class SuppressionModel:
    """ε_round(d, p) in one of ``MODEL_FORMS``, with the covariance of its coefficients.

    Every form is linear in ln ε_round = β₀ + β₁·u + β₂·u·ln p + β₃·ln d with u = (d+1)/2:
    ``power`` (β₂ = 1, β₃ = 0) is the basic A·(p/p_th)^u (docs/concepts.md); ``power_dk`` adds a
    distance-dependent prefactor d^k (the form of QDK's QEC schemes); ``power_alpha`` lets
    the slope in ln p float (ε ∝ p^(αu)). A = e^β₀, p_th = e^(−β₁/β₂), k = β₃, α = β₂.

    Attributes:
        form: Key of ``MODEL_FORMS``.
        coef: (β₀, β₁, β₂, β₃), fixed ones included.
        cov: 4×4 covariance of ``coef`` (zero rows for fixed ones), widened by χ²/dof when
            the fit is worse than its error bars.
        n_points: Points fitted. chi2_dof: χ² per degree of freedom. aic: χ² + 2·(free
            coefficients), the criterion that chose the form.
        distances: Distances fitted; p_min, p_max: the p range fitted (both 0 for given
            constants: no range). Where the model holds is this range; the budget marks a p
            outside it "extrapolated in p" and a d beyond it "extrapolated".

    p_th is where ε_round would stop falling with d if the form held up there: an
    extrapolation parameter of the fit, not the threshold (that is ``Threshold``'s crossing).

    Raises:
        ValueError: an unknown ``form``, ``coef`` not 4 finite numbers, ``cov`` not 4×4, or
            α = β₂ ≤ 0.

    Example:
        >>> m = SuppressionModel.power(A=0.1, p_th=0.01)
        >>> round(m.eps_round(5, 0.001), 12)  # 0.1 · 0.1^3
        0.0001
        >>> m.distance_for(eps_op=5e-6, p=0.001)  # ε_op ≈ d·ε_round: 9·1e-6 > 5e-6 at d = 9
        11
    """

    form: str
    coef: tuple[float, float, float, float]
    cov: tuple[tuple[float, ...], ...]
    n_points: int
    chi2_dof: float
    aic: float
    distances: tuple[int, ...] = ()
    p_min: float = 0.0
    p_max: float = 0.0

    def __repr__(self) -> str:
        fitted = f", {self.n_points} points" if self.n_points else ""
        return f"<SuppressionModel {self.form}: A = {self.A:.4g}, p_th = {self.p_th:.4g}{fitted}>"

    def __post_init__(self) -> None:
        if self.form not in MODEL_FORMS:
            raise ValueError(f"form={self.form!r} is not known; allowed: {sorted(MODEL_FORMS)}")
        if len(self.coef) != 4 or not all(isinstance(c, int | float) and math.isfinite(c) for c in self.coef):
            raise ValueError(f"coef={self.coef!r} must be 4 finite numbers")
        if np.shape(self.cov) != (4, 4):
            raise ValueError(f"cov must be 4×4; got shape {np.shape(self.cov)}")
        if self.coef[2] <= 0:
            raise ValueError(f"alpha={self.coef[2]!r} must be > 0 (errors must fall as p falls)")

    @classmethod
    def power(cls, *, A: float, p_th: float, k: float = 0.0) -> SuppressionModel:
        """A model with given constants and no uncertainty (``power``, or ``power_dk`` if k ≠ 0).

        Raises:
            ValueError: ``A`` or ``p_th`` is not a number > 0.

        Example:
            >>> round(SuppressionModel.power(A=0.03, p_th=0.01).p_th, 12)
            0.01
        """
        for name, value in (("A", A), ("p_th", p_th)):
            if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
                raise ValueError(f"{name}={value!r} must be a number > 0")
        zero = tuple((0.0,) * 4 for _ in range(4))
        return cls(form="power_dk" if k else "power", coef=(math.log(A), -math.log(p_th), 1.0, float(k)),
                   cov=zero, n_points=0, chi2_dof=float("nan"), aic=float("nan"))  # fmt: skip

    @property
    def A(self) -> float:
        return math.exp(self.coef[0])

    @property
    def p_th(self) -> float:
        """Where the model stops suppressing: ε_round no longer falls with d (k ignored)."""
        return math.exp(-self.coef[1] / self.coef[2])

    @property
    def alpha(self) -> float:
        return self.coef[2]

    @property
    def k(self) -> float:
        return self.coef[3]

    def describe(self) -> str:
        """The form with its fitted constants; its p_th is named an extrapolation parameter, since
        the threshold is the measured crossing (``Threshold``), not this.

        Example:
            >>> SuppressionModel.power(A=0.041, p_th=0.0075).describe()
            'A·(p/p_th)^((d+1)/2): A = 0.041, model p_th = 0.0075 (extrapolation parameter)'
        """
        text = f"{MODEL_FORMS[self.form]}: A = {self.A:.4g}, model p_th = {self.p_th:.4g}"
        text += " (extrapolation parameter)"
        text += f", k = {self.k:.3g}" if "dk" in self.form else ""
        return text + (f", α = {self.alpha:.3g}" if "alpha" in self.form else "")

    @staticmethod
    def design_vector(d: int, p: float) -> np.ndarray:
        """x(d, p) = (1, u, u·ln p, ln d), u = (d+1)/2: ln ε_round = coef · x, so the variance of
        ln ε_round at (d, p) is xᵀ·cov·x (the delta method ``eps_round_interval`` uses).

        Example:
            >>> SuppressionModel.design_vector(3, 1.0).tolist()  # ln 1 = 0
            [1.0, 2.0, 0.0, 1.0986122886681098]
        """
        u = (d + 1) / 2
        return np.array([1.0, u, u * math.log(p), math.log(d)])

    def eps_round(self, d: int, p: float) -> float:
        """Model logical error per round at distance ``d`` and physical rate ``p``."""
        return math.exp(float(np.dot(self.coef, self.design_vector(d, p))))

    def eps_round_interval(self, d: int, p: float, *, confidence: float = CONFIDENCE) -> Interval:
        """ε_round(d, p) with its pointwise interval from the coefficient covariance (delta method
        on ln ε).

        Example:
            >>> SuppressionModel.power(A=0.1, p_th=0.01).eps_round_interval(3, 0.001)  # no uncertainty
            Interval(0.001, low=0.001, high=0.001)
        """
        x = self.design_vector(d, p)
        mean = float(np.dot(self.coef, x))
        se = math.sqrt(max(float(x @ np.asarray(self.cov) @ x), 0.0))
        from scipy.stats import norm

        z = float(norm.ppf(0.5 + confidence / 2))
        return Interval(math.exp(mean), low=math.exp(mean - z * se), high=math.exp(mean + z * se))

    def distance_for(
        self,
        *,
        eps_op: float,
        p: float,
        cycles_per_gate: float = 1.0,
        bound: str = "best",
        confidence: float = CONFIDENCE,
        max_distance: int = 1001,
    ) -> int | None:
        """Smallest odd d ≥ 3 with ε_op(d, p) = 1 − (1 − ε_round(d, p))^(c·d) ≤ ``eps_op``.

        The one distance search of the project. ``bound`` picks ε_round's best fit (``best``)
        or an end of its pointwise interval (``low``: optimistic, ``high``: pessimistic).
        None when no d ≤ ``max_distance`` suffices (at or above threshold, or too far out).

        Raises:
            ValueError: ``bound`` is not ``best``, ``low`` or ``high``.

        Example:
            >>> m = SuppressionModel.power(A=0.1, p_th=0.01)
            >>> m.distance_for(eps_op=1e-4, p=0.001), m.distance_for(eps_op=1e-4, p=0.02)
            (7, None)
        """
        check_number("eps_op", eps_op, low=0, high=1, closed="()")
        check_number("p", p, low=0, high=1, closed="()")
        if bound not in ("best", "low", "high"):
            raise ValueError(f"bound={bound!r} must be 'best', 'low' or 'high'")
        for d in range(3, max_distance + 1, 2):
            if bound == "best":
                eps_round = self.eps_round(d, p)
            else:
                interval = self.eps_round_interval(d, p, confidence=confidence)
                eps_round = interval.high if bound == "high" else interval.low
            if logical_eps_op(min(eps_round, 1.0), distance=d, cycles_per_gate=cycles_per_gate) <= eps_op:
                return d
            if d > 3 and p >= self.p_th:  # ε_round no longer falls with d: no distance will do
                return None
        return None

    @property
    def p_range(self) -> tuple[float, float] | None:
        """(p_min, p_max) of the points fitted, or None for given constants (nothing was sampled)."""
        return (self.p_min, self.p_max) if self.p_max > 0 else None

    def extrapolated(self, d: int, p: float) -> str:
        """What using the model at (``d``, ``p``) extrapolates in: ``""``, ``"d"``, ``"p"`` or
        ``"d and p"`` (outside the distances or the p range it was fitted on; given constants,
        fitted on nothing, extrapolate in neither).

        Example:
            >>> m = dataclasses.replace(SuppressionModel.power(A=0.1, p_th=0.01), distances=(3, 5, 7),
            ...                         p_min=0.001, p_max=0.005)
            >>> m.extrapolated(5, 0.002), m.extrapolated(9, 0.002), m.extrapolated(11, 0.006)
            ('', 'd', 'd and p')
        """
        outside = []
        if self.distances and not min(self.distances) <= d <= max(self.distances):
            outside.append("d")
        if self.p_range is not None and not self.p_min <= p <= self.p_max:
            outside.append("p")
        return " and ".join(outside)

    def to_dict(self) -> dict[str, Any]:
        out = dataclasses.asdict(self)
        out["coef"], out["cov"] = list(self.coef), [list(r) for r in self.cov]
        out["distances"] = list(self.distances)
        out["A"], out["p_th"], out["formula"] = self.A, self.p_th, MODEL_FORMS[self.form]  # for readers
        # Where the model holds, for readers (from_dict rebuilds both from p_min, p_max, distances).
        out["p_range"] = None if self.p_range is None else list(self.p_range)
        out["d_range"] = [min(self.distances), max(self.distances)] if self.distances else None
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any], *, what: str = "suppression model") -> SuppressionModel:
        """Rebuild from ``to_dict`` output.

        Raises:
            ValueError: a field is missing or of the wrong type (``qec._check.record_fields``).
        """
        values = record_fields(cls, data, what=what)
        values["coef"] = tuple(float(c) for c in values["coef"])
        values["cov"] = tuple(tuple(float(c) for c in r) for r in values["cov"])
        values["distances"] = tuple(values.get("distances", ()))
        # What a fit writes, as the budget reads it (catalog H9: a NaN cov became "eps_round=nan";
        # H10: no distances became "extrapolated 44 distance steps beyond d = 0").
        if not all(math.isfinite(c) for r in values["cov"] for c in r):
            raise ValueError(f"{what} cov must hold finite numbers (the fit's covariance); got "
                             f"{data['cov']!r:.60}")  # fmt: skip
        if any(not is_int(d) or d < 2 for d in values["distances"]):
            raise ValueError(f"{what} distances={list(values['distances'])!r:.60} must be integers >= 2")
        if values["n_points"] and not values["distances"]:
            raise ValueError(f"{what} distances=[] names no distance, but the model was fitted on "
                             f"{values['n_points']} points; a fit records the distances it used")  # fmt: skip
        return cls(**values)


def logical_eps_op(eps_round: float, *, distance: int, cycles_per_gate: float = 1.0) -> float:
    """ε_op = 1 − (1 − ε_round)^(c·d): the logical error of one logical gate layer (docs/concepts.md).

    Example:
        >>> round(logical_eps_op(1e-4, distance=5), 14)  # 5ε − 10ε² + 10ε³ − …
        0.00049990001
    """
    check_number("eps_round", eps_round, low=0, high=1)
    check_number("cycles_per_gate", cycles_per_gate, low=0, high=math.inf, closed="()")
    return -math.expm1(cycles_per_gate * distance * math.log1p(-eps_round)) if eps_round < 1 else 1.0


def _wls(design: np.ndarray, y: np.ndarray, sigma: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
    """Weighted least squares: coefficients, covariance (widened by χ²/dof when > 1), χ²/dof."""
    a = design / sigma[:, None]
    b = y / sigma
    coef, *_ = np.linalg.lstsq(a, b, rcond=None)
    cov = np.linalg.inv(a.T @ a)
    dof = len(y) - design.shape[1]
    chi2_dof = float(np.sum((a @ coef - b) ** 2) / dof) if dof > 0 else float("nan")
    if dof > 0 and chi2_dof > 1:
        cov = cov * chi2_dof
    return coef, cov, chi2_dof


def _loggable(points: Iterable[Point]) -> list[Point]:
    return [pt for pt in points if 0 < pt.errors < pt.shots and pt.round_rate < 0.5]


def fit_models(points: Sequence[Point], *, form: str | None = None) -> list[SuppressionModel]:
    """Fit ε_round(d, p) to ``points`` (which should be below threshold) in every form, best first.

    Each form of ``MODEL_FORMS`` is linear in ln ε (see ``SuppressionModel``) and is fitted by
    weighted least squares with σ(ln ε) from each point's binomial interval. Without
    ``form``, every form with fewer free coefficients than points is fitted and the one with
    the lowest AIC = χ² + 2·(free coefficients) is kept: an extra coefficient must lower χ²
    by more than 2 to be worth it.

    Raises:
        FitError: fewer than three usable points, or fewer than two distances.

    """
    if form is not None and form not in MODEL_FORMS:
        raise ValueError(f"form={form!r} is not known; allowed: {sorted(MODEL_FORMS)}")
    use = _loggable(points)
    if len({pt.d for pt in use}) < 2 or len(use) < 3:
        raise FitError(f"the model needs three or more points with errors at two or more distances; "
                       f"have {sorted({(pt.d, pt.p) for pt in use})}")  # fmt: skip
    d = np.array([pt.d for pt in use], dtype=float)
    u = (d + 1) / 2
    lnp = np.log([pt.p for pt in use])
    x = np.stack([np.ones(len(use)), u, u * lnp, np.log(d)], axis=1)
    y = np.log([pt.round_rate for pt in use])
    sigma = np.array([pt.log_round_sigma for pt in use])
    forms = [form] if form is not None else [f for f in MODEL_FORMS if len(_FREE[f]) < len(use)]
    fits = []
    for name in forms:
        free, fixed = list(_FREE[name]), _FIXED[name]
        if np.linalg.matrix_rank(x[:, free]) < len(free):  # e.g. d^k with two distances: k ≡ slope
            continue
        target = y - sum(value * x[:, i] for i, value in fixed.items())
        beta, cov_free, chi2_dof = _wls(x[:, free], target, sigma)
        coef, cov = np.zeros(4), np.zeros((4, 4))
        coef[free] = beta
        for i, value in fixed.items():
            coef[i] = value
        cov[np.ix_(free, free)] = cov_free
        dof = len(use) - len(free)
        chi2 = chi2_dof * dof if dof > 0 else 0.0
        if coef[2] <= 0:  # errors that grow as p falls: not a suppression model
            continue
        fits.append(SuppressionModel(
            form=name, coef=tuple(float(c) for c in coef), cov=tuple(tuple(float(c) for c in r) for r in cov),
            n_points=len(use), chi2_dof=chi2_dof, aic=chi2 + 2 * len(free),
            distances=tuple(sorted({pt.d for pt in use})), p_min=min(pt.p for pt in use),
            p_max=max(pt.p for pt in use),
        ))  # fmt: skip
    if not fits:
        raise FitError("no model form fits: the fitted errors do not fall as p falls")
    return sorted(fits, key=lambda m: m.aic)


def fit_model(points: Sequence[Point], *, form: str | None = None) -> SuppressionModel:
    """The best form of ``fit_models`` (lowest AIC), or the given ``form``.

    Example:
        >>> pts = [Point.from_counts(code="c", noise="n", basis="z", d=d, p=p, rounds=1,
        ...                          shots=10**7, errors=round(10**7 * 0.05 * (p / 0.01) ** ((d + 1) / 2)))
        ...        for d in (3, 5) for p in (0.001, 0.002)]
        >>> m = fit_model(pts, form="power")
        >>> round(m.A, 3), round(m.p_th, 4)
        (0.05, 0.01)
    """
    return fit_models(points, form=form)[0]


def _choose_model(candidates: Sequence[SuppressionModel], limit: float | None, rule: str
                  ) -> tuple[SuppressionModel | None, tuple[SuppressionModel, ...], str]:  # fmt: skip
    """The lowest-AIC form, its supported alternatives and the note saying how it was chosen.

    A form with k > 0 has ε_round(d+2)/ε_round(d) = ((d+2)/d)^k·(p/p_th)^α: its d^k prefactor
    holds the suppression back at every finite d, so it can fit points far below threshold with
    a p_th far above it (the issue-17 trial: k = +1.48, p_th = 1.44% against a measured 0.53%).
    Such a form is dropped when its p_th lies above ``limit``, where the measurements say
    "above threshold" (``AboveThreshold.limit``).
    """
    dropped = [c for c in candidates if c.k > 0 and limit is not None and c.p_th > limit]
    kept = [c for c in candidates if c not in dropped]
    note = "form chosen by AIC among " + ", ".join(
        f"{c.form} (AIC {c.aic:.1f}, χ²/dof {c.chi2_dof:.2f})" for c in candidates
    )
    if dropped:
        note += "; dropped: " + ", ".join(
            f"{c.form} (k = {c.k:+.3g} > 0 puts its p_th {c.p_th:.4g} above the measured {limit:.4g})"
            for c in dropped
        )
    if not kept:
        return None, (), f"not fitted on {rule}: every form was dropped; {note}"
    model = kept[0]
    return model, tuple(c for c in kept[1:] if c.aic - model.aic <= AIC_SUPPORT), f"fitted on {rule}; {note}"
