"""qec: error-correction and noise research toolkit (Stim, sinter, PyMatching, Qiskit Aer)."""

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
    fit_threshold,
    per_round,
    points_from_stats,
)
from qec.graph import CircuitReport, graphlike_distance, inspect_experiment, matching_graph
from qec.noise import NOISE_NAMES, NoiseModel, NoiseRates
from qec.plot import plot_fits, plot_study
from qec.qml import QNNNoise, TrainConfig, TrainResult, load_dataset, train
from qec.sampling import DEFAULT_DECODER, Experiment, collect, sweep
from qec.stats import StatsFileError, merge_stats, read_stats, write_stats

__all__ = [
    "BASES",
    "CODE_NAMES",
    "DEFAULT_DECODER",
    "NOISE_NAMES",
    "CircuitReport",
    "Code",
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
    "TrainConfig",
    "TrainResult",
    "collect",
    "fit_all",
    "fit_lambdas",
    "fit_model",
    "fit_threshold",
    "graphlike_distance",
    "inspect_experiment",
    "load_dataset",
    "matching_graph",
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
