"""Benchmark: `qec.collect` against bare `sinter.collect` on the same tasks, side by side.

Task set (issue #2): rotated surface code, `circuit` noise, d = 3, 5, 7, p = 0.001,
rounds = d, decoded by PyMatching. Both sides take the same fixed number of shots per task
(no error target, so the work is identical); runs alternate qec, sinter, qec, ... and the
medians of shots per second are compared. qec's time includes everything it adds: building
the noisy circuits, resuming from and appending to its CSV, and the final compaction.

Usage:
    python studies/benchmarks/sample_vs_sinter.py [--shots 1000000] [--repeats 5] [--workers 2]
"""

from __future__ import annotations

import argparse
import pathlib
import statistics
import tempfile
import time

import sinter

import qec


def experiments() -> list[qec.Experiment]:
    return qec.sweep(codes=["surface_rotated"], noises=["circuit"], distances=[3, 5, 7],
                     ps=[0.001], rounds_per_distance=1)  # fmt: skip


def run_qec(shots: int, workers: int) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        stats = qec.collect(experiments(), out=pathlib.Path(tmp) / "s.csv", workers=workers,
                            max_shots=shots, max_errors=None)  # fmt: skip
        elapsed = time.perf_counter() - start
    return sum(s.shots for s in stats) / elapsed


def run_sinter(shots: int, workers: int) -> float:
    tasks = [e.task() for e in experiments()]  # circuits prepared outside the timing
    start = time.perf_counter()
    stats = sinter.collect(num_workers=workers, tasks=tasks, max_shots=shots, max_errors=None)
    elapsed = time.perf_counter() - start
    return sum(s.shots for s in stats) / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shots", type=int, default=1_000_000, help="shots per task")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()

    rates: dict[str, list[float]] = {"qec": [], "sinter": []}
    for i in range(args.repeats):
        for name, run in (("qec", run_qec), ("sinter", run_sinter)):
            rates[name].append(run(args.shots, args.workers))
            print(f"run {i + 1}/{args.repeats} {name:>6}: {rates[name][-1]:,.0f} shots/s", flush=True)
    qec_rate, sinter_rate = statistics.median(rates["qec"]), statistics.median(rates["sinter"])
    print(f"median qec    {qec_rate:,.0f} shots/s")
    print(f"median sinter {sinter_rate:,.0f} shots/s  (baseline: bare sinter.collect)")
    print(f"ratio qec/sinter = {qec_rate / sinter_rate:.3f}  (target >= 0.95)")


if __name__ == "__main__":
    main()
