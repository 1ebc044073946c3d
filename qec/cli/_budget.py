"""``qec budget``: per p, hardware suffices, QEC with d* [interval] and qubits, or above threshold."""

from __future__ import annotations

import argparse
import json
import pathlib

from qec._io import atomic_write_text
from qec.cli._common import (
    Files,
    _add_device_args,
    _add_training_args,
    _check_quantile_has_device,
    _Distinct,
    _float,
    _progress,
    _read_json,
    _usage_error,
    _workload,
)
from qec.codes import BASES, CODE_NAMES

# The files it reads and writes: qec.cli refuses an output that is an input, before anything runs.
FILES = Files(reads=("--fits", "--tolerance", "--results"), writes={"--out": ("{stem}.txt", "{stem}.json")},
              results=("--results",))  # fmt: skip


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.description = (
        "The QML error budget (docs/concepts.md, 'The budget') from a fits.json and a tolerance.json."
    )
    p.add_argument("--fits", required=True, help="fits.json from qec fit")
    p.add_argument("--tolerance", required=True, help="tolerance.json from qec tolerance")
    p.add_argument(
        "--results",
        nargs="+",
        required=True,
        help="the qec train result JSONs the tolerance was measured from (for the d* checks)",
    )
    p.add_argument("--code", required=True, choices=CODE_NAMES, metavar="CODE")
    p.add_argument("--decoder", nargs="+", action=_Distinct, metavar="NAME",
                   help="decoders whose fits to budget side by side (default: all in --fits)")  # fmt: skip
    p.add_argument("--basis", default="z", choices=BASES, metavar="BASIS")
    p.add_argument("--cycles-per-gate", type=_float, default=1.0,
                   help="d-round code cycles per logical operation, c (default 1)")  # fmt: skip
    _add_device_args(p, device_help="budget a device (a fake IBM backend: fake_fez, FakeTorino, ...; `qec "
                     "devices` lists them): one row per decoder at its DEPOLARIZE2 p, d* from the fits of "
                     "its noise (qec sample --device), the verdict from the QNN transpiled to it and "
                     "simulated under Aer's NoiseModel.from_backend, in place of the tolerance's physical "
                     "rows")  # fmt: skip
    _add_training_args(p)
    p.add_argument("--out", required=True, help="budget CSV; a .json and .txt are written beside it")


def main_budget(args: argparse.Namespace) -> int:
    from qec import budget
    from qec.fit import checked_fits
    from qec.tolerance import Tolerance

    try:
        out = pathlib.Path(args.out)
        if args.cycles_per_gate <= 0:
            raise ValueError(f"--cycles-per-gate={args.cycles_per_gate} must be > 0")
        tolerance = _read_json("--tolerance", args.tolerance, Tolerance.from_dict)

        def runs():  # read once the fits are, so that their errors come first (as they did)
            return _workload(args, tolerance.definition, extra_test=tolerance.extra_test,
                             extra_seed=tolerance.extra_seed)  # fmt: skip

        _check_quantile_has_device(args)
        device = verdict = None
        if args.device is not None:
            from qec.device import Device
            from qec.device_budget import device_budget_plan

            if args.device.lower().endswith(".json"):
                raise ValueError(f"--device={args.device!r}: the verdict transpiles the QNN to the device's "
                                 "coupling map, which a properties JSON does not hold; give a fake "
                                 "backend")  # fmt: skip
            device = Device.from_backend(args.device, args.quantile or "median")
            plan, verdict = device_budget_plan(
                _read_json("--fits", args.fits, checked_fits), tolerance, runs, device, code=args.code,
                basis=args.basis, decoders=args.decoder, cycles_per_gate=args.cycles_per_gate,
                source=args.fits,
                progress=_progress("budget"),
            )  # fmt: skip
        else:
            plan = budget.budget_plan(
                _read_json("--fits", args.fits, checked_fits), tolerance, runs, code=args.code,
                basis=args.basis, decoders=args.decoder, cycles_per_gate=args.cycles_per_gate,
                source=args.fits,
            )  # fmt: skip
    except ValueError as e:
        return _usage_error(args, e)
    # Errors past this point are not the input's: they stay tracebacks.
    report = budget.measure_budget(plan, jobs=args.jobs, progress=_progress("budget"))
    text = report.format()
    if device is not None:
        from qec.device_budget import labelled_csv

        atomic_write_text(out, labelled_csv(report.to_csv(), device))
        document = {**report.to_dict(), "device": verdict.to_dict()}
        atomic_write_text(out.with_suffix(".txt"), text + "\n")
        atomic_write_text(out.with_suffix(".json"), json.dumps(document, indent=1) + "\n")
        print(text)
        return 0
    atomic_write_text(out, report.to_csv())
    atomic_write_text(out.with_suffix(".txt"), text + "\n")
    atomic_write_text(out.with_suffix(".json"), json.dumps(report.to_dict(), indent=1) + "\n")
    print(text)
    return 0
