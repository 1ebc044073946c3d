"""QNN workloads: datasets, circuits on a connectivity graph, noisy training with checkpoints."""

from __future__ import annotations

import dataclasses
import json
import math
import os
import pathlib
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from qec._check import check_int
from qec._io import atomic_write_text
from qec.noise import CIRCUIT_LEVEL, NoiseModel, split_spec

if TYPE_CHECKING:
    import networkx as nx

    from qec.channel import LogicalChannel

DATASETS: tuple[str, ...] = ("moons", "circles", "parity", "iris", "wine", "breast_cancer")
SYNTHETIC: tuple[str, ...] = ("moons", "circles", "parity")
# Largest qubit count any method here can hold (a 30-qubit density matrix is 16 EiB).
MAX_QUBITS = 30
CONNECTIVITIES: tuple[str, ...] = ("line", "ring", "grid", "all")
OBSERVABLES: tuple[str, ...] = ("parity", "z0")  # or a Pauli sum (qec.byo.parse_observable)
# How noisy expectations are simulated. auto: the density matrix up to AUTO_DENSITY_MAX qubits
# (exact, and faster than trajectories there), noise trajectories beyond; noiseless runs are an
# exact statevector. mps (only when asked for): matrix product states, exact when noiseless and
# trajectories under noise, whose memory follows the entanglement rather than 2^n — for circuits
# with little of it (a line of nearest-neighbour gates), beyond a statevector's reach.
METHODS: tuple[str, ...] = ("auto", "density_matrix", "trajectories", "mps")
AUTO_DENSITY_MAX = 10


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


# ---------------------------------------------------------------------------------------
# Data


@dataclasses.dataclass(frozen=True)
class Dataset:
    """A binary classification problem, features scaled to [0, π], labels in {−1, +1}.

    Attributes:
        name: Dataset name. x_train, y_train, x_test, y_test: The seeded split.
    """

    name: str
    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray


def load_dataset(
    name: str,
    *,
    num_features: int,
    samples: int = 100,
    test_fraction: float = 0.3,
    seed: int = 0,
    extra_test: int = 0,
    extra_seed: int = 0,
) -> Dataset:
    """A dataset that needs no download, reduced or tiled to ``num_features`` features.

    ``moons``, ``circles`` (2-D, scikit-learn generators, noise 0.1) and ``parity`` (random
    bit strings labelled by their parity) are synthetic; ``iris``, ``wine`` and
    ``breast_cancer`` ship with scikit-learn (the first two classes where there are more;
    ``samples`` drawn without replacement). Features are reduced with PCA when there are more
    than ``num_features`` and tiled when fewer, then min–max scaled to [0, π] on the training
    split.

    Example:
        >>> data = load_dataset("moons", num_features=4, samples=20, seed=1)
        >>> data.x_train.shape, data.x_test.shape, sorted(set(data.y_train.tolist()))
        ((14, 4), (6, 4), [-1, 1])
    """
    from sklearn import datasets as skd
    from sklearn.decomposition import PCA
    from sklearn.model_selection import train_test_split

    from qec.byo import is_data_file, load_table

    if name not in DATASETS and not is_data_file(name):
        raise ValueError(f"dataset={name!r} is not known; allowed: {DATASETS} or a .csv/.npz file")
    check_int("samples", samples, least=4)
    if not 0 < test_fraction < 1:
        raise ValueError(f"test_fraction={test_fraction!r} must be in (0, 1)")
    check_int("extra_test", extra_test, least=0)
    if extra_test and name not in SYNTHETIC:
        raise ValueError(f"extra_test={extra_test} needs a synthetic dataset {SYNTHETIC}; {name!r} has "
                         "no more points than it ships")  # fmt: skip
    rng = np.random.default_rng(seed)
    if is_data_file(name):
        x, y = load_table(name)
        if x.shape[1] != num_features:
            raise ValueError(f"data={name!r} has {x.shape[1]} feature columns; the circuit has "
                             f"{num_features} input parameters: they must agree")  # fmt: skip
        pick = rng.choice(len(y), size=min(samples, len(y)), replace=False)
        x, y = x[pick], y[pick]
        _check_split(name, y, test_fraction)
    elif name in SYNTHETIC:
        x, y = _synthetic(name, samples, num_features, seed)
    else:
        loader = {"iris": skd.load_iris, "wine": skd.load_wine, "breast_cancer": skd.load_breast_cancer}
        x, y = loader[name](return_X_y=True)
        keep = y < 2
        x, y = x[keep], y[keep]
        pick = rng.choice(len(y), size=min(samples, len(y)), replace=False)
        x, y = x[pick], y[pick]
    x_train, x_test, y_train, y_test = train_test_split(
        x, y, test_size=test_fraction, random_state=seed, stratify=y
    )
    if x.shape[1] > num_features:
        pca = PCA(n_components=num_features, random_state=seed).fit(x_train)
        x_train, x_test = pca.transform(x_train), pca.transform(x_test)
    elif x.shape[1] < num_features:
        reps = math.ceil(num_features / x.shape[1])
        x_train = np.tile(x_train, reps)[:, :num_features]
        x_test = np.tile(x_test, reps)[:, :num_features]
    if extra_test:
        fresh_seed = int(np.random.SeedSequence([seed, 2, extra_seed]).generate_state(1)[0])
        x_new, y_new = _synthetic(name, extra_test, x.shape[1], fresh_seed)
        if x.shape[1] < num_features:
            x_new = np.tile(x_new, math.ceil(num_features / x.shape[1]))[:, :num_features]
        x_test, y_test = np.concatenate([x_test, x_new]), np.concatenate([y_test, y_new])
    lo, hi = x_train.min(axis=0), x_train.max(axis=0)
    span = np.where(hi > lo, hi - lo, 1.0)
    scale = lambda a: np.clip((a - lo) / span, 0, 1) * np.pi  # noqa: E731
    to_pm = lambda labels: np.where(labels == 1, 1, -1)  # noqa: E731
    return Dataset(name, scale(x_train), to_pm(y_train), scale(x_test), to_pm(y_test))


