"""The QNN wing: its configuration, circuit, observable, data, simulation, training, workloads
and executions, one module each; this file only lists their names."""

from qec.qnn.circuit import (
    BASIS_GATES,
    INPUT_VECTOR,
    QNN,
    connectivity_graph,
    example_circuit,
    for_circuit,
    load_circuit,
    prepare_circuit,
    qnn_circuit,
    qnn_parts,
)
from qec.qnn.config import (
    AUTO_DENSITY_MAX,
    CONNECTIVITIES,
    DATASETS,
    MAX_QUBITS,
    MAX_SAMPLES,
    MAX_TRAJECTORIES,
    MAX_WEIGHTS,
    METHODS,
    OBSERVABLES,
    SYNTHETIC,
    QNNNoise,
    TrainConfig,
    check_observable_spec,
    is_data_file,
)
from qec.qnn.data import Dataset, config_dataset, load_dataset, load_table
from qec.qnn.execution import check_circuit, logical_operations, qnn_circuit_from_result, qnn_timing
from qec.qnn.observable import measurement_bases, parse_observable, rotate_to_z
from qec.qnn.simulate import (
    Simulation,
    auto_method,
    build_qnn,
    max_qubits,
    max_statevector_qubits,
    mps_bond_dimension,
    simulation,
)
from qec.qnn.training import TrainResult, train
from qec.qnn.workload import SHAPE_KEYS, Workload, qnn_shape

# qec.qnn.execution.load_circuit (a bound QPY/QASM circuit for the resource estimator) is not
# listed: load_circuit here is the QNN's own (qec.qnn.circuit.load_circuit).
__all__ = [
    "AUTO_DENSITY_MAX",
    "BASIS_GATES",
    "CONNECTIVITIES",
    "DATASETS",
    "INPUT_VECTOR",
    "MAX_QUBITS",
    "MAX_SAMPLES",
    "MAX_TRAJECTORIES",
    "MAX_WEIGHTS",
    "METHODS",
    "OBSERVABLES",
    "QNN",
    "SHAPE_KEYS",
    "SYNTHETIC",
    "Dataset",
    "QNNNoise",
    "Simulation",
    "TrainConfig",
    "TrainResult",
    "Workload",
    "auto_method",
    "build_qnn",
    "check_circuit",
    "check_observable_spec",
    "config_dataset",
    "connectivity_graph",
    "example_circuit",
    "for_circuit",
    "is_data_file",
    "load_circuit",
    "load_dataset",
    "load_table",
    "logical_operations",
    "max_qubits",
    "max_statevector_qubits",
    "measurement_bases",
    "mps_bond_dimension",
    "parse_observable",
    "prepare_circuit",
    "qnn_circuit",
    "qnn_circuit_from_result",
    "qnn_parts",
    "qnn_shape",
    "qnn_timing",
    "rotate_to_z",
    "simulation",
    "train",
]
