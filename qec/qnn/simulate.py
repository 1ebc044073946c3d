"""How a QNN's expectations are simulated on this machine, and the Aer-backed QNN that computes them."""

from __future__ import annotations

import dataclasses
import math
import os
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


def simulation(
    config: TrainConfig, memory_bytes: int | None = None, *, noisy: bool | None = None
) -> Simulation:
    """The simulation ``config`` runs on this machine, or a ``ValueError`` saying why none fits.

    ``noisy``: whether the run carries noise; by default, whether ``config.noise`` does (a
    measured channel in place of ``config.noise`` is noise too).

    Example:
        >>> simulation(TrainConfig(qubits=12, noise="logical:0.01"), 24 * 2**30)
        Simulation(method='trajectories', precision=0.0316..., trajectories=1000)
        >>> simulation(TrainConfig(qubits=12), 24 * 2**30, noisy=True).method
        'trajectories'
    """
    n = config.qubits
    precision = 1 / math.sqrt(config.trajectories)
    sv_limit = max_statevector_qubits(memory_bytes)
    dm_limit = max_qubits(memory_bytes)
    noiseless = QNNNoise.parse(config.noise).is_noiseless if noisy is None else not noisy
    if config.method == "mps":  # memory follows the entanglement, not the qubit count
        if noiseless:
            return Simulation("mps")
        return Simulation("mps", precision=precision, trajectories=config.trajectories)
    if n > sv_limit:
        raise ValueError(f"qubits={n} does not fit this machine: even a statevector needs 16·2^n bytes, and "
                         f"{sv_limit} qubits fit a quarter of its memory; method mps may hold a circuit "
                         "with little entanglement")  # fmt: skip
    if noiseless:
        return Simulation("statevector")
    method = config.method
    if method == "auto":
        method = "density_matrix" if n <= min(AUTO_DENSITY_MAX, dm_limit) else "trajectories"
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
    sim = simulation(config, noisy=noisy)
    parts = qnn if qnn is not None else qnn_parts(config)
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
