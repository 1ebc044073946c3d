"""``qec inspect``: qubits, detectors, decoding graph and effective distance of each experiment."""

from __future__ import annotations

import argparse

from qec.cli._common import _add_experiment_args, _experiments, _usage_error


def add_arguments(p: argparse.ArgumentParser) -> None:
    _add_experiment_args(p, many=True)


def main_inspect(args: argparse.Namespace) -> int:
    from qec.graph import inspect_experiment  # pymatching graph tools only when asked for

    try:
        experiments = _experiments(args)
        reports = [inspect_experiment(experiment) for experiment in experiments]
    except ValueError as e:
        return _usage_error(args, e)
    for report in reports:
        print(report)
    return 0
