"""qec: error-correction and noise research toolkit (Stim, sinter, PyMatching, Qiskit Aer)."""

from qec.budget import BudgetReport, BudgetRow, budget_rows
from qec.codes import BASES, CODE_NAMES, Code, used_qubits
from qec.fit import (
    FitError,
    GroupFit,
    LambdaFit,
    Point,
    SuppressionModel,
    Threshold,
    fit_all,
    fit_lambdas,
    fit_model,
    fit_models,
    fit_threshold,
    logical_eps_op,
    per_round,
    points_from_stats,
)
from qec.graph import CircuitReport, graphlike_distance, inspect_experiment, matching_graph
from qec.noise import NOISE_NAMES, NoiseModel, NoiseRates
from qec.plot import plot_fits, plot_study
from qec.qml import QNNNoise, TrainConfig, TrainResult, load_dataset, train
from qec.sampling import DEFAULT_DECODER, Experiment, collect, sweep
from qec.stats import StatsFileError, merge_stats, read_stats, write_stats
from qec.tolerance import Evaluations, Tolerance, Workload, measure_changes, measure_tolerance

__all__ = [
    "BASES",
    "CODE_NAMES",
    "DEFAULT_DECODER",
    "NOISE_NAMES",
    "BudgetReport",
    "BudgetRow",
    "CircuitReport",
    "Code",
    "Evaluations",
    "Experiment",
    "FitError",
    "GroupFit",
    "LambdaFit",
    "NoiseModel",
    "NoiseRates",
    "Point",
    "QNNNoise",
    "StatsFileError",
    "SuppressionModel",
    "Threshold",
    "Tolerance",
    "TrainConfig",
    "TrainResult",
    "Workload",
    "budget_rows",
    "collect",
    "fit_all",
    "fit_lambdas",
    "fit_model",
    "fit_models",
    "fit_threshold",
    "graphlike_distance",
    "inspect_experiment",
    "load_dataset",
    "logical_eps_op",
    "matching_graph",
    "measure_changes",
    "measure_tolerance",
    "merge_stats",
    "per_round",
    "plot_fits",
    "plot_study",
    "points_from_stats",
    "read_stats",
    "sweep",
    "train",
    "used_qubits",
    "write_stats",
]
