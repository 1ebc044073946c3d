"""``qec tolerance``: the QNN's tolerable logical error ε* with its interval, from paired evaluations."""

from __future__ import annotations

import argparse
import json

from qec._io import atomic_write_text
from qec.cli._common import (
    Files,
    _add_training_args,
    _Distinct,
    _float,
    _int,
    _nonnegative_int,
    _progress,
    _usage_error,
    _workload,
)
from qec.noise import CIRCUIT_LEVEL

# The files it reads and writes: qec.cli refuses an output that is an input, before anything runs.
FILES = Files(reads=("--results",), writes={"--out": ()}, results=("--results",))


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.description = (
        "ε*: where the QNN's paired accuracy change against ε = 0 crosses −δ "
        "(bootstrap interval over seeds and test points; the grid is refined around the crossing)."
    )
    p.add_argument(
        "--results",
        nargs="+",
        required=True,
        help="qec train result JSONs of one QNN configuration (noiseless runs at least)",
    )
    p.add_argument("--definition", default="inference", choices=("inference", "training"),
                   help="inference: noiseless weights evaluated under ε (default); training: "
                   "trained under ε vs noiselessly, paired by seed")  # fmt: skip
    p.add_argument("--eps-grid", nargs="+", action=_Distinct, required=True, type=_float, metavar="EPS",
                   help="logical error rates per operation to evaluate (>= 3)")  # fmt: skip
    p.add_argument("--delta", type=_float, default=0.01, help="accuracy tolerance δ in (0, 1) (default 0.01)")
    p.add_argument("--noise", required=True, choices=CIRCUIT_LEVEL, metavar="NOISE",
                   help="physical noise model for the no-QEC comparison (circuit or si1000)")  # fmt: skip
    p.add_argument("--p", nargs="+", action=_Distinct, required=True, type=_float, metavar="P",
                   help="physical error rates for the no-QEC comparison")  # fmt: skip
    p.add_argument("--confidence", type=_float, default=0.95, help="interval level (default 0.95)")
    p.add_argument("--bootstrap", type=_int, default=1000, help="bootstrap replicates (default 1000)")
    p.add_argument(
        "--refine",
        type=_int,
        default=6,
        help="points of the second, denser grid around the crossing (default 6; 0: none)",
    )
    p.add_argument(
        "--extra-test",
        type=_int,
        default=0,
        help="fresh test points per seed beside the held-out split (synthetic datasets; default 0)",
    )
    p.add_argument("--extra-seed", type=_nonnegative_int, default=0, help="stream of the fresh test points")
    p.add_argument("--seed", type=_nonnegative_int, default=0, help="bootstrap seed (default 0)")
    _add_training_args(p)
    p.add_argument("--out", required=True, help="tolerance JSON to write")


def main_tolerance(args: argparse.Namespace) -> int:
    from qec import tolerance as tol
    from qec.noise import NoiseModel

    try:
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
