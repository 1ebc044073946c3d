"""Your own QNN: circuits, observables and data files; trajectories for QNNs beyond a density matrix."""

import json
import math
import pathlib
import shutil
import subprocess
import sys

import numpy as np
import pytest

from qec.aer import ONE_QUBIT_GATES, TWO_QUBIT_GATES
from qec.cli import main
from qec.qnn import (
    TrainConfig,
    build_qnn,
    load_circuit,
    load_table,
    measurement_bases,
    parse_observable,
    rotate_to_z,
    simulation,
)
from qec.stats import binomial_interval

REPO = pathlib.Path(__file__).resolve().parents[1]
BYO = REPO / "studies" / "byo"


def test_library_circuits_are_split_into_inputs_and_weights_and_gates_noise_can_see():
    qc, inputs, weights = load_circuit(str(BYO / "qnn.qpy"))
    # Z feature map on x[0..3] + real amplitudes (2 repetitions) on θ[0..11] (make_inputs.py).
    assert [str(p) for p in inputs] == [f"x[{i}]" for i in range(4)]
    assert len(weights) == 12 and all(str(p).startswith("θ") for p in weights)
    # Every gate is one the noise models act on by its arity: none escapes noise.
    assert set(qc.count_ops()) <= set(ONE_QUBIT_GATES) | set(TWO_QUBIT_GATES)


def test_observables_rotate_to_z_with_the_same_expectation():
    from qiskit import QuantumCircuit
    from qiskit.quantum_info import Statevector

    qc = QuantumCircuit(3)
    qc.ry(0.4, 0)
    qc.rx(1.1, 1)
    qc.cx(0, 1)
    qc.ry(-0.7, 2)
    qc.cz(1, 2)
    obs = parse_observable("0.5*XII + 0.5*IYZ + 0.5*XYZ - 0.5*III", 3)  # (A + B + AB − I)/2: ±1-valued
    assert measurement_bases(obs) == {0: "Z", 1: "Y", 2: "X"}
    rotated, diagonal = rotate_to_z(qc, obs)
    assert set("".join(diagonal.paulis.to_labels())) <= {"I", "Z"}
    exact = Statevector(qc).expectation_value(obs).real
    assert Statevector(rotated).expectation_value(diagonal).real == pytest.approx(exact, abs=1e-12)


def test_data_files_csv_and_npz_read_the_same(tmp_path):
    x, y = load_table(BYO / "breast_cancer.csv")
    assert x.shape == (569, 4) and sorted(set(y.tolist())) == [0, 1]  # scikit-learn's 569 rows
    np.savez(tmp_path / "d.npz", x=x, y=np.where(y == 1, 1, -1))  # ±1 labels mean the same
    x2, y2 = load_table(tmp_path / "d.npz")
    assert np.array_equal(x, x2) and np.array_equal(y, y2)


def _train(tmp_path: pathlib.Path, noise: str) -> dict:
    out = tmp_path / f"{noise.replace(':', '-')}.json"
    argv = ["train", "--circuit", str(tmp_path / "qnn.qpy"), "--data", str(tmp_path / "data.csv"),
            "--observable", "ZZZZ", "--samples", "300", "--test-fraction", "0.5", "--maxiter", "150",
            "--chunk", "150", "--shots", "100", "--noise", noise, "--out", str(out)]  # fmt: skip
    assert main(argv) == 0
    return json.loads(out.read_text())


@pytest.mark.slow
def test_a_library_qnn_from_qpy_on_csv_learns_and_loses_under_heavy_logical_noise(tmp_path):
    shutil.copy(BYO / "qnn.qpy", tmp_path / "qnn.qpy")
    shutil.copy(BYO / "breast_cancer.csv", tmp_path / "data.csv")
    clean, noisy = _train(tmp_path, "none"), _train(tmp_path, "logical:0.2")
    n_test = math.ceil(300 * 0.5)
    # The split is stratified: the test part's majority share is the data's, 357 of 569 benign.
    majority = 357 / 569
    c_low = binomial_interval(n_test, round(clean["test_accuracy"] * n_test)).low
    n_high = binomial_interval(n_test, round(noisy["test_accuracy"] * n_test)).high
    assert clean["method"] == "statevector" and noisy["method"] == "density_matrix"
    assert c_low > majority  # it learns: better than always answering the majority class
    assert n_high < c_low  # and heavy logical noise (ε = 0.2 per gate) costs it, beyond chance
    assert clean["config"]["circuit"].endswith("qnn.qpy") and clean["config"]["qubits"] == 4


