"""The ``qec`` command line: sample, combine, fit, train, tolerance, budget, resources, plot, inspect."""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import sys
from collections.abc import Sequence
from typing import Any

import sinter

from qec._io import atomic_write_text
from qec.codes import BASES, CODE_NAMES, EXPERIMENTS
from qec.noise import CIRCUIT_LEVEL, NOISE_NAMES
from qec.qnn.config import AUTO_DENSITY_MAX, CONNECTIVITIES, DATASETS, METHODS
from qec.sampling import (
    DEFAULT_DECODER,
    Experiment,
    OutputBusyError,
    check_decoder,
    check_output,
    check_workers,
    collect,
    load_custom_decoders,
    sweep,
)
from qec.stats import binomial_interval

EXIT_USAGE = 2
EXIT_INTERRUPTED = 130
# "qec" on PyPI is an unrelated project; this one is distributed as qec-budget.
DISTRIBUTION = "qec-budget"


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line (naming argument, value, what is allowed)."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def version() -> str:
    """The installed version of the ``qec-budget`` distribution (what ``qec --version`` prints).

    Example:
        >>> import importlib.metadata
        >>> version() == importlib.metadata.version("qec-budget")
        True
    """
    from importlib import metadata  # only when asked: every `qec` start would pay for it

    try:
        return metadata.version(DISTRIBUTION)
    except metadata.PackageNotFoundError:
        return f"unknown (the {DISTRIBUTION} distribution is not installed: pip install -e .)"


class _VersionAction(argparse.Action):
    """``--version``: print ``qec <version>`` and exit 0; the version is looked up only when asked."""

    def __init__(self, option_strings: Sequence[str], dest: str = argparse.SUPPRESS, **kwargs: Any) -> None:
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, **kwargs)

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace, values: Any,
                 option_string: str | None = None) -> None:  # fmt: skip
        print(f"qec {version()}")
        parser.exit(0)


def _positive_int(text: str) -> int:
    value = _int(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"{value} must be a positive integer")
    return value


def _nonnegative_int(text: str) -> int:
    value = _int(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"{value} must be an integer >= 0")
    return value


