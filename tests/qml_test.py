"""Tests of qec.qnn: datasets, circuits, noisy QNN training, checkpoints, bad input."""

import json

import networkx as nx
import numpy as np
import pytest
import scipy.stats
from sklearn.linear_model import LogisticRegression

from qec.cli import main
from qec.qnn import (
    DATASETS,
    QNNNoise,
    TrainConfig,
    connectivity_graph,
    load_dataset,
    max_qubits,
    qnn_circuit,
    simulation,
    train,
)

MOONS = TrainConfig(dataset="moons", qubits=4, layers=2, samples=100, maxiter=100, seed=0)


@pytest.fixture(scope="module")
def noiseless():
    return train(MOONS)


def test_noiseless_training_learns_two_moons(noiseless):
    # 30 held-out points: a coin-flipping classifier reaches 24/30 with probability 7e-4.
    assert noiseless.test_accuracy >= 0.8
    assert scipy.stats.binom.sf(round(0.8 * 30) - 1, 30, 0.5) < 1e-3
    # For scale: logistic regression on the same split (moons is not linearly separable).
    data = load_dataset("moons", num_features=4, samples=100, seed=0)
    linear = LogisticRegression().fit(data.x_train, data.y_train).score(data.x_test, data.y_test)
    assert noiseless.test_accuracy >= linear - 0.1
    assert noiseless.final_loss < noiseless.loss_history[0]


def test_logical_noise_at_zero_equals_noiseless(noiseless):
    zero = train(TrainConfig(**{**MOONS.__dict__, "noise": "logical:0"}))
    assert zero.loss_history == pytest.approx(noiseless.loss_history, abs=1e-12)
    assert zero.weights == pytest.approx(noiseless.weights, abs=1e-12)
    assert (zero.train_accuracy, zero.test_accuracy) == (noiseless.train_accuracy, noiseless.test_accuracy)


@pytest.mark.slow
def test_large_logical_error_is_measurably_worse():
    small = train(TrainConfig(**{**MOONS.__dict__, "noise": "logical:0.001"}))
    large = train(TrainConfig(**{**MOONS.__dict__, "noise": "logical:0.2"}))
    # Correct predictions over all 100 points; one-sided Fisher exact test.
    correct = lambda r: round(70 * r.train_accuracy + 30 * r.test_accuracy)  # noqa: E731
    table = [[correct(small), 100 - correct(small)], [correct(large), 100 - correct(large)]]
    assert scipy.stats.fisher_exact(table, alternative="greater").pvalue < 1e-3
    assert large.final_loss > small.final_loss


@pytest.mark.slow
def test_physical_noise_runs_and_costs_accuracy_or_loss(noiseless):
    noisy = train(TrainConfig(**{**MOONS.__dict__, "noise": "si1000:0.01"}))
    assert noisy.final_loss > noiseless.final_loss


def test_same_seed_same_result_and_resume_equals_uninterrupted(tmp_path):
    config = TrainConfig(dataset="circles", qubits=3, layers=1, samples=40, maxiter=30, chunk=10, seed=3)
    whole = train(config)
    assert train(config).loss_history == whole.loss_history
    checkpoint = tmp_path / "ckpt.json"

    def stop_after_first_chunk(done, loss):
        if done == 10:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        train(config, checkpoint=checkpoint, progress=stop_after_first_chunk)
    assert json.loads(checkpoint.read_text())["done"] == 10
    resumed = train(config, checkpoint=checkpoint)
    assert resumed.loss_history == whole.loss_history
    assert resumed.weights == whole.weights


def test_checkpoint_of_another_config_is_refused(tmp_path):
    config = TrainConfig(dataset="circles", qubits=2, layers=1, samples=20, maxiter=12, chunk=6)
    checkpoint = tmp_path / "ckpt.json"
    train(config, checkpoint=checkpoint)
    with pytest.raises(ValueError, match="belongs to another configuration"):
        train(TrainConfig(**{**config.__dict__, "seed": 1}), checkpoint=checkpoint)


