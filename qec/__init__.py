"""qec: error-correction and noise research toolkit (Stim, sinter, PyMatching, Qiskit Aer, QDK).

Names load on first use (PEP 562), so `qec --help` and every Snakemake job pay only for the
modules they touch: `import qec` imports no scipy, Qiskit or QDK.
"""

from __future__ import annotations

import importlib
from typing import Any

_WHERE: dict[str, str] = {
    "AboveThreshold": "qec.fit",
    "BASES": "qec.codes",
    "BudgetReport": "qec.budget",
    "BudgetRow": "qec.budget",
    "CODE_NAMES": "qec.codes",
    "CircuitReport": "qec.graph",
    "Code": "qec.codes",
    "DEFAULT_DECODER": "qec.sampling",
    "Device": "qec.device",
    "Evaluations": "qec.tolerance",
    "Experiment": "qec.sampling",
    "FitError": "qec.fit",
    "GroupFit": "qec.fit",
    "Interval": "qec.interval",
    "LambdaFit": "qec.fit",
    "NOISE_NAMES": "qec.noise",
    "NoiseModel": "qec.noise",
    "NoiseRates": "qec.noise",
    "Point": "qec.fit",
    "QNNNoise": "qec.qnn",
    "StatsFileError": "qec.stats",
    "SuppressionModel": "qec.fit",
    "Threshold": "qec.fit",
    "Tolerance": "qec.tolerance",
    "TrainConfig": "qec.qnn",
    "TrainResult": "qec.qnn",
    "Workload": "qec.qnn",
    "budget_report": "qec.budget",
    "budget_rows": "qec.budget",
    "collect": "qec.sampling",
    "fit_all": "qec.fit",
    "fit_lambdas": "qec.fit",
    "fit_model": "qec.fit",
    "fit_models": "qec.fit",
    "fit_threshold": "qec.fit",
    "graphlike_distance": "qec.graph",
    "inspect_experiment": "qec.graph",
    "load_dataset": "qec.qnn",
    "logical_eps_op": "qec.fit",
    "matching_graph": "qec.graph",
    "measure_changes": "qec.tolerance",
    "measure_tolerance": "qec.tolerance",
    "merge_stats": "qec.stats",
    "per_round": "qec.fit",
    "plot_fits": "qec.plot",
    "plot_study": "qec.plot",
    "points_from_stats": "qec.fit",
    "read_fits": "qec.fit",
    "read_stats": "qec.stats",
    "sweep": "qec.sampling",
    "train": "qec.qnn",
    "used_qubits": "qec.codes",
    "write_stats": "qec.stats",
}

__all__ = [
    "BASES",
    "CODE_NAMES",
    "DEFAULT_DECODER",
    "NOISE_NAMES",
    "AboveThreshold",
    "BudgetReport",
    "BudgetRow",
    "CircuitReport",
    "Code",
    "Device",
    "Evaluations",
    "Experiment",
    "FitError",
    "GroupFit",
    "Interval",
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
    "budget_report",
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
    "read_fits",
    "read_stats",
    "sweep",
    "train",
    "used_qubits",
    "write_stats",
]


_MODULES = frozenset(
    {"aer", "budget", "cli", "codes", "fit", "graph", "noise", "plot", "qnn", "resources", "sampling"}
    | {"stats", "tolerance"}
)


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        value = getattr(importlib.import_module(_WHERE[name]), name)
    elif name in _MODULES:  # `qec.fit.fit_all` works after a bare `import qec`
        value = importlib.import_module(f"qec.{name}")
    else:
        raise AttributeError(f"module 'qec' has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
