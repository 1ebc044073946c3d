"""The metric: the shot model's accuracy of a ±1 readout, and the evaluations it is computed on."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Sequence

import numpy as np


def plus_probability(expectation: np.ndarray) -> np.ndarray:
    """Probability (1 + ⟨O⟩)/2 that one shot of an observable with eigenvalues ±1 reads +1.

    The one shot model: training's scored accuracy and ``shot_accuracy`` both use it, and
    ``qec.qnn.parse_observable`` admits only observables it holds for (O² = I), whose mean
    lies in [−1, 1]. A mean outside (beyond rounding) or NaN (weights that are not numbers)
    is an error, not something to clip.

    Raises:
        ValueError: a mean is outside [−1, 1] (beyond rounding) or NaN.

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

    Raises:
        ValueError: ``accuracy`` is not (seeds, specs, points), or ``loss`` not of its shape.
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


def logical_spec(eps: float) -> str:
    """The noise spec of logical noise ε per operation: the key its evaluations are stored under."""
    return f"logical:{eps:.6g}"
