"""The ``qec`` command line: sample, combine, fit, train, tolerance, budget, resources, plot, inspect,
devices.

This module only dispatches (as sinter's ``_command/_main.py`` does): it picks the command, and
imports that command's module (``qec.cli._sample``, ``qec.cli._fit``, ...) and no other. Each
command module declares its arguments (``add_arguments``) and the files they name (``FILES``,
checked here before the command runs: no output is an input or another output), and holds
``main_<command>(args)``, which checks the rest, calls the library, writes and prints.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import types
from collections.abc import Collection, Sequence

from qec.cli._common import EXIT_USAGE, _Parser, _run
from qec.cli._version import _VersionAction, version

__all__ = ["COMMANDS", "main", "version"]

# Each command's line in `qec --help`, in the order listed there; its module is qec.cli._<command>.
COMMANDS: dict[str, str] = {
    "sample": "sample and decode a sweep of memory experiments into a sinter CSV",
    "fit": "threshold, Λ and the p_L(d, p) model, with 95%% intervals, from sinter CSVs",
    "train": "train a QNN (built-in or your own) under no, physical or logical noise (Aer)",
    "combine": "merge sinter CSV files (rows summed per task) into one",
    "tolerance": "the QNN's tolerable logical error ε* with its interval, from paired evaluations",
    "budget": "per p: hardware suffices, QEC with d* [interval] and qubits, or above threshold",
    "resources": "fault-tolerant qubits, T factories and run time (QDK Resource Estimator, measured inputs)",
    "plot": "regenerate every figure of a study from its data folder",
    "inspect": "qubits, detectors, decoding graph and effective distance of a circuit",
    "devices": "fake IBM backends (for --device): calibration date, median errors, T1, T2",
}


def _module(command: str) -> types.ModuleType:
    return importlib.import_module(f"qec.cli._{command}")


def _parser(declared: Collection[str] = COMMANDS) -> argparse.ArgumentParser:
    """The ``qec`` parser; the ``declared`` commands get their arguments (which imports their
    modules), the others only their line in ``qec --help``."""
    parser = _Parser(prog="qec", description="Error-correction and noise research toolkit.")
    parser.add_argument("--version", action=_VersionAction, help="print qec's version and exit")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for command, line in COMMANDS.items():
        p = sub.add_parser(command, help=line)
        if command in declared:
            _module(command).add_arguments(p)
    return parser


# Flags whose value may begin with "-" (argparse reads "-ZZ" as an unknown option): an observable
# such as -XXII, as the help and the README write it (catalog O13).
DASH_VALUE_FLAGS = ("--observable",)


def _join_dash_values(argv: list[str]) -> list[str]:
    """``argv`` with ``FLAG -VALUE`` of ``DASH_VALUE_FLAGS`` written ``FLAG=-VALUE``.

    Example:
        >>> _join_dash_values(["train", "--observable", "-ZZ", "--out", "r.json"])
        ['train', '--observable=-ZZ', '--out', 'r.json']
    """
    out: list[str] = []
    i = 0
    while i < len(argv):
        value = argv[i + 1] if i + 1 < len(argv) else ""
        if argv[i] in DASH_VALUE_FLAGS and value.startswith("-") and not value.startswith("--"):
            out.append(f"{argv[i]}={value}")
            i += 2
        else:
            out.append(argv[i])
            i += 1
    return out


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``qec`` command line; returns the exit code.

    Example:
        >>> main(["inspect", "--code", "repetition", "--noise", "circuit",
        ...       "--distance", "3", "--p", "0.01", "--rounds", "2"])  # doctest: +ELLIPSIS
        repetition d=3 rounds=2 basis=z noise=circuit p=0.01
          physical qubits   5 (3 data + 2 measure)
        ...
        0
    """
    argv = _join_dash_values(sys.argv[1:] if argv is None else list(argv))
    # The options before the command take no value, so the first command name is the command.
    command = next((a for a in argv if a in COMMANDS), None)
    expand = getattr(_module(command), "expand_argv", None) if command else None
    if expand is not None:  # qec train --settings FILE: the file's flags, then the typed ones
        try:
            argv = expand(argv)
        except ValueError as e:
            print(f"qec {command}: error: {e}", file=sys.stderr)
            return EXIT_USAGE
    args = _parser(declared=[command] if command else []).parse_args(argv)
    return _run(_module(args.command), args)