def test_checkpoint_with_weights_that_are_not_finite_numbers_is_refused(tmp_path):
    # CK3: NaN weights in a checkpoint went on to a "trained" result with weights −1.8e308; CK1: a
    # wrong count was a reshape traceback.
    config = TrainConfig(dataset="circles", qubits=2, layers=1, samples=20, maxiter=12, chunk=6)
    checkpoint = tmp_path / "ckpt.json"
    train(config, checkpoint=checkpoint)
    state = json.loads(checkpoint.read_text())
    broken = [
        ([float("nan")] * 4, "weight 0 is nan"),
        ([0.1] * 3, "has 3 weights; the QNN has 4"),
        ([0.1, 0.2, "x", 0.3], "weight 2 is 'x'"),
    ]
    for weights, message in broken:
        checkpoint.write_text(json.dumps({**state, "weights": weights, "done": 6}))
        with pytest.raises(ValueError, match=f"checkpoint .*ckpt.json.*: .*{message}"):
            train(config, checkpoint=checkpoint)
    # CK2, CK4, CK6: progress the training never writes (done beyond maxiter: no training at all,
    # yet a "trained" result), a missing key, a checkpoint that is not an object.
    for changed, message in (
        ({"done": 10**9}, "done=1000000000 must be an integer in"),
        ({"done": None}, "done=None must be an integer in"),
        ({"loss_history": "x"}, "loss_history must be a list of finite numbers"),
    ):
        checkpoint.write_text(json.dumps({**state, **changed}))
        with pytest.raises(ValueError, match=message):
            train(config, checkpoint=checkpoint)
    checkpoint.write_text("[]")
    with pytest.raises(ValueError, match="is not a checkpoint"):
        train(config, checkpoint=checkpoint)


@pytest.mark.parametrize("name", DATASETS)
def test_datasets(name):
    a = load_dataset(name, num_features=3, samples=40, seed=2)
    b = load_dataset(name, num_features=3, samples=40, seed=2)
    assert np.array_equal(a.x_train, b.x_train) and np.array_equal(a.y_test, b.y_test)
    assert a.x_train.shape[1] == 3 and len(a.y_train) + len(a.y_test) == 40
    assert a.x_train.min() >= 0 and a.x_train.max() <= np.pi
    assert set(a.y_train) == {-1, 1}


@pytest.mark.parametrize(("name", "edges"), [("line", 5), ("ring", 6), ("grid", 7), ("all", 15)])
def test_two_qubit_gates_follow_the_connectivity(name, edges):
    graph = connectivity_graph(name, 6)  # grid: 2 x 3
    assert graph.number_of_edges() == edges
    qc, _, _ = qnn_circuit(6, 3, graph)
    assert qc.count_ops()["cz"] == 3 * edges
    custom = nx.star_graph(5)
    assert qnn_circuit(6, 1, connectivity_graph(custom, 6))[0].count_ops()["cz"] == 5


def test_max_qubits_limit_is_memory_based():
    assert max_qubits(16 * 4**10 * 4) == 10
    with pytest.raises(ValueError, match=r"qubits=99 must be an integer in \[1, 30\]"):
        TrainConfig(qubits=99)
    # Memory is a property of the machine a run starts on, not of the configuration: checked
    # when the simulation is chosen. 24 GiB: a quarter holds a 14-qubit density matrix
    # (16·4^14 B = 4 GiB) and a 28-qubit statevector (16·2^28 B = 4 GiB).
    gib24 = 24 * 2**30
    noisy = dict(noise="logical:0.01")
    assert simulation(TrainConfig(qubits=20), gib24).method == "statevector"  # noiseless: exact
    assert simulation(TrainConfig(qubits=10, **noisy), gib24).method == "density_matrix"
    # Beyond the density matrix, auto runs trajectories: on matrix product states for a circuit
    # that entangles little (a line, 2 layers: bond dimension 4), else on a statevector.
    auto = simulation(TrainConfig(qubits=11, trajectories=400, **noisy), gib24)
    assert (auto.method, auto.precision, auto.trajectories) == ("mps", 0.05, 400)
    auto = simulation(TrainConfig(qubits=11, layers=4, connectivity="ring", trajectories=400, **noisy), gib24)
    assert (auto.method, auto.precision, auto.trajectories) == ("trajectories", 0.05, 400)
    with pytest.raises(ValueError, match=r"qubits=15 does not fit this machine as a density matrix"):
        simulation(TrainConfig(qubits=15, method="density_matrix", **noisy), gib24)
    with pytest.raises(ValueError, match=r"qubits=29 does not fit this machine: even a statevector"):
        simulation(TrainConfig(qubits=29), gib24)
    # Matrix product states are held by their entanglement, not 2^n: no statevector limit, asked
    # for or chosen by auto for a circuit that entangles little.
    assert simulation(TrainConfig(qubits=29, method="mps", trajectories=100, **noisy), gib24).method == "mps"
    assert simulation(TrainConfig(qubits=29, layers=1, trajectories=100, **noisy), gib24).method == "mps"
    # An observable is ±1-valued (O² = I), so each trajectory's value lies in [−1, 1] whatever its
    # coefficients: (A + B + AB − I)/2 with A = Z…Z, B = Z on qubit 0 sums |c| = 2, precision 1/√N.
    z, z0, rest = "Z" * 11, "I" * 10 + "Z", "Z" * 10 + "I"
    obs = f"0.5*{z} + 0.5*{z0} + 0.5*{rest} - 0.5*{'I' * 11}"
    config = TrainConfig(qubits=11, observable=obs, trajectories=400, **noisy)
    assert simulation(config, gib24).precision == 0.05


