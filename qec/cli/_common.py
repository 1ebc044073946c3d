"""What every ``qec`` command shares: the one-line usage errors, argument types, file checks."""

from __future__ import annotations

import argparse
import json
import pathlib
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

from qec.codes import BASES, CODE_NAMES, EXPERIMENTS
from qec.noise import NOISE_NAMES

if TYPE_CHECKING:
    from qec.qnn import Workload
    from qec.sampling import Experiment

EXIT_USAGE = 2
EXIT_INTERRUPTED = 130


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line (naming argument, value, what is allowed)."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


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


def _usage_error(args: argparse.Namespace, error: ValueError) -> int:
    print(f"qec {args.command}: error: {error}", file=sys.stderr)
    return EXIT_USAGE


def _progress(command: str) -> Callable[[str], None]:
    return lambda message: print(f"qec {command}: {message}", file=sys.stderr, flush=True)


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


def _read_json(flag: str, path: str) -> dict:
    try:
        return json.loads(pathlib.Path(path).read_text())
    except (OSError, json.JSONDecodeError) as e:
        raise ValueError(f"{flag}: cannot read {path!r}: {e}") from None


def _add_experiment_args(p: argparse.ArgumentParser, *, many: bool) -> None:
    """The experiment flags of ``qec sample`` and ``qec inspect``."""
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
        choices=NOISE_NAMES,
        metavar="NOISE",
        help=f"noise model: {', '.join(NOISE_NAMES)} (with --p; or give --device)",
    )
    p.add_argument(
        "--distance", nargs=nargs, required=True, type=_int, metavar="D", help="code distance(s), >= 2"
    )
    p.add_argument(
        "--p",
        nargs=nargs,
        type=_float,
        metavar="P",
        help="physical error rate(s) in [0, 0.5] (Stim convention)",
    )
    p.add_argument(
        "--device",
        nargs=nargs,
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


def _experiments(args: argparse.Namespace) -> list[Experiment]:
    from qec.device import Device
    from qec.sampling import sweep

    if args.rounds is None and args.rounds_per_distance is None:
        args.rounds_per_distance = 1
    for flag, value in (("--rounds", args.rounds), ("--rounds-per-distance", args.rounds_per_distance)):
        if value is not None and value < 1:
            raise ValueError(f"{flag}={value} is not allowed: need an integer >= 1")
    experiments = [args.experiment] if isinstance(args.experiment, str) else args.experiment
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
    return Workload.from_results(results, definition=definition, extra_test=extra_test, extra_seed=extra_seed,
                                 train_dir=args.train_dir, jobs=args.jobs)  # fmt: skip
