"""Benchmark: `qec.qnn.train` against the plain qiskit-machine-learning recipe, side by side.

Same QNN (moons, 4 qubits, 2 layers, line connectivity, 100 samples), same noise
(`circuit:0.001`, the same Aer model and circuit with its noise sites), same initial point,
COBYLA with the same iterations. The plain recipe is EstimatorQNN + NeuralNetworkClassifier on
Aer's density-matrix EstimatorV2, fitted once and scored on both splits (qec scores
too). Runs alternate; medians of seconds per
optimizer iteration are compared, and the final losses must agree.

Usage:
    python benchmarks/train_vs_qml.py [--maxiter 100] [--repeats 3]
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
from qiskit_aer.primitives import EstimatorV2
from qiskit_machine_learning.algorithms import NeuralNetworkClassifier
from qiskit_machine_learning.neural_networks import EstimatorQNN
from qiskit_machine_learning.optimizers import COBYLA

from qec.aer import with_noise_sites
from qec.qnn import (
    QNNNoise,
    TrainConfig,
    connectivity_graph,
    load_dataset,
    measurement_bases,
    parse_observable,
    qnn_circuit,
    train,
)


def run_qec(config: TrainConfig) -> tuple[float, float]:
    start = time.perf_counter()
    result = train(config)
    return (time.perf_counter() - start) / config.maxiter, result.final_loss


def run_plain(config: TrainConfig) -> tuple[float, float]:
    start = time.perf_counter()
    data = load_dataset(config.dataset, num_features=config.qubits, samples=config.samples, seed=config.seed)
    qc, inputs, weights = qnn_circuit(config.qubits, config.layers, connectivity_graph("line", config.qubits))
    obs = parse_observable(config.observable, config.qubits)  # parity or z0: Z on the qubits it reads
    read = list(measurement_bases(obs))
    noise = QNNNoise.parse(config.noise)
    qc = with_noise_sites(qc, idle=noise.has_idle_noise, readout_qubits=read)
    estimator = EstimatorV2(
        options={"backend_options": {"method": "density_matrix", "noise_model": noise.aer_model()}}
    )
    qnn = EstimatorQNN(
        circuit=qc,
        estimator=estimator,
        observables=obs,
        input_params=inputs,
        weight_params=weights,
        default_precision=0.0,
    )
    losses: list[float] = []
    initial = np.random.default_rng(config.seed).uniform(-np.pi, np.pi, qnn.num_weights)
    clf = NeuralNetworkClassifier(
        qnn,
        loss="squared_error",
        optimizer=COBYLA(maxiter=config.maxiter),
        initial_point=initial,
        callback=lambda w, v: losses.append(v),
    )
    clf.fit(data.x_train, data.y_train)
    clf.score(data.x_train, data.y_train), clf.score(data.x_test, data.y_test)  # qec scores too
    return (time.perf_counter() - start) / config.maxiter, losses[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--maxiter", type=int, default=100)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    config = TrainConfig(
        dataset="moons",
        qubits=4,
        layers=2,
        samples=100,
        maxiter=args.maxiter,
        chunk=args.maxiter,
        noise="circuit:0.001",
        seed=0,
    )
    times: dict[str, list[float]] = {"qec": [], "plain": []}
    losses: dict[str, float] = {}
    for i in range(args.repeats):
        for name, run in (("qec", run_qec), ("plain", run_plain)):
            seconds, losses[name] = run(config)
            times[name].append(seconds)
            print(
                f"run {i + 1}/{args.repeats} {name:>5}: {seconds * 1e3:.1f} ms/iteration, "
                f"final loss {losses[name]:.6f}",
                flush=True,
            )
    q, p = statistics.median(times["qec"]), statistics.median(times["plain"])
    print(f"median qec   {q * 1e3:.1f} ms/iteration")
    print(f"median plain {p * 1e3:.1f} ms/iteration  (baseline: EstimatorQNN + NeuralNetworkClassifier)")
    print(f"ratio plain/qec = {p / q:.3f}  (>= 1 means qec is at least as fast)")
    print(
        f"final loss qec {losses['qec']:.8f}, plain {losses['plain']:.8f}, "
        f"equal: {abs(losses['qec'] - losses['plain']) < 1e-9}"
    )


if __name__ == "__main__":
    main()
