"""``qec plot``: regenerate every figure of a study from its data folder."""

from __future__ import annotations

import argparse

from qec.cli._common import _usage_error


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("folder", help="data/<study>")


def main_plot(args: argparse.Namespace) -> int:
    from qec.plot import plot_study

    try:
        written = plot_study(args.folder)
    except ValueError as e:
        return _usage_error(args, e)
    for path in written:
        print(path)
    return 0
