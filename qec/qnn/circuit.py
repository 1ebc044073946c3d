"""The QNN's circuit: the built-in ansatz on a connectivity graph, or your own (QPY or MODULE:FUNCTION).

A user's circuit is a QPY file holding one circuit, or ``MODULE:FUNCTION`` returning a
``QuantumCircuit`` (or ``(circuit, input_params, weight_params)``). Input parameters are the
elements of a ``ParameterVector`` named ``x`` (Qiskit's feature maps name theirs so by
default), in index order; every other parameter is a weight. Library blocks are decomposed
into one- and two-qubit gates, so that noise acts on every gate by its arity
(docs/how-to/own-qnn.md).
"""

from __future__ import annotations

import dataclasses
import math
import pathlib
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from qec.qnn.config import CONNECTIVITIES, TrainConfig
from qec.qnn.observable import measurement_bases, parse_observable, rotate_to_z

if TYPE_CHECKING:
    import networkx as nx
    from qiskit import QuantumCircuit
    from qiskit.circuit import Parameter
    from qiskit.quantum_info import SparsePauliOp

# The gates a user's circuit is decomposed into: each gets noise by its arity (qec.aer).
BASIS_GATES: tuple[str, ...] = ("rx", "ry", "rz", "h", "x", "y", "z", "s", "sdg", "sx", "cx", "cz")
INPUT_VECTOR = "x"


