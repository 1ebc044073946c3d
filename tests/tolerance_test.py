"""Tests of qec.tolerance: the exact shot metric, ε* and its bootstrap interval (coverage on
synthetic data with a known crossing), refinement, and real Aer workloads."""

import json
import math

import numpy as np
import pytest
import scipy.optimize
import scipy.stats

from qec.qnn import Workload
from qec.tolerance import (
    Evaluations,
    Tolerance,
    crossing,
    measure_changes,
    measure_tolerance,
    shot_accuracy,
)


def test_shot_accuracy_matches_exact_small_cases():
    ev = np.linspace(-0.9, 0.9, 7)
    q = (1 + ev) / 2  # probability of a +1 outcome
    plus = np.ones_like(ev, dtype=int)
    # One shot: right with probability q. Two shots: q² + (tie 2q(1−q))/2 = q, as for one.
    assert shot_accuracy(ev, plus, shots=1) == pytest.approx(q)
    assert shot_accuracy(ev, plus, shots=2) == pytest.approx(q)
    # Three shots: at least two +1 outcomes.
    assert shot_accuracy(ev, plus, shots=3) == pytest.approx(q**3 + 3 * q**2 * (1 - q))
    # A label of −1 is the mirror image; no shots means the exact sign.
    assert shot_accuracy(ev, -plus, shots=3) == pytest.approx(1 - shot_accuracy(ev, plus, shots=3))
    assert shot_accuracy(np.array([0.2, -0.2]), np.array([1, 1]), shots=0).tolist() == [1.0, 0.0]


def test_shot_model_refuses_means_a_pm1_observable_cannot_have():
    # O5, Q10: a mean outside [-1, 1] (a scaled observable) or NaN (NaN weights) is not clipped
    # into a plausible accuracy.
    for ev in (2.0, -1.5, float("nan")):
        with pytest.raises(ValueError, match=r"not in \[-1, 1\]: a shot model of ±1 outcomes"):
            shot_accuracy(np.array([0.1, ev]), np.array([1, 1]), shots=10)
    assert shot_accuracy(np.array([1 + 1e-12]), np.array([1]), shots=10)[0] == pytest.approx(1)  # rounding


def test_shot_accuracy_matches_sampling():
    # The mean over many sampled 1000-shot votes (the old scoring) agrees within its binomial error.
    rng = np.random.default_rng(1)
    ev, y, shots, n = 0.04, 1, 1000, 20_000
    votes = rng.binomial(shots, (1 + ev) / 2, size=n)
    sampled = np.mean(np.where(votes == shots / 2, 0.5, votes > shots / 2))
    exact = float(shot_accuracy(np.array([ev]), np.array([y]), shots=shots)[0])
    assert abs(sampled - exact) < 4 * math.sqrt(exact * (1 - exact) / n)


def test_crossing_flags_bounds():
    assert crossing([1e-3, 1e-2, 1e-1], [0, 0, -0.005], delta=0.01) == (0.1, "lower")
    assert crossing([1e-3, 1e-2, 1e-1], [-0.02, -0.03, -0.5], delta=0.01) == (1e-3, "upper")
    # A wobble that recovers is pooled (monotone fit), not taken as the crossing.
    value, bound = crossing([1e-3, 2e-3, 4e-3, 8e-3], [0, -0.012, -0.006, -0.05], delta=0.01)
    assert bound == "" and 4e-3 < value < 8e-3


# A synthetic workload whose true ε* is known: test points with margins m (the noiseless
# expectation times the label), shrunk by noise as m·(1 − ε)^G, scored with S shots.
G, SHOTS = 20, 100


def synthetic_margins(rng, n):
    return np.clip(rng.normal(0.35, 0.3, size=n), -1, 1)


def synthetic_evaluator(margins):
    def evaluate(specs):
        eps = [0.0 if s == "none" else float(s.split(":")[1]) for s in specs]
        ev = np.array([margins * (1 - e) ** G for e in eps])
        acc = shot_accuracy(ev, np.ones_like(ev), shots=SHOTS)
        return Evaluations(tuple(specs), (0,), acc[None], ((ev - 1) ** 2)[None])

    return evaluate