@pytest.mark.parametrize("method", ["trajectories", "mps"])
def test_trajectories_agree_with_the_density_matrix_within_their_stated_precision(method):
    # A small noisy QNN, exact (density matrix) against noise trajectories. Each trajectory's
    # value of a Pauli observable lies in [−1, 1], so the mean of N has σ ≤ 1/√N: the stated
    # precision. 6 points at 4σ: a false failure has probability < 6·6e-5.
    base = dict(dataset="moons", qubits=3, layers=2, noise="logical:0.05", samples=12, seed=3)
    exact_config = TrainConfig(**base, method="density_matrix")
    traj_config = TrainConfig(**base, method=method, trajectories=2000)
    sim = simulation(traj_config)
    assert (sim.method, sim.precision) == (method, pytest.approx(1 / math.sqrt(2000)))
    rng = np.random.default_rng(0)
    x = rng.uniform(0, np.pi, (6, 3))
    w = rng.uniform(-np.pi, np.pi, build_qnn(exact_config).num_weights)
    exact = build_qnn(exact_config).forward(x, w).ravel()
    traj = build_qnn(traj_config).forward(x, w).ravel()
    assert np.all(np.abs(traj - exact) < 4 * sim.precision), (traj, exact)
    # The comparison can fail: the noise moves the values by far more than the precision.
    clean = build_qnn(TrainConfig(**{**base, "noise": "none"})).forward(x, w).ravel()
    assert np.max(np.abs(clean - exact)) > 4 * sim.precision


@pytest.mark.slow
def test_a_16_qubit_qnn_trains_and_its_tolerance_is_measured(tmp_path):
    # Beyond the density matrix (14 qubits in a quarter of 24 GiB): noiseless training runs on an
    # exact statevector, the noisy evaluations on trajectories; the tolerance says which.
    run = tmp_path / "none_s0.json"
    argv = ["train", "--dataset", "circles", "--qubits", "16", "--layers", "1", "--connectivity", "ring",
            "--observable", "z0", "--samples", "12", "--maxiter", "34", "--chunk", "34", "--shots", "100",
            "--trajectories", "100", "--out", str(run)]  # fmt: skip
    assert main(argv) == 0
    result = json.loads(run.read_text())
    assert result["method"] == "statevector" and result["precision"] == 0
    out = tmp_path / "tolerance.json"
    argv = ["tolerance", "--results", str(run), "--eps-grid", "0.001", "0.03", "0.3", "--noise", "circuit",
            "--p", "0.001", "--bootstrap", "20", "--refine", "0", "--out", str(out)]  # fmt: skip
    assert main(argv) == 0
    doc = json.loads(out.read_text())
    assert doc["qnn"]["qubits"] == 16 and doc["qnn"]["method"] == "auto" and doc["qnn"]["trajectories"] == 100
    # One ring layer entangles little (bond dimension 4): auto runs trajectories on matrix
    # product states, 31× faster than on a statevector (docs/reference/performance.md).
    assert doc["simulation"] == "trajectories (matrix product states), 100 per expectation, precision ±0.1"
    assert simulation(TrainConfig(qubits=16, noise="logical:0.1", trajectories=100)).method == "mps"
    many = TrainConfig(qubits=16, layers=4, connectivity="ring", noise="logical:0.1", trajectories=100)
    assert simulation(many).method == "trajectories"


