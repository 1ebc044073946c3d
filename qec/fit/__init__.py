"""Rates with binomial intervals, thresholds, Λ, the p_L(d, p) suppression model and fits.json.

One module per concept, in the order the data flow through them: ``points`` (counts to rates),
``model`` (the suppression model and its least-squares fits), ``lambdas`` (Λ per p),
``threshold`` (the measured crossing and where a group is above it) and ``records`` (one
``GroupFit`` per group, ``fit_all``, and the fits.json file). This package only lists names, so
``from qec.fit import fit_all`` works whichever module a name lives in.
"""

from qec.fit.above import AboveThreshold
from qec.fit.lambdas import LambdaFit, fit_lambdas
from qec.fit.model import (
    AIC_SUPPORT,
    MODEL_FORMS,
    SuppressionModel,
    _choose_model,
    fit_model,
    fit_models,
    logical_eps_op,
)
from qec.fit.points import (
    CONFIDENCE,
    DEFAULT_DECODER,
    MASK_PREFIX,
    REQUIRED_METADATA,
    FitError,
    Point,
    flow_errors,
    per_round,
    points_from_stats,
)
from qec.fit.records import (
    GroupFit,
    above_threshold_by_decoder,
    checked_fits,
    decoders_for,
    fit_all,
    fits_document,
    format_table,
    group_key,
    groups_of,
    models_by_decoder,
    read_fits,
    read_model,
    read_models,
)
from qec.fit.threshold import MIN_BOOTSTRAP, Threshold, check_bootstrap, fit_threshold

__all__ = [
    "AIC_SUPPORT",
    "CONFIDENCE",
    "DEFAULT_DECODER",
    "MASK_PREFIX",
    "MIN_BOOTSTRAP",
    "MODEL_FORMS",
    "REQUIRED_METADATA",
    "AboveThreshold",
    "FitError",
    "GroupFit",
    "LambdaFit",
    "Point",
    "SuppressionModel",
    "Threshold",
    "_choose_model",
    "above_threshold_by_decoder",
    "check_bootstrap",
    "checked_fits",
    "decoders_for",
    "fit_all",
    "fit_lambdas",
    "fit_model",
    "fit_models",
    "fit_threshold",
    "fits_document",
    "flow_errors",
    "format_table",
    "group_key",
    "groups_of",
    "logical_eps_op",
    "models_by_decoder",
    "per_round",
    "points_from_stats",
    "read_fits",
    "read_model",
    "read_models",
]
