"""What every ``qec`` command shares: the one-line usage errors, argument types, file checks."""

from __future__ import annotations

import argparse
import dataclasses
import errno
import json
import math
import os
import pathlib
import sys
import types
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from qec._check import parse_float, parse_int
from qec._io import InputFileError
from qec.codes import BASES, CODE_NAMES, EXPERIMENTS
from qec.noise import NOISE_NAMES

if TYPE_CHECKING:
    from qec.qnn import Workload
    from qec.sampling import Experiment

EXIT_FAILURE = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130
EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE: what a shell reports for a command its closed pipe ended
# What the machine, not the command, refused mid-run: one line instead of a traceback.
_OS_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EACCES, errno.EPERM, errno.EROFS,
              errno.ENAMETOOLONG, errno.EIO}  # fmt: skip


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line (naming argument, value, what is allowed)."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


class _Distinct(argparse.Action):
    """A list flag whose values must differ (``action=_Distinct``; every list of values has it):
    a value given twice is a usage error, before anything is read or written. A repeated
    distance, p, basis or decoder would name the same task twice, which sinter refuses mid-run
    and the study schema refuses too (``uniqueItems``); files given twice are read once instead
    (``qec.stats.read_stats_with_origin``)."""

    def __call__(self, parser, namespace, values, option_string=None) -> None:  # type: ignore[override]
        seen: list = []
        for value in values:
            if value in seen:
                raise argparse.ArgumentError(self, f"{value!r} is given twice; give each value once")
            seen.append(value)
        setattr(namespace, self.dest, values)


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
    # ASCII digits only (catalog NUM8, NUM10: int() read "３" as 3 and "1_1" as 11).
    try:
        return parse_int(text)
    except ValueError as e:
        raise argparse.ArgumentTypeError(str(e)) from None


def _float(text: str) -> float:
    # Every number the CLI takes is a rate, a fraction or a factor: none means anything as NaN or
    # infinity, and NaN slips through range checks (every comparison with it is False).
    try:
        value = parse_float(text)  # ASCII only (catalog NUM9: "０.０１" was 0.01)
    except ValueError as e:
        raise argparse.ArgumentTypeError(str(e)) from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"{text!r} is not a finite number")
    return value


def _usage_error(args: argparse.Namespace, error: ValueError) -> int:
    print(f"qec {args.command}: error: {error}", file=sys.stderr)
    return EXIT_USAGE


def _progress(command: str) -> Callable[[str], None]:
    return lambda message: print(f"qec {command}: {message}", file=sys.stderr, flush=True)


@dataclasses.dataclass(frozen=True)
class Files:
    """The files a command reads and writes, named as on its command line (``--fits``, or the
    dest of a positional such as ``stats``); ``_run`` checks them before the command runs
    (``qec._io.check_writes``): every output writable, none of them an input or another output.
    Each command module declares its own as ``FILES``.

    Attributes:
        reads: The arguments that name files read (one path, several, or none when not given).
        writes: Argument → the files written beside it, as templates of its name
            (``"{stem}.txt"``: ``budget.csv`` → ``budget.txt``; ``".{name}.checkpoint.json"``).
        results: Those of ``reads`` that are ``qec train`` results: the data and circuit files
            they name are read too.
        in_place: The output may be the command's one input (``qec combine a.csv --out a.csv``).

    Example:
        >>> Files(reads=("--fits",), writes={"--out": ("{stem}.txt",)})  # doctest: +ELLIPSIS
        Files(reads=('--fits',), writes={'--out': ('{stem}.txt',)}, ...)
    """

    reads: tuple[str, ...] = ()
    writes: dict[str, tuple[str, ...]] = dataclasses.field(default_factory=dict)
    results: tuple[str, ...] = ()
    in_place: bool = False


def _given(args: argparse.Namespace, argument: str) -> list[str]:
    value = getattr(args, argument.removeprefix("--").replace("-", "_"), None)
    return [] if value is None else [value] if isinstance(value, str) else list(value)


def _named_by_result(path: str) -> Iterator[str]:
    """The data and circuit files a ``qec train`` result names (none if it cannot be read:
    the command says why; a device or pipe is not opened here)."""
    if not pathlib.Path(path).is_file():
        return
    try:
        config = json.loads(pathlib.Path(path).read_text())["config"]
        named = [config.get("dataset"), config.get("circuit")]
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return
    yield from (n for n in named if isinstance(n, str) and n and pathlib.Path(n).is_file())


def _check_regular(what: str, path: str) -> None:
    """Usage error if ``path`` exists and is no regular file: a pipe or device would block the
    command or feed it without end (``qec train --settings`` reads its file before the others)."""
    if os.path.exists(path) and not os.path.isfile(path):
        raise ValueError(f"{what} is not a regular file (a pipe, device or folder); give a file")


