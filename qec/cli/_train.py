"""``qec train``: train a QNN (built-in or your own) under no, physical or logical noise."""

from __future__ import annotations

import argparse
import json
import pathlib
import sys

from qec._io import atomic_write_text
from qec.cli._common import (
    EXIT_INTERRUPTED,
    Files,
    _check_regular,
    _float,
    _int,
    _nonnegative_int,
    _usage_error,
)
from qec.qnn.config import AUTO_DENSITY_MAX, CONNECTIVITIES, DATASETS, METHODS

# The files it reads and writes: qec.cli refuses an output that is an input, before anything runs.
# (--circuit may be MODULE:FUNCTION, which is no file; the checkpoint is written beside --out.)
FILES = Files(reads=("--settings", "--data", "--circuit"), writes={"--out": (".{name}.checkpoint.json",)})

# What a --settings file may hold: a study's qnn block without its seeds, as flag names
# (test_fraction for --test-fraction). A study passes its block this way (studies/rules/qnn.smk).
SETTINGS = ("dataset", "data", "circuit", "qubits", "layers", "connectivity", "observable", "method",
            "trajectories", "samples", "test_fraction", "maxiter", "chunk", "shots")  # fmt: skip
# A flag on the command line replaces the file's value of it, and the values it cannot stand beside.
_REPLACES = {"data": ("dataset",), "dataset": ("data",), "circuit": ("qubits", "layers", "connectivity"),
             "qubits": ("circuit",), "layers": ("circuit",), "connectivity": ("circuit",)}  # fmt: skip


def read_settings(path: str) -> dict[str, str | int | float]:
    """The ``--settings`` file ``path``: a JSON object of ``SETTINGS`` keys and plain values.

    Raises:
        ValueError: the file cannot be read or is not JSON; a key outside ``SETTINGS``; a value
            that is not a string or a number (one line naming the file, the key and the value).
    """
    _check_regular(f"--settings={path!r}", path)
    try:
        document = json.loads(pathlib.Path(path).read_text())
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise ValueError(f"--settings: cannot read {path!r}: {e}") from None
    if not isinstance(document, dict):
        kind = type(document).__name__
        raise ValueError(f"--settings={path!r} must hold a JSON object of settings, not a {kind}")
    for key, value in document.items():
        if key not in SETTINGS:
            raise ValueError(f"--settings={path!r}: unknown key {key!r}; allowed: {', '.join(SETTINGS)}")
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise ValueError(f"--settings={path!r}: {key}={value!r} must be a string or a number")
    return document


def expand_argv(argv: list[str]) -> list[str]:
    """``argv`` with the settings of its ``--settings FILE`` put in as flags before the ones
    typed, each through the same parsing and checks; a typed flag replaces the file's value
    (and, for ``--data``/``--dataset`` and ``--circuit``/the ansatz's shape, the values it cannot
    stand beside).

    Raises:
        ValueError: ``--settings`` given twice, or a file ``read_settings`` refuses.

    Example:
        >>> import json, tempfile
        >>> with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        ...     json.dump({"qubits": 5, "observable": "-ZZ", "dataset": "circles"}, f)
        >>> expand_argv(["train", "--settings", f.name, "--data", "d.csv"])[1:3]
        ['--qubits=5', '--observable=-ZZ']
    """
    at = [i for i, a in enumerate(argv) if a == "--settings" or a.startswith("--settings=")]
    if not at:
        return argv
    if len(at) > 1:
        raise ValueError("--settings is given more than once; give one file")
    _, equals, path = argv[at[0]].partition("=")
    if not equals:  # --settings FILE, not --settings=FILE
        if at[0] + 1 == len(argv):
            return argv  # argparse says that --settings needs a value
        path = argv[at[0] + 1]
    if not path:
        raise ValueError("--settings='' names no file")
    typed = {a[2:].partition("=")[0].replace("-", "_") for a in argv if a.startswith("--")}
    dropped = typed | {other for name in typed for other in _REPLACES.get(name, ())}
    settings = read_settings(path)
    flags = [f"--{k.replace('_', '-')}={v}" for k, v in settings.items() if k not in dropped]
    command = argv.index("train") + 1
    return argv[:command] + flags + argv[command:]


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.description = (
        "Train a QNN with COBYLA (qiskit-machine-learning on Aer's EstimatorV2: exact "
        "statevector when noiseless; density matrix or noise trajectories under noise). Checkpoints "
        "after every chunk of iterations and resumes from it."
    )
    p.add_argument("--settings", metavar="FILE",
                   help="a JSON object of these flags' values by name (qubits, test_fraction, ...; "
                   "a study's qnn block); flags typed here replace its values")  # fmt: skip
    data = p.add_mutually_exclusive_group()
    data.add_argument(
        "--dataset",
        default="moons",
        choices=DATASETS,
        metavar="NAME",
        help=f"one of {', '.join(DATASETS)} (default moons)",
    )
    data.add_argument("--data", metavar="FILE",
                      help="your own data: CSV (header; label column 'label', 'y' or the last) or NPZ "
                           "(arrays x, y); labels 0/1 or ±1")  # fmt: skip
    p.add_argument("--circuit", metavar="QPY|MODULE:FUNCTION",
                   help="your own QNN circuit; inputs are ParameterVector('x'), all else weights "
                   "(sets --qubits from it)")  # fmt: skip
    # The built-in ansatz's shape: defaults filled in main_train, so that one given beside
    # --circuit (whose own qubits count) is refused, not ignored (catalog V17).
    p.add_argument("--qubits", type=_int, help="qubits = features (default 4)")
    p.add_argument("--layers", type=_int, help="ansatz layers (default 2)")
    p.add_argument(
        "--connectivity",
        choices=CONNECTIVITIES,
        metavar="GRAPH",
        help=f"ansatz entangling graph: {', '.join(CONNECTIVITIES)} (default line)",
    )
    p.add_argument(
        "--observable",
        default="parity",
        metavar="OBS",
        help="parity (Z on every qubit), z0, or a Pauli string or sum with eigenvalues ±1 such as ZZII "
        "or --observable=-XXII (rightmost letter = qubit 0; default parity)",
    )
    p.add_argument("--method", default="auto", choices=METHODS, metavar="METHOD",
                   help=f"simulation: {', '.join(METHODS)} (auto: density matrix up to {AUTO_DENSITY_MAX} "
                   "qubits under noise; beyond, trajectories on matrix product states where the "
                   "circuit entangles little, else on a statevector; mps: matrix product "
                   "states)")  # fmt: skip
    p.add_argument("--trajectories", type=_int, default=1000,
                   help="trajectories per noisy expectation (precision 1/√N; default 1000)")  # fmt: skip
    p.add_argument(
        "--noise", default="none", help="none | circuit:<p> | si1000:<p> | logical:<eps> (default none)"
    )
    p.add_argument("--seed", type=_nonnegative_int, default=0, help="seed of split, initial point, scoring")
    p.add_argument("--samples", type=_int, default=100, help="dataset size (default 100)")
    p.add_argument("--test-fraction", type=_float, default=0.3, help="held-out share (default 0.3)")
    p.add_argument("--maxiter", type=_int, default=100, help="COBYLA iterations (default 100)")
    p.add_argument("--chunk", type=_int, default=50, help="iterations between checkpoints (default 50)")
    p.add_argument(
        "--shots",
        type=_int,
        default=1000,
        help="shots per prediction when scoring accuracy; 0 = exact sign (default 1000)",
    )
    p.add_argument("--out", required=True, help="result JSON file")


