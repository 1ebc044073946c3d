"""The QNN on a real device's snapshot: transpiled to its layout and simulated under its noise.

The physical verdict for a device ("does hardware alone suffice?") needs the device as it is,
not the idealised square grid the code experiments run on (``qec.device``): the QNN is
transpiled to the fake backend's coupling map and basis gates (Qiskit's preset pass manager,
optimisation level 1, a fixed seed; the swaps routing inserts are counted), scheduled as late as
possible so that waiting qubits carry ``delay`` instructions, and simulated under Aer's
``NoiseModel.from_backend(backend)``: per-qubit and per-coupler gate errors (depolarizing plus
thermal relaxation over each gate's duration), thermal relaxation on every delay, and each
qubit's own (asymmetric) readout error.

Expectations are exact: Aer's density matrix (only the qubits the circuit touches are
simulated) gives the probabilities of the readout qubits' outcomes before readout, and each
qubit's readout error (the ``ReadoutError`` the Aer model holds for it) is applied to them
exactly; the observable (I/Z after the QNN's basis changes) is then averaged over the read
outcomes. The noiseless reference is the QNN's own exact expectation (``Workload.evaluate``
at ``none``): a transpiled circuit without noise computes the same unitary.
"""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np

from qec.qnn.circuit import QNN
from qec.qnn.config import TrainConfig
from qec.qnn.data import config_dataset
from qec.tolerance import Evaluations, shot_accuracy

# Preset pass manager level: 1 routes with Sabre and simplifies single-qubit runs, as the
# IBM runtime's default does; higher levels would only change the swap count.
OPTIMIZATION_LEVEL = 1
# A QNN wider than this is not simulated as a density matrix on the device (16·4^n bytes).
MAX_DEVICE_QUBITS = 12


def fake_backend(name: str) -> Any:
    """The fake backend (``qiskit_ibm_runtime.fake_provider``) named ``name`` in any spelling.

    Raises:
        ValueError: a backend-properties JSON (it has no coupling map to transpile to) or an
            unknown name (with close matches).
    """
    from qec.device import _fake_backend

    if not isinstance(name, str) or name.lower().endswith(".json"):
        raise ValueError(f"device={name!r}: the physical verdict transpiles the QNN to the device's "
                         "coupling map, which a properties JSON does not hold; give a fake backend's "
                         "name (`qec devices` lists them)")  # fmt: skip
    return _fake_backend(name)


@dataclasses.dataclass(frozen=True)
class Transpiled:
    """The QNN transpiled to a device.

    Attributes:
        circuit: The transpiled, scheduled circuit (parameters still free), on the device's qubits.
        swaps: Swaps routing inserted (each becomes three native two-qubit gates).
        layout: Physical qubit of each of the QNN's qubits at the end (after routing).
        read_physical: Physical qubit of each readout qubit, in the order of ``QNN.read_qubits``.
        two_qubit_gates: Native two-qubit gates in the transpiled circuit.
        depth: Its depth.
        duration_ns: Its scheduled duration, without readout.
    """

    circuit: Any
    swaps: int
    layout: tuple[int, ...]
    read_physical: tuple[int, ...]
    two_qubit_gates: int
    depth: int
    duration_ns: float


def transpile_qnn(qnn: QNN, backend: Any, *, seed: int = 0) -> Transpiled:
    """``qnn``'s circuit transpiled to ``backend`` (coupling map, basis gates), its swaps counted.

    The swaps are those routing inserted: the most ``swap`` gates any pass saw in the circuit
    (the QNN's own gates hold none; translation to the basis then turns each into native gates).
    """
    from qiskit.transpiler import generate_preset_pass_manager

    pm = generate_preset_pass_manager(optimization_level=OPTIMIZATION_LEVEL, backend=backend,
                                      seed_transpiler=seed, scheduling_method="alap")  # fmt: skip
    seen = [0]

    def count(**kwargs: Any) -> None:
        seen[0] = max(seen[0], kwargs["dag"].count_ops().get("swap", 0))

    circuit = pm.run(qnn.circuit, callback=count)
    final = circuit.layout.final_index_layout()
    two = sum(n for name, n in circuit.count_ops().items() if name in ("cz", "ecr", "cx"))
    dt = getattr(backend.target, "dt", None) or 0.0
    duration = circuit.estimate_duration(backend.target, unit="s") if dt else 0.0
    return Transpiled(circuit=circuit, swaps=int(seen[0]), layout=tuple(final),
                      read_physical=tuple(final[q] for q in qnn.read_qubits), two_qubit_gates=int(two),
                      depth=int(circuit.depth()), duration_ns=float(duration) * 1e9)  # fmt: skip


def backend_noise_model(backend: Any) -> Any:
    """Aer's ``NoiseModel.from_backend(backend)`` (gate, relaxation and readout errors per qubit)."""
    from qiskit_aer.noise import NoiseModel

    with warnings.catch_warnings():  # qubits whose T2 > 2·T1 are clipped, with a warning each
        warnings.simplefilter("ignore")
        return NoiseModel.from_backend(backend)


