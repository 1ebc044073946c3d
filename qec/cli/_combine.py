"""``qec combine``: merge sinter CSV files into one."""

from __future__ import annotations

import argparse

from qec.cli._common import Files, _usage_error

# The files it reads and writes: qec.cli refuses an output that is an input, before anything runs;
# one file merged into itself (``qec combine a.csv --out a.csv``) is allowed.
FILES = Files(reads=("stats",), writes={"--out": ()}, in_place=True)


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("stats", nargs="+", help="sinter CSV files")
    p.add_argument("--out", required=True, help="merged sinter CSV to write")


def main_combine(args: argparse.Namespace) -> int:
    from qec._io import file_identity
    from qec.sampling import _exclusive, check_output
    from qec.stats import read_stats, write_stats

    try:
        out = check_output(args.out)  # an existing --out must be sinter CSV, as for qec sample
        stats = read_stats(*args.stats)  # bad input is refused before the lock file is made
        with _exclusive(out):  # qec sample's lock: a file it is writing is not replaced under it
            if file_identity(out) in {file_identity(s) for s in args.stats}:
                stats = read_stats(*args.stats)  # merged in place: what is on disk under the lock
            write_stats(out, stats)
    except ValueError as e:
        return _usage_error(args, e)
    print(f"qec combine: {len(args.stats)} files, {len(stats)} tasks, "
          f"{sum(s.shots for s in stats)} shots -> {args.out}")  # fmt: skip
    return 0