def _check_files(args: argparse.Namespace, files: Files) -> None:
    """Usage error unless every input ``files`` declares is a regular file (where it exists) and
    every output can be written and is neither an input (through symlinks and hard links) nor
    another output."""
    from qec._io import check_writes

    reads = []
    for argument in files.reads:
        for path in _given(args, argument):
            what = f"{argument}={path!r}" if argument.startswith("--") else f"the input {path!r}"
            reads.append((what, path))
            if argument in files.results:
                reads += [(f"{n!r} (named in {what})", n) for n in _named_by_result(path)]
    for what, path in reads:
        _check_regular(what, path)
    writes = []
    for argument, sidecars in files.writes.items():
        for given in _given(args, argument):
            out = pathlib.Path(given)
            writes.append((argument, given, None))
            writes += [(argument, given, str(out.with_name(s.format(stem=out.stem, name=out.name))))
                       for s in sidecars if out.name]  # fmt: skip
    check_writes(writes, reads, in_place=files.in_place)


def _run(module: types.ModuleType, args: argparse.Namespace) -> int:
    """Run ``module``'s command: its declared files checked first (``Files``); a disk that fills
    or a permission the machine refuses mid-run is one line, not a traceback, and so is a bad
    input the library finds mid-run (``qec._io.InputFileError``: a usage error, exit 2)."""
    try:
        _check_files(args, getattr(module, "FILES", Files()))
    except ValueError as e:
        return _usage_error(args, e)
    except OSError as e:  # a path the system refuses to look at (too long, say)
        return _usage_error(args, ValueError(_os_error(e)))
    try:
        status = getattr(module, f"main_{args.command}")(args)
        sys.stdout.flush()  # a reader gone (qec inspect | head -1) shows here, not at exit
        return status
    except InputFileError as e:  # a bad input found mid-run, past the command's own checks
        return _usage_error(args, e)
    except BrokenPipeError:  # catalog BP1: the reader of stdout closed it; end as `yes | head` does
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # nothing left to flush at exit
        return EXIT_BROKEN_PIPE
    except OSError as e:
        if e.errno not in _OS_ERRNOS:
            raise
        print(f"qec {args.command}: error: {_os_error(e)}", file=sys.stderr)
        return EXIT_FAILURE


def _os_error(e: OSError) -> str:
    return f"{e.strerror or e}: {e.filename!r}" if e.filename else str(e.strerror or e)


def _check_folder(flag: str, path: str | None) -> None:
    """Usage error unless the folder that would hold ``path`` exists (``None``: not given)."""
    if path is not None and not pathlib.Path(path).parent.is_dir():
        raise ValueError(f"{flag}={path!r}: folder {str(pathlib.Path(path).parent)!r} does not exist")


def _read_json(flag: str, path: str, read: Callable[[Any], Any] | None = None) -> Any:
    """The JSON document in ``path``, given as ``flag``; with ``read`` (a record's reader, such as
    ``Tolerance.from_dict`` or ``qec.fit.checked_fits``), what it makes of it.

    Raises:
        ValueError: the file cannot be read, is not JSON, or ``read`` refuses it: one line
            naming ``flag`` and the file (and, from ``read``, the field and what is allowed).
    """
    try:
        document = json.loads(pathlib.Path(path).read_text())
    except (OSError, json.JSONDecodeError) as e:
        raise ValueError(f"{flag}: cannot read {path!r}: {e}") from None
    if read is None:
        return document
    try:
        return read(document)
    except ValueError as e:
        raise ValueError(f"{flag}={path!r}: {e}") from None


