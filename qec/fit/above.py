"""Where a group is measured to be above threshold: past its measured threshold's interval, or
where Λ's interval reaches 1, whatever a model's p_th says."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from qec._check import record_fields
from qec.fit.lambdas import LambdaFit
from qec.interval import Interval, flat_attributes, flat_dict, json_keys

if TYPE_CHECKING:
    from qec.fit.threshold import Threshold


@flat_attributes
@dataclasses.dataclass(frozen=True)
class AboveThreshold:
    """Where one group is measured to be above threshold, whatever a model's p_th says.

    A p is above threshold when it lies above the upper end of the measured threshold's
    interval (the finite-size-scaling crossing, ``Threshold``, its 95% profile interval), or at
    or above the p where Λ's 95% interval reaches 1. Both are measured; the suppression model
    is only used below them.

    Attributes:
        threshold_interval: The measured threshold and its 95% profile interval (None: no
            threshold; an end None: the data do not bound it). In fits.json and as attributes:
            ``threshold``, ``threshold_low``, ``threshold_high``.
        lambda_reaches_one: The smallest sampled p from which on Λ's 95% interval reaches 1 at
            every sampled p (None: nowhere). Counted from the top, so that a wide interval at
            a low p with few errors does not declare everything above it above threshold.

    Example:
        >>> from qec.interval import Interval
        >>> a = AboveThreshold(Interval(0.0054, low=0.0053, high=0.0056), lambda_reaches_one=0.01)
        >>> a.reason(0.005), a.reason(0.006)[:47]
        ('', 'p is above the measured threshold 0.0054 [0.005')
        >>> a.limit
        0.0056
    """

    threshold_interval: Interval | None = dataclasses.field(
        default=None, metadata=json_keys("threshold", "threshold_low", "threshold_high")
    )
    lambda_reaches_one: float | None = None

    @classmethod
    def measured(cls, threshold: Threshold | None, lambdas: Sequence[LambdaFit]) -> AboveThreshold:
        """From a group's threshold fit and Λ fits."""
        one = None
        for f in sorted(lambdas, key=lambda f: f.p, reverse=True):
            if f.interval.low > 1:
                break
            one = f.p
        if threshold is None:
            return cls(lambda_reaches_one=one)
        return cls(threshold_interval=threshold.p_th_profile, lambda_reaches_one=one)

    @property
    def threshold(self) -> float | None:
        """The measured threshold (None: none), ``threshold_interval.best``."""
        return None if self.threshold_interval is None else self.threshold_interval.best

    @property
    def limit(self) -> float | None:
        """The smallest p at which the measurements say "above threshold" (None: nowhere)."""
        high = None if self.threshold_interval is None else self.threshold_interval.high
        return min((x for x in (high, self.lambda_reaches_one) if x is not None), default=None)

    def reason(self, p: float) -> str:
        """Why ``p`` is above threshold, or "" when it is not."""
        t = self.threshold_interval
        if t is not None and t.high is not None and p > t.high:
            return f"p is above the measured threshold {t.best:.4g} [{fmt_end(t.low)}, {t.high:.4g}]"
        if self.lambda_reaches_one is not None and p >= self.lambda_reaches_one:
            return f"Λ's 95% interval reaches 1 from p = {self.lambda_reaches_one:.4g} on"
        return ""

    def describe(self) -> str:
        """One line: the measured threshold and where Λ reaches 1."""
        t, measured = "no measured threshold", self.threshold_interval
        if measured is not None:
            ends = f"{fmt_end(measured.low)}, {fmt_end(measured.high)}"
            t = f"measured threshold {measured.best:.4g} [{ends}] (95% profile interval)"
        one = (
            "at no sampled p"
            if self.lambda_reaches_one is None
            else f"from p = {self.lambda_reaches_one:.4g} on"
        )
        return f"{t}; Λ's 95% interval reaches 1 {one}"

    def to_dict(self) -> dict[str, Any]:
        """As fits.json and budget.json hold it: the threshold as its flat keys."""
        return flat_dict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> AboveThreshold:
        return cls(**record_fields(cls, data, what="above-threshold record"))


def fmt_end(value: float | None) -> str:
    """An interval end; "open" where the data do not bound it."""
    return "open" if value is None else f"{value:.4g}"
