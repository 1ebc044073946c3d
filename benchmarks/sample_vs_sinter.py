"""Benchmark: `qec.collect` against bare `sinter.collect` on the same tasks, side by side, per decoder.

Task set (issue #2): rotated surface code, `circuit` noise, d = 3, 5, 7, p = 0.001,
rounds = d. Each decoder (issue #12) is timed on its own: both sides take the same fixed
number of shots per task (no error target, so the work is identical); runs alternate qec,
sinter, qec, ... and the medians of shots per second are compared. qec's time includes
everything it adds: building the noisy circuits, resuming from and appending to its CSV, and
the final compaction. `bposd` and `tesseract` come from the `decoders` extra (stimbposd,
tesseract-decoder), given to both sides as the same custom decoders.

Usage:
    python benchmarks/sample_vs_sinter.py [--shots 1000000] [--repeats 5] [--workers 2]
        [--decoders pymatching pymatching-correlated bposd tesseract] [--distances 3 5 7]
"""

from __future__ import annotations

import argparse
import pathlib
import statistics
import tempfile
import time

import sinter

import qec
from qec.decoders import load_custom_decoders

CUSTOM = {
    "bposd": "stimbposd:sinter_decoders",
    "tesseract": "tesseract_decoder:make_tesseract_sinter_decoders_dict",
}


def experiments(distances: list[int]) -> list[qec.Experiment]:
    return qec.sweep(codes=["surface_rotated"], noises=["circuit"], distances=distances,
                     ps=[0.001], rounds_per_distance=1)  # fmt: skip


def custom_decoders(decoder: str) -> dict | None:
    return load_custom_decoders(CUSTOM[decoder]) if decoder in CUSTOM else None


def run_qec(shots: int, workers: int, decoder: str, distances: list[int]) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        stats = qec.collect(experiments(distances), out=pathlib.Path(tmp) / "s.csv", workers=workers,
                            max_shots=shots, max_errors=None, decoder=decoder,
                            custom_decoders=custom_decoders(decoder))  # fmt: skip
        elapsed = time.perf_counter() - start
    return sum(s.shots for s in stats) / elapsed


def run_sinter(shots: int, workers: int, decoder: str, distances: list[int]) -> float:
    tasks = [e.task(decoder=decoder) for e in experiments(distances)]  # circuits prepared outside the timing
    custom = custom_decoders(decoder)
    start = time.perf_counter()
    stats = sinter.collect(num_workers=workers, tasks=tasks, max_shots=shots, max_errors=None,
                           custom_decoders=custom)  # fmt: skip
    elapsed = time.perf_counter() - start
    return sum(s.shots for s in stats) / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shots", type=int, default=1_000_000, help="shots per task")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--decoders", nargs="+", default=["pymatching"])
    parser.add_argument("--distances", nargs="+", type=int, default=[3, 5, 7])
    args = parser.parse_args()

    summary = []
    for decoder in args.decoders:
        rates: dict[str, list[float]] = {"qec": [], "sinter": []}
        for i in range(args.repeats):
            for name, run in (("qec", run_qec), ("sinter", run_sinter)):
                rates[name].append(run(args.shots, args.workers, decoder, args.distances))
                print(f"{decoder} run {i + 1}/{args.repeats} {name:>6}: {rates[name][-1]:,.0f} shots/s",
                      flush=True)  # fmt: skip
        qec_rate, sinter_rate = statistics.median(rates["qec"]), statistics.median(rates["sinter"])
        summary.append((decoder, qec_rate, sinter_rate))
    print(f"{'decoder':<22} {'qec shots/s':>12} {'sinter shots/s':>15} {'qec/sinter':>10}  (baseline: bare "
          f"sinter.collect; medians of {args.repeats}; target >= 0.95)")  # fmt: skip
    for decoder, qec_rate, sinter_rate in summary:
        print(f"{decoder:<22} {qec_rate:>12,.0f} {sinter_rate:>15,.0f} {qec_rate / sinter_rate:>10.3f}")


if __name__ == "__main__":
    main()
