"""``qec budget``: per p, hardware suffices, QEC with d* [interval] and qubits, or above threshold."""

from __future__ import annotations

import argparse
import json
import pathlib

from qec.cli._common import (
    _add_training_args,
    _check_out,
    _float,
    _progress,
    _read_json,
    _usage_error,
    _workload,
)
from qec.codes import BASES, CODE_NAMES
from qec.stats import atomic_write_text


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.description = (
        "The QML error budget (docs/concepts.md, 'The budget') from a fits.json and a "
        "tolerance.json."
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
    p.add_argument("--decoder", nargs="+", metavar="NAME",
                   help="decoders whose fits to budget side by side (default: all in --fits)")  # fmt: skip
    p.add_argument("--basis", default="z", choices=BASES, metavar="BASIS")
    p.add_argument("--cycles-per-gate", type=_float, default=1.0,
                   help="d-round code cycles per logical operation, c (default 1)")  # fmt: skip
    _add_training_args(p)
    p.add_argument("--out", required=True, help="budget CSV; a .json and .txt are written beside it")


def main_budget(args: argparse.Namespace) -> int:
    from qec import budget, fits
    from qec.tolerance import Tolerance, measure_changes, qnn_shape

    try:
        out = pathlib.Path(args.out)
        _check_out("--out", args.out, ".txt", ".json")
        if args.cycles_per_gate <= 0:
            raise ValueError(f"--cycles-per-gate={args.cycles_per_gate} must be > 0")
        tolerance = Tolerance.from_dict(_read_json("--tolerance", args.tolerance))
        noise = tolerance.physical[0].noise if tolerance.physical else "circuit"
        document = _read_json("--fits", args.fits)
        models = fits.models_by_decoder(document, args.code, noise, args.basis, args.decoder)
        above = fits.above_threshold_by_decoder(document, args.code, noise, args.basis, list(models))
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
    groups = {g.key: g for g in fits.groups_of(document)}
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
