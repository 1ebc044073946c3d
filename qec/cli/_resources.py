"""``qec resources``: fault-tolerant qubits, T factories and run time from the QDK Resource Estimator."""

from __future__ import annotations

import argparse
import json
import pathlib
from typing import Any

from qec._io import atomic_write_text
from qec.cli._common import (
    Files,
    _add_device_args,
    _check_quantile_has_device,
    _Distinct,
    _float,
    _positive_int,
    _progress,
    _read_json,
    _usage_error,
)
from qec.codes import BASES, CODE_NAMES
from qec.noise import CIRCUIT_LEVEL

# The files it reads and writes: qec.cli refuses an output that is an input, before anything runs.
FILES = Files(reads=("--circuit", "--qnn", "--fits", "--tolerance"), writes={"--out": ("{stem}.txt",)},
              results=("--qnn",))  # fmt: skip


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.description = (
        "Estimate a circuit with the QDK Resource Estimator, fed with the fitted suppression "
        "model, the noise model's qubit parameters and an error budget; QDK's default constants beside."
    )
    source = p.add_mutually_exclusive_group(required=True)
    source.add_argument("--circuit", help="a bound circuit: QPY (.qpy) or OpenQASM 2/3 file")
    source.add_argument(
        "--qnn", help="a qec train result: its QNN with trained weights and one test point bound"
    )
    p.add_argument("--p", nargs="+", action=_Distinct, type=_float, metavar="P",
                   help="physical error rates (below the model's threshold); required unless "
                   "--device")  # fmt: skip
    p.add_argument("--noise", choices=CIRCUIT_LEVEL, metavar="NOISE",
                   help="noise model the qubit parameters come from (circuit or si1000); required unless "
                   "--device")  # fmt: skip
    _add_device_args(p, device_help="instead of --noise/--p: a device's calibration (a fake IBM backend, "
                     "`qec devices`, or a backend-properties .json): its gate times and error rates as QDK's "
                     "qubit parameters, p its DEPOLARIZE2 probability, the models of its noise in "
                     "--fits")  # fmt: skip
    constants = p.add_mutually_exclusive_group(required=True)
    constants.add_argument("--fits", help="fits.json from qec fit: the measured suppression model")
    constants.add_argument("--constants", nargs=2, type=_float, metavar=("A", "P_TH"),
                           help="A and p_th of ε_round = A·(p/p_th)^((d+1)/2), as if fitted")  # fmt: skip
    p.add_argument("--basis", default="z", choices=BASES, metavar="BASIS", help="model basis with --fits")
    p.add_argument("--decoder", nargs="+", action=_Distinct, metavar="NAME",
                   help="with --fits: decoders whose models to estimate (default: all)")  # fmt: skip
    p.add_argument(
        "--code",
        default="surface_rotated",
        choices=CODE_NAMES,
        metavar="CODE",
        help="code of the model and of the data-patch column (default surface_rotated)",
    )
    budget_group = p.add_mutually_exclusive_group(required=True)
    budget_group.add_argument(
        "--error-budget",
        type=_float,
        metavar="E",
        help="probability of any logical error per circuit execution, in (0, 1)",
    )
    budget_group.add_argument("--tolerance", help="tolerance.json: E* = 1 − (1 − ε*)^G with ε*'s interval")
    p.add_argument(
        "--preset",
        default="gate_ns",
        choices=("gate_ns", "gate_us"),
        help="operation times: gate_ns (50 ns gates, 100 ns measurement) or gate_us (100 µs)",
    )
    p.add_argument(
        "--only-below-threshold",
        action="store_true",
        help="estimate the p below the model threshold; list the others as not estimated",
    )
    from qec.resources import MAX_CODE_DISTANCE

    p.add_argument("--max-code-distance", type=_positive_int, default=MAX_CODE_DISTANCE,
                   help=f"the estimator's largest code distance (default {MAX_CODE_DISTANCE})")  # fmt: skip
    p.add_argument("--out", required=True, help="resources JSON; a .txt table is written beside it")


def main_resources(args: argparse.Namespace) -> int:
    from qec import resources as res
    from qec.fit import SuppressionModel, checked_fits
    from qec.qnn import execution, qnn_shape
    from qec.tolerance import Tolerance

    try:
        out = pathlib.Path(args.out)
        if args.constants is not None and args.decoder:
            raise ValueError(
                "--decoder chooses among the fitted models of --fits; --constants gives one model"
            )
        device, noise, ps, qubit_parameters, preset = None, args.noise, args.p, None, args.preset
        if args.device is not None:
            given = [flag for flag, value in (("--noise", args.noise), ("--p", args.p)) if value is not None]
            if given:
                raise ValueError(f"--device={args.device!r} is not allowed with {' and '.join(given)}: "
                                 "its p and qubit parameters come from its calibration")  # fmt: skip
            from qec.device import Device
            from qec.device_budget import device_qubit_params

            device = Device.from_backend(args.device, args.quantile or "median")
            noise, ps, qubit_parameters = device.label, [device.noise.p], device_qubit_params(device)
            preset = "device calibration"
        else:
            missing = [flag for flag, value in (("--noise", args.noise), ("--p", args.p)) if value is None]
            if missing:
                raise ValueError(f"{' and '.join(missing)} missing: give --noise NOISE --p P, or "
                                 "--device NAME")  # fmt: skip
            _check_quantile_has_device(args)
        above: dict = {}
        if args.constants is not None:
            from qec.resources.estimate import MAX_CROSSING_PREFACTOR

            high = MAX_CROSSING_PREFACTOR
            if args.constants[0] > high:  # catalog I15: QDK's own words, row by row, exit 0
                raise ValueError(f"--constants A={args.constants[0]:g} must be at most {high:g}: the QDK "
                                 "estimator's crossing prefactor is in (0, 0.5]")  # fmt: skip
            models = {"given": SuppressionModel.power(A=args.constants[0], p_th=args.constants[1])}
        else:
            document = _read_json("--fits", args.fits, checked_fits)
            models, above = res.models_from_fits(document, code=args.code, noise=noise, basis=args.basis,
                                                 decoders=args.decoder)  # fmt: skip
        timing = None
        if args.qnn is not None:
            result = _read_json("--qnn", args.qnn)
            circuit = execution.qnn_circuit_from_result(result, name=f"--qnn {args.qnn!r}")
            name = f"QNN of {args.qnn}"
            timing = execution.qnn_timing(qnn_shape(result["config"]))  # keys a file predates: defaults
        else:
            circuit, name = execution.load_circuit(args.circuit), args.circuit
        budgets: dict[str, Any] = {"budget": args.error_budget}
        star = None
        if args.tolerance is not None:
            t = _read_json("--tolerance", args.tolerance, Tolerance.from_dict)
            star = t.eps_star
            budgets = res.error_budgets(star, execution.logical_operations(circuit))
        report = res.estimate_resources(
            circuit, ps=ps, noise=noise, models=models, preset=preset, code=args.code,
            timing=timing, eps_star=star, max_code_distance=args.max_code_distance, circuit_name=name,
            only_below_threshold=args.only_below_threshold, above=above, progress=_progress("resources"),
            qubit_parameters=qubit_parameters, **budgets,
        )  # fmt: skip
    except ValueError as e:
        return _usage_error(args, e)
    text = report.format()
    if device is not None:
        from qec.device_budget import device_resources_note

        text = f"#   {device_resources_note(device)}\n{text}"
    atomic_write_text(out, json.dumps(report.to_dict(), indent=1) + "\n")
    atomic_write_text(out.with_suffix(".txt"), text + "\n")
    print(text)
    return 0
