"""Benchmark: time per training iteration and peak memory of noisy QNNs at 8, 12 and 16 qubits.

One COBYLA iteration costs one loss evaluation: the QNN's expectation on every training point.
For each qubit count this times that evaluation (median of ``--repeats``) with the method
``qec`` chooses (``auto``: the density matrix up to 10 qubits, noise trajectories beyond, on matrix
product states when the circuit's bond dimension χ has χ³ ≤ 2ⁿ) and,
where it fits this machine, with the density matrix — the baseline, since it is what ran before
trajectories existed. Each configuration runs in its own process, so its peak memory is its own.

Workload: the built-in ansatz (1 layer, ring), circles tiled to the qubit count, 20 samples
(14 training points), ``circuit:0.001`` physical noise (idle noise included), 200 trajectories
per expectation (precision ±0.07) where trajectories run.

Usage:
    python benchmarks/qnn_qubits.py [--qubits 8 12 16] [--repeats 3] [--trajectories 200] [--mps]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time

CHILD = """
import json, sys, time
import numpy as np
from qec.qnn import TrainConfig, build_qnn, config_dataset, simulation
qubits, method, trajectories, repeats = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
config = TrainConfig(dataset="circles", qubits=qubits, layers=1, connectivity="ring", noise="circuit:0.001",
                     samples=20, method=method, trajectories=trajectories)
sim = simulation(config)
qnn = build_qnn(config)
data = config_dataset(config, qnn.num_inputs)
weights = np.random.default_rng(0).uniform(-np.pi, np.pi, qnn.num_weights)
times = []
for _ in range(repeats):
    start = time.perf_counter()
    qnn.forward(data.x_train, weights)
    times.append(time.perf_counter() - start)
import resource
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"method": sim.method, "precision": sim.precision, "times": times, "peak_mb": peak}))
"""


def run(qubits: int, method: str, trajectories: int, repeats: int) -> dict:
    start = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", CHILD, str(qubits), method, str(trajectories), str(repeats)],
                         capture_output=True, text=True)  # fmt: skip
    if out.returncode != 0:
        return {"error": out.stderr.strip().splitlines()[-1]}
    result = json.loads(out.stdout)  # peak_mb: the child's own peak resident memory
    result["wall"] = time.perf_counter() - start
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--qubits", nargs="+", type=int, default=[8, 12, 16])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--trajectories", type=int, default=200)
    parser.add_argument("--mps", action="store_true", help="time matrix product states (method mps) too")
    args = parser.parse_args()

    print(f"{'qubits':>6} {'method':<16} {'s per iteration':>16} {'precision':>10} {'peak MB':>8}  "
          f"(baseline: density matrix; medians of {args.repeats}; 14 points)", flush=True)  # fmt: skip
    for n in args.qubits:
        rows = {"auto": run(n, "auto", args.trajectories, args.repeats)}
        if rows["auto"].get("method") != "density_matrix":
            rows["density_matrix"] = run(n, "density_matrix", args.trajectories, args.repeats)
        if rows["auto"].get("method") == "mps":  # what auto chose against: statevector trajectories
            rows["trajectories"] = run(n, "trajectories", args.trajectories, args.repeats)
        if args.mps and rows["auto"].get("method") != "mps":
            rows["mps"] = run(n, "mps", args.trajectories, args.repeats)
        for label, r in rows.items():
            if "error" in r:
                print(f"{n:>6} {label:<16} {r['error']}", flush=True)
                continue
            per = statistics.median(r["times"])
            name = f"{label} → {r['method']}" if label == "auto" else r["method"]
            print(f"{n:>6} {name:<16} {per:>16.3g} {r['precision']:>10.3g} {r['peak_mb']:>8.0f}", flush=True)
        if "density_matrix" in rows and "error" not in rows["density_matrix"]:
            ratio = statistics.median(rows["density_matrix"]["times"]) / statistics.median(
                rows["auto"]["times"]
            )
            print(f"{n:>6} speed-up of auto over the density matrix: {ratio:.2f}×", flush=True)


if __name__ == "__main__":
    main()
