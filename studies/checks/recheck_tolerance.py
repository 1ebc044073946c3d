"""Re-measure a study's ε* independently: new training seeds and fresh test points.

    python studies/checks/recheck_tolerance.py data/paper [--seeds 3 4 5] [--extra-test 1000]

Trains the study's QNN noiselessly with seeds it did not use, evaluates them on test points
drawn from another stream (``extra_seed=1``), measures ε* with the study's grid, δ and
bootstrap, and prints both intervals side by side with whether they overlap.
"""

from __future__ import annotations

import argparse
import json
import pathlib
import sys

from qec.qnn import TrainConfig, Workload, train
from qec.tolerance import Tolerance, measure_tolerance


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", help="data/<study> holding tolerance.json")
    parser.add_argument("--seeds", nargs="+", type=int, default=[3, 4, 5])
    parser.add_argument("--extra-test", type=int, default=1000)
    args = parser.parse_args(argv)
    study = Tolerance.from_dict(json.loads((pathlib.Path(args.folder) / "tolerance.json").read_text()))
    if set(args.seeds) & set(study.seeds):
        parser.error(f"--seeds {args.seeds} overlap the study's seeds {list(study.seeds)}")
    runs = []
    for seed in args.seeds:
        print(f"training seed {seed}", file=sys.stderr, flush=True)
        runs.append(train(TrainConfig(**study.qnn, noise="none", seed=seed)).to_dict())
    workload = Workload.from_results(runs, definition="inference", extra_test=args.extra_test, extra_seed=1)
    grid = [c.eps_op for c in study.curve if not c.refined]
    again = measure_tolerance(
        workload.evaluate,
        eps_grid=grid,
        delta=study.delta,
        confidence=study.confidence,
        bootstrap=study.bootstrap,
        qnn=study.qnn,
        extra_test=args.extra_test,
        extra_seed=1,
    )
    overlap = again.eps_star_low <= study.eps_star_high and study.eps_star_low <= again.eps_star_high
    print(f"study:       {study.describe()}")
    print(f"re-measured: {again.describe()}")
    print(f"intervals overlap: {overlap}")
    return 0 if overlap else 1


if __name__ == "__main__":
    sys.exit(main())