@pytest.mark.slow
def test_tolerance_budget_and_resources_take_your_own_qnn_unchanged(tmp_path):
    # The steps after training read the circuit, observable and data from the run's config.
    import dataclasses

    from _helpers import synthetic_model_points

    from qec.budget import BudgetReport
    from qec.fit import fit_all, fits_document
    from qec.resources import ResourcesReport

    shutil.copy(BYO / "qnn.qpy", tmp_path / "qnn.qpy")
    shutil.copy(BYO / "breast_cancer.csv", tmp_path / "data.csv")
    run = tmp_path / "none_s0.json"
    assert main(["train", "--circuit", str(tmp_path / "qnn.qpy"), "--data", str(tmp_path / "data.csv"),
                 "--observable", "ZZZZ", "--samples", "60", "--maxiter", "20", "--chunk", "20",
                 "--shots", "100", "--out", str(run)]) == 0  # fmt: skip
    tol = tmp_path / "tolerance.json"
    argv = ["tolerance", "--results", str(run), "--eps-grid", "0.001", "0.03", "0.3", "--noise", "circuit",
            "--p", "0.001", "0.004", "--bootstrap", "50", "--refine", "0", "--out", str(tol)]  # fmt: skip
    assert main(argv) == 0
    # A suppression model fitted to synthetic counts (qec.fit's own test data) stands in for sampling.
    points = [
        dataclasses.replace(pt, code="surface_rotated")
        for pt in synthetic_model_points(np.random.default_rng(0))
    ]
    fits = tmp_path / "fits.json"
    fits.write_text(json.dumps(fits_document(fit_all(points, bootstrap=0), inputs=[], bootstrap=0, seed=0)))
    budget = tmp_path / "budget.csv"
    assert main(["budget", "--fits", str(fits), "--tolerance", str(tol), "--results", str(run), "--code",
                 "surface_rotated", "--out", str(budget)]) == 0  # fmt: skip
    report = BudgetReport.from_dict(json.loads(budget.with_suffix(".json").read_text()))
    assert [r.p for r in report.rows] == [0.001, 0.004] and report.tolerance.qnn["circuit"].endswith(
        "qnn.qpy"
    )
    assert "circuit " in budget.with_suffix(".txt").read_text()
    out = tmp_path / "resources.json"
    assert main(["resources", "--qnn", str(run), "--p", "0.001", "--noise", "circuit", "--fits", str(fits),
                 "--tolerance", str(tol), "--out", str(out)]) == 0  # fmt: skip
    resources = ResourcesReport.from_dict(json.loads(out.read_text()))
    # One execution of this QNN: its Z feature map's H and RZ gates, the ansatz's RY and CX.
    assert {"h", "rz", "ry", "cx", "measure"} <= set(resources.circuit["counts"]) and resources.rows


# Nothing named inside a result file is imported or run, and a result is evaluated on what it was
# trained on (qec.qnn.sources): catalog ids J1, J2, J3, STALE1.
TINY = ["--observable", "ZZ", "--samples", "30", "--maxiter", "8", "--chunk", "8", "--shots", "0"]
TOLERANCE = ["--eps-grid", "0.001", "0.01", "0.1", "--noise", "circuit", "--p", "0.002", "--bootstrap", "10",
             "--refine", "0"]  # fmt: skip


def _two_qubit_qpy(path: pathlib.Path, encoding: str = "ry") -> None:
    """A 2-input, 2-weight QNN; ``encoding`` rx gives another circuit with the same parameters."""
    from qiskit import QuantumCircuit, qpy
    from qiskit.circuit import ParameterVector

    x, w = ParameterVector("x", 2), ParameterVector("w", 2)
    qc = QuantumCircuit(2)
    for q in range(2):
        getattr(qc, encoding)(x[q], q)
    qc.ry(w[0], 0)
    qc.cz(0, 1)
    qc.ry(w[1], 1)
    with open(path, "wb") as f:
        qpy.dump(qc, f)