def readout_signs(noise_model: Any, qubits: Sequence[int]) -> np.ndarray:
    """For each of ``qubits`` (physical), E[(−1)^m | true bit t] for t = 0, 1 under the model's
    readout error: shape (len(qubits), 2); rows (1, −1) where the model holds none.

    Example:
        >>> from qiskit_aer.noise import NoiseModel, ReadoutError
        >>> nm = NoiseModel(); nm.add_readout_error(ReadoutError([[0.9, 0.1], [0.2, 0.8]]), [3])
        >>> readout_signs(nm, [3, 0]).round(3).tolist()
        [[0.8, -0.6], [1.0, -1.0]]
    """
    errors = {}
    for error in noise_model.to_dict().get("errors", []):
        if error.get("type") == "roerror":
            for qs in error.get("gate_qubits", [None]):
                errors[None if qs is None else tuple(qs)] = np.asarray(error["probabilities"], dtype=float)
    out = []
    for q in qubits:
        m = errors.get((q,), errors.get(None))  # m[true][measured]
        out.append([1.0, -1.0] if m is None else [m[0][0] - m[0][1], m[1][0] - m[1][1]])
    return np.asarray(out, dtype=float)


def device_expectations(
    transpiled: Transpiled,
    qnn: QNN,
    noise_model: Any,
    bindings: Sequence[dict[Any, float]],
) -> np.ndarray:
    """The QNN's expectation ⟨O⟩ at each parameter binding, exact, on the device under ``noise_model``
    (``None``: noiseless, readout included).

    The readout qubits' outcome probabilities come from Aer's density matrix; each qubit's
    readout error is applied to them exactly, and the observable (I/Z) averaged over the outcomes.
    """
    from qiskit_aer import AerSimulator

    circuit = transpiled.circuit.copy()
    read = list(transpiled.read_physical)
    circuit.save_probabilities(qubits=read, label="p")
    sim = AerSimulator(method="density_matrix", noise_model=noise_model)
    params = list(circuit.parameters)
    binds = [{p: [float(b[p]) for b in bindings] for p in params}]
    result = sim.run(circuit, parameter_binds=binds, shots=1).result()
    probs = np.array([np.asarray(result.data(i)["p"], dtype=float) for i in range(len(bindings))])
    ideal = np.array([[1.0, -1.0]] * len(read))
    signs = readout_signs(noise_model, read) if noise_model is not None else ideal
    # E[O] = Σ_terms c Σ_t p(t) Π_{i ∈ term} signs[i, t_i]; outcome index bit k is read[k].
    n = len(read)
    outcomes = np.arange(2**n)
    bits = (outcomes[:, None] >> np.arange(n)[None, :]) & 1  # (2^n, n)
    logical = {q: k for k, q in enumerate(qnn.read_qubits)}
    value = np.zeros(2**n)
    for label, coeff in zip(qnn.observable.paulis.to_labels(), qnn.observable.coeffs, strict=True):
        term = np.ones(2**n)
        for q, letter in enumerate(reversed(label)):
            if letter == "Z":
                k = logical[q]
                term *= signs[k, bits[:, k]]
        value += float(np.real(coeff)) * term
    return probs @ value


@dataclasses.dataclass(frozen=True)
class DeviceEvaluation:
    """The workload's QNNs on one device: per-point metrics beside the noiseless ones, and how.

    Attributes:
        evaluations: Specs ``("none", label)``: the noiseless QNN and the QNN on the device.
        transpiled: The transpilation (swaps, layout, gates) every seed's QNN shares.
        backend: The fake backend's name.
    """

    evaluations: Evaluations
    transpiled: Transpiled
    backend: str


def evaluate_on_device(workload: Any, backend: Any, label: str, *, seed: int = 0) -> DeviceEvaluation:
    """Every seed's noiselessly trained QNN of ``workload`` (a ``qec.qnn.Workload``, inference
    definition) on its test points, noiseless and on ``backend`` under its Aer noise model.

    Raises:
        ValueError: the workload is not the inference one, or its QNN is too wide for a density matrix.
    """
    if workload.definition != "inference":
        raise ValueError("the device verdict evaluates the noiselessly trained weights (the inference "
                         "definition); this tolerance was measured with the training one")  # fmt: skip
    shape = workload.shape
    if int(shape["qubits"]) > MAX_DEVICE_QUBITS:
        raise ValueError(f"qubits={shape['qubits']}: the device verdict simulates a density matrix of at "
                         f"most {MAX_DEVICE_QUBITS} qubits")  # fmt: skip
    qnn = workload._qnn
    transpiled = transpile_qnn(qnn, backend, seed=seed)
    noise_model = backend_noise_model(backend)
    base = workload.evaluate(["none"])
    acc, loss = [], []
    shots = int(shape["shots"])
    for k, s in enumerate(workload.seeds):
        data = config_dataset(TrainConfig(**shape, seed=s), len(qnn.inputs), extra_test=workload.extra_test,
                              extra_seed=workload.extra_seed)  # fmt: skip
        weights = dict(zip(qnn.weights, workload.weights("none", s), strict=True))
        bindings = [{**weights, **dict(zip(qnn.inputs, x, strict=True))} for x in data.x_test]
        ev = device_expectations(transpiled, qnn, noise_model, bindings)
        dev_acc = shot_accuracy(ev, data.y_test, shots=shots)
        acc.append([base.accuracy[k, 0], dev_acc])
        loss.append([base.loss[k, 0], (ev - data.y_test) ** 2])
    evals = Evaluations(("none", label), workload.seeds, np.array(acc), np.array(loss))
    return DeviceEvaluation(evaluations=evals, transpiled=transpiled, backend=backend.name)