def test_auto_picks_the_density_matrix_then_the_cheaper_kind_of_trajectories():
    """Issue #21: a 16-qubit QNN under logical noise ran statevector trajectories for more than
    25 minutes where matrix product states, with the same trajectories and precision, were 12×
    faster. Up to 10 qubits auto is exact; beyond, mps when χ³ ≤ 2ⁿ (χ the circuit's bond
    dimension; measured crossover: χ = 16 at 12 qubits, docs/reference/performance.md)."""
    from qec.qnn import auto_method, mps_bond_dimension, qnn_parts

    def never() -> int:
        raise AssertionError("the density matrix needs no bond dimension")

    assert auto_method(10, never, density_max=10) == "density_matrix"
    assert auto_method(8, never, density_max=14) == "density_matrix"
    assert auto_method(11, lambda: 2, density_max=10) == "mps"
    assert auto_method(12, lambda: 16, density_max=10) == "mps"  # 16³ = 2¹²: the measured tie
    assert auto_method(12, lambda: 17, density_max=10) == "trajectories"
    assert auto_method(16, lambda: 40, density_max=10) == "mps"
    assert auto_method(16, lambda: 41, density_max=10) == "trajectories"
    assert auto_method(11, lambda: 2, density_max=14) == "density_matrix"  # a machine where it fits

    # The bond dimensions behind the measurements: a line or one ring layer entangles little,
    # four ring layers as much as 12 qubits can hold (2⁶ across the middle).
    def bond(**shape) -> int:
        return mps_bond_dimension(qnn_parts(TrainConfig(dataset="moons", **shape)).circuit)

    assert bond(qubits=16, layers=1, connectivity="line") == 2
    assert bond(qubits=16, layers=1, connectivity="ring") == 4
    assert bond(qubits=12, layers=2, connectivity="ring") == 16
    assert bond(qubits=12, layers=4, connectivity="ring") == 64
    # The probe stops at its cap: it never costs more than about one statevector run.
    circuit = qnn_parts(TrainConfig(dataset="moons", qubits=12, layers=4, connectivity="ring")).circuit
    assert mps_bond_dimension(circuit, cap=17) == 17


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("logical:1.5", r"logical eps=1.5 must be in \[0, 1\]"),
        ("logical:-0.1", "must be in"),
        ("circuit", "must look like none, circuit:<p>"),
        ("thermal:0.1", "noise kind 'thermal' is not allowed"),
        ("circuit:0.7", r"p=0.7 must be in \[0, 0.5\]"),
        ("circuit:x", "'x' is not a number"),
    ],
)
def test_bad_noise_specs(spec, message):
    with pytest.raises(ValueError, match=message):
        QNNNoise.parse(spec)


def test_train_cli_writes_the_result(tmp_path, capsys):
    out = tmp_path / "r.json"
    assert (
        main(
            [
                "train",
                "--dataset",
                "parity",
                "--qubits",
                "2",
                "--layers",
                "1",
                "--samples",
                "20",
                "--maxiter",
                "12",
                "--noise",
                "circuit:0.01",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    result = json.loads(out.read_text())
    assert set(result) >= {
        "config",
        "train_accuracy",
        "test_accuracy",
        "final_loss",
        "loss_history",
        "wall_seconds",
    }
    assert result["config"]["noise"] == "circuit:0.01" and len(result["loss_history"]) == 12
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.json"]  # checkpoint removed