def _two_feature_csv(path: pathlib.Path, rows: int = 40) -> None:
    lines = ["a,b,label", *(f"{(i * 7) % 10 / 10},{(i * 3) % 10 / 10},{i % 2}" for i in range(rows))]
    path.write_text("\n".join(lines) + "\n")


def _evil_module(folder: pathlib.Path) -> pathlib.Path:
    """evilmod.py in ``folder``: importing it writes a marker file; the returned path."""
    folder.mkdir(exist_ok=True)
    marker = folder / "PWNED"
    write = f"open({str(marker)!r}, 'w').write"
    (folder / "evilmod.py").write_text(f"{write}('imported')\ndef qnn():\n    {write}('called')\n")
    return marker


def test_a_result_file_never_makes_qec_import_or_call_the_code_it_names(tmp_path, monkeypatch, capsys):
    """J1, J2, J3: config.circuit 'evilmod:qnn' or 'os:abort' in a result is never imported or called."""
    from qec.qnn import Workload

    run = tmp_path / "r.json"
    assert main(["train", "--circuit", "qec.qnn.circuit:example_circuit", *TINY, "--out", str(run)]) == 0
    result = json.loads(run.read_text())
    assert result["sources"]["circuit_qpy"] and result["sources"]["inputs"] == ["x[0]", "x[1]"]
    marker = _evil_module(tmp_path / "evil")
    monkeypatch.syspath_prepend(str(tmp_path / "evil"))  # J2: importable, as with PYTHONPATH=.
    monkeypatch.chdir(tmp_path / "evil")  # J1: the working folder

    def tolerance(result: dict, name: str) -> int:
        (tmp_path / name).write_text(json.dumps(result))
        out = str(tmp_path / "t.json")
        return main(["tolerance", "--results", str(tmp_path / name), *TOLERANCE, "--out", out])

    assert tolerance(result, "same.json") == 0
    eps_star = json.loads((tmp_path / "t.json").read_text())["eps_star"]
    # The name in the file is a label: the stored circuit is evaluated, the same ε*.
    for spec in ("evilmod:qnn", "os:abort"):
        assert tolerance({**result, "config": {**result["config"], "circuit": spec}}, "named.json") == 0
        assert json.loads((tmp_path / "t.json").read_text())["eps_star"] == eps_star
    # A result from before circuits were stored, naming code: refused, never imported.
    old = {k: v for k, v in result.items() if k != "sources"}
    old["config"] = {**old["config"], "circuit": "evilmod:qnn"}
    (tmp_path / "old.json").write_text(json.dumps(old))
    capsys.readouterr()
    assert tolerance(old, "old.json") == 2
    resources = ["resources", "--qnn", str(tmp_path / "old.json"), "--p", "0.002", "--noise", "circuit",
                 "--constants", "0.03", "0.01", "--error-budget", "0.1",
                 "--out", str(tmp_path / "res.json")]  # fmt: skip
    assert main(resources) == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 2 and all("is never imported or run: retrain it" in line for line in err), err
    with pytest.raises(ValueError, match="never imported or run"):  # the runs qec budget reads
        Workload.from_results([old], definition="inference")
    assert not marker.exists() and "evilmod" not in sys.modules


def test_python_m_qec_imports_nothing_from_the_working_folder_but_the_code_you_name(tmp_path):
    """J1: python -m qec (how the Snakefile runs jobs) put the working folder first on sys.path;
    a MODULE:FUNCTION given on the command line is still looked for there, on purpose."""
    (tmp_path / "stim.py").write_text("open('SHADOWED', 'w').write('x')\nraise ImportError('shadowed')\n")
    (tmp_path / "mymod.py").write_text("from qec.qnn import example_circuit as qnn\n")
    inspect = ["inspect", "--code", "repetition", "--noise", "circuit", "--distance", "3", "--p", "0.01"]
    train = ["train", "--circuit", "mymod:qnn", *TINY, "--out", "r.json"]
    for argv in (inspect, train):
        run = subprocess.run([sys.executable, "-m", "qec", *argv], cwd=tmp_path, capture_output=True,
                             text=True, timeout=300)  # fmt: skip
        assert run.returncode == 0, run.stderr[-2000:]
    assert not (tmp_path / "SHADOWED").exists()
    assert json.loads((tmp_path / "r.json").read_text())["config"]["circuit"] == "mymod:qnn"


