"""Tests of qec.budget: ε* from an accuracy curve, d*(p) against brute force, CSV round trip."""

import json
import math

import numpy as np
import pytest

from qec.aer import logical_eps_op
from qec.budget import (
    AccuracyPoint,
    BudgetInputs,
    budget_rows,
    read_budget_csv,
    required_distance,
    rows_to_csv,
    tolerable_eps,
)
from qec.fit import SuppressionModel

MODEL = SuppressionModel(
    A=0.05, A_low=0.04, A_high=0.06, p_th=0.008, p_th_low=0.0075, p_th_high=0.0085, n_points=10, chi2_dof=1.0
)


def curve(*pairs):
    return [AccuracyPoint(e, a, 0.0, 3) for e, a in pairs]


def test_eps_star_interpolates_in_log_eps():
    c = curve((1e-4, 0.95), (1e-3, 0.95), (1e-2, 0.85))
    t = tolerable_eps(c, noiseless=0.95, delta=0.05)
    assert t.eps_star == pytest.approx(10**-2.5) and t.note == ""


def test_eps_star_bounds_are_flagged():
    assert "lower bound" in tolerable_eps(curve((1e-3, 0.9), (1e-2, 0.9)), noiseless=0.9, delta=0.01).note
    t = tolerable_eps(curve((1e-3, 0.5), (1e-2, 0.4)), noiseless=0.9, delta=0.01)
    assert "upper bound" in t.note and t.eps_star == 1e-3


def test_a_dip_that_recovers_does_not_end_the_tolerance():
    # Measured means wobble; accuracy cannot truly rise with noise. Isotonic pooling of
    # 0.88 and 0.89 gives 0.885 = the floor, so the tolerance holds up to 1e-3.
    c = curve((1e-4, 0.90), (3e-4, 0.88), (1e-3, 0.89), (3e-3, 0.87))
    t = tolerable_eps(c, noiseless=0.9, delta=0.015)
    assert t.eps_star == pytest.approx(1e-3)


def test_a_real_drop_still_ends_it():
    t = tolerable_eps(curve((1e-3, 0.9), (1e-2, 0.7), (1e-1, 0.72)), noiseless=0.9, delta=0.1)
    assert 1e-3 < t.eps_star < 1e-2


@pytest.mark.parametrize("p", [0.001, 0.003, 0.006])
@pytest.mark.parametrize("eps_star", [1e-3, 1e-6, 1e-10])
@pytest.mark.parametrize("c", [1, 3])
def test_required_distance_matches_brute_force(p, eps_star, c):
    d = required_distance(MODEL, p=p, eps_star=eps_star, cycles_per_gate=c)
    eps = lambda dist: logical_eps_op(MODEL.eps_round(dist, p), distance=dist, cycles_per_gate=c)  # noqa: E731
    assert eps(d) <= eps_star
    assert d == 3 or eps(d - 2) > eps_star


def test_no_distance_above_threshold():
    assert required_distance(MODEL, p=0.009, eps_star=1e-3) is None


def test_budget_rows_and_csv_round_trip():
    checked = []

    def check(eps):
        checked.append(eps)
        return 0.9

    rows = budget_rows(
        model=MODEL,
        code="surface_rotated",
        ps=[0.001, 0.009],
        tolerance=tolerable_eps(curve((1e-5, 0.9), (1e-4, 0.9), (1e-3, 0.5)), noiseless=0.9, delta=0.01),
        n_logical=4,
        cycles_per_gate=1,
        physical_accuracy={0.001: 0.6},
        check_accuracy=check,
    )
    below, above = rows
    assert below.d_star is not None and below.physical_qubits == 4 * (2 * below.d_star**2 - 1)
    assert below.suppression == pytest.approx(0.001 / below.eps_star) and below.qec_needed
    assert checked == [below.eps_op_d_star, below.eps_op_d_star_minus_2]
    assert above.d_star is None and "no distance suffices" in above.note
    back = read_budget_csv(rows_to_csv(rows))
    assert back[0]["d_star"] == below.d_star and back[1]["d_star"] is None
    assert back[0]["qec_needed"] is True and math.isclose(back[0]["eps_star"], below.eps_star)


def result(noise, seed, acc, **shape):
    config = {
        "dataset": "moons",
        "qubits": 2,
        "layers": 1,
        "connectivity": "line",
        "observable": "parity",
        "samples": 20,
        "test_fraction": 0.5,
        "maxiter": 8,
        "chunk": 8,
        "shots": 0,
        "noise": noise,
        "seed": seed,
        **shape,
    }
    return {"config": config, "test_accuracy": acc}


def test_inputs_sort_and_validate_results():
    inputs = BudgetInputs.from_results(
        [
            result("none", 0, 0.9),
            result("none", 1, 0.8),
            result("logical:0.01", 0, 0.7),
            result("logical:0.01", 1, 0.5),
            result("circuit:0.002", 0, 0.6),
        ],
        noise="circuit",
    )
    assert inputs.seeds == (0, 1) and inputs.noiseless == pytest.approx(0.85)
    assert inputs.curve[0].mean == pytest.approx(0.6) and inputs.physical == {0.002: 0.6}
    with pytest.raises(ValueError, match="differ in shape"):
        BudgetInputs.from_results(
            [result("none", 0, 0.9), result("logical:0.1", 0, 0.9, qubits=3)], noise="circuit"
        )
    with pytest.raises(ValueError, match="needs noiseless runs and a logical"):
        BudgetInputs.from_results([result("none", 0, 0.9)], noise="circuit")


@pytest.mark.slow
def test_check_trainings_run_in_parallel_and_are_reused(tmp_path):
    from qec.qml import TrainConfig, train

    shape = {"dataset": "moons", "qubits": 2, "layers": 1, "samples": 20, "maxiter": 8, "chunk": 8}
    results = [
        train(TrainConfig(**shape, noise=noise, seed=seed)).to_dict()
        for noise in ("none", "logical:0.001", "logical:0.3")
        for seed in (0, 1)
    ]
    inputs = BudgetInputs.from_results(results, noise="circuit")
    kwargs = {
        "model": MODEL,
        "code": "surface_rotated",
        "ps": [0.002, 0.004],
        "delta": 0.05,
        "cycles_per_gate": 1,
        "check_dir": tmp_path,
    }
    rows, _ = inputs.run(**kwargs, jobs=2)
    files = sorted(tmp_path.glob("*.json"))
    # Two p, each with d* and d* - 2, for both seeds (a d* of 3 has no d* - 2 check).
    expected = sum(2 * (1 + (r.d_star is not None and r.d_star > 3)) for r in rows if r.d_star)
    assert len(files) == expected > 0
    stamps = [f.stat().st_mtime_ns for f in files]
    again, _ = inputs.run(**kwargs, jobs=2)
    assert [f.stat().st_mtime_ns for f in sorted(tmp_path.glob("*.json"))] == stamps  # reused
    assert again == rows
    for r in rows:
        seeds = [
            json.loads((tmp_path / f"logical_{r.eps_op_d_star:.6g}_s{s}.json").read_text()) for s in (0, 1)
        ]
        assert r.acc_d_star == pytest.approx(np.mean([x["test_accuracy"] for x in seeds]))
