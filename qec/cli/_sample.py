"""``qec sample``: sample and decode a sweep of experiments into a sinter CSV (resumable)."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

import sinter

from qec.cli._common import (
    EXIT_INTERRUPTED,
    Files,
    _add_experiment_args,
    _Distinct,
    _experiments,
    _positive_int,
    _usage_error,
)
from qec.decoders import DEFAULT_DECODER, check_decoder, load_custom_decoders
from qec.sampling import OutputBusyError, check_output, check_workers, collect
from qec.stats import binomial_interval

# The files it reads and writes: qec.cli refuses an output that is an input, before anything runs.
FILES = Files(writes={"--out": ()})


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.description = (
        "Sample the product of the list arguments with sinter; resumable: rerun "
        "the same command to top up what the output file already holds."
    )
    _add_experiment_args(p, many=True)
    p.add_argument(
        "--decoder",
        nargs="+",
        action=_Distinct,
        default=[DEFAULT_DECODER],
        metavar="NAME",
        help=f"sinter decoder(s): every task is sampled with each (default {DEFAULT_DECODER})",
    )
    p.add_argument("--custom-decoders", nargs="+", action=_Distinct, metavar="MODULE:FUNCTION",
                   help="a function returning a dict of name → sinter.Decoder (as sinter collect's "
                   "--custom_decoders_module_function)")  # fmt: skip
    p.add_argument(
        "--max-shots",
        type=_positive_int,
        default=1_000_000,
        help="stop a task at this many shots in total (default 1000000)",
    )
    p.add_argument(
        "--max-errors",
        type=_positive_int,
        default=1000,
        help="stop a task at this many errors in total (default 1000)",
    )
    p.add_argument(
        "--workers",
        type=_positive_int,
        default=os.cpu_count() or 1,
        help="worker processes (default: all cores)",
    )
    p.add_argument("--out", required=True, help="sinter CSV file to create or extend")
    p.add_argument("--quiet", action="store_true", help="no progress on stderr")


def main_sample(args: argparse.Namespace) -> int:
    try:  # everything is checked before any sampling starts or any file is written
        experiments = _experiments(args)
        custom: dict = {}
        for spec in args.custom_decoders or ():
            for name, value in load_custom_decoders(spec).items():
                if name in custom:
                    raise ValueError(f"--custom-decoders: {spec!r} names {name!r}, which an earlier "
                                     "MODULE:FUNCTION names too; give each name once")  # fmt: skip
                custom[name] = value
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


def _table(stats: Sequence[sinter.TaskStats]) -> str:
    # A device's label (device:NAME@DATE:QUANTILE) can be longer than a noise model's name.
    width = max([24, *(len(str(s.json_metadata.get("noise", ""))) for s in stats)])
    header = (
        f"{'code':<20} {'noise':<{width}} {'d':>3} {'p':>9} {'rounds':>6} {'basis':>5} {'decoder':<22} "
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
        p = f"{m['p']:.4g}" if "device" in m else m.get("p", "?")  # a device's p is derived, not given
        lines.append(
            f"{code:<20} {m.get('noise', '?'):<{width}} {m.get('d', '?'):>3} "
            f"{p:>9} {m.get('rounds', '?'):>6} {m.get('basis', '?'):>5} {s.decoder:<22} "
            f"{s.shots:>10} {s.errors:>8} {rate:>28}"
        )
    if any("device" in s.json_metadata for s in stats):
        from qec.device import IDEALISATION

        lines.append(f"device rows: p is the two-qubit DEPOLARIZE2 probability; {IDEALISATION}")
    return "\n".join(lines)
