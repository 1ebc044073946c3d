"""``qec devices``: the fake IBM backends, with their calibration date and median error rates and times."""

from __future__ import annotations

import argparse

from qec.cli._common import _usage_error


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.description = (
        "List the device calibrations `qec sample --device` takes (qiskit_ibm_runtime's fake "
        "backends), with the values over their qubits and gates. The code runs on an ideal square "
        "grid with a device's error rates, not on its heavy-hex layout."
    )
    p.add_argument(
        "--quantile",
        default="median",
        metavar="Q",
        help="median (default) or qNN, the pessimistic NN-th percentile (e.g. q90)",
    )
    p.add_argument("--study", metavar="DIR",
                   help="instead of listing: a study folder with devices/<device>/budget.json and "
                   "resources.json (sampling.device); writes DIR/devices.csv, devices.txt and "
                   "plots/devices.png, one row per device and decoder")  # fmt: skip


def main_devices(args: argparse.Namespace) -> int:
    from qec.device import check_quantile, device_table  # qiskit_ibm_runtime only when asked for

    if args.study is not None:
        from qec.device_budget import write_summary

        try:
            print(write_summary(args.study))
        except ValueError as e:
            return _usage_error(args, e)
        return 0
    try:
        quantile = check_quantile(args.quantile)
    except ValueError as e:
        return _usage_error(args, e)
    print(device_table(quantile))
    return 0
