"""Qiskit Aer noise models: the Stim circuit-level models translated, and logical noise."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import stim

from qec.codes import ANNOTATIONS
from qec.noise import CIRCUIT_LEVEL, NoiseModel

if TYPE_CHECKING:  # heavy imports happen inside the functions that need them
    import qiskit
    import qiskit_aer.noise

    from qec.channel import LogicalChannel

# Gate names that get the single- and two-qubit gate channels.
ONE_QUBIT_GATES: tuple[str, ...] = (
    "x", "y", "z", "h", "s", "sdg", "t", "tdg", "sx", "sxdg", "rx", "ry", "rz", "p", "u", "u1", "u2",
    "u3", "r",
)  # fmt: skip
TWO_QUBIT_GATES: tuple[str, ...] = (
    "cx", "cy", "cz", "ch", "swap", "iswap", "ecr", "rxx", "ryy", "rzz", "rzx", "cp", "crx", "cry",
    "crz",
)  # fmt: skip
# Labels of the identity gates `with_noise_sites` inserts, which the noise models target.
IDLE = "idle"
IDLE_MEASURE = "idle_measure"  # idle while other qubits are measured or reset
READOUT = "readout"  # flip before an (implicit) final Z readout, for estimator runs


def depolarizing_lambda(p: float, num_qubits: int) -> float:
    """Aer's ``depolarizing_error`` parameter for Stim's ``DEPOLARIZE{n}(p)``.

    Stim applies each of the 4^n − 1 non-identity Paulis with probability p / (4^n − 1);
    Aer's λ mixes with the maximally mixed state, which includes the identity: every Pauli
    has probability λ / 4^n. So λ = p · 4^n / (4^n − 1): 4p/3 for one qubit, 16p/15 for two.

    Raises:
        ValueError: ``num_qubits`` is not 1 or 2, or ``p`` is outside [0, 1].

    Example:
        >>> depolarizing_lambda(0.003, 1), depolarizing_lambda(0.015, 2)
        (0.004, 0.016)
    """
    if num_qubits not in (1, 2):
        raise ValueError(f"num_qubits={num_qubits!r} must be 1 or 2")
    if not 0 <= p <= 1:
        raise ValueError(f"p={p!r} must be in [0, 1]")
    dim = 4**num_qubits
    return p * dim / (dim - 1)


def depolarizing_p(lam: float, num_qubits: int) -> float:
    """Inverse of ``depolarizing_lambda``: Stim's p for Aer's λ.

    Raises:
        ValueError: ``num_qubits`` is not 1 or 2.

    Example:
        >>> depolarizing_p(0.004, 1)
        0.003
    """
    if num_qubits not in (1, 2):
        raise ValueError(f"num_qubits={num_qubits!r} must be 1 or 2")
    dim = 4**num_qubits
    return lam * (dim - 1) / dim


def physical_noise_model(noise: NoiseModel) -> qiskit_aer.noise.NoiseModel:
    """The Aer noise model meaning the same physics as a Stim circuit-level ``noise``.

    Channels (the noise-model table of docs/concepts.md): depolarizing after every one- and
    two-qubit gate, depolarizing on the idle identities `with_noise_sites` inserts (``idle``
    and, while others measure or reset, ``idle_measure``), an X flip after ``reset``, a readout
    flip on ``measure``, and an X flip on the ``readout`` identities (the estimator path, where
    there is no measure).

    Raises:
        ValueError: ``noise`` is not circuit-level (``circuit`` or ``si1000``).

    Example:
        >>> import qec
        >>> nm = physical_noise_model(qec.NoiseModel("si1000", 0.001))
        >>> sorted(nm.noise_instructions)[:4]
        ['ch', 'cp', 'crx', 'cry']
    """
    from qiskit_aer.noise import NoiseModel as AerNoiseModel
    from qiskit_aer.noise import ReadoutError, depolarizing_error, pauli_error

    if noise.name not in CIRCUIT_LEVEL:
        raise ValueError(f"noise={noise.name!r} has no gate-level Aer equivalent; use 'circuit' or 'si1000'")
    r = noise.rates
    # Measurement flips: syndrome and readout rates agree for both circuit-level models, so
    # one ReadoutError serves every measure instruction.
    assert r.measure_flip == r.readout_flip
    model = AerNoiseModel()
    _add(model, depolarizing_error(depolarizing_lambda(r.gate1, 1), 1), ONE_QUBIT_GATES, r.gate1)
    _add(model, depolarizing_error(depolarizing_lambda(r.gate2, 2), 2), TWO_QUBIT_GATES, r.gate2)
    _add(model, depolarizing_error(depolarizing_lambda(r.idle, 1), 1), [IDLE], r.idle)
    idle_mr = r.idle_measure_reset
    _add(model, depolarizing_error(depolarizing_lambda(idle_mr, 1), 1), [IDLE_MEASURE], idle_mr)
    _add(model, _flip(pauli_error, r.reset_flip), ["reset"], r.reset_flip)
    _add(model, _flip(pauli_error, r.readout_flip), [READOUT], r.readout_flip)
    if r.readout_flip > 0:
        f = r.readout_flip
        model.add_all_qubit_readout_error(ReadoutError([[1 - f, f], [f, 1 - f]]))
    return model


def logical_noise_model(eps_op: float) -> qiskit_aer.noise.NoiseModel:
    """Logical noise: Stim-convention depolarizing ``eps_op`` after every gate, readout flip ``eps_op``.

    ``eps_op`` is the probability that a logical gate suffers a logical (non-identity Pauli)
    error, as the budget model defines it (docs/concepts.md). At ``eps_op = 0`` the model is empty.

    Raises:
        ValueError: ``eps_op`` is not a number in [0, 1].

    Example:
        >>> logical_noise_model(0.0).is_ideal()
        True
    """
    from qiskit_aer.noise import NoiseModel as AerNoiseModel
    from qiskit_aer.noise import ReadoutError, depolarizing_error, pauli_error

    if not isinstance(eps_op, int | float) or isinstance(eps_op, bool) or not 0 <= eps_op <= 1:
        raise ValueError(f"eps_op={eps_op!r} must be a number in [0, 1]")
    model = AerNoiseModel()
    _add(model, depolarizing_error(depolarizing_lambda(eps_op, 1), 1), ONE_QUBIT_GATES, eps_op)
    _add(model, depolarizing_error(depolarizing_lambda(eps_op, 2), 2), TWO_QUBIT_GATES, eps_op)
    _add(model, _flip(pauli_error, eps_op), [READOUT], eps_op)
    if eps_op > 0:
        model.add_all_qubit_readout_error(ReadoutError([[1 - eps_op, eps_op], [eps_op, 1 - eps_op]]))
    return model


def measured_noise_model(channel: LogicalChannel) -> qiskit_aer.noise.NoiseModel:
    """The measured logical channel (``qec.channel``) as an Aer noise model.

    One-qubit gates get the memory's Pauli law over the rounds a gate takes; ``cx`` the
    lattice-surgery CNOT's two-qubit law; ``cz`` that law with the target's X and Z swapped
    (CZ = H_t CNOT H_t); any other two-qubit gate the CNOT's law (control = first qubit): one
    lattice-surgery operation, not measured on its own. Readouts flip with the Z memory's flip.
    Qiskit writes Pauli labels little-endian, so a law's ``"ZX"`` (Z on the control, X on the
    target) is Aer's ``"XZ"`` on qargs (control, target).

    Example:
        >>> import qec
        >>> from qec.channel import LogicalChannel
        >>> ch = LogicalChannel(distance=3, p=0.002, rounds_per_gate=3, flip_z=0.01, flip_x=0.02,
        ...                     cnot_flips={"XXXI": .1, "XIXX": .1, "IXIX": 0, "ZIZI": 0, "ZZIZ": 0,
        ...                                 "IZZZ": 0}.items())
        >>> sorted(measured_noise_model(ch).noise_instructions)[:3]
        ['ch', 'cp', 'crx']
    """
    from qiskit_aer.noise import NoiseModel as AerNoiseModel
    from qiskit_aer.noise import ReadoutError, pauli_error

    from qec.channel import cz_pauli_law

    def error(law: dict[str, float]):
        terms = [(label[::-1], prob) for label, prob in law.items() if prob > 0]
        return pauli_error(terms)

    model = AerNoiseModel()
    one = channel.one_qubit
    _add(model, error(one), ONE_QUBIT_GATES, 1 - one["I"])
    cnot = channel.cnot
    others = [g for g in TWO_QUBIT_GATES if g != "cz"]
    _add(model, error(cnot), others, 1 - cnot["II"])
    _add(model, error(cz_pauli_law(cnot)), ["cz"], 1 - cnot["II"])
    f = channel.readout
    _add(model, _flip(pauli_error, f), [READOUT], f)
    if f > 0:
        model.add_all_qubit_readout_error(ReadoutError([[1 - f, f], [f, 1 - f]]))
    return model


def _flip(pauli_error, p: float):
    return pauli_error([("X", p), ("I", 1 - p)])


def _add(model, error, instructions: Iterable[str], p: float) -> None:
    if p > 0:
        model.add_all_qubit_quantum_error(error, list(instructions))


def with_noise_sites(
    circuit: qiskit.QuantumCircuit,
    *,
    idle: bool = True,
    readout_qubits: Iterable[int] = (),
    barrier_layers: bool = False,
) -> qiskit.QuantumCircuit:
    """Insert labelled identities where noise models act but no gate stands.

    Layer by layer, every qubit the layer leaves idle gets an identity labelled ``idle`` (or
    ``idle_measure`` if the layer measures or resets a qubit); then each of
    ``readout_qubits`` gets an identity labelled ``readout``, where an estimator's implicit
    final readout would flip it.

    Args:
        circuit: The circuit (not modified).
        idle: Insert the idle identities (models without idle noise need none).
        readout_qubits: Qubits whose final Z readout an estimator's observable implies.
        barrier_layers: Layers are the stretches between barriers (Stim's TICKs, as
            ``stim_to_qiskit`` writes them) instead of Qiskit's DAG layers.

    Example:
        >>> from qiskit import QuantumCircuit
        >>> qc = QuantumCircuit(2)
        >>> _ = qc.h(0)
        >>> [(i.label, q) for i, q in _labelled(with_noise_sites(qc, readout_qubits=[0, 1]))]
        [('idle', 1), ('readout', 0), ('readout', 1)]
    """
    from qiskit.circuit.library import IGate
    from qiskit.converters import circuit_to_dag

    out = circuit.copy_empty_like()
    qubits = list(circuit.qubits)

    def emit(ops: list) -> None:  # ops: (operation, qargs, cargs)
        if not ops:
            return
        for op, qargs, cargs in ops:
            out.append(op, qargs, cargs)
        busy = {q for _, qargs, _ in ops for q in qargs}
        label = IDLE_MEASURE if any(op.name in ("measure", "reset") for op, _, _ in ops) else IDLE
        for q in qubits:
            if q not in busy:
                out.append(IGate(label=label), [q])

    if not idle:
        out.compose(circuit, inplace=True)
    elif barrier_layers:
        layer: list = []
        for inst in circuit.data:
            if inst.operation.name == "barrier":
                emit(layer)
                layer = []
                out.append(inst.operation, inst.qubits, inst.clbits)
            else:
                layer.append((inst.operation, inst.qubits, inst.clbits))
        emit(layer)
    else:
        for dag_layer in circuit_to_dag(circuit).layers():
            emit([(n.op, n.qargs, n.cargs) for n in dag_layer["graph"].op_nodes() if n.op.name != "barrier"])
    for q in readout_qubits:
        out.append(IGate(label=READOUT), [q])
    return out


def _labelled(circuit: qiskit.QuantumCircuit) -> list[tuple[object, int]]:
    return [(inst.operation, circuit.find_bit(inst.qubits[0]).index)
            for inst in circuit.data if inst.operation.label]  # fmt: skip


def stim_to_qiskit(circuit: stim.Circuit) -> qiskit.QuantumCircuit:
    """A noiseless Stim circuit (R, H, CX, M, MR and annotations) as a Qiskit circuit.

    Measurement results land in classical bits in Stim's record order, so Qiskit's bit
    string (little-endian) reversed reads like a Stim measurement row. TICKs become barriers,
    so Qiskit's layers match Stim's.

    Raises:
        ValueError: the circuit has an instruction other than R, H, CX, M, MR and annotations.

    Example:
        >>> print(stim_to_qiskit(stim.Circuit("R 0 1\\nH 0\\nTICK\\nCX 0 1\\nM 0 1")).count_ops())
        OrderedDict([('reset', 2), ('measure', 2), ('h', 1), ('barrier', 1), ('cx', 1)])
    """
    from qiskit import ClassicalRegister, QuantumCircuit, QuantumRegister

    flat = circuit.flattened()
    qc = QuantumCircuit(QuantumRegister(circuit.num_qubits, "q"),
                        ClassicalRegister(circuit.num_measurements, "m"))  # fmt: skip
    record = 0
    for inst in flat:
        name, qs = inst.name, [t.value for t in inst.targets_copy() if t.is_qubit_target]
        if name in ANNOTATIONS:
            continue
        if name == "TICK":
            qc.barrier()
        elif name == "R":
            for q in qs:
                qc.reset(q)
        elif name == "H":
            for q in qs:
                qc.h(q)
        elif name in ("CX", "CNOT"):
            for c, t in zip(qs[::2], qs[1::2], strict=True):
                qc.cx(c, t)
        elif name in ("M", "MR"):
            for q in qs:
                qc.measure(q, record)
                record += 1
            if name == "MR":
                for q in qs:
                    qc.reset(q)
        else:
            raise ValueError(f"stim_to_qiskit does not translate {name!r}")
    return qc