def _add_experiment_args(p: argparse.ArgumentParser, *, many: bool) -> None:
    """The experiment flags of ``qec sample`` and ``qec inspect``."""
    nargs = "+" if many else None
    distinct = {"action": _Distinct} if many else {}
    p.add_argument(
        "--code",
        nargs=nargs,
        **distinct,
        required=True,
        choices=CODE_NAMES,
        metavar="CODE",
        help=f"code family: {', '.join(CODE_NAMES)}",
    )
    _add_noise_args(p, nargs=nargs, distinct=distinct)
    p.add_argument(
        "--distance",
        nargs=nargs,
        **distinct,
        required=True,
        type=_int,
        metavar="D",
        help="code distance(s), >= 2",
    )
    p.add_argument(
        "--basis",
        nargs=nargs,
        **distinct,
        default=["z"] if many else "z",
        choices=BASES,
        metavar="BASIS",
        help="memory basis: x, z (default z); for cnot, which type of stabilizer flow is measured",
    )
    p.add_argument(
        "--experiment",
        nargs=nargs,
        **distinct,
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


def _add_noise_args(p: argparse.ArgumentParser, *, nargs: str | None, distinct: dict[str, Any]) -> None:
    """The noise flags of ``qec sample`` and ``qec inspect``: a model at p, or a device."""
    p.add_argument(
        "--noise",
        nargs=nargs,
        **distinct,
        choices=NOISE_NAMES,
        metavar="NOISE",
        help=f"noise model: {', '.join(NOISE_NAMES)} (with --p; or give --device)",
    )
    p.add_argument(
        "--p",
        nargs=nargs,
        **distinct,
        type=_float,
        metavar="P",
        help="physical error rate(s) in [0, 0.5] (Stim convention)",
    )
    p.add_argument(
        "--device",
        nargs=nargs,
        **distinct,
        metavar="DEVICE",
        help="instead of --noise/--p: a device's calibration as the noise: a fake IBM backend "
        "(fake_fez, FakeTorino, brisbane, ...; `qec devices` lists them) or a backend-properties .json "
        "(see qec.device); the code runs on an ideal square grid with its error rates",
    )
    p.add_argument(
        "--quantile",
        default="median",
        metavar="Q",
        help="with --device: median (default) or qNN, the pessimistic NN-th percentile over the "
        "device's qubits and gates (e.g. q90)",
    )


def _add_device_args(p: argparse.ArgumentParser, *, device_help: str) -> None:
    """``--device NAME`` (``device_help`` says what the command does with it) and ``--quantile Q``,
    for the commands that take one device (``qec budget``, ``qec resources``); check them with
    ``_check_quantile_has_device``."""
    p.add_argument("--device", metavar="NAME", help=device_help)
    p.add_argument("--quantile", default=None, metavar="Q",
                   help="with --device: median (default) or qNN, the quantile of its calibration (the one "
                   "its fits were sampled at)")  # fmt: skip


def _check_quantile_has_device(args: argparse.Namespace) -> None:
    """Refuses a ``--quantile`` of ``_add_device_args`` given without ``--device``."""
    if args.quantile is not None and args.device is None:
        raise ValueError(f"--quantile={args.quantile!r} is not allowed without --device")


def _experiments(args: argparse.Namespace) -> list[Experiment]:
    from qec.device import Device
    from qec.sampling import CNOT_ROUNDS_PER_DISTANCE, sweep

    experiments = [args.experiment] if isinstance(args.experiment, str) else args.experiment
    if "cnot" in experiments:
        for flag, value in (("--rounds", args.rounds), ("--rounds-per-distance", args.rounds_per_distance)):
            if value is not None:
                raise ValueError(f"{flag}={value} does not apply to --experiment cnot (it runs "
                                 f"{CNOT_ROUNDS_PER_DISTANCE}d rounds of its own); sample memory in a "
                                 f"separate run to set its rounds")  # fmt: skip
    if args.rounds is None and args.rounds_per_distance is None:
        args.rounds_per_distance = 1
    for flag, value in (("--rounds", args.rounds), ("--rounds-per-distance", args.rounds_per_distance)):
        if value is not None and value < 1:
            raise ValueError(f"{flag}={value} is not allowed: need an integer >= 1")
    noise = {"--noise": args.noise, "--p": args.p}
    if args.device is not None:  # a device's calibration in place of a noise model at p
        devices = [args.device] if isinstance(args.device, str) else args.device
        given = [flag for flag, value in noise.items() if value is not None]
        if given:
            raise ValueError(f"--device={' '.join(devices)!r} is not allowed with {' and '.join(given)}: "
                             "give a device or a noise model at p, not both")  # fmt: skip
        return sweep(
            codes=args.code, distances=args.distance, bases=args.basis, rounds=args.rounds,
            rounds_per_distance=args.rounds_per_distance, experiments=experiments,
            devices=[Device.from_backend(name, args.quantile).noise for name in devices],
        )  # fmt: skip
    missing = [flag for flag, value in noise.items() if value is None]
    if missing:
        raise ValueError(f"{' and '.join(missing)} missing: give --noise NOISE --p P, or --device DEVICE")
    if args.quantile != "median":
        raise ValueError(f"--quantile={args.quantile!r} is not allowed without --device")
    return sweep(
        codes=args.code, noises=args.noise, distances=args.distance, ps=args.p,
        bases=args.basis, rounds=args.rounds, rounds_per_distance=args.rounds_per_distance,
        experiments=experiments,
    )  # fmt: skip


def _add_training_args(p: argparse.ArgumentParser) -> None:
    """The flags for runs the training definition must train (``qec tolerance``, ``qec budget``)."""
    p.add_argument("--train-dir", help="training definition: folder for runs it must train (reused)")
    p.add_argument("--jobs", type=_positive_int, default=1, help="processes for those trainings (default 1)")


def _workload(args: argparse.Namespace, definition: str, *, extra_test: int, extra_seed: int) -> Workload:
    from qec.qnn import Workload

    results = [_read_json("--results", path) for path in args.results]
    if definition == "training" and args.train_dir is None:
        raise ValueError("--definition training needs --train-dir for the runs it trains")
    _check_folder("--train-dir", args.train_dir)
    if args.train_dir is not None and os.path.exists(args.train_dir) and not os.path.isdir(args.train_dir):
        raise ValueError(f"--train-dir={args.train_dir!r} is not a folder; give a folder (made if missing)")
    return Workload.from_results(results, definition=definition, extra_test=extra_test, extra_seed=extra_seed,
                                 train_dir=args.train_dir, jobs=args.jobs,
                                 names=[f"--results {path!r}" for path in args.results])  # fmt: skip