def test_a_result_is_evaluated_on_the_circuit_and_data_it_was_trained_on(tmp_path):
    """STALE1: the .qpy replaced after training (same parameters) changed ε* silently; so did the data."""
    from qec.qnn import Workload

    _two_qubit_qpy(tmp_path / "c.qpy")
    _two_feature_csv(tmp_path / "d.csv")
    run = tmp_path / "r.json"
    assert main(["train", "--circuit", str(tmp_path / "c.qpy"), "--data", str(tmp_path / "d.csv"), *TINY,
                 "--out", str(run)]) == 0  # fmt: skip
    result = json.loads(run.read_text())

    def accuracy(result: dict) -> np.ndarray:
        workload = Workload.from_results([result], definition="inference")
        return workload.evaluate(["none", "logical:0.05"]).accuracy

    before = accuracy(result)
    _two_qubit_qpy(tmp_path / "c.qpy", encoding="rx")  # another circuit, the same parameter names
    assert np.array_equal(accuracy(result), before)  # the stored circuit, not the file's
    # A run trained on the new file is another QNN: it does not join the first one's workload.
    other = tmp_path / "r1.json"
    assert main(["train", "--circuit", str(tmp_path / "c.qpy"), "--data", str(tmp_path / "d.csv"), *TINY,
                 "--seed", "1", "--out", str(other)]) == 0  # fmt: skip
    with pytest.raises(ValueError, match="were trained on different circuits"):
        Workload.from_results([result, json.loads(other.read_text())], definition="inference")
    # The comparison can fail: the file's new circuit gives other numbers (a result without its
    # circuit stored, as older ones are, reads the file).
    assert not np.array_equal(accuracy({k: v for k, v in result.items() if k != "sources"}), before)
    _two_feature_csv(tmp_path / "d.csv", rows=42)  # the data changed since training: refused
    with pytest.raises(ValueError, match=r"data='.*d\.csv' has changed since the run was trained"):
        accuracy(result)
    argv = ["tolerance", "--results", str(run), *TOLERANCE, "--out", str(tmp_path / "t.json")]
    assert main(argv) == 2 and not (tmp_path / "t.json").exists()


def test_a_checkpoint_of_other_file_contents_is_not_resumed(tmp_path):
    """STALE1: a checkpoint records the data's SHA-256; a changed file does not resume it."""
    import dataclasses

    from qec.qnn import train

    _two_feature_csv(tmp_path / "d.csv")
    config = TrainConfig(dataset=str(tmp_path / "d.csv"), qubits=2, layers=1, samples=30, maxiter=8, chunk=8)
    checkpoint = tmp_path / "ck.json"
    checkpoint.write_text(json.dumps({"config": dataclasses.asdict(config), "weights": [0.0] * 4,
                                      "loss_history": [], "done": 0, "wall_seconds": 0.0,
                                      "sources": {"sha256": {"data": "0" * 64}}}))  # fmt: skip
    with pytest.raises(ValueError, match="other contents of the circuit or data files"):
        train(config, checkpoint=checkpoint)


def test_results_written_before_circuits_were_stored_still_read():
    """Published runs from before circuits were stored (data/byo: a .qpy file and a CSV;
    data/devices: the built-in ansatz; data/paper was one until its rerun of 3 December 2026)."""
    from qec.qnn import Workload

    for study, qubits in (("byo", 4), ("devices", None)):
        paths = sorted((REPO / "data" / study / "qnn").glob("none_s*.json"))
        results = [json.loads(p.read_text()) for p in paths]
        assert all("sources" not in r for r in results)
        workload = Workload.from_results(results, definition="inference")
        assert len(workload._qnn.weights) == len(results[0]["weights"])
        if qubits:
            assert workload._qnn.circuit.num_qubits == qubits
