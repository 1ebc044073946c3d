"""What determines a QNN run: TrainConfig, its noise QNNNoise, and the vocabularies they accept."""

from __future__ import annotations

import dataclasses
import math
import re
from typing import Any

from qec._check import check_int, check_number
from qec.noise import CIRCUIT_LEVEL, NoiseModel, split_spec

DATASETS: tuple[str, ...] = ("moons", "circles", "parity", "iris", "wine", "breast_cancer")
SYNTHETIC: tuple[str, ...] = ("moons", "circles", "parity")
# Largest qubit count any method here can hold (a 30-qubit density matrix is 16 EiB).
MAX_QUBITS = 30
# Sizes a run cannot finish beyond, refused up front like MAX_QUBITS (and the sampler's
# MAX_QUBIT_ROUNDS). Weights: COBYLA keeps a simplex of n + 1 points and its inverse (2·n²
# numbers, 1.6 GB at 10⁴) and needs n + 2 evaluations before its first step.
MAX_WEIGHTS = 10**4
# Points a QNN is evaluated on (its dataset, the tolerance's fresh test points): every COBYLA
# evaluation simulates each training point, the tolerance each test point at every noise spec.
MAX_SAMPLES = 10**5
# Noise trajectories per expectation, each one simulation of the circuit (precision ±0.003 at 10⁵).
MAX_TRAJECTORIES = 10**5
# Largest seed: scikit-learn's datasets and splits take a random_state in [0, 2³² − 1] (catalog
# NUM11: 2⁶⁴ was scikit-learn's message); studies/schema.yaml's qnn.seeds maximum is the same.
MAX_SEED = 2**32 - 1
CONNECTIVITIES: tuple[str, ...] = ("line", "ring", "grid", "all")
# The named observables; any other is a Pauli sum (qec.qnn.parse_observable).
OBSERVABLES: tuple[str, ...] = ("parity", "z0")
# How noisy expectations are simulated. auto: the density matrix up to AUTO_DENSITY_MAX qubits
# (exact, and faster than trajectories there); beyond, noise trajectories, on matrix product states
# when the circuit entangles little (bond dimension χ with χ³ ≤ 2^n) and on a statevector otherwise
# (qec.qnn.simulate.auto_method); noiseless runs are an exact statevector. mps forces matrix product
# states: exact when noiseless and trajectories under noise, memory following the entanglement
# rather than 2^n.
METHODS: tuple[str, ...] = ("auto", "density_matrix", "trajectories", "mps")
AUTO_DENSITY_MAX = 10
_TERM = re.compile(
    r"^\s*(?:([+-]?\s*(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)\s*\*\s*)?([+-]?)\s*([A-Za-z]+)\s*$"
)


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
            if self.value != 0:  # catalog E14: none:0.5 was taken as noiseless, silently
                raise ValueError(f"noise 'none' takes no strength (got none:{self.value:g}); give none, "
                                 "circuit:<p>, si1000:<p> or logical:<eps>")  # fmt: skip
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


