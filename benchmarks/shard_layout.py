"""One `qec sample` process per p (the old shard layout) against one per d holding every p (today's).

Snakemake runs one `qec sample` per shard. Each process pays a fixed cost (Python, qec, and sinter's
spawned worker importing PyMatching) before it samples; this script measures what that fixed cost
adds for one (basis, decoder, d) of the `paper` grid: the same tasks, the same shots, sampled as ten
processes (baseline) and as one, alternating, medians of the processes' CPU seconds (user + system,
children included) and wall seconds.

    python benchmarks/shard_layout.py                      # d = 3, 20,000 shots per p, 5 repeats
    python benchmarks/shard_layout.py --distance 5 --max-shots 100000 --repeats 3
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PAPER_PS = ["0.001", "0.0015", "0.002", "0.003", "0.004", "0.005", "0.006", "0.007", "0.008", "0.01"]


def _run(args: list[str]) -> tuple[float, float]:
    """CPU seconds (this child and its own children) and wall seconds of one command."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime, wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--distance", type=int, default=3)
    parser.add_argument("--decoder", default="pymatching")
    parser.add_argument("--max-shots", type=int, default=20_000)
    parser.add_argument("--max-errors", type=int, default=500)
    parser.add_argument("--repeats", type=int, default=5)
    a = parser.parse_args()
    base = [sys.executable, "-m", "qec", "sample", "--code", "surface_rotated", "--noise", "circuit",
            "--basis", "z", "--distance", str(a.distance), "--rounds-per-distance", "1",
            "--max-shots", str(a.max_shots), "--max-errors", str(a.max_errors), "--decoder", a.decoder,
            "--workers", "1", "--quiet"]  # fmt: skip
    per_p: list[tuple[float, float]] = []
    per_d: list[tuple[float, float]] = []
    with tempfile.TemporaryDirectory() as tmp:
        for r in range(a.repeats):
            cpu = wall = 0.0
            for p in PAPER_PS:
                c, w = _run([*base, "--p", p, "--out", str(Path(tmp) / f"r{r}_p{p}.csv")])
                cpu, wall = cpu + c, wall + w
            per_p.append((cpu, wall))
            per_d.append(_run([*base, "--p", *PAPER_PS, "--out", str(Path(tmp) / f"r{r}_all.csv")]))
            print(f"repeat {r}: one per p {cpu:.2f} CPU-s, {wall:.2f} s; one per d {per_d[-1][0]:.2f} CPU-s, "
                  f"{per_d[-1][1]:.2f} s", flush=True)  # fmt: skip
    cpu_p, wall_p = (statistics.median(x[i] for x in per_p) for i in (0, 1))
    cpu_d, wall_d = (statistics.median(x[i] for x in per_d) for i in (0, 1))
    print(f"\nd = {a.distance}, {a.decoder}, {len(PAPER_PS)} p, {a.max_shots} shots or {a.max_errors} errors "
          f"each; medians of {a.repeats}")  # fmt: skip
    print(f"{'layout':<32}{'CPU-s':>8}{'wall s':>8}")
    print(f"{'one process per p (baseline)':<32}{cpu_p:>8.2f}{wall_p:>8.2f}")
    print(f"{'one process per d, every p':<32}{cpu_d:>8.2f}{wall_d:>8.2f}")
    print(
        f"ratio per-d / per-p: CPU {cpu_d / cpu_p:.3f}, wall {wall_d / wall_p:.3f}; "
        f"fixed cost per process ≈ {(cpu_p - cpu_d) / (len(PAPER_PS) - 1):.2f} CPU-s"
    )


if __name__ == "__main__":
    main()
