"""What a QNN result was made from, stored in it: your circuit itself and the data file's SHA-256.

``qec train`` records, beside a run's config, the circuit it trained (your own, as QPY bytes in
base64, with its input and weight parameters by name) and the SHA-256 of the data file it read
(CSV/NPZ). This module is the one way a result's QNN is rebuilt
(``run_circuit``): from those stored bytes, never by importing what the file names. Nothing
named inside a data file is imported or run: a ``MODULE:FUNCTION`` is called only where you
give it yourself (``qec train --circuit``, ``qec.qnn.load_circuit``). A reader that reads a file
again (the data) checks it against the recorded SHA-256 first (``check_files``), so a run is
never evaluated on data it was not trained on.

Results written before circuits were stored still read: the built-in ansatz needs nothing, and a
``.qpy`` file is data, read again from its path. Such a result naming ``MODULE:FUNCTION`` is
refused: retrain it.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import hashlib
import io
import pathlib
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from qec.qnn.config import TrainConfig, is_data_file

if TYPE_CHECKING:
    from qiskit import QuantumCircuit
    from qiskit.circuit import Parameter

    Parts = tuple[QuantumCircuit, list[Parameter], list[Parameter]]

KEY = "sources"


def file_sha256(path: str | pathlib.Path, *, what: str) -> str:
    """The SHA-256 (hex) of a file's bytes; a ``ValueError`` naming ``what`` when it cannot be read."""
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                digest.update(block)
    except OSError as e:
        raise ValueError(f"{what}={str(path)!r} cannot be read ({e.strerror or e})") from None
    return digest.hexdigest()


def circuit_fingerprint(parts: Parts) -> str:
    """SHA-256 of what a prepared circuit computes: its gates, their parameters and qubits, and
    which parameters are inputs and weights, in order. Two loads of one circuit agree (QPY bytes
    do not: parameters get fresh identities), any change of gate, angle or order does not."""
    circuit, inputs, weights = parts
    digest = hashlib.sha256()
    digest.update(repr((circuit.num_qubits, [p.name for p in inputs], [p.name for p in weights])).encode())
    for inst in circuit.data:
        qubits = [circuit.find_bit(q).index for q in inst.qubits]
        digest.update(repr((inst.operation.name, [str(p) for p in inst.operation.params], qubits)).encode())
    return digest.hexdigest()


@dataclasses.dataclass(frozen=True)
class Sources:
    """What a run was made from (a result's ``sources``).

    Attributes:
        circuit_qpy: Your own circuit as ``qec.qnn.prepare_circuit`` left it (decomposed, final
            measurements removed), QPY bytes in base64; empty for the built-in ansatz.
        inputs: Its input parameters by name, in feature order. weights: Its weight parameters
            by name, in the order of the trained weights.
        circuit_sha256: ``circuit_fingerprint`` of that circuit.
        sha256: SHA-256 of each file a reader reads again, by role: ``data`` (the circuit's file
            is not read again: the circuit itself is stored).
    """

    circuit_qpy: str = ""
    inputs: tuple[str, ...] = ()
    weights: tuple[str, ...] = ()
    circuit_sha256: str = ""
    sha256: tuple[tuple[str, str], ...] = ()

    @classmethod
    def record(cls, config: TrainConfig, parts: Parts | None) -> Sources:
        """The sources of a run of ``config`` on the prepared circuit ``parts`` (None: built-in)."""
        files = {}
        if is_data_file(config.dataset):
            files["data"] = file_sha256(config.dataset, what="data")
        if not config.circuit or parts is None:
            return cls(sha256=tuple(sorted(files.items())))
        from qiskit import qpy

        buffer = io.BytesIO()
        qpy.dump(parts[0], buffer)
        return cls(circuit_qpy=base64.b64encode(buffer.getvalue()).decode("ascii"),
                   inputs=tuple(p.name for p in parts[1]), weights=tuple(p.name for p in parts[2]),
                   circuit_sha256=circuit_fingerprint(parts),
                   sha256=tuple(sorted(files.items())))  # fmt: skip

    @classmethod
    def from_result(cls, result: Mapping[str, Any], *, name: str = "result") -> Sources:
        """The ``sources`` of a parsed result (empty when it predates them), checked for form."""
        data = result.get(KEY)
        if data is None:
            return cls()
        if not isinstance(data, Mapping):
            raise ValueError(f"{name}: {KEY} must be an object; got {type(data).__name__}")
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValueError(f"{name}: {KEY} has unknown keys {unknown}; allowed: {sorted(known)}")
        texts = {k: data.get(k, "") for k in ("circuit_qpy", "circuit_sha256")}
        names = {k: data.get(k, []) for k in ("inputs", "weights")}
        files = data.get("sha256", {})
        if not all(isinstance(v, str) for v in texts.values()) or not all(
            isinstance(v, list) and all(isinstance(s, str) for s in v) for v in names.values()
        ):
            raise ValueError(f"{name}: {KEY} holds values of the wrong type (strings and lists of names)")
        if not isinstance(files, Mapping) or not all(
            k == "data" and isinstance(v, str) for k, v in files.items()
        ):
            raise ValueError(f"{name}: {KEY}.sha256 must map data to a hex digest; got {files!r}")
        return cls(**texts, inputs=tuple(names["inputs"]), weights=tuple(names["weights"]),
                   sha256=tuple(sorted(files.items())))  # fmt: skip

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"sha256": dict(self.sha256)}
        if self.circuit_qpy:
            out.update(circuit_qpy=self.circuit_qpy, inputs=list(self.inputs), weights=list(self.weights),
                       circuit_sha256=self.circuit_sha256)  # fmt: skip
        return out

    def identity(self) -> tuple[str, tuple[tuple[str, str], ...]]:
        """What two runs on the same circuit and files share (QPY bytes differ between loads)."""
        return self.circuit_sha256, self.sha256

    def file_sha256(self, role: str) -> str | None:
        """The recorded SHA-256 of the file of ``role`` (``data``), if any."""
        return dict(self.sha256).get(role)

    def stored_circuit(self, *, name: str = "result") -> Parts:
        """The stored circuit with its inputs and weights, as it was trained (no import, no file)."""
        from qec.qnn.circuit import read_qpy

        try:
            data = base64.b64decode(self.circuit_qpy, validate=True)
        except (binascii.Error, ValueError):
            raise ValueError(f"{name}: {KEY}.circuit_qpy is not base64") from None
        circuits = read_qpy(data, what=f"{name}: {KEY}.circuit_qpy")
        if len(circuits) != 1:
            raise ValueError(f"{name}: {KEY}.circuit_qpy holds {len(circuits)} circuits; a run has one")
        circuit = circuits[0]
        by_name = {p.name: p for p in circuit.parameters}
        missing = [n for n in (*self.inputs, *self.weights) if n not in by_name]
        if missing or set(by_name) != {*self.inputs, *self.weights}:
            raise ValueError(f"{name}: {KEY} names parameters {missing[:5] or sorted(by_name)[:5]} that do "
                             "not match its stored circuit's")  # fmt: skip
        parts = (circuit, [by_name[n] for n in self.inputs], [by_name[n] for n in self.weights])
        if circuit_fingerprint(parts) != self.circuit_sha256:
            raise ValueError(f"{name}: {KEY}.circuit_sha256 does not match its stored circuit (the file "
                             "was edited); retrain the run")  # fmt: skip
        return parts


