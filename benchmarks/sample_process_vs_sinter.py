"""Benchmark: `qec sample` against a bare sinter script, as whole processes, side by side.

Snakemake starts one process per shard, so start-up counts: each side is a fresh Python
process that samples the same task (rotated surface code, `circuit` noise, d = 5, p = 0.001,
rounds = 5, PyMatching, fixed shots, no error target) and exits. Runs alternate qec, sinter,
qec, ...; the medians of shots per wall-clock second are compared. The in-process comparison
is `sample_vs_sinter.py`.

Usage:
    python benchmarks/sample_process_vs_sinter.py [--shots 600000] [--repeats 5] [--workers 2]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time

# The baseline: what a researcher would write with sinter alone, on the very circuit qec samples
# (written to a .stim file before timing starts).
BARE_SINTER = """
import sys, sinter, stim
task = sinter.Task(circuit=stim.Circuit.from_file(sys.argv[4]), decoder="pymatching", json_metadata={"d": 5})
sinter.collect(num_workers=int(sys.argv[2]), tasks=[task], max_shots=int(sys.argv[1]), max_errors=10**9,
               save_resume_filepath=sys.argv[3])
"""


def run(argv: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(argv, check=True, capture_output=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shots", type=int, default=600_000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    seconds: dict[str, list[float]] = {"qec": [], "sinter": []}
    with tempfile.TemporaryDirectory() as tmp:
        import qec

        (experiment,) = qec.sweep(
            codes=["surface_rotated"], noises=["circuit"], distances=[5], ps=[0.001], rounds_per_distance=1
        )
        experiment.task().circuit.to_file(f"{tmp}/c.stim")
        for i in range(args.repeats):
            qec_argv = [sys.executable, "-m", "qec", "sample", "--code", "surface_rotated"]
            qec_argv += [
                "--noise",
                "circuit",
                "--distance",
                "5",
                "--p",
                "0.001",
                "--max-shots",
                str(args.shots),
            ]
            qec_argv += ["--workers", str(args.workers), "--quiet", "--out", f"{tmp}/qec{i}.csv"]
            sinter_argv = [sys.executable, "-c", BARE_SINTER, str(args.shots), str(args.workers)]
            sinter_argv += [f"{tmp}/s{i}.csv", f"{tmp}/c.stim"]
            for name, argv in (("qec", qec_argv), ("sinter", sinter_argv)):
                seconds[name].append(run(argv))
                print(f"run {i + 1}/{args.repeats} {name:>6}: {args.shots / seconds[name][-1]:,.0f} shots/s",
                      flush=True)  # fmt: skip
    qec_rate = args.shots / statistics.median(seconds["qec"])
    sinter_rate = args.shots / statistics.median(seconds["sinter"])
    print(f"\nmedian shots/s (whole process, {args.shots:,} shots): qec sample {qec_rate:,.0f}, "
          f"bare sinter {sinter_rate:,.0f}, ratio qec/sinter {qec_rate / sinter_rate:.3f}")  # fmt: skip


if __name__ == "__main__":
    main()
