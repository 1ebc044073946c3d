"""``qec fit``: threshold, Λ and the p_L(d, p) model, with intervals, from sinter CSVs."""

from __future__ import annotations

import argparse
import json
import pathlib

from qec._io import atomic_write_text
from qec.cli._common import Files, _float, _int, _nonnegative_int, _usage_error

# The files it reads and writes: qec.cli refuses an output that is an input, before anything runs.
FILES = Files(reads=("stats",), writes={"--out": (), "--plot": ()})


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.description = "Fit every (code, noise, basis) in the given sinter CSV files."
    p.add_argument("stats", nargs="+", help="sinter CSV files (rows are merged per task)")
    p.add_argument("--out", required=True, help="JSON file to write")
    p.add_argument("--plot", help="also draw the figure to this file (.png, .pdf, .svg)")
    p.add_argument(
        "--bootstrap",
        type=_int,
        default=200,
        help="bootstrap resamples for the threshold's reported bootstrap interval (default 200): 0 for "
        "none, else at least 40 (a 95%% percentile interval has 2.5%% of them beyond each end); nothing "
        "else depends on it: the profile interval chooses the model's points",
    )
    p.add_argument("--seed", type=_nonnegative_int, default=0, help="bootstrap seed (default 0)")
    p.add_argument(
        "--threshold-window",
        nargs=2,
        type=_float,
        metavar=("PMIN", "PMAX"),
        help="only points with PMIN <= p <= PMAX enter the threshold fit",
    )


def main_fit(args: argparse.Namespace) -> int:
    from qec import fit
    from qec.stats import read_stats_with_origin

    try:
        if args.bootstrap != 0 and args.bootstrap < fit.MIN_BOOTSTRAP:
            raise ValueError(f"--bootstrap={args.bootstrap} is too few resamples for a 95% percentile "
                             f"interval: give 0 (no bootstrap interval) or at least "
                             f"{fit.MIN_BOOTSTRAP}")  # fmt: skip
        if args.plot is not None and pathlib.Path(args.plot).suffix not in (".png", ".pdf", ".svg"):
            raise ValueError(f"--plot={args.plot!r} must end in .png, .pdf or .svg")
        stats, origin = read_stats_with_origin(*args.stats)
        if not stats:  # catalog E20: exit 0 and a fits.json with no groups
            raise ValueError(f"{' '.join(args.stats)}: no rows, nothing to fit (a header only?)")
        points = fit.points_from_stats(stats, origin=origin)
        window = tuple(args.threshold_window) if args.threshold_window else None
        groups = fit.fit_all(points, bootstrap=args.bootstrap, seed=args.seed, threshold_window=window)
    except ValueError as e:
        return _usage_error(args, e)
    document = fit.fits_document(groups, inputs=args.stats, bootstrap=args.bootstrap, seed=args.seed)
    atomic_write_text(args.out, json.dumps(document, indent=1) + "\n")
    if args.plot is not None:
        from qec.plot import plot_fits

        plot_fits(groups, args.plot)
    print(fit.format_table(groups))
    return 0
