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
    from qec._io import exclusive, file_identity
    from qec.sampling import check_output
    from qec.stats import read_stats, write_stats

    try:
        out = check_output(args.out)  # an existing --out must be sinter CSV, as for qec sample
        stats = read_stats(*args.stats)  # bad input is refused before the lock file is made
        in_place = file_identity(out) in {file_identity(s) for s in args.stats}
        if not in_place:
            _check_nothing_lost(out, stats)
        with exclusive(out):  # qec sample's lock: a file it is writing is not replaced under it
            if in_place:
                stats = read_stats(*args.stats)  # merged in place: what is on disk under the lock
            else:
                _check_nothing_lost(out, stats)  # again: a sample may have finished meanwhile
            write_stats(out, stats)
    except ValueError as e:
        return _usage_error(args, e)
    print(f"qec combine: {len(args.stats)} files, {len(stats)} tasks, "
          f"{sum(s.shots for s in stats)} shots -> {args.out}")  # fmt: skip
    return 0


def _check_nothing_lost(out, stats) -> None:
    """Refuse to replace an existing ``--out`` holding shots the merge does not: a finished
    ``qec sample``'s file, say (catalog A2c). Rerunning the same combine, or adding new runs to
    it, replaces nothing the inputs lack."""
    import json

    from qec.stats import read_stats

    if not out.exists() or out.stat().st_size == 0:
        return
    key = lambda s: (s.strong_id, s.decoder, json.dumps(s.json_metadata, sort_keys=True))  # noqa: E731
    merged = {key(s): s.shots for s in stats}
    for row in read_stats(out):
        if row.shots > merged.get(key(row), 0):
            task = f"({row.decoder}, {json.dumps(row.json_metadata, sort_keys=True)})"
            raise ValueError(
                f"--out={str(out)!r} already holds {row.shots} shots of a task the inputs have "
                f"{merged.get(key(row), 0)} of {task}: replacing it would lose them; to keep them, "
                f"combine it with the inputs into another file (qec combine {out.name} ... --out NEW.csv)"
            )
