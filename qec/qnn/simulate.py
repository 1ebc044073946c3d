"""How a QNN's expectations are simulated on this machine, and the Aer-backed QNN that computes them."""

from __future__ import annotations

import dataclasses
import math
import os
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from qec.qnn.circuit import QNN, qnn_parts
from qec.qnn.config import AUTO_DENSITY_MAX, QNNNoise, TrainConfig

if TYPE_CHECKING:
    from qec.channel import LogicalChannel


def max_statevector_qubits(memory_bytes: int | None = None) -> int:
    """Largest qubit count whose statevector (16·2^n bytes) fits in a quarter of memory.

    Example:
        >>> max_statevector_qubits(24 * 2**30)
        28
    """
    if memory_bytes is None:
        memory_bytes = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    return math.floor(math.log2(memory_bytes / 4 / 16))


def max_qubits(memory_bytes: int | None = None) -> int:
    """Largest qubit count whose density matrix (16·4^n bytes) fits in a quarter of memory.

    Aer holds the state plus work space; a quarter leaves room for both and for the rest.

    Example:
        >>> max_qubits(24 * 2**30)
        14
    """
    if memory_bytes is None:
        memory_bytes = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    return math.floor(math.log(memory_bytes / 4 / 16, 4))


@dataclasses.dataclass(frozen=True)
class Simulation:
    """How a config's expectations are computed: ``method`` with ``precision`` per expectation.

    Attributes:
        method: ``statevector`` (exact, noiseless), ``density_matrix`` (exact),
            ``trajectories`` (Aer statevector, one noise realisation per trajectory) or ``mps``
            (matrix product states: exact when noiseless, trajectories under noise).
        precision: 0 when exact; with trajectories, 1/√trajectories: the observable has
            eigenvalues ±1 (``parse_observable``), so each trajectory's value lies in [−1, 1]
            and its standard deviation is at most 1 — a bound on the standard error.
        trajectories: Trajectories per expectation (0 when exact).
    """

    method: str
    precision: float = 0.0
    trajectories: int = 0

    def describe(self) -> str:
        """In words, for reports.

        Example:
            >>> Simulation("trajectories", precision=0.05, trajectories=400).describe()
            'trajectories (statevector), 400 per expectation, precision ±0.05'
        """
        if not self.trajectories:
            return f"{self.method.replace('_', ' ')} (exact)"
        kind = "matrix product states" if self.method == "mps" else "statevector"
        return f"trajectories ({kind}), {self.trajectories} per expectation, precision ±{self.precision:.2g}"


def auto_method(qubits: int, bond: Callable[[], int], *, density_max: int) -> str:
    """What ``auto`` runs a noisy QNN with: the method that is fastest at the precision it promises.

    Up to ``density_max`` qubits the density matrix (exact). Beyond, noise trajectories, on
    matrix product states when the circuit's state is little entangled and on a statevector
    otherwise: both run the same trajectories with the same noise draws (precision
    1/√trajectories), and they differ in cost only. A two-qubit gate costs about χ³ on matrix
    product states of bond dimension χ and 2ⁿ on a statevector, so ``mps`` is chosen when
    χ³ ≤ 2ⁿ. Measured (docs/reference/performance.md, ring ansatz, 14 points, 200
    trajectories): χ = 16 at 12 qubits, on that line, ran equally fast both ways; χ = 4 at
    16 qubits ran 31× faster as mps, χ = 64 at 12 qubits 10× slower.

    Args:
        qubits: The circuit's qubits.
        bond: The bond dimension χ of the circuit's state (``mps_bond_dimension``); called only
            beyond ``density_max`` qubits.
        density_max: Most qubits simulated as a density matrix.

    Example:
        >>> auto_method(8, lambda: 64, density_max=10), auto_method(16, lambda: 4, density_max=10)
        ('density_matrix', 'mps')
        >>> auto_method(12, lambda: 64, density_max=10)
        'trajectories'
    """
    if qubits <= density_max:
        return "density_matrix"
    return "mps" if bond() ** 3 <= 2**qubits else "trajectories"


def mps_bond_dimension(circuit: Any, *, cap: int | None = None) -> int:
    """The largest bond dimension of ``circuit``'s state as matrix product states, at generic
    parameters (seeded random values; particular ones can only entangle less), or ``cap`` when
    it reaches that (the probe then stops growing it, so it costs at most about one statevector
    run). Noise does not change it: a Pauli error or readout flip is local. Cached by the
    circuit's gates and qubits.

    Example:
        >>> from qiskit import QuantumCircuit
        >>> ghz = QuantumCircuit(4)
        >>> _ = ghz.h(0), ghz.cx(0, 1), ghz.cx(1, 2), ghz.cx(2, 3)
        >>> mps_bond_dimension(ghz)
        2
    """
    index = circuit.find_bit
    gates = tuple((i.operation.name, tuple(index(q).index for q in i.qubits)) for i in circuit.data)
    key = (circuit.num_qubits, cap, gates)
    if key not in _BONDS:
        _BONDS[key] = _probe_bond(circuit, cap)
    return _BONDS[key]


# mps_bond_dimension's answers, by circuit structure: every noise spec and seed of a workload
# builds a QNN of the same circuit.
_BONDS: dict[tuple, int] = {}


