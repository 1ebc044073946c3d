"""Benchmark: sampling core-seconds to reach the same d* precision, adaptive against uniform.

Workload: the ``paper`` study's memory grid (surface_rotated, circuit noise, d = 3–11, its ten p
values, basis z, one decoder) and its tolerance (``data/paper/tolerance.json``: the budget rows'
p values and ε*). Precision: every budget row's d* interval at most ``--target`` distance steps
wider than ε*'s own interval allows (``qec.adaptive.judge``, the criterion both arms are judged by).

- **adaptive**: ``qec.adaptive.sample_adaptively`` (pilot, then batches where the d* intervals
  need them), default settings.
- **uniform** (the baseline: today's rule, ``max_errors`` raised until the widths match): every
  task to E errors or 4000·E shots (``paper``'s rule until 3 December 2026: E = 500, 2·10⁶
  shots), for E = 50, 100, 200, 500, 1000, 2000, ... in turn, each level a top-up of the one
  before (a rerun at a level costs what a fresh run at it would); its cost is the file's
  core-seconds at the first level that meets the precision, or, once a level costs
  ``--uniform-cap`` times the adaptive run without meeting it, a lower bound (said so).

Cost is sinter's worker seconds (core-seconds of sampling and decoding). The arms alternate
within each repetition, so that a busy machine slows both alike; the script prints each
repetition and the median ratio. Files go to ``--work`` (kept: a rerun resumes them).

Usage:
    python benchmarks/adaptive_vs_uniform.py [--repeats 3] [--target 1] [--decoder pymatching]
        [--workers 2] [--work /tmp/qec-adaptive-bench]
"""

from __future__ import annotations

import argparse
import json
import pathlib
import statistics
import sys
import time

LEVELS = (50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000)
SHOTS_PER_ERROR = 4000  # paper's rule until 3 December 2026: 2·10⁶ shots for 500 errors


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--target", type=int, default=1)
    parser.add_argument("--decoder", default="pymatching")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--work", default="/tmp/qec-adaptive-bench")
    parser.add_argument("--study", default="studies/paper.yaml")
    parser.add_argument("--tolerance", default="data/paper/tolerance.json")
    parser.add_argument(
        "--uniform-cap",
        type=float,
        default=6.0,
        help="stop raising the uniform level once it costs this many times the adaptive run "
        "(the ratio is then a lower bound; default 6)",
    )
    args = parser.parse_args()

    import yaml

    import qec
    from qec.adaptive import AdaptiveTarget, Question, judge, sample_adaptively
    from qec.stats import read_stats
    from qec.tolerance import Tolerance

    study = yaml.safe_load(pathlib.Path(args.study).read_text())
    s = study["sampling"]
    window = tuple(study["fit"]["threshold_window"]) if study["fit"].get("threshold_window") else None
    experiments = qec.sweep(
        codes=["surface_rotated"],
        noises=[s["noise"]],
        distances=s["distances"],
        ps=s["ps"],
        bases=["z"],
        rounds_per_distance=s["rounds_per_distance"],
    )
    tolerance = Tolerance.from_dict(json.loads(pathlib.Path(args.tolerance).read_text()))
    target = AdaptiveTarget(steps=args.target, core_hours=10.0)
    question = Question(target, tolerance, code="surface_rotated", threshold_window=window)
    work = pathlib.Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    print(
        f"grid: {len(experiments)} tasks (d {s['distances']}, {len(s['ps'])} p values, basis z), "
        f"decoder {args.decoder}, target {args.target} step(s) beyond ε*'s own width, {args.workers} workers"
    )

    def cost(path: pathlib.Path) -> float:
        return sum(x.seconds for x in read_stats(path)) if path.exists() else 0.0

    def met(path: pathlib.Path) -> tuple[bool, str]:
        rows, _fits, unfitted = judge(read_stats(path), question)
        widest = max(rows, key=lambda r: r.steps - r.floor, default=None)
        return (not unfitted and all(r.done for r in rows)), ("" if widest is None else widest.describe())

    ratios: list[float] = []
    lower_bounds = 0
    for rep in range(args.repeats):
        adaptive_csv = work / f"adaptive_{rep}.csv"
        start = time.perf_counter()
        result = sample_adaptively(
            experiments,
            out=str(adaptive_csv),
            tolerance=tolerance,
            target=target,
            decoder=args.decoder,
            threshold_window=window,
            workers=args.workers,
            print_progress=True,
        )
        adaptive_wall = time.perf_counter() - start
        print(
            f"rep {rep} adaptive: {result.core_seconds:.0f} core-s ({adaptive_wall:.0f} s wall); "
            f"{result.describe()}",
            flush=True,
        )
        uniform_csv = work / f"uniform_{rep}.csv"
        start = time.perf_counter()
        for level in LEVELS:
            qec.collect(
                experiments,
                out=uniform_csv,
                decoder=args.decoder,
                workers=args.workers,
                max_errors=level,
                max_shots=level * SHOTS_PER_ERROR,
            )
            ok, widest = met(uniform_csv)
            print(
                f"rep {rep} uniform E = {level}: {cost(uniform_csv):.0f} core-s, "
                f"{'meets' if ok else 'does not meet'} the target; widest: {widest}",
                flush=True,
            )
            if ok or cost(uniform_csv) > args.uniform_cap * result.core_seconds:
                break
        ratio = cost(uniform_csv) / result.core_seconds
        ratios.append(ratio)
        bound = "" if ok else ">= "  # uniform stopped short of the target: the ratio is a lower bound
        lower_bounds += not ok
        print(
            f"rep {rep}: uniform {cost(uniform_csv):.0f} core-s (E = {level}"
            f"{'' if ok else ', still wider than the target'}) / adaptive {result.core_seconds:.0f} core-s "
            f"= {bound}{ratio:.2f}x ({time.perf_counter() - start:.0f} s wall)",
            flush=True,
        )
    if ratios:
        note = f"; {lower_bounds} of them lower bounds (uniform stopped short)" if lower_bounds else ""
        print(
            f"median over {len(ratios)} repetitions: uniform / adaptive = {statistics.median(ratios):.2f}x "
            f"(each: {', '.join(f'{r:.2f}' for r in ratios)}{note})"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
