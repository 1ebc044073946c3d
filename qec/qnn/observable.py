"""The QNN's observable: a Pauli sum parsed once, read in one measurement setting.

``parity`` (Z on every qubit), ``z0``, or a Pauli string or sum of them in Qiskit's label
order (rightmost letter = qubit 0): ``ZZII``, ``-XX``. Letters I, X, Y, Z; one letter per
qubit. Terms must agree on one basis per qubit (one measurement setting), and X/Y are
measured by rotating to Z first, as hardware does. Its eigenvalues must be ±1 (O² = I): a
shot reads it as +1 or −1, which is what the shot accuracy (``qec.tolerance.shot_accuracy``)
scores; ``2*ZZ`` or ``0.5*ZI + 0.5*IZ`` are refused.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from qec.qnn.config import _terms

if TYPE_CHECKING:
    from qiskit import QuantumCircuit
    from qiskit.quantum_info import SparsePauliOp


def parse_observable(spec: str, num_qubits: int) -> SparsePauliOp:
    """``parity``, ``z0`` or a Pauli sum as a ``SparsePauliOp`` on ``num_qubits`` qubits.

    Raises:
        ValueError: the spec is malformed, a term's length is not ``num_qubits``, the terms
            need two measurement settings, the observable reads no qubit, or its eigenvalues
            are not ±1 (O² ≠ I).

    Example:
        >>> parse_observable("-ZIZ", 3)
        SparsePauliOp(['ZIZ'],
                      coeffs=[-1.+0.j])
        >>> parse_observable("2*ZZI", 3)
        Traceback (most recent call last):
        ...
        ValueError: observable='2*ZZI' must have eigenvalues ±1 (its square the identity): ...
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
    check_plus_minus_one(observable, spec)
    return observable


def check_plus_minus_one(observable: SparsePauliOp, spec: str) -> None:
    """Raise ``ValueError`` unless ``observable`` reads some qubit and squares to the identity.

    A shot reads an observable with eigenvalues ±1 as +1 with probability (1 + ⟨O⟩)/2, the
    model every accuracy here is scored with; a scaled or summed one (``2*ZZ``, ``XX + XX``,
    ``0.5*ZI + 0.5*IZ``) has other outcomes, and its ⟨O⟩ in that formula gives wrong numbers.

    Example:
        >>> from qiskit.quantum_info import SparsePauliOp
        >>> check_plus_minus_one(SparsePauliOp(["ZZ", "ZZ"], [0.5, 0.5]), "0.5*ZZ + 0.5*ZZ")  # = ZZ
        >>> check_plus_minus_one(SparsePauliOp(["II"]), "II")
        Traceback (most recent call last):
        ...
        ValueError: observable='II' reads no qubit: a constant cannot classify
    """
    import numpy as np

    n = observable.num_qubits
    with np.errstate(over="ignore", invalid="ignore"):  # huge coefficients: refused below, not warned
        simple = observable.simplify()
        if not measurement_bases(simple):
            raise ValueError(f"observable={spec!r} reads no qubit: a constant cannot classify")
        square = (simple @ simple).simplify()
    identity = square.paulis.to_labels() == ["I" * n] and abs(complex(square.coeffs[0]) - 1) <= 1e-9
    if not identity:
        raise ValueError(f"observable={spec!r} must have eigenvalues ±1 (its square the identity): a shot "
                         "reads +1 or −1 and accuracy is scored from those; use one Pauli string with "
                         "coefficient ±1, such as ZZ or -ZZ")  # fmt: skip


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
