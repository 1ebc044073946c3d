"""One execution of a circuit as the resource estimator counts it: bound circuits, QNN runs, G."""

from __future__ import annotations

import math
import pathlib
import re
from collections.abc import Mapping
from typing import Any

from qec.qnn.circuit import qnn_parts, read_qpy
from qec.qnn.config import TrainConfig
from qec.qnn.data import config_dataset
from qec.qnn.sources import read_runs
from qec.qnn.training import read_result, read_weights


def load_circuit(path: str | pathlib.Path):
    """A bound Qiskit circuit from a QPY or OpenQASM (2 or 3) file.

    Raises:
        ValueError: the file is not a circuit, or the circuit has unbound parameters.
    """
    path = pathlib.Path(path)
    try:
        data = path.read_bytes()
        text = None if path.suffix == ".qpy" else data.decode()
    except (OSError, UnicodeDecodeError) as e:
        raise ValueError(f"circuit file {str(path)!r} cannot be read: {e}") from None
    if text is None:
        circuits = read_qpy(data, what=repr(str(path)))
        if len(circuits) != 1:
            raise ValueError(f"{str(path)!r} holds {len(circuits)} circuits; give a QPY file with one")
        circuit = circuits[0]
    else:
        _check_includes(text, path)
        from qiskit import qasm2, qasm3

        try:
            circuit = qasm3.loads(text) if "OPENQASM 3" in text else qasm2.loads(text)
        except Exception as e:  # the parsers raise their own types
            raise ValueError(
                f"{str(path)!r} is not a QPY or OpenQASM circuit ({type(e).__name__}: {e})"
            ) from None
    return check_circuit(circuit, name=str(path))


# The includes an OpenQASM file may name: the standard gate libraries, which the parsers hold.
STANDARD_INCLUDES = ("qelib1.inc", "stdgates.inc")


def _check_includes(text: str, path: pathlib.Path) -> None:
    """Refuse an ``include`` of anything but ``STANDARD_INCLUDES`` (catalog RC5: including
    /etc/passwd read it and echoed its first word in the parse error)."""
    for name in re.findall(r'\binclude\s*"([^"]*)"', text):  # anywhere: statements share lines
        if name not in STANDARD_INCLUDES:
            raise ValueError(f"{str(path)!r} includes {name!r}; a circuit file may include only "
                             f"{' or '.join(STANDARD_INCLUDES)} (write the gates it needs into "
                             "it)")  # fmt: skip


def check_circuit(circuit, *, name: str = "circuit"):
    """``circuit`` if the resource estimator can count it as one execution.

    Raises:
        ValueError: it has unbound parameters, is empty, or has classical control flow (an
            ``if``, a loop: which gates run depends on measurements, so G is not fixed; catalog
            RC7 counted an ``if(c==1) x`` as no gate at all).
    """
    from qiskit.circuit import ControlFlowOp

    flow = sorted({inst.operation.name for inst in circuit.data if isinstance(inst.operation, ControlFlowOp)})
    if flow:
        raise ValueError(f"{name} has classical control flow ({', '.join(flow)}): which gates run depends on "
                         "measurement outcomes, so its logical operations are not one count; give a "
                         "circuit without it")  # fmt: skip
    if circuit.num_parameters:
        names = ", ".join(sorted(p.name for p in circuit.parameters)[:5])
        raise ValueError(
            f"{name} has {circuit.num_parameters} unbound parameters ({names}…); bind them first"
        )
    if circuit.num_qubits == 0 or not circuit.data:
        raise ValueError(f"{name} is empty")
    return circuit


def qnn_circuit_from_result(result: Mapping[str, Any], *, sample: int = 0, name: str = "result"):
    """The QNN of a ``qec train`` result with its trained weights and one test point bound,
    and its readout qubits measured: one circuit execution. The circuit is the one the result
    stores (``qec.qnn.sources``), never imported; its data must be unchanged since training.

    Example:
        >>> import qec
        >>> from qec.qnn import TrainConfig, train
        >>> r = train(TrainConfig(qubits=2, layers=1, samples=12, maxiter=8, chunk=8)).to_dict()
        >>> dict(qnn_circuit_from_result(r).count_ops())
        {'ry': 6, 'measure': 2, 'cz': 1}
    """
    read_result(result, name=name)
    config = TrainConfig.from_dict(dict(result["config"]))
    _, circuit = read_runs([result], [name])
    qnn = qnn_parts(config, circuit=circuit)
    read = qnn.read_qubits
    data = config_dataset(config, len(qnn.inputs))
    values = dict(zip(qnn.inputs, data.x_test[sample], strict=True))
    values.update(zip(qnn.weights, read_weights(result.get("weights"), source=name,
                                                count=len(qnn.weights)), strict=True))  # fmt: skip
    bound = qnn.circuit.assign_parameters(values)
    from qiskit import ClassicalRegister

    creg = ClassicalRegister(len(read), "c")
    bound.add_register(creg)
    for i, q in enumerate(read):
        bound.measure(q, creg[i])
    return bound


def qnn_timing(config: Mapping[str, Any]) -> dict[str, float]:
    """Circuit executions of one inference pass (test points × shots) and of one training run
    (COBYLA evaluations × training points × shots), for a ``qec train`` configuration.

    Example:
        >>> qnn_timing({"samples": 200, "test_fraction": 0.5, "maxiter": 150, "shots": 100})
        {'inference_shots': 10000.0, 'training_shots': 1500000.0}
    """
    n_test = math.ceil(config["samples"] * config["test_fraction"])
    n_train = config["samples"] - n_test
    shots = max(int(config["shots"]), 1)
    return {
        "inference_shots": float(n_test * shots),
        "training_shots": float(config["maxiter"] * n_train * shots),
    }


def logical_operations(circuit) -> int:
    """G: logical operations of one execution, as the logical noise model counts them — one per
    gate (whatever its arity) and one per measured qubit.

    Example:
        >>> from qiskit import QuantumCircuit
        >>> qc = QuantumCircuit(2, 2); _ = qc.ry(0.1, 0); _ = qc.cz(0, 1); _ = qc.measure([0, 1], [0, 1])
        >>> logical_operations(qc)
        4
    """
    return sum(1 for inst in circuit.data if inst.operation.name not in ("barrier",))
