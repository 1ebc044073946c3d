"""``qec combine``: merge sinter CSV files into one."""

from __future__ import annotations

import argparse

from qec.cli._common import _check_out, _usage_error


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("stats", nargs="+", help="sinter CSV files")
    p.add_argument("--out", required=True, help="merged sinter CSV to write")


def main_combine(args: argparse.Namespace) -> int:
    from qec.stats import read_stats, write_stats

    try:
        _check_out("--out", args.out)
        stats = read_stats(*args.stats)
    except ValueError as e:
        return _usage_error(args, e)
    write_stats(args.out, stats)
    print(f"qec combine: {len(args.stats)} files, {len(stats)} tasks, "
          f"{sum(s.shots for s in stats)} shots -> {args.out}")  # fmt: skip
    return 0
