"""Rates with binomial intervals, thresholds, Λ and the p_L(d, p) suppression model."""

from __future__ import annotations

import dataclasses
import itertools
import math
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import sinter

from qec._check import record_fields
from qec.noise import NOISE_NAMES, NoiseModel
from qec.stats import binomial_interval

REQUIRED_METADATA = ("code", "noise", "d", "p", "rounds", "basis")
DEFAULT_DECODER = "pymatching"  # sinter's name; qec.sampling samples with it unless told otherwise
# Forms whose AIC is within this of the best are "substantially supported" (Burnham & Anderson,
# Model Selection and Multimodel Inference, 2002, §2.6): the budget's d* interval spans them.
AIC_SUPPORT = 2.0
CONFIDENCE = 0.95
_Z = 1.959963984540054  # scipy.stats.norm.ppf(0.975), written out: this module imports scipy lazily


class FitError(ValueError):
    """Data that cannot support the requested fit; the message says why."""


def per_round(shot_rate: float, rounds: int) -> float:
    """Per-round error rate of a ``rounds``-round memory with per-shot error ``shot_rate``.

    ``(1 - (1 - 2S)**(1/r)) / 2``: the rate at which r independent rounds, each flipping the
    logical with this probability, flip it an odd number of times with probability S.

    Example:
        >>> per_round(0.1, 2)  # sinter's documented example
        0.05278640450004207
    """
    return float(sinter.shot_error_rate_to_piece_error_rate(shot_rate, pieces=rounds))


@dataclasses.dataclass(frozen=True)
class Point:
    """One (code, noise, basis, d, p, rounds) task decoded by one decoder: counts and rates with
    95% intervals.

    Per-round rates divide over the rounds that carry noise: all of them, except for the
    code-capacity models whose noise happens once (``NoiseModel.noisy_rounds``).

    Attributes:
        code: Code family. noise: Noise model. basis: Memory basis.
        d: Distance. p: Physical error rate. rounds: Rounds per shot.
        shots: Shots kept (discards removed). errors: Logical errors.
        shot_rate, shot_low, shot_high: Per-shot logical error and its 95% LR interval.
        round_rate, round_low, round_high: The same converted to per-round.
        decoder: The sinter decoder that decoded the shots.
        experiment: ``memory`` or a gate experiment (``cnot``). A gate's rates are per
            operation: its "per-round" rate is the per-shot rate (one gate per shot).
        observable: For a gate, the stabilizer flow whose flips these are (``qec.surgery``);
            ``""`` for memory.
    """

    code: str
    noise: str
    basis: str
    d: int
    p: float
    rounds: int
    shots: int
    errors: int
    shot_rate: float
    shot_low: float
    shot_high: float
    round_rate: float
    round_low: float
    round_high: float
    decoder: str = DEFAULT_DECODER
    experiment: str = "memory"
    observable: str = ""

    @classmethod
    def from_counts(cls, *, code: str, noise: str, basis: str, d: int, p: float, rounds: int,
                    shots: int, errors: int, decoder: str = DEFAULT_DECODER, experiment: str = "memory",
                    observable: str = "") -> Point:  # fmt: skip
        """Build a point, computing the rates and intervals from the counts."""
        if shots <= 0:
            raise FitError(f"shots={shots} must be > 0")
        rates = binomial_interval(shots, errors)
        if experiment != "memory":
            noisy = 1  # one operation per shot: the gate's rate is the unit
        else:
            noisy = NoiseModel(noise, 0.0).noisy_rounds(rounds) if noise in NOISE_NAMES else rounds
        rounds_rates = [per_round(v, noisy) for v in rates]
        return cls(code=code, noise=noise, basis=basis, d=d, p=p, rounds=rounds, shots=shots,
                   errors=errors, shot_rate=rates[0], shot_low=rates[1], shot_high=rates[2],
                   round_rate=rounds_rates[0], round_low=rounds_rates[1],
                   round_high=rounds_rates[2], decoder=decoder, experiment=experiment,
                   observable=observable)  # fmt: skip

    @property
    def log_round_sigma(self) -> float:
        """Standard error of ln(round_rate), read off the width of its 95% interval."""
        low = max(self.round_low, 1e-300)
        return (math.log(self.round_high) - math.log(low)) / (2 * _Z)


