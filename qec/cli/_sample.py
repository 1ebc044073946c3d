"""``qec sample``: sample and decode a sweep of experiments into a sinter CSV (resumable)."""

from __future__ import annotations

import argparse
import os
import signal
import sys
from collections.abc import Sequence

import sinter

from qec._workers import Terminated
from qec.cli._common import (
    EXIT_INTERRUPTED,
    Files,
    _add_experiment_args,
    _Distinct,
    _experiments,
    _float,
    _positive_int,
    _read_json,
    _usage_error,
)
from qec.decoders import DEFAULT_DECODER, check_decoder, load_custom_decoders
from qec.sampling import OutputBusyError, check_output, check_workers, collect
from qec.stats import binomial_interval

# The files it reads and writes: qec.cli refuses an output that is an input, before anything runs.
FILES = Files(reads=("--tolerance",), writes={"--out": ()})


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
        help="stop a task at this many errors in total (default 1000; not with --target)",
    )
    p.add_argument(
        "--workers",
        type=_positive_int,
        default=os.cpu_count() or 1,
        help="worker processes (default: all cores)",
    )
    p.add_argument("--out", required=True, help="sinter CSV file to create or extend")
    p.add_argument("--quiet", action="store_true", help="no progress on stderr")
    adaptive = p.add_argument_group(
        "adaptive sampling (--target with --tolerance, or --fit-target without)",
        "Sample in rounds until the answer is precise enough, or --core-hours are spent: a pilot takes "
        "every task to --pilot-errors or --pilot-shots, then each batch goes where it narrows the widest "
        "intervals most per core-second. With --tolerance, the answer is the budget's d* at each of its p: "
        "every d* interval must be at most --target distance steps wider than ε*'s own interval allows. "
        "Without one, the answer is qec fit's: in every (basis, decoder) group, the measured threshold's "
        "95% profile interval and the 95% interval of Λ at every sampled p not measured above threshold "
        "must each be at most --fit-target W times its estimate wide: (high − low)/estimate <= W. Memory "
        "experiments only; --max-shots caps each task.",
    )
    from qec.adaptive import DEFAULTS as D

    flags = [
        ("--target", _positive_int, None, "STEPS",
         "with --tolerance: widest d* interval allowed, in distance steps beyond ε*'s own width "
         "(d* ± 2 is 2 steps)"),
        ("--tolerance", str, None, "JSON", "tolerance.json (qec tolerance): the p values and ε* of the rows"),
        ("--fit-target", _float, None, "W",
         "without --tolerance: widest threshold and Λ interval allowed, as a fraction of the estimate "
         "(0.1: every 95%% interval at most 10%% of its value wide)"),
        ("--core-hours", _float, D["core_hours"], "H",
         f"stop once the file holds this many sampling core-hours (default {D['core_hours']:g})"),
        ("--batch-seconds", _float, D["batch_seconds"], "S",
         f"core-seconds per batch (default {D['batch_seconds']:g})"),
        ("--pilot-errors", _positive_int, D["pilot_errors"], "N",
         f"the pilot's errors per task (default {D['pilot_errors']})"),
        ("--pilot-shots", _positive_int, D["pilot_shots"], "N",
         f"the pilot's shots per task (default {D['pilot_shots']})"),
        ("--cycles-per-gate", _float, 1.0, "C", "c, code cycles per logical operation (default 1)"),
    ]  # fmt: skip
    for flag, kind, default, metavar, text in flags:
        adaptive.add_argument(flag, type=kind, default=default, metavar=metavar, help=text)
    adaptive.add_argument(
        "--threshold-window",
        nargs=2,
        type=_float,
        metavar=("PMIN", "PMAX"),
        help="as qec fit --threshold-window",
    )


def main_sample(args: argparse.Namespace) -> int:
    try:  # everything is checked before any sampling starts or any file is written
        experiments = _experiments(args)
        custom: dict = {}
        for spec in args.custom_decoders or ():
            for name, value in load_custom_decoders(spec).items():
                if name in custom:
                    raise ValueError(
                        f"--custom-decoders: {spec!r} names {name!r}, which an earlier "
                        "MODULE:FUNCTION names too; give each name once"
                    )
                custom[name] = value
        for name in args.decoder:
            check_decoder(name, custom)
        check_output(args.out)
        check_workers(args.workers)
        adaptive = _adaptive_settings(args, experiments)
    except ValueError as e:
        return _usage_error(args, e)
    if adaptive is not None:
        return _main_adaptive(args, experiments, custom, adaptive)
    try:
        stats = collect(
            experiments,
            out=args.out,
            decoder=args.decoder,
            custom_decoders=custom or None,
            workers=args.workers,
            max_shots=args.max_shots,
            max_errors=1000 if args.max_errors is None else args.max_errors,
            print_progress=not args.quiet,
        )
    except KeyboardInterrupt as stop:
        return _interrupted(args.out, stop=stop)
    except OutputBusyError as e:
        return _usage_error(args, e)
    print(_table(stats))
    return 0