def true_eps_star(delta):
    population = synthetic_margins(np.random.default_rng(12345), 400_000)
    base = shot_accuracy(population, np.ones_like(population), shots=SHOTS).mean()

    def change(log_eps):
        shrunk = population * (1 - math.exp(log_eps)) ** G
        return shot_accuracy(shrunk, np.ones_like(shrunk), shots=SHOTS).mean() - base + delta

    return math.exp(scipy.optimize.brentq(change, math.log(1e-4), math.log(0.1), xtol=1e-6))


@pytest.mark.slow
def test_eps_star_interval_covers_the_truth_at_its_nominal_rate():
    # 200 synthetic test sets of 400 points each; measured: 191/200 = 95.5% (nominal 95%).
    delta, n_sets = 0.01, 200
    truth = true_eps_star(delta)
    rng = np.random.default_rng(0)
    hits, centre = 0, []
    for k in range(n_sets):
        t = measure_tolerance(synthetic_evaluator(synthetic_margins(rng, 400)), delta=delta, bootstrap=400,
                              eps_grid=[1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 1e-1], seed=k)  # fmt: skip
        assert t.bound == "" and sum(c.refined for c in t.curve) > 0
        hits += truth in t.eps_star
        centre.append(math.log(t.eps_star.best / truth))
    low, high = scipy.stats.binom.ppf(1e-4, n_sets, 0.95), scipy.stats.binom.isf(1e-4, n_sets, 0.95)
    assert low <= hits <= high, (hits, truth)
    # No bias beyond the spread: the mean log ratio is within 4 standard errors of 0.
    assert abs(np.mean(centre)) < 4 * np.std(centre) / math.sqrt(n_sets)


def test_refinement_adds_points_inside_the_interval_cells():
    t = measure_tolerance(synthetic_evaluator(synthetic_margins(np.random.default_rng(3), 400)), delta=0.01,
                          eps_grid=[1e-4, 1e-3, 1e-2, 1e-1], bootstrap=200, refine=5)  # fmt: skip
    refined = [c.eps_op for c in t.curve if c.refined]
    assert len(refined) == 5
    coarse = [1e-4, 1e-3, 1e-2, 1e-1]
    lo = max(e for e in coarse if e <= t.eps_star_low)
    hi = min(e for e in coarse if e >= t.eps_star_high)
    assert all(lo < e < hi for e in refined)


def test_tolerance_round_trips_and_refuses_bad_input():
    t = measure_tolerance(synthetic_evaluator(synthetic_margins(np.random.default_rng(4), 100)), delta=0.02,
                          eps_grid=[1e-3, 1e-2, 1e-1], bootstrap=50)  # fmt: skip
    assert Tolerance.from_dict(json.loads(json.dumps(t.to_dict()))) == t
    evaluate = synthetic_evaluator(np.ones(3))
    with pytest.raises(ValueError, match=r"delta=1.5 must be a number in \(0, 1\)"):
        measure_tolerance(evaluate, eps_grid=[1e-3, 1e-2, 1e-1], delta=1.5)
    with pytest.raises(ValueError, match="must have at least 3 points"):
        measure_tolerance(evaluate, eps_grid=[1e-3, 1e-2], delta=0.01)
    with pytest.raises(ValueError, match="definition='retrained' is not known"):
        measure_tolerance(evaluate, eps_grid=[1e-3, 1e-2, 1e-1], delta=0.01, definition="retrained")


# --- Real workloads: trained with Aer, evaluated with Aer ------------------------------------

SHAPE = {"dataset": "circles", "qubits": 3, "layers": 2, "connectivity": "ring", "observable": "parity",
         "samples": 80, "test_fraction": 0.5, "maxiter": 40, "chunk": 40, "shots": 100}  # fmt: skip


def trained(seeds, noise="none"):
    from qec.qnn import TrainConfig, train

    return [train(TrainConfig(**SHAPE, noise=noise, seed=s)).to_dict() for s in seeds]


@pytest.mark.slow
def test_disjoint_seed_sets_give_overlapping_intervals():
    grid = [1e-4, 1e-3, 3e-3, 1e-2, 3e-2, 1e-1]
    intervals = []
    for seeds in ((0, 1), (2, 3)):
        workload = Workload.from_results(trained(seeds), definition="inference", extra_test=400)
        t = measure_tolerance(workload.evaluate, eps_grid=grid, delta=0.01, bootstrap=300, qnn=SHAPE)
        assert t.bound == "" and t.test_points == 440
        assert len(t.eps_star_per_seed) == 2 and all(e > 0 for e in t.eps_star_per_seed)  # the seed spread
        intervals.append((t.eps_star_low, t.eps_star_high))
    (a_lo, a_hi), (b_lo, b_hi) = intervals
    assert a_lo <= b_hi and b_lo <= a_hi, intervals