def main_train(args: argparse.Namespace) -> int:
    from qec import qnn

    out = pathlib.Path(args.out)
    checkpoint = out.with_name(f".{out.name}.checkpoint.json")
    try:
        ansatz = {"--qubits": args.qubits, "--layers": args.layers, "--connectivity": args.connectivity}
        given = [flag for flag, value in ansatz.items() if value is not None]
        if args.circuit is not None and given:
            raise ValueError(f"{' and '.join(given)} describe the built-in ansatz; "
                             f"--circuit={args.circuit!r} is your own, with its own qubits: leave them "
                             "out")  # fmt: skip
        args.qubits = 4 if args.qubits is None else args.qubits
        args.layers = 2 if args.layers is None else args.layers
        args.connectivity = args.connectivity or "line"
        settings = dict(
            dataset=args.data or args.dataset, connectivity=args.connectivity, observable=args.observable,
            noise=args.noise, seed=args.seed, samples=args.samples, test_fraction=args.test_fraction,
            maxiter=args.maxiter, chunk=args.chunk, shots=args.shots, method=args.method,
            trajectories=args.trajectories,
        )  # fmt: skip
        if args.data is not None:
            qnn.load_table(args.data)  # a bad file is a usage error before anything runs
        circuit = None
        if args.circuit is not None:
            # Your own circuit, named on the command line: loaded (a MODULE:FUNCTION called) once
            # here; the result stores it, and nothing reads it back by name (qec.qnn.sources).
            circuit = qnn.load_circuit(args.circuit)
            config = qnn.TrainConfig(circuit=args.circuit, qubits=circuit[0].num_qubits, layers=0, **settings)
        else:
            config = qnn.TrainConfig(qubits=args.qubits, layers=args.layers, **settings)
        parts = qnn.qnn_parts(config, circuit=circuit)  # the observable fits the circuit
        qnn.simulation(config, circuit=parts.circuit)  # a qubit count no method here can hold
        qnn.config_dataset(config, len(parts.inputs))  # the data fit the circuit
    except ValueError as e:
        return _usage_error(args, e)

    def progress(done: int, loss: float) -> None:
        print(f"qec train: {done}/{config.maxiter} iterations, loss {loss:.4f}", file=sys.stderr)

    try:
        result = qnn.train(config, circuit=circuit, checkpoint=checkpoint, progress=progress)
    except KeyboardInterrupt:
        print(f"\nqec train: interrupted; progress is in {checkpoint}; rerun to resume", file=sys.stderr)
        return EXIT_INTERRUPTED
    except ValueError as e:  # a checkpoint of another configuration, chunk below COBYLA's minimum
        return _usage_error(args, e)
    atomic_write_text(out, json.dumps(result.to_dict(), indent=1) + "\n")
    checkpoint.unlink(missing_ok=True)
    if result.config.samples != config.samples:
        held = result.config.samples
        print(f"qec train: {config.dataset} has {held} rows: samples={held} used and recorded (not "
              f"{config.samples})", file=sys.stderr)  # fmt: skip
    shape = f"circuit={config.circuit}" if config.circuit else f"layers={config.layers}"
    exact = "exact" if result.precision == 0 else f"precision ±{result.precision:.3g} per expectation"
    print(f"{config.dataset} qubits={config.qubits} {shape} noise={config.noise} "
          f"seed={config.seed}: train accuracy {result.train_accuracy:.3f}, test accuracy "
          f"{result.test_accuracy:.3f}, final loss {result.final_loss:.4f}, "
          f"{result.wall_seconds:.1f} s; simulation {result.method} ({exact})")  # fmt: skip
    return 0
