"""qec: error-correction and noise research toolkit (Stim, sinter, PyMatching, Qiskit Aer)."""

from qec.codes import BASES, CODE_NAMES, Code, used_qubits
from qec.graph import CircuitReport, graphlike_distance, inspect_experiment, matching_graph
from qec.noise import NOISE_NAMES, NoiseModel, NoiseRates
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
    "NoiseModel",
    "NoiseRates",
    "StatsFileError",
    "collect",
    "graphlike_distance",
    "inspect_experiment",
    "matching_graph",
    "merge_stats",
    "read_stats",
    "sweep",
    "used_qubits",
    "write_stats",
]
