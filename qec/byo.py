"""Bring your own QNN: circuits (QPY or MODULE:FUNCTION), Pauli observables and CSV/NPZ datasets.

The rules a user's pieces follow (docs/how-to/own-qnn.md):

- **Circuit**: a QPY file holding one circuit, or ``MODULE:FUNCTION`` returning a
  ``QuantumCircuit`` (or ``(circuit, input_params, weight_params)``). Input parameters are the
  elements of a ``ParameterVector`` named ``x`` (Qiskit's feature maps name theirs so by
  default), in index order; every other parameter is a weight. Library blocks are decomposed
  into one- and two-qubit gates, so that noise acts on every gate by its arity.
- **Observable**: ``parity`` (Z on every qubit), ``z0``, or a Pauli string or sum of them in
  Qiskit's label order (rightmost letter = qubit 0): ``ZZII``, ``0.5*ZIIZ + 0.5*IZZI``, ``-XX``.
  Letters I, X, Y, Z; one letter per qubit. Terms must agree on one basis per qubit (one
  measurement setting), and X/Y are measured by rotating to Z first, as hardware does.
- **Data**: a CSV (header row; the label column is ``label`` or ``y`` if present, else the
  last) or an NPZ (arrays ``x`` and ``y``), numeric features, binary labels (0/1 or ±1).
"""

from __future__ import annotations

import pathlib
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from qiskit import QuantumCircuit
    from qiskit.circuit import Parameter
    from qiskit.quantum_info import SparsePauliOp

# The gates a user's circuit is decomposed into: each gets noise by its arity (qec.aer).
BASIS_GATES: tuple[str, ...] = ("rx", "ry", "rz", "h", "x", "y", "z", "s", "sdg", "sx", "cx", "cz")
INPUT_VECTOR = "x"
_TERM = re.compile(
    r"^\s*(?:([+-]?\s*(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)\s*\*\s*)?([+-]?)\s*([A-Za-z]+)\s*$"
)


# ---------------------------------------------------------------------------------------
# Circuits


def load_circuit(spec: str) -> tuple[QuantumCircuit, list[Parameter], list[Parameter]]:
    """The circuit ``spec`` names, decomposed into ``BASIS_GATES``, with its input and weight
    parameters.

    Raises:
        ValueError: the file is not QPY, the function cannot be loaded or does not return a
            circuit, or the circuit has no input or no weight parameters.

    Example:
        >>> qc, inputs, weights = load_circuit("qec.byo:example_circuit")
        >>> qc.num_qubits, len(inputs), len(weights)
        (2, 2, 4)
    """
    if not isinstance(spec, str) or not spec:
        raise ValueError(f"circuit={spec!r} must be a .qpy file or MODULE:FUNCTION")
    if spec.endswith(".qpy"):
        circuit, inputs, weights = _from_qpy(spec), None, None
    elif ":" in spec and not pathlib.Path(spec).exists():
        circuit, inputs, weights = _from_function(spec)
    else:
        raise ValueError(f"circuit={spec!r} is neither a .qpy file nor MODULE:FUNCTION")
    return prepare_circuit(circuit, inputs=inputs, weights=weights, name=spec)


def _from_qpy(path: str) -> QuantumCircuit:
    from qiskit import qpy

    try:
        with open(path, "rb") as f:
            circuits = qpy.load(f)
    except OSError as e:
        raise ValueError(f"circuit={path!r} cannot be read ({e.strerror or e})") from None
    except Exception as e:  # qpy raises its own errors for files that are not QPY
        raise ValueError(f"circuit={path!r} is not a QPY file ({type(e).__name__}: {e})") from None
    if len(circuits) != 1:
        raise ValueError(f"circuit={path!r} holds {len(circuits)} circuits; give a QPY file with one")
    return circuits[0]


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


# ---------------------------------------------------------------------------------------
# Observables