def _probe_bond(circuit: Any, cap: int | None) -> int:
    import numpy as np
    from qiskit_aer import AerSimulator

    values = np.random.default_rng(0).uniform(-np.pi, np.pi, circuit.num_parameters)
    bound = circuit.assign_parameters(dict(zip(circuit.parameters, values, strict=True)))
    if bound.num_clbits:
        bound = bound.remove_final_measurements(inplace=False)
    bound.save_matrix_product_state()
    options: dict[str, Any] = {"method": "matrix_product_state"}
    if cap is not None:
        options["matrix_product_state_max_bond_dimension"] = cap
    state = AerSimulator(**options).run(bound).result().data(0)["matrix_product_state"]
    return max((len(values) for values in state[1]), default=1)


def simulation(
    config: TrainConfig,
    memory_bytes: int | None = None,
    *,
    noisy: bool | None = None,
    circuit: Any = None,
) -> Simulation:
    """The simulation ``config`` runs on this machine, or a ``ValueError`` saying why none fits.

    ``noisy``: whether the run carries noise; by default, whether ``config.noise`` does (a
    measured channel in place of ``config.noise`` is noise too). ``circuit``: the QNN's circuit
    (``qnn_parts(config).circuit``), which ``auto`` measures the entanglement of beyond the
    density matrix's qubits (``auto_method``); built from ``config`` when not given (a
    ``MODULE:FUNCTION`` circuit must be given: it is never imported here).

    Example:
        >>> simulation(TrainConfig(qubits=12, noise="logical:0.01"), 24 * 2**30)
        Simulation(method='mps', precision=0.0316..., trajectories=1000)
        >>> simulation(TrainConfig(qubits=12, layers=4, connectivity="ring"), 24 * 2**30, noisy=True).method
        'trajectories'
    """
    n = config.qubits
    precision = 1 / math.sqrt(config.trajectories)
    sv_limit = max_statevector_qubits(memory_bytes)
    dm_limit = max_qubits(memory_bytes)
    noiseless = QNNNoise.parse(config.noise).is_noiseless if noisy is None else not noisy
    method = config.method
    if method == "auto" and not noiseless:

        def bond() -> int:
            made = circuit if circuit is not None else qnn_parts(config).circuit
            return mps_bond_dimension(made, cap=math.floor(2 ** (n / 3)) + 1)

        method = auto_method(n, bond, density_max=min(AUTO_DENSITY_MAX, dm_limit))
    if method == "mps":  # memory follows the entanglement, not the qubit count
        if noiseless:
            return Simulation("mps")
        return Simulation("mps", precision=precision, trajectories=config.trajectories)
    if n > sv_limit:
        raise ValueError(f"qubits={n} does not fit this machine: even a statevector needs 16·2^n bytes, and "
                         f"{sv_limit} qubits fit a quarter of its memory; method mps may hold a circuit "
                         "with little entanglement")  # fmt: skip
    if noiseless:
        return Simulation("statevector")
    if method == "density_matrix":
        if n > dm_limit:
            raise ValueError(f"qubits={n} does not fit this machine as a density matrix (16·4^n bytes; "
                             f"{dm_limit} qubits fit a quarter of its memory): use method trajectories "
                             "(or auto)")  # fmt: skip
        return Simulation("density_matrix")
    return Simulation("trajectories", precision=precision, trajectories=config.trajectories)


def build_qnn(config: TrainConfig, *, channel: LogicalChannel | None = None, qnn: QNN | None = None):
    """The ``EstimatorQNN`` of ``config``: its circuit with noise sites, on Aer's ``EstimatorV2``
    with the method ``simulation`` chooses (exact expectations unless trajectories run).

    ``channel``: a measured logical channel (``qec.channel``) in place of ``config.noise``,
    simulated as any noisy run of this shape is. ``qnn``: ``qnn_parts(config)``, when the caller
    has it already (it depends on neither noise nor seed)."""
    from qiskit_aer.primitives import EstimatorV2
    from qiskit_machine_learning.neural_networks import EstimatorQNN

    from qec.aer import measured_noise_model, with_noise_sites

    if channel is None:
        noise = QNNNoise.parse(config.noise)
        model, idle, noisy = noise.aer_model(), noise.has_idle_noise, not noise.is_noiseless
    else:  # the measured channel: noise on gates and readouts, none on idling qubits
        model, idle, noisy = measured_noise_model(channel), False, True
    parts = qnn if qnn is not None else qnn_parts(config)
    sim = simulation(config, noisy=noisy, circuit=parts.circuit)
    circuit = parts.circuit
    if model is not None:
        circuit = with_noise_sites(circuit, idle=idle, readout_qubits=list(parts.read_qubits))
    method = {"trajectories": "statevector", "mps": "matrix_product_state"}.get(sim.method, sim.method)
    backend_options: dict[str, Any] = {"method": method}
    if model is not None:
        backend_options["noise_model"] = model
    options: dict[str, Any] = {"backend_options": backend_options, "default_precision": 0.0}
    if sim.trajectories:
        options["run_options"] = {"shots": sim.trajectories, "seed_simulator": config.seed}
    estimator = EstimatorV2(options=options)
    return EstimatorQNN(circuit=circuit, estimator=estimator, observables=parts.observable,
                        input_params=list(parts.inputs), weight_params=list(parts.weights),
                        default_precision=0.0)  # fmt: skip