@dataclasses.dataclass(frozen=True)
class Threshold:
    """Finite-size-scaling threshold: P = A + B·x + C·x², x = (p − p_th)·d^(1/ν).

    This crossing is the project's one threshold: the budget's "above threshold", the model's
    points and the plots all use it (``AboveThreshold``). The model's p_th and the p where Λ
    reaches 1 are other quantities and are named as such.

    Attributes:
        p_th: Best-fit threshold. p_th_low, p_th_high: 95% parametric-bootstrap interval,
            widened by ``interval_scale``.
        nu: Best-fit critical exponent ν. nu_low, nu_high: its 95% bootstrap interval, widened
            alike.
        distances: Distances used. n_points: Points used (rounds = d).
        chi2_dof: χ² per degree of freedom of the best fit.
        interval_scale: √(χ²/dof) when the points scatter about the scaling form more than
            their binomial errors allow (χ²/dof > 1), else 1: the binomial bootstrap sees only
            counting noise, so its interval is stretched about the best fit by this factor
            (the Particle Data Group's scale factor; the model fit's covariance is widened alike).
        p_th_profile_low, p_th_profile_high: 95% profile-likelihood interval of p_th: where
            χ² minimised over ν rises by z²·interval_scale² above the best fit. None where it
            runs past the sampled p range (the data do not bound the threshold on that side).
            It is a function of the counts alone, not of a random draw, so the decisions that
            use an interval (which points the model sees, where the budget says "above
            threshold") give the same answer for every bootstrap count.
    """

    p_th: float
    p_th_low: float
    p_th_high: float
    nu: float
    nu_low: float
    nu_high: float
    distances: tuple[int, ...]
    n_points: int
    chi2_dof: float
    interval_scale: float = 1.0
    p_th_profile_low: float | None = None
    p_th_profile_high: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return {**dataclasses.asdict(self), "distances": list(self.distances)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Threshold:
        """Rebuild from ``to_dict`` output (a file written before the profile interval existed
        reads with it missing: None, so nothing is decided from it)."""
        return cls(**{**data, "distances": tuple(data["distances"])})

    @property
    def bounded(self) -> bool:
        """Whether the profile interval closes on both sides within the p range of the threshold fit."""
        return self.p_th_profile_low is not None and self.p_th_profile_high is not None


@dataclasses.dataclass(frozen=True)
class LambdaFit:
    """Suppression factor Λ = ε_d / ε_{d+2} at one p, from a weighted fit of ln ε_round vs d.

    Attributes:
        p: Physical error rate. lambda_: Λ. lambda_low, lambda_high: 95% interval.
        distances: Distances used.
    """

    p: float
    lambda_: float
    lambda_low: float
    lambda_high: float
    distances: tuple[int, ...]

    def to_dict(self) -> dict[str, Any]:
        """As fits.json stores it: the field ``lambda_`` under the key ``lambda``."""
        out = {**dataclasses.asdict(self), "distances": list(self.distances)}
        out["lambda"] = out.pop("lambda_")
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> LambdaFit:
        values = {k: v for k, v in data.items() if k != "lambda"}
        return cls(**{**values, "lambda_": data["lambda"], "distances": tuple(data["distances"])})


@dataclasses.dataclass(frozen=True)
class AboveThreshold:
    """Where one group is measured to be above threshold, whatever a model's p_th says.

    A p is above threshold when it lies above the upper end of the measured threshold's
    interval (the finite-size-scaling crossing, ``Threshold``, its 95% profile interval), or at
    or above the p where Λ's 95% interval reaches 1. Both are measured; the suppression model
    is only used below them.

    Attributes:
        threshold, threshold_low, threshold_high: The measured threshold and its 95% profile
            interval (None: no threshold, or an end the data do not bound).
        lambda_reaches_one: The smallest sampled p from which on Λ's 95% interval reaches 1 at
            every sampled p (None: nowhere). Counted from the top, so that a wide interval at
            a low p with few errors does not declare everything above it above threshold.

    Example:
        >>> a = AboveThreshold(threshold=0.0054, threshold_low=0.0053, threshold_high=0.0056,
        ...                    lambda_reaches_one=0.01)
        >>> a.reason(0.005), a.reason(0.006)[:47]
        ('', 'p is above the measured threshold 0.0054 [0.005')
        >>> a.limit
        0.0056
    """

    threshold: float | None = None
    threshold_low: float | None = None
    threshold_high: float | None = None
    lambda_reaches_one: float | None = None

    @classmethod
    def measured(cls, threshold: Threshold | None, lambdas: Sequence[LambdaFit]) -> AboveThreshold:
        """From a group's threshold fit and Λ fits."""
        one = None
        for f in sorted(lambdas, key=lambda f: f.p, reverse=True):
            if f.lambda_low > 1:
                break
            one = f.p
        if threshold is None:
            return cls(lambda_reaches_one=one)
        return cls(threshold=threshold.p_th, threshold_low=threshold.p_th_profile_low,
                   threshold_high=threshold.p_th_profile_high, lambda_reaches_one=one)  # fmt: skip

    @property
    def limit(self) -> float | None:
        """The smallest p at which the measurements say "above threshold" (None: nowhere)."""
        return min((x for x in (self.threshold_high, self.lambda_reaches_one) if x is not None), default=None)

    def reason(self, p: float) -> str:
        """Why ``p`` is above threshold, or "" when it is not."""
        if self.threshold_high is not None and p > self.threshold_high:
            return (f"p is above the measured threshold {self.threshold:.4g} "
                    f"[{_fmt(self.threshold_low)}, {self.threshold_high:.4g}]")  # fmt: skip
        if self.lambda_reaches_one is not None and p >= self.lambda_reaches_one:
            return f"Λ's 95% interval reaches 1 from p = {self.lambda_reaches_one:.4g} on"
        return ""

    def describe(self) -> str:
        """One line: the measured threshold and where Λ reaches 1."""
        t = "no measured threshold"
        if self.threshold is not None:
            ends = f"{_fmt(self.threshold_low)}, {_fmt(self.threshold_high)}"
            t = f"measured threshold {self.threshold:.4g} [{ends}] (95% profile interval)"
        one = (
            "at no sampled p"
            if self.lambda_reaches_one is None
            else f"from p = {self.lambda_reaches_one:.4g} on"
        )
        return f"{t}; Λ's 95% interval reaches 1 {one}"

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> AboveThreshold:
        return cls(**record_fields(cls, data, what="above-threshold record"))


def _fmt(value: float | None) -> str:
    """An interval end; "open" where the data do not bound it."""
    return "open" if value is None else f"{value:.4g}"


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
    def _x(d: int, p: float) -> np.ndarray:
        u = (d + 1) / 2
        return np.array([1.0, u, u * math.log(p), math.log(d)])

    def eps_round(self, d: int, p: float) -> float:
        """Model logical error per round at distance ``d`` and physical rate ``p``."""
        return math.exp(float(np.dot(self.coef, self._x(d, p))))

    def eps_round_interval(self, d: int, p: float, *, confidence: float = CONFIDENCE) -> tuple[float, float]:
        """Pointwise interval of ε_round(d, p) from the coefficient covariance (delta method on ln ε).

        Example:
            >>> low, high = SuppressionModel.power(A=0.1, p_th=0.01).eps_round_interval(3, 0.001)
            >>> round(low, 12), round(high, 12)  # given constants carry no uncertainty
            (0.001, 0.001)
        """
        x = self._x(d, p)
        mean = float(np.dot(self.coef, x))
        se = math.sqrt(max(float(x @ np.asarray(self.cov) @ x), 0.0))
        from scipy.stats import norm

        z = float(norm.ppf(0.5 + confidence / 2))
        return math.exp(mean - z * se), math.exp(mean + z * se)

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

        Example:
            >>> m = SuppressionModel.power(A=0.1, p_th=0.01)
            >>> m.distance_for(eps_op=1e-4, p=0.001), m.distance_for(eps_op=1e-4, p=0.02)
            (7, None)
        """
        if not 0 < eps_op < 1:
            raise ValueError(f"eps_op={eps_op!r} must be in (0, 1)")
        if not 0 < p < 1:
            raise ValueError(f"p={p!r} must be in (0, 1)")
        if bound not in ("best", "low", "high"):
            raise ValueError(f"bound={bound!r} must be 'best', 'low' or 'high'")
        for d in range(3, max_distance + 1, 2):
            if bound == "best":
                eps_round = self.eps_round(d, p)
            else:
                eps_round = self.eps_round_interval(d, p, confidence=confidence)[bound == "high"]
            if logical_eps_op(min(eps_round, 1.0), distance=d, cycles_per_gate=cycles_per_gate) <= eps_op:
                return d
            if d > 3 and p >= self.p_th:  # ε_round no longer falls with d: no distance will do
                return None
        return None

    @property
    def p_range(self) -> tuple[float, float] | None:
        """(p_min, p_max) of the points fitted, or None for given constants (nothing was sampled)."""
        return (self.p_min, self.p_max) if self.p_max > 0 else None

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
    def from_dict(cls, data: dict[str, Any]) -> SuppressionModel:
        """Rebuild from ``to_dict`` output; a missing field is a ``ValueError`` naming it."""
        values = record_fields(cls, data, what="suppression model")
        values["coef"] = tuple(float(c) for c in values["coef"])
        values["cov"] = tuple(tuple(float(c) for c in r) for r in values["cov"])
        values["distances"] = tuple(values.get("distances", ()))
        return cls(**values)


def _point_dict(pt: Point) -> dict[str, Any]:
    # decoder, experiment and observable are the group's, stored once with it
    group_fields = ("decoder", "experiment", "observable")
    return {k: v for k, v in dataclasses.asdict(pt).items() if k not in group_fields}


def group_key(code: str, noise: str, basis: str, decoder: str, experiment: str = "memory",
              observable: str = "") -> str:  # fmt: skip
    """The key of one fitted group in fits.json: a gate experiment's key starts with the
    experiment and the flow.

    Example:
        >>> group_key("surface_rotated", "circuit", "z", "pymatching")
        'surface_rotated/circuit/z/pymatching'
        >>> group_key("surface_rotated", "circuit", "x", "pymatching", "cnot", "XIXX")
        'cnot:XIXX/surface_rotated/circuit/x/pymatching'
    """
    head = "" if experiment == "memory" else f"{experiment}:{observable}/"
    return f"{head}{code}/{noise}/{basis}/{decoder}"


def logical_eps_op(eps_round: float, *, distance: int, cycles_per_gate: float = 1.0) -> float:
    """ε_op = 1 − (1 − ε_round)^(c·d): the logical error of one logical gate layer (docs/concepts.md).

    Example:
        >>> round(logical_eps_op(1e-4, distance=5), 14)  # 5ε − 10ε² + 10ε³ − …
        0.00049990001
    """
    if not 0 <= eps_round <= 1:
        raise ValueError(f"eps_round={eps_round!r} must be in [0, 1]")
    if cycles_per_gate <= 0:
        raise ValueError(f"cycles_per_gate={cycles_per_gate!r} must be > 0")
    return -math.expm1(cycles_per_gate * distance * math.log1p(-eps_round)) if eps_round < 1 else 1.0


@dataclasses.dataclass(frozen=True)
class GroupFit:
    """Every fit for one (code, noise, basis) decoded by one decoder.

    Attributes:
        code, noise, basis, decoder: The group: each decoder is fitted on its own.
        points: All points of the group, sorted by (d, p, rounds).
        threshold: The threshold fit, or None; threshold_note says why not (or, beside a fit,
            what limits its use).
        lambdas: Λ per p where at least two distances have errors.
        model: The suppression model, or None; model_note says why not.
        model_alternatives: The other forms the data support about as well (AIC within
            ``AIC_SUPPORT`` of the chosen one); the budget's d* interval spans them too.
    """

    code: str
    noise: str
    basis: str
    points: tuple[Point, ...]
    threshold: Threshold | None
    threshold_note: str
    lambdas: tuple[LambdaFit, ...]
    model: SuppressionModel | None
    model_note: str
    model_alternatives: tuple[SuppressionModel, ...] = ()
    decoder: str = DEFAULT_DECODER
    experiment: str = "memory"
    observable: str = ""

    @property
    def key(self) -> str:
        """``code/noise/basis/decoder``: the group's key in fits.json (``group_key``)."""
        return group_key(self.code, self.noise, self.basis, self.decoder, self.experiment, self.observable)

    @property
    def above_threshold(self) -> AboveThreshold:
        """Where this group is measured to be above threshold (threshold and Λ)."""
        return AboveThreshold.measured(self.threshold, self.lambdas)

    def to_dict(self) -> dict[str, Any]:
        """As fits.json stores one group; ``from_dict`` reads it back (each part by its own type).
        Memory groups carry no experiment keys (files from before gate experiments read alike)."""
        gate = {} if self.experiment == "memory" else {"experiment": self.experiment,
                                                        "observable": self.observable}  # fmt: skip
        return {
            **gate,
            "code": self.code, "noise": self.noise, "basis": self.basis, "decoder": self.decoder,
            "threshold": None if self.threshold is None else self.threshold.to_dict(),
            "threshold_note": self.threshold_note,
            "lambda": [f.to_dict() for f in self.lambdas],
            "model": None if self.model is None else self.model.to_dict(),
            "model_note": self.model_note,
            "model_alternatives": [m.to_dict() for m in self.model_alternatives],
            "above_threshold": self.above_threshold.to_dict(),  # for readers: from_dict derives it
            "points": [_point_dict(pt) for pt in self.points],
        }  # fmt: skip

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> GroupFit:
        if "decoder" not in data:
            group = "/".join(str(data.get(k)) for k in ("code", "noise", "basis"))
            raise ValueError(f"group {group} has no 'decoder' field: the file predates per-decoder fits; "
                             "run qec fit again")  # fmt: skip
        return cls(
            code=data["code"], noise=data["noise"], basis=data["basis"], decoder=data["decoder"],
            threshold=None if data["threshold"] is None else Threshold.from_dict(data["threshold"]),
            threshold_note=data["threshold_note"],
            lambdas=tuple(LambdaFit.from_dict(f) for f in data["lambda"]),
            model=None if data["model"] is None else SuppressionModel.from_dict(data["model"]),
            model_note=data["model_note"],
            model_alternatives=tuple(map(SuppressionModel.from_dict, data.get("model_alternatives", ()))),
            experiment=data.get("experiment", "memory"), observable=data.get("observable", ""),
            points=tuple(Point(**pt, decoder=data["decoder"], experiment=data.get("experiment", "memory"),
                               observable=data.get("observable", "")) for pt in data["points"]),
        )  # fmt: skip


# ---------------------------------------------------------------------------------------
# Points from sinter stats


def points_from_stats(
    stats: Iterable[sinter.TaskStats], *, origin: dict[str, str] | None = None
) -> list[Point]:
    """Turn merged sinter stats into points, checking the metadata each fit needs.

    Args:
        stats: sinter stats, one per task (merge rows first, e.g. with ``qec.read_stats``).
        origin: Optional ``strong_id`` → "file:line", used in error messages.

    Raises:
        FitError: a row lacks a metadata key, has zero shots, or one task and decoder appears twice.

    Example:
        >>> meta = {"code": "c", "noise": "circuit", "d": 3, "p": 0.01, "rounds": 2, "basis": "z"}
        >>> s = sinter.TaskStats(strong_id="a", decoder="pymatching", json_metadata=meta,
        ...                      shots=1000, errors=100)
        >>> (pt,) = points_from_stats([s])
        >>> pt.shot_rate, round(pt.round_rate, 6)
        (0.1, 0.052786)
    """
    origin = origin or {}
    seen: set[tuple] = set()
    points = []
    for s in stats:
        where = origin.get(s.strong_id, f"task {s.strong_id[:12]}")
        m = s.json_metadata
        if not isinstance(m, dict):
            raise FitError(f"{where}: json_metadata must be an object with keys {REQUIRED_METADATA}")
        missing = [k for k in REQUIRED_METADATA if k not in m]
        if missing:
            raise FitError(f"{where}: json_metadata lacks {', '.join(missing)} (needs {REQUIRED_METADATA})")
        key = (*(m[k] for k in REQUIRED_METADATA), m.get("experiment", "memory"), s.decoder)
        if key in seen:
            raise FitError(f"{where}: task {dict(zip(REQUIRED_METADATA, key, strict=False))} decoded by "
                           f"{s.decoder!r} appears twice; merge rows first (qec combine)")  # fmt: skip
        seen.add(key)
        shots = s.shots - s.discards
        if shots <= 0:
            raise FitError(f"{where}: zero shots (shots={s.shots}, discards={s.discards})")
        try:
            d, p, rounds = int(m["d"]), float(m["p"]), int(m["rounds"])
        except (TypeError, ValueError):
            raise FitError(f"{where}: d, p and rounds must be numbers, got {m}") from None
        common = dict(code=str(m["code"]), noise=str(m["noise"]), basis=str(m["basis"]), d=d, p=p,
                      rounds=rounds, shots=shots, decoder=s.decoder)  # fmt: skip
        experiment = m.get("experiment", "memory")
        if experiment == "memory":
            points.append(Point.from_counts(**common, errors=s.errors))
        else:
            for flow, errors in flow_errors(s, where=where).items():
                points.append(Point.from_counts(**common, errors=errors, experiment=str(experiment),
                                                observable=flow))  # fmt: skip
    return sorted(points, key=lambda pt: (pt.experiment, pt.observable, pt.code, pt.noise, pt.basis,
                                          pt.decoder, pt.d, pt.p, pt.rounds))  # fmt: skip


MASK_PREFIX = "obs_mistake_mask="


def flow_errors(stats: sinter.TaskStats, *, where: str = "") -> dict[str, int]:
    """Logical errors per stabilizer flow of a two-observable gate row: each measured flow (the
    row's ``flows``, observable 0 and 1) and their product, which fails when exactly one does.

    The counts come from sinter's per-shot failure masks (``obs_mistake_mask=E_``: observable 0
    failed, 1 did not), which ``qec.collect`` records for gate experiments.

    Example:
        >>> import collections, sinter
        >>> s = sinter.TaskStats(strong_id="a", decoder="pymatching", shots=1000, errors=30,
        ...     json_metadata={"flows": ["XXXI", "XIXX"]},
        ...     custom_counts=collections.Counter({"obs_mistake_mask=E_": 10, "obs_mistake_mask=EE": 20}))
        >>> flow_errors(s)
        {'XXXI': 30, 'XIXX': 20, 'IXIX': 10}
    """
    from qec.surgery import flow_product

    where = where or f"task {stats.strong_id[:12]}"
    flows = stats.json_metadata.get("flows") if isinstance(stats.json_metadata, dict) else None
    if not (isinstance(flows, list) and len(flows) == 2 and all(isinstance(f, str) for f in flows)):
        raise FitError(f"{where}: a gate row needs json_metadata 'flows' naming its two observables' "
                       f"stabilizer flows; got {flows!r}")  # fmt: skip
    masks = {k[len(MASK_PREFIX):]: v for k, v in stats.custom_counts.items() if k.startswith(MASK_PREFIX)}
    if sum(masks.values()) != stats.errors or any(len(k) != 2 or set(k) - {"E", "_"} for k in masks):
        raise FitError(f"{where}: its per-observable failure counts ({dict(masks)}) do not add up to its "
                       f"{stats.errors} errors over 2 observables; sample it with qec sample "
                       "(which counts them)")  # fmt: skip
    a, b = flows
    return {
        a: sum(v for k, v in masks.items() if k[0] == "E"),
        b: sum(v for k, v in masks.items() if k[1] == "E"),
        flow_product(a, b): sum(v for k, v in masks.items() if k.count("E") == 1),
    }


# ---------------------------------------------------------------------------------------
# Threshold


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
        bootstrap: Bootstrap resamples (0 skips the intervals, leaving them equal to the fit).
        seed: Seed of the bootstrap's random draws.

    Raises:
        FitError: fewer than two distances, or no crossing to bracket (all points on one
            side of threshold), or a best fit outside the sampled p range.
    """
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
        rate = np.clip((kk + 0.5) / (n + 1), 1e-9, 1 - 1e-9)  # keeps zero counts finite
        return n / (rate * (1 - rate))

    p_th, nu, chi2 = _fss_fit(d, p, k / n, weights(k), (guess, 1.0))
    if not p.min() < p_th < p.max():
        raise FitError(f"threshold fit p_th={p_th:.4g} lies outside the sampled p range "
                       f"[{p.min():.4g}, {p.max():.4g}]")  # fmt: skip
    rng = np.random.default_rng(seed)
    samples = []
    for _ in range(bootstrap):
        kk = rng.binomial(n.astype(np.int64), k / n).astype(float)
        samples.append(_fss_fit(d, p, kk / n, weights(kk), (p_th, nu))[:2])
    if samples:
        arr = np.array(samples)
        tail = 100 * (1 - CONFIDENCE) / 2
        (p_lo, nu_lo), (p_hi, nu_hi) = np.percentile(arr, [tail, 100 - tail], axis=0)
    else:
        p_lo = p_hi = p_th
        nu_lo = nu_hi = nu
    dof = max(len(used) - 5, 1)
    scale = max(1.0, math.sqrt(chi2 / dof)) if len(used) > 5 else 1.0
    widen = lambda best, end: best + scale * (end - best)  # noqa: E731
    p_lo = max(0.0, widen(p_th, p_lo))  # a threshold is a rate: its interval ends at 0
    # Δχ² = z² is the 95% profile interval of one parameter; × scale² widens it as the
    # bootstrap's is widened (χ² is quadratic near the best fit, so its width grows by scale).
    profile = _profile_interval(d, p, k / n, weights(k), (p_th, nu), rise=(_Z * scale) ** 2)
    return Threshold(p_th=p_th, p_th_low=float(p_lo), p_th_high=float(widen(p_th, p_hi)), nu=nu,
                     nu_low=float(widen(nu, nu_lo)), nu_high=float(widen(nu, nu_hi)), distances=tuple(ds),
                     n_points=len(used), chi2_dof=chi2 / dof, interval_scale=scale,
                     p_th_profile_low=profile[0], p_th_profile_high=profile[1])  # fmt: skip


# ---------------------------------------------------------------------------------------
# Λ and the suppression model (weighted least squares on ln ε_round)


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
        at_p = _loggable(pt for pt in points if pt.p == p)
        ds = sorted({pt.d for pt in at_p})
        if len(ds) < 2:
            continue
        design = np.stack([np.ones(len(at_p)), [pt.d for pt in at_p]], axis=1)
        y = np.log([pt.round_rate for pt in at_p])
        sigma = np.array([pt.log_round_sigma for pt in at_p])
        coef, cov, _ = _wls(design, y, sigma)
        se = math.sqrt(cov[1, 1])
        slope, half = coef[1], _Z * se
        out.append(LambdaFit(p=p, lambda_=math.exp(-2 * slope), lambda_low=math.exp(-2 * (slope + half)),
                             lambda_high=math.exp(-2 * (slope - half)), distances=tuple(ds)))  # fmt: skip
    return out


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


# ---------------------------------------------------------------------------------------
# Everything, per group


def fit_all(
    points: Sequence[Point],
    *,
    bootstrap: int = 200,
    seed: int = 0,
    threshold_window: tuple[float, float] | None = None,
) -> list[GroupFit]:
    """Threshold, Λ and model for every (code, noise, basis, decoder) among ``points``: each
    decoder is fitted on its own, so that decoders can be compared.

    The model is fitted on the points below threshold: p < the lower end of the threshold's
    profile interval when a threshold was fitted and that interval is inside the sampled p
    range, else the p values whose Λ interval lies above 1 (and not above threshold). Neither
    depends on ``bootstrap``. A form with k > 0 whose p_th lies above the measured threshold is
    not used (``_choose_model``). Whatever cannot be fitted is None with a note saying why.

    Args:
        points: Points of any number of groups.
        bootstrap: Bootstrap resamples for the threshold's bootstrap interval (reported; the
            model's points and "above threshold" use the profile interval, so they do not
            depend on it).
        seed: Bootstrap seed.
        threshold_window: Only points with p in [low, high] enter the threshold fit (the
            quadratic scaling form holds near threshold only).

    Example:
        >>> pts = [Point.from_counts(code="c", noise="n", basis="z", d=d, p=0.001, rounds=d,
        ...                          shots=10**5, errors=e) for d, e in [(3, 900), (5, 120)]]
        >>> (g,) = fit_all(pts, bootstrap=0)
        >>> g.key, g.threshold, g.threshold_note[:30], round(g.lambdas[0].lambda_, 1)
        ('c/n/z/pymatching', None, 'cannot bracket a threshold: at', 12.6)
    """
    if threshold_window is not None and not 0 <= threshold_window[0] < threshold_window[1]:
        raise ValueError(f"threshold_window={threshold_window!r} must be (low, high) with 0 <= low < high")
    groups: dict[tuple[str, ...], list[Point]] = {}
    for pt in points:
        key = (pt.experiment, pt.observable, pt.code, pt.noise, pt.basis, pt.decoder)
        groups.setdefault(key, []).append(pt)
    out = []
    for (experiment, observable, code, noise, basis, decoder), pts in sorted(groups.items()):
        threshold, t_note = None, ""
        try:
            window = [pt for pt in pts if threshold_window is None
                      or threshold_window[0] <= pt.p <= threshold_window[1]]  # fmt: skip
            threshold = fit_threshold(window, bootstrap=bootstrap, seed=seed)
        except FitError as e:
            t_note = str(e)
        lambdas = fit_lambdas(pts)
        above = AboveThreshold.measured(threshold, lambdas)
        sampled = (min(pt.p for pt in pts), max(pt.p for pt in pts))
        # The model's points are chosen by the profile interval, not the bootstrap's: it depends
        # on the counts alone, so every bootstrap count (0 included, where the bootstrap
        # interval collapses onto p_th) feeds the model the same points and gives the same form.
        if threshold is not None and not (threshold.bounded and sampled[0] < threshold.p_th_profile_low
                                          and threshold.p_th_profile_high < sampled[1]):  # fmt: skip
            t_note = (f"its profile interval [{_fmt(threshold.p_th_profile_low)}, "
                      f"{_fmt(threshold.p_th_profile_high)}] is not inside the sampled p range "
                      f"[{sampled[0]:.4g}, {sampled[1]:.4g}]: too loose to choose the model's points, "
                      "which Λ chooses instead")  # fmt: skip
        if threshold is not None and not t_note:
            below = [pt for pt in pts if pt.p < threshold.p_th_profile_low]
            rule = f"p < {threshold.p_th_profile_low:.4g} (the threshold's lower bound, profile interval)"
        else:
            good = {f.p for f in lambdas if f.lambda_low > 1 and not above.reason(f.p)}
            below = [pt for pt in pts if pt.p in good]
            rule = "p with Λ significantly above 1 (no usable threshold)"
        model, alternatives, m_note = None, (), f"fitted on {rule}"
        if not below:
            m_note = f"not fitted: no point has {rule}"
        else:
            try:
                model, alternatives, m_note = _choose_model(fit_models(below), above.limit, rule)
            except FitError as e:
                m_note = f"not fitted on {rule}: {e}"
        out.append(GroupFit(code=code, noise=noise, basis=basis, decoder=decoder, points=tuple(pts),
                            experiment=experiment, observable=observable,
                            threshold=threshold, threshold_note=t_note, lambdas=tuple(lambdas),
                            model=model, model_note=m_note, model_alternatives=alternatives))  # fmt: skip
    return out