def parse_observable(spec: str, num_qubits: int) -> SparsePauliOp:
    """``parity``, ``z0`` or a Pauli sum as a ``SparsePauliOp`` on ``num_qubits`` qubits.

    Example:
        >>> parse_observable("0.5*ZZI - ZIZ", 3)
        SparsePauliOp(['ZZI', 'ZIZ'],
                      coeffs=[ 0.5+0.j, -1. +0.j])
    """
    from qiskit.quantum_info import SparsePauliOp

    if spec == "parity":
        return SparsePauliOp("Z" * num_qubits)
    if spec == "z0":
        return SparsePauliOp("I" * (num_qubits - 1) + "Z")
    labels, coeffs = [], []
    for coeff, letters in _terms(spec):
        if len(letters) != num_qubits:
            raise ValueError(f"observable={spec!r}: term {letters!r} has {len(letters)} letters; the "
                             f"circuit has {num_qubits} qubits (one letter per qubit, rightmost = qubit "
                             "0)")  # fmt: skip
        labels.append(letters)
        coeffs.append(coeff)
    observable = SparsePauliOp(labels, coeffs)
    measurement_bases(observable)  # one setting, or a clear error
    return observable


def check_observable_spec(spec: str) -> None:
    """Raise ``ValueError`` unless ``spec`` could be an observable (sizes are checked later)."""
    if not isinstance(spec, str) or not spec.strip():
        raise ValueError(f"observable={spec!r} must be parity, z0 or a Pauli sum such as ZZII")
    if spec not in ("parity", "z0"):
        _terms(spec)


def _terms(spec: str) -> list[tuple[float, str]]:
    """(coefficient, Pauli letters) of each term of a Pauli-sum spec, or a ``ValueError``."""
    out = []
    for term in _split_terms(spec):
        match = _TERM.match(term)
        if not match:
            raise ValueError(f"observable={spec!r}: term {term.strip()!r} is not [coefficient*]PAULIS "
                             "(allowed: parity, z0 or a sum such as 0.5*ZZII - XIIX)")  # fmt: skip
        coeff, sign, letters = match.groups()
        bad = sorted(set(letters) - set("IXYZ"))
        if bad:
            raise ValueError(f"observable={spec!r}: letters {bad} are not Paulis; allowed: I, X, Y, Z")
        value = float(coeff.replace(" ", "")) if coeff else 1.0
        out.append((-value if sign == "-" else value, letters))
    return out


def _split_terms(spec: str) -> list[str]:
    # Split on + and - that start a term (not those of an exponent such as 1e-3).
    parts = re.split(r"(?<![eE*])\s*(?=[+-])", spec.strip())
    return [p for p in parts if p.strip()]


def measurement_bases(observable: SparsePauliOp) -> dict[int, str]:
    """Qubit → the basis (X, Y or Z) the observable reads it in; qubits it does not read are absent.

    Raises:
        ValueError: two terms read one qubit in different bases (they would need two settings).

    Example:
        >>> from qiskit.quantum_info import SparsePauliOp
        >>> measurement_bases(SparsePauliOp(["XZI", "XIZ"]))
        {0: 'Z', 1: 'Z', 2: 'X'}
    """
    bases: dict[int, str] = {}
    for label in observable.paulis.to_labels():
        for q, letter in enumerate(reversed(label)):
            if letter == "I":
                continue
            if bases.setdefault(q, letter) != letter:
                raise ValueError(f"observable reads qubit {q} in both {bases[q]} and {letter}: terms must "
                                 "share one basis per qubit (qubit-wise commuting), so one measurement "
                                 "setting reads them all")  # fmt: skip
    return dict(sorted(bases.items()))


def rotate_to_z(circuit: QuantumCircuit, observable: SparsePauliOp) -> tuple[QuantumCircuit, SparsePauliOp]:
    """The circuit with the basis changes hardware applies before a Z readout (H for X, S†·H for
    Y), and the observable with every X/Y replaced by Z: the same expectation value.

    Example:
        >>> from qiskit import QuantumCircuit
        >>> from qiskit.quantum_info import SparsePauliOp
        >>> qc, obs = rotate_to_z(QuantumCircuit(2), SparsePauliOp(["XY"]))
        >>> dict(qc.count_ops()), obs.paulis.to_labels()
        ({'h': 2, 'sdg': 1}, ['ZZ'])
    """
    from qiskit.quantum_info import SparsePauliOp

    out = circuit.copy()
    for q, basis in measurement_bases(observable).items():
        if basis == "Y":
            out.sdg(q)
        if basis in ("X", "Y"):
            out.h(q)
    labels = [label.replace("X", "Z").replace("Y", "Z") for label in observable.paulis.to_labels()]
    return out, SparsePauliOp(labels, observable.coeffs)


