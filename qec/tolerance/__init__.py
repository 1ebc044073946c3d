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

One module per concept: ``metric`` (the shot model's accuracy and the evaluations), ``estimate``
(ε* and its interval from paired changes), ``record`` (the ``Tolerance`` record) and ``measure``
(measuring it for a trained QNN). This package only lists names."""

from qec.tolerance.estimate import Change, bootstrap_weights, crossing, decreasing_fit, paired_changes
from qec.tolerance.measure import measure_changes, measure_tolerance, physical_points
from qec.tolerance.metric import Evaluations, Evaluator, logical_spec, plus_probability, shot_accuracy
from qec.tolerance.record import (
    DEFINITIONS,
    CurvePoint,
    PhysicalPoint,
    Tolerance,
    check_definition,
    check_delta,
    check_eps_grid,
)

__all__ = [
    "DEFINITIONS",
    "Change",
    "CurvePoint",
    "Evaluations",
    "Evaluator",
    "PhysicalPoint",
    "Tolerance",
    "bootstrap_weights",
    "check_definition",
    "check_delta",
    "check_eps_grid",
    "crossing",
    "decreasing_fit",
    "logical_spec",
    "measure_changes",
    "measure_tolerance",
    "paired_changes",
    "physical_points",
    "plus_probability",
    "shot_accuracy",
]