@pytest.mark.slow
def test_inference_is_paired_and_physical_noise_costs_accuracy():
    workload = Workload.from_results(trained((0,)), definition="inference", extra_test=200)
    evals = workload.evaluate(["none", "logical:0.05", "circuit:0.01"])
    assert evals.accuracy.shape == (1, 3, 240)
    # Noise shrinks every expectation toward 0: the mean loss grows (misclassified points gain).
    assert evals.loss[0, 1].mean() > evals.loss[0, 0].mean() + 0.05
    (change,) = measure_changes(workload.evaluate, [0.05], bootstrap=200).values()
    assert change.low <= change.mean <= change.high < 0


@pytest.mark.slow
def test_training_definition_trains_missing_runs_once(tmp_path):
    results = trained((0,)) + trained((0,), noise="logical:0.001")
    workload = Workload.from_results(results, definition="training", train_dir=str(tmp_path), jobs=2)
    evals = workload.evaluate(["none", "logical:0.001", "logical:0.05"])
    assert [p.name for p in tmp_path.glob("*.json")] == ["logical-0.05_s0.json"]  # only the missing one
    stamp = (tmp_path / "logical-0.05_s0.json").stat().st_mtime_ns
    again = workload.evaluate(["logical:0.05"])
    assert (tmp_path / "logical-0.05_s0.json").stat().st_mtime_ns == stamp  # reused
    assert again.accuracy[0, 0] == pytest.approx(evals.accuracy[0, 2])


def test_runs_are_keyed_by_the_parsed_noise_they_are_evaluated_at():
    # Issue #19: runs were keyed by formatted strings. They are keyed by the parsed noise, at the
    # precision the QNN is evaluated at (6 significant digits, its string), so a run given with
    # more digits serves the spec it always served.
    from qec.qnn.config import QNNNoise

    runs = [{"config": {**SHAPE, "noise": noise, "seed": 0}, "weights": [0.5] * 9}
            for noise in ("none", "logical:0.0012345678")]  # fmt: skip
    workload = Workload.from_results(runs, definition="training")
    assert set(workload.runs) == {(QNNNoise("none"), 0), (QNNNoise("logical", 0.00123457), 0)}
    assert workload.weights("logical:0.00123457", 0) == (0.5,) * 9
    assert workload.weights(QNNNoise("logical", 0.0012345678), 0) == (0.5,) * 9


def test_mixed_configurations_are_refused():
    r = {"config": {**SHAPE, "noise": "none", "seed": 0}, "weights": [0.0] * 9}
    other = {"config": {**SHAPE, "noise": "none", "seed": 1, "layers": 3}, "weights": [0.0] * 12}
    with pytest.raises(ValueError, match=r"QNN results mix configurations: \{'layers': \(2, 3\)\}"):
        Workload.from_results([r, other], definition="inference")
    with pytest.raises(ValueError, match="needs noiselessly trained runs"):
        Workload.from_results(
            [{**r, "config": {**r["config"], "noise": "logical:0.1"}}], definition="inference"
        )


def test_a_tolerance_file_is_read_field_by_field():
    # Catalog G1, G10, PL4: a curve point without eps_op was a TypeError traceback; a NaN p in a
    # physical run decided "hardware alone suffices". Each is one line naming the field.
    import json
    import pathlib

    doc = json.loads((pathlib.Path(__file__).parents[1] / "data" / "paper" / "tolerance.json").read_text())
    for change, message in (
        (lambda d: d["curve"][0].pop("eps_op"), "tolerance CurvePoint lacks eps_op"),
        (lambda d: d["physical"][0].update(p=float("nan")), r"physical p=nan must be a number in \(0, 0.5\]"),
        (lambda d: d.update(curve="x"), "tolerance curve=.x. must be a list of JSON objects"),
    ):
        broken = json.loads(json.dumps(doc))
        change(broken)
        with pytest.raises(ValueError, match=message):
            Tolerance.from_dict(broken)
