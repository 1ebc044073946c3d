"""Fault-tolerant footprint of a circuit: the QDK Resource Estimator fed with measured inputs.

Rotation synthesis, T-state factories, layout and run time are the estimator's; what ``qec``
supplies is what it measured: the QEC scheme from the fitted suppression model, the qubit
parameters from the study's noise model, and the error budget from the QNN's tolerance ε*.

Conventions (QDK's per-cycle logical error is a·d^k'·(p_q/p*)^((d+1)/2), k' an integer, p_q the
largest error rate among the qubit's operations):

- ``measured``: a = A·d^k at the distance the estimator chooses (found by re-running until the
  distance is stable), k' = 1, p* = p_q·(p_th/p)^α. At the chosen distance the per-cycle error
  then equals d·ε_round(d, p) of our model exactly, whatever its form.
- ``qdk-default``: QDK's built-in surface code (a = 0.03, p* = 0.01, k' = 0), same qubits.

One module per concept: ``qubits`` (the machine QDK is given and the error budget), ``models``
(the suppression models it is given), ``estimate`` (the estimator driver) and ``report`` (one
row per estimate, written and read back). This package only lists names."""

from qec.resources.estimate import (
    MAX_CODE_DISTANCE,
    QDK_DEFAULT_SCHEME,
    EstimatorFailure,
    estimate_measured,
    estimate_resources,
)
from qec.resources.models import models_from_fits, with_cnot_constants
from qec.resources.qubits import (
    PRESETS,
    error_budget,
    error_budgets,
    measured_scheme,
    physical_error_rate,
    qubit_params,
)
from qec.resources.report import ResourceRow, ResourcesReport, constant_set_label

__all__ = [
    "MAX_CODE_DISTANCE",
    "PRESETS",
    "QDK_DEFAULT_SCHEME",
    "EstimatorFailure",
    "ResourceRow",
    "ResourcesReport",
    "constant_set_label",
    "error_budget",
    "error_budgets",
    "estimate_measured",
    "estimate_resources",
    "measured_scheme",
    "models_from_fits",
    "physical_error_rate",
    "qubit_params",
    "with_cnot_constants",
]