def run_circuit(
    config: TrainConfig | Mapping[str, Any], sources: Sources, *, name: str = "result"
) -> Parts | None:
    """The circuit a result's run was trained on, never imported: the stored one; for a result
    that predates stored circuits, its ``.qpy`` file (data, read again); None for the built-in
    ansatz.

    Raises:
        ValueError: the result names ``MODULE:FUNCTION`` and stores no circuit (a result file's
            code is never run: retrain it), or its stored circuit is corrupt.

    Example:
        >>> config = TrainConfig(circuit="os:abort", qubits=2, layers=0)
        >>> run_circuit(config, Sources(), name="old.json")  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        ValueError: old.json: config.circuit='os:abort' names code (MODULE:FUNCTION) and ... retrain it ...
    """
    spec = _field(config, "circuit", "")
    if not isinstance(spec, str):
        raise ValueError(f"{name}: config.circuit={spec!r} must be a .qpy file, MODULE:FUNCTION or empty")
    if not spec:
        return None
    if sources.circuit_qpy:
        return sources.stored_circuit(name=name)
    if spec.endswith(".qpy"):
        from qec.qnn.circuit import load_qpy_circuit

        return load_qpy_circuit(spec)
    raise ValueError(f"{name}: config.circuit={spec!r} names code (MODULE:FUNCTION) and the result stores "
                     "no circuit; code named in a result file is never imported or run: retrain it "
                     f"(qec train --circuit {spec} ...), which stores the circuit")  # fmt: skip


def check_files(config: TrainConfig | Mapping[str, Any], sources: Sources, *, name: str = "result") -> None:
    """Raise unless every file a reader reads again (the data) is the one the run was trained on.

    Raises:
        ValueError: the data file's SHA-256 differs from the recorded one, or it cannot be read.
    """
    recorded = sources.file_sha256("data")
    dataset = _field(config, "dataset", "")
    if recorded is None or not is_data_file(dataset):
        return  # built-in data, or a result that predates recorded hashes
    now = file_sha256(dataset, what="data")
    if now != recorded:
        raise ValueError(f"{name}: data={dataset!r} has changed since the run was trained "
                         f"(SHA-256 {now[:12]}…, trained on {recorded[:12]}…); restore the file or "
                         "retrain")  # fmt: skip


def read_runs(
    results: Sequence[Mapping[str, Any]], names: Sequence[str] | None = None
) -> tuple[Sources, Parts | None]:
    """The one circuit and data a set of results of one configuration shares, checked.

    Every result's circuit is rebuilt (``run_circuit``) and must be the same circuit
    (``circuit_fingerprint``); every recorded data hash must match the data file now
    (``check_files``). Returns the first result's sources and the circuit (None: built-in).
    """
    names = list(names) if names is not None else [f"result {i + 1}" for i in range(len(results))]
    first: tuple[Sources, Parts | None, str] | None = None
    for result, name in zip(results, names, strict=True):
        config = result["config"]
        sources = Sources.from_result(result, name=name)
        check_files(config, sources, name=name)
        parts = run_circuit(config, sources, name=name)
        fingerprint = circuit_fingerprint(parts) if parts is not None else ""
        if first is None:
            first = (sources, parts, fingerprint)
        elif fingerprint != first[2]:
            raise ValueError(f"QNN results mix configurations: {names[0]} and {name} were trained on "
                             "different circuits (one workload per budget)")  # fmt: skip
    if first is None:
        raise ValueError("no QNN results given")
    return first[0], first[1]


def _field(config: TrainConfig | Mapping[str, Any], key: str, default: Any) -> Any:
    return config.get(key, default) if isinstance(config, Mapping) else getattr(config, key)