def connectivity_graph(connectivity: str | nx.Graph, num_qubits: int) -> nx.Graph:
    """The qubit graph the ansatz entangles along (nodes 0..n−1).

    ``line``, ``ring``, ``grid`` (the squarest r×c grid with r·c = n) or ``all``; or a
    networkx graph on nodes 0..n−1.

    Example:
        >>> sorted(connectivity_graph("ring", 4).edges)
        [(0, 1), (0, 3), (1, 2), (2, 3)]
    """
    import networkx as nx

    if isinstance(connectivity, nx.Graph):
        if set(connectivity.nodes) != set(range(num_qubits)):
            raise ValueError(
                f"connectivity graph nodes must be 0..{num_qubits - 1}; got {sorted(connectivity.nodes)}"
            )
        return connectivity
    if connectivity == "line":
        return nx.path_graph(num_qubits)
    if connectivity == "ring":
        return nx.cycle_graph(num_qubits) if num_qubits > 2 else nx.path_graph(num_qubits)
    if connectivity == "all":
        return nx.complete_graph(num_qubits)
    if connectivity == "grid":
        rows = max(r for r in range(1, math.isqrt(num_qubits) + 1) if num_qubits % r == 0)
        grid = nx.grid_2d_graph(rows, num_qubits // rows)
        return nx.convert_node_labels_to_integers(grid, ordering="sorted")
    raise ValueError(
        f"connectivity={connectivity!r} is not known; allowed: {CONNECTIVITIES} or a networkx graph"
    )


def qnn_circuit(num_qubits: int, layers: int, graph: nx.Graph):
    """Angle-encoding feature map + hardware-efficient ansatz entangling along ``graph``.

    RY(x_i) on qubit i; then ``layers`` times: RY(θ) on every qubit and a CZ on every edge;
    then a last RY(θ) layer. Returns ``(circuit, input_params, weight_params)``.

    Example:
        >>> qc, x, w = qnn_circuit(3, 2, connectivity_graph("line", 3))
        >>> len(x), len(w), dict(qc.count_ops())
        (3, 9, {'ry': 12, 'cz': 4})
    """
    from qiskit import QuantumCircuit
    from qiskit.circuit import ParameterVector

    x = ParameterVector("x", num_qubits)
    w = ParameterVector("w", num_qubits * (layers + 1))
    qc = QuantumCircuit(num_qubits)
    for q in range(num_qubits):
        qc.ry(x[q], q)
    k = 0
    for _ in range(layers):
        for q in range(num_qubits):
            qc.ry(w[k], q)
            k += 1
        for a, b in sorted(graph.edges):
            qc.cz(a, b)
    for q in range(num_qubits):
        qc.ry(w[k], q)
        k += 1
    return qc, list(x), list(w)


@dataclasses.dataclass(frozen=True)
class QNN:
    """A QNN before noise, built once from a config (``qnn_parts``) and handed down.

    Attributes:
        circuit: The circuit, ending with the basis changes its observable needs
            (``rotate_to_z``), so that the observable is diagonal.
        inputs: Its input parameters, in feature order.
        weights: Its weight parameters, in the order trained weights are given.
        observable: The observable (I/Z only) as a ``SparsePauliOp``.
        read_qubits: The qubits read out (those the observable acts on).
    """

    circuit: QuantumCircuit
    inputs: tuple[Parameter, ...]
    weights: tuple[Parameter, ...]
    observable: SparsePauliOp
    read_qubits: tuple[int, ...]

    def __repr__(self) -> str:
        return (f"<QNN on {self.circuit.num_qubits} qubits: {len(self.inputs)} inputs, "
                f"{len(self.weights)} weights, reads qubits {list(self.read_qubits)}>")  # fmt: skip


def qnn_parts(
    config: TrainConfig,
    *,
    circuit: tuple[QuantumCircuit, Sequence[Parameter], Sequence[Parameter]] | None = None,
) -> QNN:
    """The QNN of ``config`` before noise.

    The circuit ends with the basis changes its observable needs (``rotate_to_z``), so
    the observable is diagonal (I/Z) and ``read_qubits`` are the qubits read out.

    ``circuit``: your own circuit, prepared (``load_circuit``, or a result's stored one:
    ``qec.qnn.sources.run_circuit``). Without it a ``.qpy`` file named by ``config.circuit`` is
    read; a ``MODULE:FUNCTION`` is never imported here (only where you name it yourself).

    Example:
        >>> qnn_parts(TrainConfig(qubits=3, layers=1, observable="XZI"))
        <QNN on 3 qubits: 3 inputs, 6 weights, reads qubits [1, 2]>
    """
    if config.circuit:
        circuit, inputs, weights = circuit if circuit is not None else load_qpy_circuit(config.circuit)
        if circuit.num_qubits != config.qubits:
            raise ValueError(f"qubits={config.qubits} but circuit {config.circuit!r} has "
                             f"{circuit.num_qubits} qubits (qec.qnn.for_circuit reads them from "
                             "it)")  # fmt: skip
    else:
        graph = connectivity_graph(config.connectivity, config.qubits)
        circuit, inputs, weights = qnn_circuit(config.qubits, config.layers, graph)
    obs = parse_observable(config.observable, config.qubits)
    read = tuple(measurement_bases(obs))
    circuit, obs = rotate_to_z(circuit, obs)
    return QNN(circuit=circuit, inputs=tuple(inputs), weights=tuple(weights), observable=obs,
               read_qubits=read)  # fmt: skip


def for_circuit(circuit: str, **kwargs: Any) -> TrainConfig:
    """A config for your own circuit, with ``qubits`` read from it (and ``layers`` = 0).

    Example:
        >>> import qec
        >>> for_circuit("qec.qnn.circuit:example_circuit", observable="ZZ").qubits
        2
    """
    qc, _, _ = load_circuit(circuit)
    return TrainConfig(circuit=circuit, qubits=qc.num_qubits, layers=0, **kwargs)


def load_circuit(spec: str) -> tuple[QuantumCircuit, list[Parameter], list[Parameter]]:
    """The circuit ``spec`` names, decomposed into ``BASIS_GATES``, with its input and weight
    parameters.

    Raises:
        ValueError: the file is not QPY, the function cannot be loaded or does not return a
            circuit, or the circuit has no input or no weight parameters.

    Example:
        >>> import qec
        >>> qc, inputs, weights = load_circuit("qec.qnn.circuit:example_circuit")
        >>> qc.num_qubits, len(inputs), len(weights)
        (2, 2, 4)
    """
    if not isinstance(spec, str) or not spec:
        raise ValueError(f"circuit={spec!r} must be a .qpy file or MODULE:FUNCTION")
    if spec.endswith(".qpy"):
        return load_qpy_circuit(spec)
    if ":" in spec and not pathlib.Path(spec).exists():
        circuit, inputs, weights = _from_function(spec)
        return prepare_circuit(circuit, inputs=inputs, weights=weights, name=spec)
    raise ValueError(f"circuit={spec!r} is neither a .qpy file nor MODULE:FUNCTION")


def load_qpy_circuit(path: str) -> tuple[QuantumCircuit, list[Parameter], list[Parameter]]:
    """``load_circuit`` of a ``.qpy`` file only: data, never code (anything else is refused)."""
    if not isinstance(path, str) or not path.endswith(".qpy"):
        raise ValueError(f"circuit={path!r} is not a .qpy file; MODULE:FUNCTION is imported only where you "
                         "give it yourself (qec train --circuit, qec.qnn.load_circuit)")  # fmt: skip
    return prepare_circuit(_from_qpy(path), name=path)


def _from_qpy(path: str) -> QuantumCircuit:
    try:
        with open(path, "rb") as f:
            circuits = read_qpy(f.read(), what=f"circuit={path!r}")
    except OSError as e:
        raise ValueError(f"circuit={path!r} cannot be read ({e.strerror or e})") from None
    if len(circuits) != 1:
        raise ValueError(f"circuit={path!r} holds {len(circuits)} circuits; give a QPY file with one")
    return circuits[0]


QPY_HEADER = b"QISKIT"  # how every QPY file begins (qiskit.qpy.dump)
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def read_qpy(data: bytes, *, what: str) -> list[QuantumCircuit]:
    """The circuits in the QPY bytes ``data``; ``what`` names them in messages.

    Every QPY reader goes through here: bytes that are not QPY are one line saying so. Qiskit's
    own messages said "upgrade your version of Qiskit" for random bytes (catalog K_rand, RC12),
    "unpack requires a buffer of 7 bytes" for an empty or text file (K_empty, K_text), and a Rust
    backtrace in terminal escapes for a truncated one (K_trunc, RC13).

    Raises:
        ValueError: ``data`` is empty, does not begin with QPY's header, or Qiskit cannot read it
            (truncated, corrupt, or written by a newer Qiskit).

    Example:
        >>> read_qpy(b"hello", what="circuit='c.qpy'")
        Traceback (most recent call last):
        ...
        ValueError: circuit='c.qpy' is not a QPY file (it does not begin with QPY's header b'QISKIT')
    """
    import io

    from qiskit import qpy

    if not data:
        raise ValueError(f"{what} is not a QPY file (it is empty)")
    if not data.startswith(QPY_HEADER):
        raise ValueError(f"{what} is not a QPY file (it does not begin with QPY's header {QPY_HEADER!r})")
    try:
        return qpy.load(io.BytesIO(data))
    except Exception as e:  # qpy raises its own types (a newer QPY version: Qiskit's message says so)
        lines = [line.strip(" :") for line in _ANSI.sub("", str(e)).splitlines()]
        first = next((line for line in lines if line), "")
        raise ValueError(
            f"{what}: Qiskit cannot read this QPY file (truncated, corrupt, or from a newer "
            f"Qiskit?): {type(e).__name__}: {first}"
        ) from None


def _from_function(spec: str) -> tuple[QuantumCircuit, list | None, list | None]:
    from qiskit import QuantumCircuit

    from qec._entry import call_entry_point

    made = call_entry_point(spec, what="circuit=")
    function_name = spec.partition(":")[2]
    if isinstance(made, QuantumCircuit):
        return made, None, None
    if isinstance(made, tuple) and len(made) == 3 and isinstance(made[0], QuantumCircuit):
        return made[0], list(made[1]), list(made[2])
    raise ValueError(f"circuit={spec!r}: {function_name}() must return a QuantumCircuit or "
                     f"(circuit, input_params, weight_params); got {type(made).__name__}")  # fmt: skip


def prepare_circuit(
    circuit: QuantumCircuit,
    *,
    inputs: Sequence[Parameter] | None = None,
    weights: Sequence[Parameter] | None = None,
    name: str = "circuit",
) -> tuple[QuantumCircuit, list[Parameter], list[Parameter]]:
    """Decompose ``circuit`` into ``BASIS_GATES`` and tell its inputs from its weights.

    Without ``inputs``/``weights``, inputs are the elements of the ``ParameterVector`` named
    ``x`` in index order and weights every other parameter in the circuit's order.
    """
    from qiskit import transpile

    if circuit.num_clbits or any(i.operation.name in ("measure", "reset") for i in circuit.data):
        circuit = circuit.remove_final_measurements(inplace=False)
        if any(i.operation.name in ("measure", "reset") for i in circuit.data):
            raise ValueError(f"{name}: mid-circuit measurements and resets are not supported in a QNN")
    flat = transpile(circuit, basis_gates=list(BASIS_GATES), optimization_level=0)
    if any(i.operation.name in ("measure", "reset") for i in flat.data):  # catalog K_init
        raise ValueError(f"{name}: mid-circuit measurements and resets are not supported in a QNN "
                         "(an initialize or state preparation resets its qubits)")  # fmt: skip
    in_gates = {p for i in flat.data for param in i.operation.params
                for p in getattr(param, "parameters", ())}  # fmt: skip
    phase_only = sorted(str(p) for p in set(flat.parameters) - in_gates)
    if phase_only:  # catalog K_gphase: a weight no expectation depends on
        raise ValueError(f"{name}: parameters {phase_only[:5]} appear only in the global phase, which no "
                         "expectation sees; bind them (assign_parameters) or remove them")  # fmt: skip
    if inputs is None or weights is None:
        inputs = sorted((p for p in flat.parameters if _is_input(p)), key=lambda p: p.index)
        weights = [p for p in flat.parameters if not _is_input(p)]
    present = set(flat.parameters)
    missing = [str(p) for p in (*inputs, *weights) if p not in present]
    if missing:
        raise ValueError(f"{name}: parameters {missing[:5]} are not in the circuit")
    if set(present) != set(inputs) | set(weights):
        extra = sorted(str(p) for p in present - set(inputs) - set(weights))
        raise ValueError(f"{name}: parameters {extra[:5]} are neither inputs nor weights")
    if not inputs:
        raise ValueError(f"{name}: no input parameters; name them as a ParameterVector {INPUT_VECTOR!r} "
                         f"(the default of Qiskit's feature maps), e.g. ParameterVector('x', n)")  # fmt: skip
    if not weights:
        raise ValueError(f"{name}: no weight parameters (every parameter is an input {INPUT_VECTOR}[i])")
    return flat, list(inputs), list(weights)


def _is_input(parameter: Any) -> bool:
    vector = getattr(parameter, "vector", None)
    return vector is not None and vector.name == INPUT_VECTOR


def example_circuit() -> QuantumCircuit:
    """A two-qubit QNN from Qiskit's circuit library: ZZ feature map + real-amplitudes ansatz.

    Example:
        >>> sorted(example_circuit().count_ops())
        ['RealAmplitudes', 'ZZFeatureMap']
    """
    from qiskit import QuantumCircuit
    from qiskit.circuit.library import real_amplitudes, zz_feature_map

    qc = QuantumCircuit(2)
    qc.compose(zz_feature_map(2, reps=1), inplace=True, wrap=True)
    qc.compose(real_amplitudes(2, reps=1), inplace=True, wrap=True)
    return qc