# ---------------------------------------------------------------------------------------
# Data


def is_data_file(name: str) -> bool:
    """Whether a dataset name is a file (CSV or NPZ) rather than a built-in dataset."""
    return isinstance(name, str) and name.lower().endswith((".csv", ".npz"))


def load_table(path: str | pathlib.Path) -> tuple[np.ndarray, np.ndarray]:
    """Features and 0/1 labels from a CSV or NPZ file, checked.

    Raises:
        ValueError: unreadable, not numeric, NaN or infinite values, labels that are not two
            values 0/1 or ±1, or one class only.
    """
    path = pathlib.Path(path)
    name = str(path)
    if path.suffix.lower() not in (".csv", ".npz"):
        raise ValueError(f"data={name!r} must be a .csv or .npz file")
    if path.suffix.lower() == ".npz":
        try:
            with np.load(path, allow_pickle=False) as archive:
                arrays = {k: np.asarray(archive[k]) for k in archive.files}
        except Exception as e:  # OSError, zipfile.BadZipFile, a pickled array: not a plain NPZ
            raise ValueError(f"data={name!r} is not an NPZ file ({type(e).__name__}: {e})") from None
        if "x" not in arrays or "y" not in arrays:
            raise ValueError(f"data={name!r} must hold arrays 'x' and 'y'; it holds {sorted(arrays)}")
        x, y = arrays["x"], arrays["y"]
    else:
        x, y = _read_csv(path)
    if x.ndim != 2 or y.ndim != 1 or len(x) != len(y):
        raise ValueError(f"data={name!r}: x must be rows × features and y one label per row; got shapes "
                         f"{x.shape} and {y.shape}")  # fmt: skip
    try:
        x, y = x.astype(float), y.astype(float)
    except (TypeError, ValueError):
        raise ValueError(f"data={name!r}: features and labels must be numbers") from None
    if not np.isfinite(x).all() or not np.isfinite(y).all():
        rows = sorted(
            set(np.argwhere(~np.isfinite(x))[:, 0].tolist()) | set(np.flatnonzero(~np.isfinite(y)).tolist())
        )
        raise ValueError(f"data={name!r}: NaN or infinite values in rows {rows[:5]} (first row is 0)")
    values = sorted(set(y.tolist()))
    if len(values) == 1:
        raise ValueError(f"data={name!r}: every label is {values[0]:g}; a classifier needs two classes")
    if values not in ([0.0, 1.0], [-1.0, 1.0]):
        shown = [f"{v:g}" for v in values[:6]]
        raise ValueError(f"data={name!r}: labels must be two values, 0/1 or -1/+1; got {shown}"
                         f"{' ...' if len(values) > 6 else ''}")  # fmt: skip
    return x, (y == 1).astype(int)


def _read_csv(path: pathlib.Path) -> tuple[np.ndarray, np.ndarray]:
    import csv

    name = str(path)
    try:
        with open(path, newline="") as f:
            rows = [r for r in csv.reader(f) if r and any(c.strip() for c in r)]
    except (OSError, UnicodeDecodeError) as e:
        raise ValueError(f"data={name!r} is not a readable CSV file ({e})") from None
    if len(rows) < 2:
        raise ValueError(f"data={name!r} needs a header row and data rows; it has {len(rows)} row(s)")
    header = [h.strip() for h in rows[0]]
    label = next((i for i, h in enumerate(header) if h.lower() in ("label", "y")), len(header) - 1)
    if len(header) < 2:
        raise ValueError(f"data={name!r} needs at least one feature column and a label column")
    body = rows[1:]
    for i, r in enumerate(body, start=2):
        if len(r) != len(header):
            raise ValueError(f"data={name!r}, line {i}: {len(r)} fields, the header has {len(header)}")
    try:
        table = np.array([[float(c) if c.strip() else np.nan for c in r] for r in body])
    except ValueError as e:
        raise ValueError(f"data={name!r}: every field must be a number ({e})") from None
    return np.delete(table, label, axis=1), table[:, label]