def _check_split(name: str, y: np.ndarray, test_fraction: float) -> None:
    """Raise unless a stratified split leaves both classes in both parts."""
    n = len(y)
    n_test = math.ceil(n * test_fraction)
    smallest = int(min(np.sum(y == 0), np.sum(y == 1)))
    if smallest < 2 or n_test < 2 or n - n_test < 2:
        raise ValueError(f"data={name!r}: {n} rows ({smallest} in the smaller class) are too few for a "
                         f"stratified split with test_fraction={test_fraction}: each part needs both classes "
                         "(at least 2 rows per class, 2 per part)")  # fmt: skip


def _synthetic(name: str, samples: int, num_features: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    from sklearn import datasets as skd

    if name == "moons":
        return skd.make_moons(n_samples=samples, noise=0.1, random_state=seed)
    if name == "circles":
        return skd.make_circles(n_samples=samples, noise=0.1, factor=0.5, random_state=seed)
    x = np.random.default_rng(seed).integers(0, 2, size=(samples, num_features)).astype(float)
    return x, x.sum(axis=1).astype(int) % 2


# ---------------------------------------------------------------------------------------
# Circuits


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


def observable(kind: str, num_qubits: int):
    """``parity``: Z on every qubit; ``z0``: Z on qubit 0. Returns (SparsePauliOp, read qubits)."""
    from qiskit.quantum_info import SparsePauliOp

    if kind == "parity":
        return SparsePauliOp("Z" * num_qubits), list(range(num_qubits))
    if kind == "z0":
        return SparsePauliOp("I" * (num_qubits - 1) + "Z"), [0]
    raise ValueError(f"observable={kind!r} is not known; allowed: {OBSERVABLES}")


# ---------------------------------------------------------------------------------------
# Noise


@dataclasses.dataclass(frozen=True)
class QNNNoise:
    """What noise the QNN sees: ``none``, a physical model (``circuit``/``si1000`` at p) or
    ``logical`` at ε_op.

    Example:
        >>> QNNNoise.parse("logical:0.01")
        QNNNoise(kind='logical', value=0.01)
    """

    kind: str
    value: float = 0.0

    def __post_init__(self) -> None:
        if self.kind == "none":
            return
        if self.kind == "logical":
            if not 0 <= self.value <= 1:
                raise ValueError(f"logical eps={self.value!r} must be in [0, 1]")
            return
        if self.kind not in CIRCUIT_LEVEL:
            raise ValueError(f"noise kind {self.kind!r} is not allowed; allowed: none, circuit:<p>, "
                             "si1000:<p>, logical:<eps>")  # fmt: skip
        NoiseModel(self.kind, self.value)  # validates p

    @classmethod
    def parse(cls, spec: str) -> QNNNoise:
        """Parse ``none``, ``circuit:<p>``, ``si1000:<p>`` or ``logical:<eps>``."""
        if spec == "none":
            return cls("none")
        return cls(*split_spec(spec, expected="none, circuit:<p>, si1000:<p> or logical:<eps>"))

    def __str__(self) -> str:
        return "none" if self.kind == "none" else f"{self.kind}:{self.value:g}"

    @property
    def is_noiseless(self) -> bool:
        """``none`` or any model at strength 0: a zero-strength noise is no noise, and takes the
        exact noiseless path (the density-matrix path rounds differently in the last bits)."""
        return self.kind == "none" or self.value == 0

    def aer_model(self):
        """The Aer noise model, or None when noiseless (``none`` or strength 0)."""
        from qec.aer import logical_noise_model, physical_noise_model

        if self.is_noiseless:
            return None
        if self.kind == "logical":
            return logical_noise_model(self.value)
        return physical_noise_model(NoiseModel(self.kind, self.value))

    @property
    def has_idle_noise(self) -> bool:
        return self.kind in CIRCUIT_LEVEL and self.value > 0


# ---------------------------------------------------------------------------------------
# Training


@dataclasses.dataclass(frozen=True)
class TrainConfig:
    """Everything that determines a training run (same config, same result).

    Attributes:
        dataset: One of ``DATASETS``, or a CSV/NPZ file of your own (``qec.byo.load_table``).
        qubits: Qubit count (= features for the built-in ansatz; = the circuit's qubits with
            ``circuit``). layers: Ansatz layers. connectivity: Ansatz graph name (both unused
            with ``circuit``). observable: ``parity``, ``z0`` or a Pauli sum (``ZZII``,
            ``0.5*ZIIZ + 0.5*IZZI``; rightmost letter = qubit 0).
        noise: Noise spec (``QNNNoise.parse`` syntax). seed: Seeds split, initial point.
        samples: Dataset size. test_fraction: Held-out share.
        maxiter: COBYLA iterations in total. chunk: Iterations between checkpoints.
        shots: Shots per prediction when scoring accuracy (0: the sign of the exact
            expectation). Training uses exact expectations; scoring with shots is what
            hardware would see, where a signal shrunk by noise drowns in shot noise.
        circuit: Empty for the built-in ansatz, or your own: a ``.qpy`` file or
            ``MODULE:FUNCTION`` (``qec.byo.load_circuit``; inputs are ``ParameterVector("x")``).
        method: How expectations are simulated: ``auto``, ``density_matrix``, ``trajectories``
            or ``mps`` (``METHODS``; ``simulation``). trajectories: Noise trajectories per
            expectation where trajectories run (precision s/√trajectories, ``Simulation``).
    """

    dataset: str = "moons"
    qubits: int = 4
    layers: int = 2
    connectivity: str = "line"
    observable: str = "parity"
    noise: str = "none"
    seed: int = 0
    samples: int = 100
    test_fraction: float = 0.3
    maxiter: int = 100
    chunk: int = 50
    shots: int = 1000
    circuit: str = ""
    method: str = "auto"
    trajectories: int = 1000

    def __post_init__(self) -> None:
        from qec.byo import check_observable_spec, is_data_file

        if self.dataset not in DATASETS and not is_data_file(self.dataset):
            raise ValueError(
                f"dataset={self.dataset!r} is not known; allowed: {DATASETS} or a .csv/.npz file"
            )
        # Memory is checked where the simulation starts (build_qnn), not here: a config or
        # checkpoint valid on one node must stay valid on another.
        check_int("qubits", self.qubits, least=1, most=MAX_QUBITS)
        for name in ("layers", "samples", "maxiter", "chunk", "shots", "seed", "trajectories"):
            value = getattr(self, name)
            least = 0 if name in ("layers", "shots", "seed") else 1
            check_int(name, value, least=least)
        if self.connectivity not in CONNECTIVITIES:
            raise ValueError(f"connectivity={self.connectivity!r} is not known; allowed: {CONNECTIVITIES}")
        check_observable_spec(self.observable)
        if self.method not in METHODS:
            raise ValueError(f"method={self.method!r} is not known; allowed: {METHODS}")
        if not isinstance(self.circuit, str):
            raise ValueError(f"circuit={self.circuit!r} must be a .qpy file, MODULE:FUNCTION or empty")
        QNNNoise.parse(self.noise)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TrainConfig:
        """A config as ``dataclasses.asdict`` wrote it; keys a file predates take their defaults."""
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValueError(f"QNN config has unknown keys {unknown}; allowed: {sorted(known)}")
        return cls(**data)

    @classmethod
    def for_circuit(cls, circuit: str, **kwargs: Any) -> TrainConfig:
        """A config for your own circuit, with ``qubits`` read from it (and ``layers`` = 0).

        Example:
            >>> TrainConfig.for_circuit("qec.byo:example_circuit", observable="ZZ").qubits
            2
        """
        from qec.byo import load_circuit

        qc, _, _ = load_circuit(circuit)
        return cls(circuit=circuit, qubits=qc.num_qubits, layers=0, **kwargs)


@dataclasses.dataclass(frozen=True)
class TrainResult:
    """The outcome of a training run.

    Attributes:
        config: The configuration. train_accuracy, test_accuracy: Fractions correct.
        final_loss: Last objective value (mean squared error on the training set).
        loss_history: Objective value at every evaluation. iterations: Evaluations made.
        wall_seconds: Training wall time (summed over resumed pieces).
        weights: Trained weights.
        method: The simulation that ran (``statevector`` exact when noiseless,
            ``density_matrix`` or ``trajectories``). precision: Its statistical precision
            on each expectation value (0: exact; trajectories: 1/√trajectories, one σ bound).
    """

    config: TrainConfig
    train_accuracy: float
    test_accuracy: float
    final_loss: float
    loss_history: tuple[float, ...]
    iterations: int
    wall_seconds: float
    weights: tuple[float, ...]
    method: str = "density_matrix"
    precision: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        out = dataclasses.asdict(self)
        out["config"] = dataclasses.asdict(self.config)
        out["loss_history"] = list(self.loss_history)
        out["weights"] = list(self.weights)
        return out


@dataclasses.dataclass(frozen=True)
class Simulation:
    """How a config's expectations are computed: ``method`` with ``precision`` per expectation.

    Attributes:
        method: ``statevector`` (exact, noiseless), ``density_matrix`` (exact),
            ``trajectories`` (Aer statevector, one noise realisation per trajectory) or ``mps``
            (matrix product states: exact when noiseless, trajectories under noise).
        precision: 0 when exact; with trajectories, s/√trajectories, where s is the sum of the
            observable's |coefficients| (1 for parity and z0): each trajectory's value lies in
            [−s, s], so its standard deviation is at most s — a bound on the standard error.
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


def simulation(config: TrainConfig, memory_bytes: int | None = None) -> Simulation:
    """The simulation ``config`` runs on this machine, or a ``ValueError`` saying why none fits.

    Example:
        >>> simulation(TrainConfig(qubits=12, noise="logical:0.01"), 24 * 2**30)
        Simulation(method='trajectories', precision=0.0316..., trajectories=1000)
    """
    from qec.byo import parse_observable

    n = config.qubits
    scale = float(sum(abs(c) for c in parse_observable(config.observable, n).coeffs))
    precision = scale / math.sqrt(config.trajectories)
    sv_limit = max_statevector_qubits(memory_bytes)
    dm_limit = max_qubits(memory_bytes)
    noiseless = QNNNoise.parse(config.noise).is_noiseless
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


def qnn_parts(config: TrainConfig):
    """The QNN of ``config`` before noise: ``(circuit, inputs, weights, observable, read_qubits)``.

    The circuit ends with the basis changes its observable needs (``qec.byo.rotate_to_z``), so
    the observable is diagonal (I/Z) and ``read_qubits`` are the qubits read out.
    """
    from qec.byo import load_circuit, measurement_bases, parse_observable, rotate_to_z

    if config.circuit:
        circuit, inputs, weights = load_circuit(config.circuit)
        if circuit.num_qubits != config.qubits:
            raise ValueError(f"qubits={config.qubits} but circuit {config.circuit!r} has "
                             f"{circuit.num_qubits} qubits (TrainConfig.for_circuit reads them from "
                             "it)")  # fmt: skip
    else:
        graph = connectivity_graph(config.connectivity, config.qubits)
        circuit, inputs, weights = qnn_circuit(config.qubits, config.layers, graph)
    obs = parse_observable(config.observable, config.qubits)
    read = list(measurement_bases(obs))
    circuit, obs = rotate_to_z(circuit, obs)
    return circuit, inputs, weights, obs, read


def build_qnn(config: TrainConfig, *, channel: LogicalChannel | None = None):
    """The ``EstimatorQNN`` of ``config``: its circuit with noise sites, on Aer's ``EstimatorV2``
    with the method ``simulation`` chooses (exact expectations unless trajectories run).

    ``channel``: a measured logical channel (``qec.channel``) in place of ``config.noise``,
    simulated as any noisy run of this shape is."""
    from qiskit_aer.primitives import EstimatorV2
    from qiskit_machine_learning.neural_networks import EstimatorQNN

    from qec.aer import measured_noise_model, with_noise_sites

    if channel is not None:
        # Noise of the logical kind: the same simulation method a logical:<eps> run gets.
        config = dataclasses.replace(config, noise="logical:0.01")
    sim = simulation(config)
    noise = QNNNoise.parse(config.noise)
    circuit, inputs, weights, obs, read = qnn_parts(config)
    model = noise.aer_model() if channel is None else measured_noise_model(channel)
    if model is not None:
        circuit = with_noise_sites(circuit, idle=noise.has_idle_noise, readout_qubits=read)
    method = {"trajectories": "statevector", "mps": "matrix_product_state"}.get(sim.method, sim.method)
    backend_options: dict[str, Any] = {"method": method}
    if model is not None:
        backend_options["noise_model"] = model
    options: dict[str, Any] = {"backend_options": backend_options, "default_precision": 0.0}
    if sim.trajectories:
        options["run_options"] = {"shots": sim.trajectories, "seed_simulator": config.seed}
    estimator = EstimatorV2(options=options)
    return EstimatorQNN(circuit=circuit, estimator=estimator, observables=obs, input_params=inputs,
                        weight_params=weights, default_precision=0.0)  # fmt: skip


def config_dataset(
    config: TrainConfig, num_features: int, *, extra_test: int = 0, extra_seed: int = 0
) -> Dataset:
    """The dataset of ``config`` (its seed's split) with ``num_features`` features (the circuit's inputs)."""
    return load_dataset(config.dataset, num_features=num_features, samples=config.samples,
                        test_fraction=config.test_fraction, seed=config.seed, extra_test=extra_test,
                        extra_seed=extra_seed)  # fmt: skip


def train(
    config: TrainConfig,
    *,
    checkpoint: str | os.PathLike[str] | None = None,
    progress: Callable[[int, float], None] | None = None,
) -> TrainResult:
    """Train the QNN of ``config`` with COBYLA through qiskit-machine-learning.

    Training runs in chunks of ``config.chunk`` iterations, each restarting COBYLA from the
    last weights; after each chunk the weights and loss history go to ``checkpoint``
    (atomically). A run that finds a checkpoint of the same config resumes from it, and
    because chunk boundaries are the only restart points, a resumed run gives the same
    result as an uninterrupted one.

    Args:
        config: What to train.
        checkpoint: Checkpoint file (None: no checkpointing).
        progress: Called with (iterations so far, current loss) after each chunk.

    Example:
        >>> r = train(TrainConfig(qubits=2, layers=1, samples=12, maxiter=8, chunk=6))
        >>> r.iterations, 0 <= r.test_accuracy <= 1
        (8, True)
    """
    from qiskit_machine_learning.algorithms import NeuralNetworkClassifier
    from qiskit_machine_learning.optimizers import COBYLA

    sim = simulation(config)
    qnn = build_qnn(config)
    data = config_dataset(config, qnn.num_inputs)
    rng = np.random.default_rng(config.seed)
    weights = rng.uniform(-np.pi, np.pi, qnn.num_weights)
    history: list[float] = []
    done, wall = 0, 0.0
    state = _load_checkpoint(checkpoint, config)
    if state is not None:
        weights = np.array(state["weights"])
        history, done, wall = list(state["loss_history"]), state["done"], state["wall_seconds"]

    # COBYLA needs at least num_weights + 2 evaluations per start; a short tail joins the
    # chunk before it rather than being silently stretched by SciPy.
    least = qnn.num_weights + 2
    if config.chunk < least or config.maxiter < least:
        raise ValueError(f"chunk={config.chunk} and maxiter={config.maxiter} must be >= number of "
                         f"weights + 2 = {least} (COBYLA's minimum per start)")  # fmt: skip
    while done < config.maxiter:
        remaining = config.maxiter - done
        step = remaining if remaining - config.chunk < least else config.chunk
        start = time.perf_counter()
        classifier = NeuralNetworkClassifier(
            qnn, loss="squared_error", optimizer=COBYLA(maxiter=step), initial_point=weights,
            callback=lambda _w, value: history.append(float(value)),
        )  # fmt: skip
        classifier.fit(data.x_train, data.y_train)
        weights = np.asarray(classifier.weights, dtype=float)
        done += step
        wall += time.perf_counter() - start
        if checkpoint is not None:
            atomic_write_text(checkpoint, json.dumps({
                "config": dataclasses.asdict(config), "weights": weights.tolist(),
                "loss_history": history, "done": done, "wall_seconds": wall,
            }))  # fmt: skip
        if progress is not None:
            progress(done, history[-1] if history else float("nan"))

    score_rng = np.random.default_rng([config.seed, 1])  # its own stream: training draws none
    splits = ((data.x_train, data.y_train), (data.x_test, data.y_test))
    train_acc, test_acc = (
        _accuracy(qnn, weights, x, y, shots=config.shots, rng=score_rng) for x, y in splits
    )
    return TrainResult(config=config, train_accuracy=train_acc, test_accuracy=test_acc,
                       final_loss=history[-1] if history else float("nan"),
                       loss_history=tuple(history), iterations=len(history), wall_seconds=wall,
                       weights=tuple(weights.tolist()), method=sim.method,
                       precision=sim.precision)  # fmt: skip


def _accuracy(
    qnn: Any, weights: np.ndarray, x: np.ndarray, y: np.ndarray, *, shots: int, rng: np.random.Generator
) -> float:
    """Fraction of correct signs; with ``shots``, of the mean of ``shots`` ±1 outcomes."""
    ev = np.asarray(qnn.forward(x, weights)).reshape(-1)
    if shots:
        plus = rng.binomial(shots, np.clip((1 + ev) / 2, 0, 1))
        ev = 2 * plus / shots - 1
        ev = np.where(ev == 0, rng.choice([-1.0, 1.0], size=ev.shape), ev)  # a tie is a coin flip
    return float(np.mean(np.where(ev >= 0, 1, -1) == y))


def _load_checkpoint(path: str | os.PathLike[str] | None, config: TrainConfig) -> dict | None:
    if path is None or not pathlib.Path(path).exists():
        return None
    try:
        state = json.loads(pathlib.Path(path).read_text())
    except (OSError, json.JSONDecodeError) as e:
        raise ValueError(f"checkpoint {str(path)!r} is unreadable ({e}); delete it to start over") from None
    if state.get("config") != dataclasses.asdict(config):
        raise ValueError(f"checkpoint {str(path)!r} belongs to another configuration "
                         f"({state.get('config')}); delete it or choose another --out")  # fmt: skip
    return state