@dataclasses.dataclass(frozen=True)
class TrainConfig:
    """Everything that determines a training run (same config, same result).

    Attributes:
        dataset: One of ``DATASETS``, or a CSV/NPZ file of your own (``qec.qnn.load_table``).
        qubits: Qubit count (= features for the built-in ansatz; = the circuit's qubits with
            ``circuit``). layers: Ansatz layers. connectivity: Ansatz graph name (both unused
            with ``circuit``). observable: ``parity``, ``z0`` or a Pauli string or sum with
            eigenvalues ±1 (``ZZII``, ``-XXII``; rightmost letter = qubit 0).
        noise: Noise spec (``QNNNoise.parse`` syntax). seed: Seeds split, initial point.
        samples: Dataset size. test_fraction: Held-out share.
        maxiter: COBYLA iterations in total. chunk: Iterations between checkpoints.
        shots: Shots per prediction when scoring accuracy (0: the sign of the exact
            expectation). Training uses exact expectations; scoring with shots is what
            hardware would see, where a signal shrunk by noise drowns in shot noise.
        circuit: Empty for the built-in ansatz, or your own: a ``.qpy`` file or
            ``MODULE:FUNCTION`` (``qec.qnn.load_circuit``; inputs are ``ParameterVector("x")``).
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
        if self.dataset not in DATASETS and not is_data_file(self.dataset):
            raise ValueError(
                f"dataset={self.dataset!r} is not known; allowed: {DATASETS} or a .csv/.npz file"
            )
        # Memory is checked where the simulation starts (build_qnn), not here: a config or
        # checkpoint valid on one node must stay valid on another.
        check_int("qubits", self.qubits, least=1, most=MAX_QUBITS)
        most = {"samples": (MAX_SAMPLES, "points simulated at every COBYLA evaluation"),
                "trajectories": (MAX_TRAJECTORIES, "circuit simulations per expectation"),
                "seed": (MAX_SEED, "scikit-learn's random_state range")}  # fmt: skip
        for name in ("layers", "samples", "maxiter", "chunk", "shots", "seed", "trajectories"):
            value = getattr(self, name)
            least = {"layers": 0, "shots": 0, "seed": 0, "samples": 4}.get(name, 1)
            bound, why = most.get(name, (None, ""))
            check_int(name, value, least=least, most=bound, why=why)
        check_number("test_fraction", self.test_fraction, low=0, high=1, closed="()")
        n_test = math.ceil(self.samples * self.test_fraction)  # as scikit-learn's split counts it
        n_train = self.samples - n_test
        if n_test < 2 or n_train < 2:
            raise ValueError(f"samples={self.samples} with test_fraction={self.test_fraction} leaves "
                             f"{n_test} test and {n_train} training points; a stratified split needs at "
                             "least 2 in each (one per class)")  # fmt: skip
        weights = self.ansatz_weights
        if weights is not None and weights > MAX_WEIGHTS:
            raise ValueError(f"layers={self.layers} with qubits={self.qubits} is {weights} weights (qubits × "
                             f"(layers + 1)); at most {MAX_WEIGHTS}: COBYLA holds 2·n² numbers and needs "
                             "n + 2 evaluations before its first step")  # fmt: skip
        if self.connectivity not in CONNECTIVITIES:
            raise ValueError(f"connectivity={self.connectivity!r} is not known; allowed: {CONNECTIVITIES}")
        check_observable_spec(self.observable)
        if self.method not in METHODS:
            raise ValueError(f"method={self.method!r} is not known; allowed: {METHODS}")
        if not isinstance(self.circuit, str):
            raise ValueError(f"circuit={self.circuit!r} must be a .qpy file, MODULE:FUNCTION or empty")
        QNNNoise.parse(self.noise)

    @property
    def ansatz_weights(self) -> int | None:
        """Weights of the built-in ansatz, qubits · (layers + 1) (``qec.qnn.qnn_circuit``); None
        with your own circuit, whose count is known once it is loaded.

        Example:
            >>> TrainConfig(qubits=3, layers=2).ansatz_weights
            9
        """
        return None if self.circuit else self.qubits * (self.layers + 1)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TrainConfig:
        """A config as ``dataclasses.asdict`` wrote it; keys a file predates take their defaults."""
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValueError(f"QNN config has unknown keys {unknown}; allowed: {sorted(known)}")
        return cls(**data)


def is_data_file(name: str) -> bool:
    """Whether a dataset name is a file (CSV or NPZ) rather than a built-in dataset."""
    return isinstance(name, str) and name.lower().endswith((".csv", ".npz"))


def check_observable_spec(spec: str) -> None:
    """Raise ``ValueError`` unless ``spec`` could be an observable (sizes are checked later)."""
    if not isinstance(spec, str) or not spec.strip():
        raise ValueError(f"observable={spec!r} must be parity, z0 or a Pauli sum such as ZZII")
    if spec not in OBSERVABLES:
        _terms(spec)


def _terms(spec: str) -> list[tuple[float, str]]:
    """(coefficient, Pauli letters) of each term of a Pauli-sum spec, or a ``ValueError``."""
    out = []
    for term in _split_terms(spec):
        match = _TERM.match(term)
        if not match:
            raise ValueError(f"observable={spec!r}: term {term.strip()!r} is not [coefficient*]PAULIS "
                             "(allowed: parity, z0 or a Pauli string or sum such as -XIIX)")  # fmt: skip
        coeff, sign, letters = match.groups()
        bad = sorted(set(letters) - set("IXYZ"))
        if bad:  # catalog O26, O27: 'parity ' and 'PARITY' were told their letters are not Paulis
            named = [n for n in OBSERVABLES if n == spec.strip().lower()]
            hint = f" (the named observable is {named[0]!r}: lower case, no spaces)" if named else ""
            raise ValueError(f"observable={spec!r} is neither a named observable ({', '.join(OBSERVABLES)}) "
                             f"nor a Pauli sum: letters {bad} are not Paulis (I, X, Y, Z){hint}")  # fmt: skip
        value = float(coeff.replace(" ", "")) if coeff else 1.0
        if not math.isfinite(value):  # catalog O11: 1e400 was qiskit's "Non-Hermitian input observable"
            raise ValueError(f"observable={spec!r}: coefficient {coeff.strip()!r} is not a finite number")
        out.append((-value if sign == "-" else value, letters))
    return out


def _split_terms(spec: str) -> list[str]:
    # Split on + and - that start a term (not those of an exponent such as 1e-3).
    parts = re.split(r"(?<![eE*])\s*(?=[+-])", spec.strip())
    return [p for p in parts if p.strip()]