def _int(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an integer") from None


def _float(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None


def _check_out(flag: str, path: str | None, *sidecars: str) -> None:
    """Usage error unless ``path`` (and its ``sidecars`` suffixes) can be written: a regular,
    writable file or a new one in an existing folder (symlinks count as their target)."""
    from qec._io import output_path

    if path is not None:
        for p in (path, *(str(pathlib.Path(path).with_suffix(s)) for s in sidecars)):
            output_path(p, flag=flag)


def _check_folder(flag: str, path: str | None) -> None:
    """Usage error unless the folder that would hold ``path`` exists (``None``: not given)."""
    if path is not None and not pathlib.Path(path).parent.is_dir():
        raise ValueError(f"{flag}={path!r}: folder {str(pathlib.Path(path).parent)!r} does not exist")


def _add_experiment_args(p: argparse.ArgumentParser, *, many: bool) -> None:
    nargs = "+" if many else None
    p.add_argument(
        "--code",
        nargs=nargs,
        required=True,
        choices=CODE_NAMES,
        metavar="CODE",
        help=f"code family: {', '.join(CODE_NAMES)}",
    )
    p.add_argument(
        "--noise",
        nargs=nargs,
        required=True,
        choices=NOISE_NAMES,
        metavar="NOISE",
        help=f"noise model: {', '.join(NOISE_NAMES)}",
    )
    p.add_argument(
        "--distance", nargs=nargs, required=True, type=_int, metavar="D", help="code distance(s), >= 2"
    )
    p.add_argument(
        "--p",
        nargs=nargs,
        required=True,
        type=_float,
        metavar="P",
        help="physical error rate(s) in [0, 0.5] (Stim convention)",
    )
    p.add_argument(
        "--basis",
        nargs=nargs,
        default=["z"] if many else "z",
        choices=BASES,
        metavar="BASIS",
        help="memory basis: x, z (default z); for cnot, which type of stabilizer flow is measured",
    )
    p.add_argument(
        "--experiment",
        nargs=nargs,
        default=["memory"] if many else "memory",
        choices=EXPERIMENTS,
        metavar="EXPERIMENT",
        help="memory (one patch) or cnot (a lattice-surgery CNOT of two rotated patches, built with "
        "tqec; odd d >= 3, circuit-level noise, 4d rounds of its own) (default memory)",
    )
    rounds = p.add_mutually_exclusive_group()
    rounds.add_argument("--rounds", type=_int, metavar="N", help="fixed number of rounds")
    rounds.add_argument(
        "--rounds-per-distance",
        type=_int,
        metavar="K",
        help="rounds = K·d (default 1 when --rounds is not given)",
    )


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="qec", description="Error-correction and noise research toolkit.")
    parser.add_argument("--version", action=_VersionAction, help="print qec's version and exit")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    sample = sub.add_parser(
        "sample",
        help="sample and decode a sweep of memory experiments into a sinter CSV",
        description="Sample the product of the list arguments with sinter; resumable: rerun "
        "the same command to top up what the output file already holds.",
    )
    _add_experiment_args(sample, many=True)
    sample.add_argument(
        "--decoder",
        nargs="+",
        default=[DEFAULT_DECODER],
        metavar="NAME",
        help=f"sinter decoder(s): every task is sampled with each (default {DEFAULT_DECODER})",
    )
    sample.add_argument("--custom-decoders", nargs="+", metavar="MODULE:FUNCTION",
                        help="a function returning a dict of name → sinter.Decoder (as sinter collect's "
                        "--custom_decoders_module_function)")  # fmt: skip
    sample.add_argument(
        "--max-shots",
        type=_positive_int,
        default=1_000_000,
        help="stop a task at this many shots in total (default 1000000)",
    )
    sample.add_argument(
        "--max-errors",
        type=_positive_int,
        default=1000,
        help="stop a task at this many errors in total (default 1000)",
    )
    sample.add_argument(
        "--workers",
        type=_positive_int,
        default=os.cpu_count() or 1,
        help="worker processes (default: all cores)",
    )
    sample.add_argument("--out", required=True, help="sinter CSV file to create or extend")
    sample.add_argument("--quiet", action="store_true", help="no progress on stderr")

    fit = sub.add_parser(
        "fit",
        help="threshold, Λ and the p_L(d, p) model, with 95%% intervals, from sinter CSVs",
        description="Fit every (code, noise, basis) in the given sinter CSV files.",
    )
    fit.add_argument("stats", nargs="+", help="sinter CSV files (rows are merged per task)")
    fit.add_argument("--out", required=True, help="JSON file to write")
    fit.add_argument("--plot", help="also draw the figure to this file (.png, .pdf, .svg)")
    fit.add_argument(
        "--bootstrap",
        type=_int,
        default=200,
        help="bootstrap resamples for the threshold's reported bootstrap interval (default 200); "
        "nothing else depends on it: the profile interval chooses the model's points",
    )
    fit.add_argument("--seed", type=_nonnegative_int, default=0, help="bootstrap seed (default 0)")
    fit.add_argument(
        "--threshold-window",
        nargs=2,
        type=_float,
        metavar=("PMIN", "PMAX"),
        help="only points with PMIN <= p <= PMAX enter the threshold fit",
    )

    tr = sub.add_parser(
        "train",
        help="train a QNN (built-in or your own) under no, physical or logical noise (Aer)",
        description="Train a QNN with COBYLA (qiskit-machine-learning on Aer's EstimatorV2: exact "
        "statevector when noiseless; density matrix or noise trajectories under noise). Checkpoints "
        "after every chunk of iterations and resumes from it.",
    )
    data = tr.add_mutually_exclusive_group()
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
    tr.add_argument("--circuit", metavar="QPY|MODULE:FUNCTION",
                    help="your own QNN circuit; inputs are ParameterVector('x'), all else weights "
                         "(sets --qubits from it)")  # fmt: skip
    tr.add_argument("--qubits", type=_int, default=4, help="qubits = features (default 4)")
    tr.add_argument("--layers", type=_int, default=2, help="ansatz layers (default 2)")
    tr.add_argument(
        "--connectivity",
        default="line",
        choices=CONNECTIVITIES,
        metavar="GRAPH",
        help=f"ansatz entangling graph: {', '.join(CONNECTIVITIES)} (default line)",
    )
    tr.add_argument(
        "--observable",
        default="parity",
        metavar="OBS",
        help="parity (Z on every qubit), z0, or a Pauli sum such as ZZII or '0.5*ZIIZ + 0.5*IZZI' "
        "(rightmost letter = qubit 0; default parity)",
    )
    tr.add_argument("--method", default="auto", choices=METHODS, metavar="METHOD",
                    help=f"simulation: {', '.join(METHODS)} (auto: density matrix up to {AUTO_DENSITY_MAX} "
                         "qubits under noise, trajectories beyond; mps: matrix product states)")  # fmt: skip
    tr.add_argument("--trajectories", type=_int, default=1000,
                    help="trajectories per noisy expectation (precision 1/√N; default 1000)")  # fmt: skip
    tr.add_argument(
        "--noise", default="none", help="none | circuit:<p> | si1000:<p> | logical:<eps> (default none)"
    )
    tr.add_argument("--seed", type=_nonnegative_int, default=0, help="seed of split, initial point, scoring")
    tr.add_argument("--samples", type=_int, default=100, help="dataset size (default 100)")
    tr.add_argument("--test-fraction", type=_float, default=0.3, help="held-out share (default 0.3)")
    tr.add_argument("--maxiter", type=_int, default=100, help="COBYLA iterations (default 100)")
    tr.add_argument("--chunk", type=_int, default=50, help="iterations between checkpoints (default 50)")
    tr.add_argument(
        "--shots",
        type=_int,
        default=1000,
        help="shots per prediction when scoring accuracy; 0 = exact sign (default 1000)",
    )
    tr.add_argument("--out", required=True, help="result JSON file")

    combine = sub.add_parser("combine", help="merge sinter CSV files (rows summed per task) into one")
    combine.add_argument("stats", nargs="+", help="sinter CSV files")
    combine.add_argument("--out", required=True, help="merged sinter CSV to write")

    tol = sub.add_parser(
        "tolerance",
        help="the QNN's tolerable logical error ε* with its interval, from paired evaluations",
        description="ε*: where the QNN's paired accuracy change against ε = 0 crosses −δ "
        "(bootstrap interval over seeds and test points; the grid is refined around the crossing).",
    )
    tol.add_argument(
        "--results",
        nargs="+",
        required=True,
        help="qec train result JSONs of one QNN configuration (noiseless runs at least)",
    )
    tol.add_argument("--definition", default="inference", choices=("inference", "training"),
                     help="inference: noiseless weights evaluated under ε (default); training: "
                     "trained under ε vs noiselessly, paired by seed")  # fmt: skip
    tol.add_argument("--eps-grid", nargs="+", required=True, type=_float, metavar="EPS",
                     help="logical error rates per operation to evaluate (>= 3)")  # fmt: skip
    tol.add_argument(
        "--delta", type=_float, default=0.01, help="accuracy tolerance δ in (0, 1) (default 0.01)"
    )
    tol.add_argument("--noise", required=True, choices=CIRCUIT_LEVEL, metavar="NOISE",
                     help="physical noise model for the no-QEC comparison (circuit or si1000)")  # fmt: skip
    tol.add_argument("--p", nargs="+", required=True, type=_float, metavar="P",
                     help="physical error rates for the no-QEC comparison")  # fmt: skip
    tol.add_argument("--confidence", type=_float, default=0.95, help="interval level (default 0.95)")
    tol.add_argument("--bootstrap", type=_int, default=1000, help="bootstrap replicates (default 1000)")
    tol.add_argument(
        "--refine",
        type=_int,
        default=6,
        help="points of the second, denser grid around the crossing (default 6; 0: none)",
    )
    tol.add_argument(
        "--extra-test",
        type=_int,
        default=0,
        help="fresh test points per seed beside the held-out split (synthetic datasets; default 0)",
    )
    tol.add_argument("--extra-seed", type=_nonnegative_int, default=0, help="stream of the fresh test points")
    tol.add_argument("--seed", type=_nonnegative_int, default=0, help="bootstrap seed (default 0)")
    _add_training_args(tol)
    tol.add_argument("--out", required=True, help="tolerance JSON to write")

    bud = sub.add_parser(
        "budget",
        help="per p: hardware suffices, QEC with d* [interval] and qubits, or above threshold",
        description="The QML error budget (docs/concepts.md, 'The budget') from a fits.json and a "
        "tolerance.json.",
    )
    bud.add_argument("--fits", required=True, help="fits.json from qec fit")
    bud.add_argument("--tolerance", required=True, help="tolerance.json from qec tolerance")
    bud.add_argument(
        "--results",
        nargs="+",
        required=True,
        help="the qec train result JSONs the tolerance was measured from (for the d* checks)",
    )
    bud.add_argument("--code", required=True, choices=CODE_NAMES, metavar="CODE")
    bud.add_argument("--decoder", nargs="+", metavar="NAME",
                     help="decoders whose fits to budget side by side (default: all in --fits)")  # fmt: skip
    bud.add_argument("--basis", default="z", choices=BASES, metavar="BASIS")
    bud.add_argument("--cycles-per-gate", type=_float, default=1.0,
                     help="d-round code cycles per logical operation, c (default 1)")  # fmt: skip
    _add_training_args(bud)
    bud.add_argument("--out", required=True, help="budget CSV; a .json and .txt are written beside it")

    res = sub.add_parser(
        "resources",
        help="fault-tolerant qubits, T factories and run time (QDK Resource Estimator, measured inputs)",
        description="Estimate a circuit with the QDK Resource Estimator, fed with the fitted suppression "
        "model, the noise model's qubit parameters and an error budget; QDK's default constants beside.",
    )
    source = res.add_mutually_exclusive_group(required=True)
    source.add_argument("--circuit", help="a bound circuit: QPY (.qpy) or OpenQASM 2/3 file")
    source.add_argument(
        "--qnn", help="a qec train result: its QNN with trained weights and one test point bound"
    )
    res.add_argument("--p", nargs="*", required=True, type=_float, metavar="P",
                     help="physical error rates (below the model's threshold)")  # fmt: skip
    res.add_argument("--noise", required=True, choices=CIRCUIT_LEVEL, metavar="NOISE",
                     help="noise model the qubit parameters come from (circuit or si1000)")  # fmt: skip
    constants = res.add_mutually_exclusive_group(required=True)
    constants.add_argument("--fits", help="fits.json from qec fit: the measured suppression model")
    constants.add_argument("--constants", nargs=2, type=_float, metavar=("A", "P_TH"),
                           help="A and p_th of ε_round = A·(p/p_th)^((d+1)/2), as if fitted")  # fmt: skip
    res.add_argument("--basis", default="z", choices=BASES, metavar="BASIS", help="model basis with --fits")
    res.add_argument("--decoder", nargs="+", metavar="NAME",
                     help="with --fits: decoders whose models to estimate (default: all)")  # fmt: skip
    res.add_argument(
        "--code",
        default="surface_rotated",
        choices=CODE_NAMES,
        metavar="CODE",
        help="code of the model and of the data-patch column (default surface_rotated)",
    )
    budget_group = res.add_mutually_exclusive_group(required=True)
    budget_group.add_argument(
        "--error-budget",
        type=_float,
        metavar="E",
        help="probability of any logical error per circuit execution, in (0, 1)",
    )
    budget_group.add_argument("--tolerance", help="tolerance.json: E* = 1 − (1 − ε*)^G with ε*'s interval")
    res.add_argument(
        "--preset",
        default="gate_ns",
        choices=("gate_ns", "gate_us"),
        help="operation times: gate_ns (50 ns gates, 100 ns measurement) or gate_us (100 µs)",
    )
    res.add_argument(
        "--only-below-threshold",
        action="store_true",
        help="estimate the p below the model threshold; list the others as not estimated",
    )
    res.add_argument("--max-code-distance", type=_positive_int, default=None,
                     help="the estimator's largest code distance (default: QDK's, 50)")  # fmt: skip
    res.add_argument("--out", required=True, help="resources JSON; a .txt table is written beside it")

    plot = sub.add_parser("plot", help="regenerate every figure of a study from its data folder")
    plot.add_argument("folder", help="data/<study>")

    inspect = sub.add_parser(
        "inspect",
        help="qubits, detectors, decoding graph and effective distance of a circuit",
    )
    _add_experiment_args(inspect, many=True)
    return parser


def _add_training_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--train-dir", help="training definition: folder for runs it must train (reused)")
    p.add_argument("--jobs", type=_positive_int, default=1, help="processes for those trainings (default 1)")


def _experiments(args: argparse.Namespace) -> list[Experiment]:
    if args.rounds is None and args.rounds_per_distance is None:
        args.rounds_per_distance = 1
    for flag, value in (("--rounds", args.rounds), ("--rounds-per-distance", args.rounds_per_distance)):
        if value is not None and value < 1:
            raise ValueError(f"{flag}={value} is not allowed: need an integer >= 1")
    return sweep(
        codes=args.code, noises=args.noise, distances=args.distance, ps=args.p,
        bases=args.basis, rounds=args.rounds, rounds_per_distance=args.rounds_per_distance,
        experiments=[args.experiment] if isinstance(args.experiment, str) else args.experiment,
    )  # fmt: skip


def _table(stats: Sequence[sinter.TaskStats]) -> str:
    header = (
        f"{'code':<20} {'noise':<24} {'d':>3} {'p':>9} {'rounds':>6} {'basis':>5} {'decoder':<22} "
        f"{'shots':>10} {'errors':>8} {'per-shot error (95% CI)':>28}"
    )
    lines = [header]

    def order(s: sinter.TaskStats) -> tuple:
        m = s.json_metadata
        return (str(m.get("experiment", "")), str(m.get("code")), str(m.get("noise")), str(m.get("basis")),
                m.get("d", 0), m.get("p", 0), s.decoder)  # fmt: skip

    for s in sorted(stats, key=order):
        m = s.json_metadata
        r = binomial_interval(s.shots - s.discards, s.errors)
        rate = f"{r.best:.3e} [{r.low:.2e}, {r.high:.2e}]"
        code = f"{m['experiment']}/{m.get('code', '?')}" if "experiment" in m else m.get("code", "?")
        lines.append(
            f"{code:<20} {m.get('noise', '?'):<24} {m.get('d', '?'):>3} "
            f"{m.get('p', '?'):>9} {m.get('rounds', '?'):>6} {m.get('basis', '?'):>5} {s.decoder:<22} "
            f"{s.shots:>10} {s.errors:>8} {rate:>28}"
        )
    return "\n".join(lines)


def _usage_error(args: argparse.Namespace, error: ValueError) -> int:
    print(f"qec {args.command}: error: {error}", file=sys.stderr)
    return EXIT_USAGE


def _cmd_sample(args: argparse.Namespace) -> int:
    try:  # everything is checked before any sampling starts or any file is written
        experiments = _experiments(args)
        custom = {k: v for spec in args.custom_decoders or () for k, v in load_custom_decoders(spec).items()}
        for name in args.decoder:
            check_decoder(name, custom)
        check_output(args.out)
        check_workers(args.workers)
    except ValueError as e:
        return _usage_error(args, e)
    try:
        stats = collect(
            experiments, out=args.out, decoder=args.decoder, custom_decoders=custom or None,
            workers=args.workers, max_shots=args.max_shots, max_errors=args.max_errors,
            print_progress=not args.quiet,
        )  # fmt: skip
    except KeyboardInterrupt:
        print(
            f"\nqec sample: interrupted; finished batches are in {args.out}; "
            "rerun the same command to continue",
            file=sys.stderr,
        )
        return EXIT_INTERRUPTED
    except OutputBusyError as e:
        return _usage_error(args, e)
    print(_table(stats))
    return 0


def _cmd_inspect(args: argparse.Namespace) -> int:
    from qec.graph import inspect_experiment  # pymatching graph tools only when asked for

    try:
        experiments = _experiments(args)
    except ValueError as e:
        return _usage_error(args, e)
    for experiment in experiments:
        print(inspect_experiment(experiment))
    return 0


def _cmd_fit(args: argparse.Namespace) -> int:
    from qec import fit
    from qec.stats import read_stats_with_origin

    try:
        if args.bootstrap < 0:
            raise ValueError(f"--bootstrap={args.bootstrap} must be >= 0")
        _check_out("--out", args.out)
        _check_out("--plot", args.plot)
        if args.plot is not None and pathlib.Path(args.plot).suffix not in (".png", ".pdf", ".svg"):
            raise ValueError(f"--plot={args.plot!r} must end in .png, .pdf or .svg")
        stats, origin = read_stats_with_origin(*args.stats)
        points = fit.points_from_stats(stats, origin=origin)
        window = tuple(args.threshold_window) if args.threshold_window else None
        groups = fit.fit_all(points, bootstrap=args.bootstrap, seed=args.seed, threshold_window=window)
    except ValueError as e:
        return _usage_error(args, e)
    document = fit.fits_document(groups, inputs=args.stats, bootstrap=args.bootstrap, seed=args.seed)
    atomic_write_text(args.out, json.dumps(document, indent=1) + "\n")
    if args.plot is not None:
        from qec.plot import plot_fits

        plot_fits(groups, args.plot)
    print(fit.format_table(groups))
    return 0


def _cmd_train(args: argparse.Namespace) -> int:
    from qec import qnn

    out = pathlib.Path(args.out)
    checkpoint = out.with_name(f".{out.name}.checkpoint.json")
    try:
        _check_out("--out", args.out)
        settings = dict(
            dataset=args.data or args.dataset, connectivity=args.connectivity, observable=args.observable,
            noise=args.noise, seed=args.seed, samples=args.samples, test_fraction=args.test_fraction,
            maxiter=args.maxiter, chunk=args.chunk, shots=args.shots, method=args.method,
            trajectories=args.trajectories,
        )  # fmt: skip
        if args.data is not None:
            qnn.load_table(args.data)  # a bad file is a usage error before anything runs
        if args.circuit is not None:
            config = qnn.for_circuit(args.circuit, **settings)
        else:
            config = qnn.TrainConfig(qubits=args.qubits, layers=args.layers, **settings)
        qnn.simulation(config)  # a qubit count no method here can hold
        inputs = qnn.qnn_parts(config).inputs  # the observable fits the circuit
        qnn.config_dataset(config, len(inputs))  # the data fit the circuit
    except ValueError as e:
        return _usage_error(args, e)

    def progress(done: int, loss: float) -> None:
        print(f"qec train: {done}/{config.maxiter} iterations, loss {loss:.4f}", file=sys.stderr)

    try:
        result = qnn.train(config, checkpoint=checkpoint, progress=progress)
    except KeyboardInterrupt:
        print(f"\nqec train: interrupted; progress is in {checkpoint}; rerun to resume", file=sys.stderr)
        return EXIT_INTERRUPTED
    except ValueError as e:  # a checkpoint of another configuration, chunk below COBYLA's minimum
        return _usage_error(args, e)
    atomic_write_text(out, json.dumps(result.to_dict(), indent=1) + "\n")
    checkpoint.unlink(missing_ok=True)
    shape = f"circuit={config.circuit}" if config.circuit else f"layers={config.layers}"
    exact = "exact" if result.precision == 0 else f"precision ±{result.precision:.3g} per expectation"
    print(f"{config.dataset} qubits={config.qubits} {shape} noise={config.noise} "
          f"seed={config.seed}: train accuracy {result.train_accuracy:.3f}, test accuracy "
          f"{result.test_accuracy:.3f}, final loss {result.final_loss:.4f}, "
          f"{result.wall_seconds:.1f} s; simulation {result.method} ({exact})")  # fmt: skip
    return 0


def _cmd_combine(args: argparse.Namespace) -> int:
    from qec.stats import read_stats, write_stats

    try:
        _check_out("--out", args.out)
        stats = read_stats(*args.stats)
    except ValueError as e:
        return _usage_error(args, e)
    write_stats(args.out, stats)
    print(f"qec combine: {len(args.stats)} files, {len(stats)} tasks, "
          f"{sum(s.shots for s in stats)} shots -> {args.out}")  # fmt: skip
    return 0


def _read_json(flag: str, path: str) -> dict:
    try:
        return json.loads(pathlib.Path(path).read_text())
    except (OSError, json.JSONDecodeError) as e:
        raise ValueError(f"{flag}: cannot read {path!r}: {e}") from None


def _workload(args: argparse.Namespace, definition: str, *, extra_test: int, extra_seed: int):
    from qec.qnn import Workload

    results = [_read_json("--results", path) for path in args.results]
    if definition == "training" and args.train_dir is None:
        raise ValueError("--definition training needs --train-dir for the runs it trains")
    _check_folder("--train-dir", args.train_dir)
    return Workload.from_results(results, definition=definition, extra_test=extra_test, extra_seed=extra_seed,
                                 train_dir=args.train_dir, jobs=args.jobs)  # fmt: skip


def _progress(command: str):
    return lambda message: print(f"qec {command}: {message}", file=sys.stderr, flush=True)


def _cmd_tolerance(args: argparse.Namespace) -> int:
    from qec import tolerance as tol
    from qec.noise import NoiseModel

    try:
        _check_out("--out", args.out)
        tol.check_delta(args.delta)
        tol.check_eps_grid(args.eps_grid)
        for p in args.p:
            NoiseModel(args.noise, p)
        if not 0 < args.confidence < 1:
            raise ValueError(f"--confidence={args.confidence} must be in (0, 1)")
        for flag, value, least in (
            ("--bootstrap", args.bootstrap, 10),
            ("--refine", args.refine, 0),
            ("--extra-test", args.extra_test, 0),
            ("--extra-seed", args.extra_seed, 0),
        ):
            if value < least:
                raise ValueError(f"{flag}={value} must be >= {least}")
        workload = _workload(args, args.definition, extra_test=args.extra_test, extra_seed=args.extra_seed)
        workload.evaluate([])  # dataset and extra-test checks before the long part
        result = tol.measure_tolerance(
            workload.evaluate, eps_grid=args.eps_grid, physical=[(args.noise, p) for p in args.p],
            delta=args.delta, definition=args.definition, confidence=args.confidence,
            bootstrap=args.bootstrap, refine=args.refine, seed=args.seed, qnn=workload.shape,
            simulation=workload.simulation(), extra_test=args.extra_test, extra_seed=args.extra_seed,
            progress=_progress("tolerance"),
        )  # fmt: skip
    except ValueError as e:
        return _usage_error(args, e)
    atomic_write_text(args.out, json.dumps(result.to_dict(), indent=1) + "\n")
    print(result.describe())
    return 0


def _cmd_budget(args: argparse.Namespace) -> int:
    from qec import budget, fit
    from qec.qnn import qnn_shape
    from qec.tolerance import Tolerance, measure_changes

    try:
        out = pathlib.Path(args.out)
        _check_out("--out", args.out, ".txt", ".json")
        if args.cycles_per_gate <= 0:
            raise ValueError(f"--cycles-per-gate={args.cycles_per_gate} must be > 0")
        tolerance = Tolerance.from_dict(_read_json("--tolerance", args.tolerance))
        noise = tolerance.physical[0].noise if tolerance.physical else "circuit"
        document = _read_json("--fits", args.fits)
        models = fit.models_by_decoder(document, args.code, noise, args.basis, args.decoder)
        above = fit.above_threshold_by_decoder(document, args.code, noise, args.basis, list(models))
        workload = _workload(args, tolerance.definition, extra_test=tolerance.extra_test,
                             extra_seed=tolerance.extra_seed)  # fmt: skip
        if workload.shape != qnn_shape(tolerance.qnn) or workload.seeds != tolerance.seeds:
            raise ValueError(
                f"--results are not the runs --tolerance was measured from: QNN {workload.shape}, "
                f"seeds {workload.seeds} vs {tolerance.qnn}, seeds {tolerance.seeds}"
            )
        order = {name: i for i, name in enumerate(models)}
        rows = sorted(
            (
                row
                for name, (model, *alternatives) in models.items()
                for row in budget.budget_rows(
                    model=model,
                    tolerance=tolerance,
                    code=args.code,
                    n_logical=int(tolerance.qnn["qubits"]),
                    cycles_per_gate=args.cycles_per_gate,
                    alternatives=alternatives,
                    decoder=name,
                    above_threshold=above[name],
                )
            ),
            key=lambda r: (r.p, order[r.decoder]),
        )
    except ValueError as e:
        return _usage_error(args, e)
    eps = budget.check_eps(rows)
    _progress("budget")(f"measuring the accuracy change at ε_op(d*) and ε_op(d* − 2): {len(eps)} values")
    changes = measure_changes(workload.evaluate, eps, confidence=tolerance.confidence,
                              bootstrap=tolerance.bootstrap or 1000)  # fmt: skip
    groups = {g.key: g for g in fit.groups_of(document)}
    channel_rows: list = []
    if any(g.experiment == "cnot" for g in groups.values()) and tolerance.definition == "inference":
        from qec.channel_budget import channel_rows as measured_rows

        _progress("budget")(f"the measured-channel route: {len(rows)} rows, the QNN evaluated at each d")
        channel_rows = measured_rows(
            rows, groups=groups, workload=workload, delta=tolerance.delta, code=args.code, noise=noise,
            cycles_per_gate=args.cycles_per_gate, confidence=tolerance.confidence,
            bootstrap=tolerance.bootstrap or 1000, jobs=args.jobs, progress=_progress("budget"),
        )  # fmt: skip
    report = budget.BudgetReport(
        code=args.code,
        basis=args.basis,
        noise=noise,
        cycles_per_gate=args.cycles_per_gate,
        n_logical=int(tolerance.qnn["qubits"]),
        models={name: ms[0] for name, ms in models.items()},
        tolerance=tolerance,
        rows=tuple(budget.with_checks(rows, changes)),
        alternatives={name: tuple(ms[1:]) for name, ms in models.items()},
        above_threshold=above,
        assumptions=(f"decoders: {', '.join(models)}, each fitted on its own in {args.fits}",),
        channel_rows=tuple(channel_rows),
    )
    text = report.format()
    atomic_write_text(out, report.to_csv())
    atomic_write_text(out.with_suffix(".txt"), text + "\n")
    atomic_write_text(out.with_suffix(".json"), json.dumps(report.to_dict(), indent=1) + "\n")
    print(text)
    return 0


def _cmd_resources(args: argparse.Namespace) -> int:
    from qec import fit
    from qec import resources as res
    from qec.fit import SuppressionModel
    from qec.qnn import execution
    from qec.tolerance import Tolerance

    try:
        out = pathlib.Path(args.out)
        _check_out("--out", args.out, ".txt")
        if args.constants is not None and args.decoder:
            raise ValueError(
                "--decoder chooses among the fitted models of --fits; --constants gives one model"
            )
        above: dict = {}
        if args.constants is not None:
            models = {"given": SuppressionModel.power(A=args.constants[0], p_th=args.constants[1])}
        else:
            document = _read_json("--fits", args.fits)
            fitted = fit.models_by_decoder(document, args.code, args.noise, args.basis, args.decoder)
            models = {name: ms[0] for name, ms in fitted.items()}
            above = fit.above_threshold_by_decoder(document, args.code, args.noise, args.basis, list(models))
            models, above = _with_cnot_constants(models, above, fit.groups_of(document), noise=args.noise)
        timing = None
        if args.qnn is not None:
            result = _read_json("--qnn", args.qnn)
            circuit, name = execution.qnn_circuit_from_result(result), f"QNN of {args.qnn}"
            timing = execution.qnn_timing(result["config"])
        else:
            circuit, name = execution.load_circuit(args.circuit), args.circuit
        budgets: dict[str, Any] = {"budget": args.error_budget}
        star = None
        if args.tolerance is not None:
            t = Tolerance.from_dict(_read_json("--tolerance", args.tolerance))
            g = execution.logical_operations(circuit)
            star = (t.eps_star, t.eps_star_low, t.eps_star_high)
            budgets = {
                "budget": res.error_budget(t.eps_star, g),
                "budget_low": res.error_budget(t.eps_star_low, g),
                "budget_high": res.error_budget(t.eps_star_high, g),
            }
        report = res.estimate_resources(
            circuit, ps=args.p, noise=args.noise, models=models, preset=args.preset, code=args.code,
            timing=timing, eps_star=star, max_code_distance=args.max_code_distance, circuit_name=name,
            only_below_threshold=args.only_below_threshold, above=above, progress=_progress("resources"),
            **budgets,
        )  # fmt: skip
    except ValueError as e:
        return _usage_error(args, e)
    text = report.format()
    atomic_write_text(out, json.dumps(report.to_dict(), indent=1) + "\n")
    atomic_write_text(out.with_suffix(".txt"), text + "\n")
    print(text)
    return 0


def _with_cnot_constants(models: dict, above: dict, groups: list, *, noise: str) -> tuple[dict, dict]:
    """Beside each decoder's memory constants, the lattice-surgery CNOT's (``decoder, cnot``) where
    the fits hold it: above threshold where any of its flows is."""
    from qec.channel import cnot_equivalent_model
    from qec.fit import AboveThreshold

    by_key = {g.key: g for g in groups}
    out, out_above = dict(models), dict(above)
    for name in models:
        model = cnot_equivalent_model(by_key, noise=noise, decoder=name)
        if model is None:
            continue
        flows = [g for g in groups if g.experiment == "cnot" and g.decoder == name and g.noise == noise]
        bounded = [g.above_threshold for g in flows if g.above_threshold.limit is not None]
        out[f"{name}, cnot"] = model
        out_above[f"{name}, cnot"] = min(bounded, key=lambda a: a.limit) if bounded else AboveThreshold()
    return out, out_above


def _cmd_plot(args: argparse.Namespace) -> int:
    from qec.plot import plot_study

    try:
        written = plot_study(args.folder)
    except ValueError as e:
        return _usage_error(args, e)
    for path in written:
        print(path)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``qec`` command line; returns the exit code.

    Example:
        >>> main(["inspect", "--code", "repetition", "--noise", "circuit",
        ...       "--distance", "3", "--p", "0.01", "--rounds", "2"])  # doctest: +ELLIPSIS
        repetition d=3 rounds=2 basis=z noise=circuit p=0.01
          physical qubits   5 (3 data + 2 measure)
        ...
        0
    """
    parser = _parser()
    args = parser.parse_args(argv)
    commands = {
        "sample": _cmd_sample, "combine": _cmd_combine, "fit": _cmd_fit, "train": _cmd_train,
        "tolerance": _cmd_tolerance, "budget": _cmd_budget, "resources": _cmd_resources,
        "plot": _cmd_plot, "inspect": _cmd_inspect,
    }  # fmt: skip
    return commands[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