_ADAPTIVE_ONLY = ("tolerance", "threshold_window")
# AdaptiveTarget's fields as the CLI names them, for its error messages.
_FLAGS = {"steps": "target", "relative_width": "fit-target", "core_hours": "core-hours",
          "batch_seconds": "batch-seconds", "pilot_errors": "pilot-errors", "pilot_shots": "pilot-shots",
          "max_shots": "max-shots"}  # fmt: skip


def _adaptive_settings(args: argparse.Namespace, experiments: Sequence) -> tuple | None:
    """(target, tolerance or None) for --target or --fit-target, None without either; a flag
    that needs another is refused."""
    from qec.adaptive import AdaptiveTarget
    from qec.tolerance import Tolerance

    if args.target is None and args.fit_target is None:
        given = [f"--{n.replace('_', '-')}" for n in _ADAPTIVE_ONLY if getattr(args, n) is not None]
        if given:
            raise ValueError(
                f"{', '.join(given)} only apply to adaptive sampling: give --target STEPS"
                f"{'' if args.tolerance is not None else ' --tolerance JSON, or --fit-target W,'} too"
            )
        return None
    if args.target is not None and args.fit_target is not None:
        raise ValueError(
            "--target and --fit-target are two questions: --target STEPS judges the budget's d* (with "
            "--tolerance), --fit-target W the threshold and Λ (without); give one"
        )
    if args.max_errors is not None:
        raise ValueError(
            "--max-errors is the uniform rule; adaptively the pilot stops at --pilot-errors "
            "and --max-shots caps each task"
        )
    if args.target is not None and args.tolerance is None:
        raise ValueError(
            "--target needs --tolerance tolerance.json: d* is judged at its p values and ε* (without a "
            "tolerance, --fit-target W targets the threshold and Λ)"
        )
    if args.fit_target is not None and args.tolerance is not None:
        raise ValueError(
            "--fit-target judges the threshold and Λ, which need no --tolerance; to judge the budget's d* "
            "against the tolerance, give --target STEPS instead"
        )
    kinds = sorted({e.experiment for e in experiments} - {"memory"})
    if kinds:
        raise ValueError(
            f"--experiment {' '.join(kinds)} cannot be sampled adaptively: it judges the memory "
            "experiment's fits (sample gate experiments with --max-shots/--max-errors)"
        )
    codes = sorted({e.code for e in experiments})
    if len(codes) > 1:
        raise ValueError(f"adaptive sampling judges one code's fits; --code gives {codes}")
    try:
        target = AdaptiveTarget(
            steps=args.target,
            relative_width=args.fit_target,
            core_hours=args.core_hours,
            batch_seconds=args.batch_seconds,
            pilot_errors=args.pilot_errors,
            pilot_shots=min(args.pilot_shots, args.max_shots),
            max_shots=args.max_shots,
        )
    except ValueError as e:
        field, rest = str(e).split("=", 1)
        raise ValueError(f"--{_FLAGS.get(field, field)}={rest}") from None
    if target.mode == "fit":
        if not any(e.rounds == e.distance or e.noise.noisy_rounds(2) == 1 for e in experiments):
            raise ValueError(
                "--fit-target judges the threshold, which is fitted to the tasks with rounds = d: give "
                "--rounds-per-distance 1"
            )
        return target, None
    tolerance = Tolerance.from_dict(_read_json("--tolerance", args.tolerance))
    if not tolerance.physical:
        raise ValueError(
            f"--tolerance {args.tolerance!r} has no physical-noise runs: no budget rows to judge"
        )
    noises = sorted({e.noise.name for e in experiments})
    if noises != [tolerance.physical[0].noise]:
        raise ValueError(
            f"--noise {' '.join(noises)}: the tolerance was measured under "
            f"{tolerance.physical[0].noise!r}; sample that noise model"
        )
    return target, tolerance


def _main_adaptive(args: argparse.Namespace, experiments: Sequence, custom: dict, adaptive: tuple) -> int:
    from qec.adaptive import sample_adaptively

    target, tolerance = adaptive
    try:
        result = sample_adaptively(
            experiments,
            out=args.out,
            tolerance=tolerance,
            target=target,
            decoder=args.decoder,
            code=experiments[0].code,
            cycles_per_gate=args.cycles_per_gate,
            threshold_window=tuple(args.threshold_window) if args.threshold_window else None,
            workers=args.workers,
            custom_decoders=custom or None,
            print_progress=not args.quiet,
        )
    except KeyboardInterrupt as stop:
        return _interrupted(args.out, why="each round decides from the file", stop=stop)
    except OutputBusyError as e:
        return _usage_error(args, e)
    print(_table(list(result.stats)))
    print(result.describe())
    return 0


def _interrupted(out: str, *, why: str = "", stop: KeyboardInterrupt | None = None) -> int:
    """Say where the finished batches are and how to continue; the exit code of an interrupt
    (130, Ctrl-C) or of a SIGTERM while sinter samples (143, ``qec._workers.Terminated``)."""
    terminated = isinstance(stop, Terminated)
    more = f" ({why})" if why else ""
    what = "terminated (SIGTERM)" if terminated else "interrupted"
    text = f"{what}; finished batches are in {out}; rerun the same command to continue{more}"
    print(f"\nqec sample: {text}", file=sys.stderr)
    return 128 + signal.SIGTERM if terminated else EXIT_INTERRUPTED


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
