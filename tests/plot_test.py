"""Tests of qec.plot: each figure draws what its records hold (axes, series, labels, values),
checked on the matplotlib figure itself; the files are the same figures written atomically."""

import types

import pytest

from qec.budget import BudgetReport, budget_rows
from qec.fit import AboveThreshold, Point, SuppressionModel, fit_all
from qec.interval import Interval
from qec.plot import (
    accuracy_figure,
    budget_figure,
    cnot_figure,
    fits_figure,
    lambda_figure,
    plot_fits,
    resources_figure,
)
from qec.resources import estimate_resources
from qec.surgery import cnot_flows

# Measured: threshold 0.0075 [0.0072, 0.0078].
MEASURED = AboveThreshold(Interval(0.0075, low=0.0072, high=0.0078))


def labels(ax) -> list[str]:
    return ax.get_legend_handles_labels()[1]


def series(ax) -> dict[str, tuple[list[float], list[float]]]:
    """Error-bar series by label: (x, y) of their markers."""
    return {c.get_label(): xy(c.lines[0]) for c in ax.containers}


def xy(line) -> tuple[list[float], list[float]]:
    return list(line.get_xdata()), list(line.get_ydata())


@pytest.fixture(scope="module")
def group(near_threshold_points):
    (g,) = fit_all(near_threshold_points(), bootstrap=0)
    return g


def test_fit_figure_draws_every_point_with_the_measured_threshold_and_the_model(group):
    shot, per_round = fits_figure([group]).axes
    assert (shot.get_xscale(), shot.get_yscale()) == ("log", "log")
    assert "per shot" in shot.get_title() and "per round" in per_round.get_title()
    t = group.threshold
    assert f"threshold {t.p_th:.4g} [{t.p_th_profile_low:.4g}, {t.p_th_profile_high:.4g}]" in labels(shot)[0]
    assert labels(per_round)[0].startswith("model A·")
    # The model beyond the p it was fitted on is dotted and its legend says so (issue #21).
    m = group.model
    assert f"model beyond its fitted p ≤ {m.p_max:g}: extrapolated" in labels(per_round)
    dotted = [line for line in per_round.get_lines() if line.get_linestyle() == ":" and len(line.get_xdata())]
    assert dotted and all(min(line.get_xdata()) >= m.p_max * (1 - 1e-12) for line in dotted)
    for ax, rate in ((shot, "shot_rate"), (per_round, "round_rate")):
        drawn = series(ax)
        assert sorted(drawn) == ["d = 3", "d = 5", "d = 7"]
        for d in (3, 5, 7):
            pts = [pt for pt in group.points if pt.d == d and pt.rounds == d]
            assert drawn[f"d = {d}"] == ([pt.p for pt in pts], [getattr(pt, rate) for pt in pts])


def test_lambda_figure_draws_each_lambda_and_the_line_of_no_suppression(group):
    (ax,) = lambda_figure([group]).axes
    assert "Λ = 1 (no suppression)" in labels(ax)
    ((label, (ps, lambdas)),) = series(ax).items()
    assert label == group.key
    assert (ps, lambdas) == ([x.p for x in group.lambdas], [x.lambda_ for x in group.lambdas])


def test_fit_figure_file_is_the_figure_written(group, tmp_path):
    assert plot_fits([group], tmp_path / "threshold.png").read_bytes()[:4] == b"\x89PNG"


def test_budget_figure_draws_every_verdict_and_both_extrapolation_marks(given_tolerance):
    model = SuppressionModel(**{**SuppressionModel.power(A=0.05, p_th=0.008).__dict__, "p_min": 0.002,
                                "p_max": 0.004, "distances": (3, 5, 7)})  # fmt: skip
    t = given_tolerance(
        physical=((0.001, -0.001), (0.003, -0.05), (0.006, -0.1), (0.0081, -0.2), (0.009, -0.3))
    )
    rows = budget_rows(model=model, tolerance=t, code="surface_rotated", n_logical=1,
                       above_threshold=AboveThreshold(lambda_reaches_one=0.009))  # fmt: skip
    verdicts = [(r.verdict, r.extrapolated, r.extrapolated_p) for r in rows]
    assert verdicts == [("hardware", False, False), ("qec", True, False), ("qec", True, True),
                        ("no_distance", False, True), ("above_threshold", False, False)]  # fmt: skip
    report = BudgetReport(code="surface_rotated", basis="z", noise="circuit", cycles_per_gate=1, n_logical=1,
                          models={"pymatching": model}, tolerance=t, rows=tuple(rows),
                          above_threshold={"pymatching": MEASURED})  # fmt: skip
    distance, qubits = budget_figure(report).axes
    assert distance.get_ylabel() == "required code distance d*"
    assert qubits.get_ylabel() == "physical qubits (1 logical)"
    for ax in (distance, qubits):
        assert {"hardware alone suffices", "above threshold", "QEC needed, model finds no d",
                "extrapolated beyond d = 7",
                "extrapolated in p (outside the model's p range)"} <= set(labels(ax))  # fmt: skip
    qec_rows = [r for r in rows if r.verdict == "qec"]
    marked = {line.get_label(): xy(line) for line in distance.get_lines()}
    assert marked["extrapolated beyond d = 7"] == ([r.p for r in qec_rows], [r.d_star for r in qec_rows])
    assert marked["extrapolated in p (outside the model's p range)"] == ([0.006], [qec_rows[1].d_star])


def test_accuracy_figure_draws_the_physical_runs_with_eps_star_and_delta(given_tolerance):
    t = given_tolerance(eps_star=2e-3, low=1e-3, high=4e-3, physical=((0.001, -0.001), (0.004, -0.05)))
    accuracy, loss = accuracy_figure(t).axes
    assert "accuracy" in accuracy.get_ylabel() and "loss" in loss.get_ylabel()
    assert {"ε* = 0.002 [0.001, 0.004]", "−δ = −0.01"} <= set(labels(accuracy))
    runs = series(accuracy)["circuit noise at p, no QEC (ε = p)"]
    assert runs == ([0.001, 0.004], [-0.001, -0.05])


def test_resources_figure_draws_each_constant_set(small_circuit):
    model = SuppressionModel.power(A=0.05, p_th=0.008)
    report = estimate_resources(small_circuit(), ps=[0.001, 0.002], noise="circuit",
                                models={"pymatching": model}, budget=1e-2)  # fmt: skip
    (ax,) = resources_figure(report).axes
    assert ax.get_ylabel() == "physical qubits" and ax.get_yscale() == "log"
    assert {"measured (pymatching)", "qdk-default"} <= {label.split(":")[0] for label in labels(ax)}


def test_cnot_figure_draws_the_cnot_against_memory_and_their_ratio():
    # Every CNOT flow fails at 1%, the memory at 0.1% per shot (rounds = d = 3): the ratio the
    # figure draws is the closed form: (1 − (1 − 1.5 f)²) / (1 − (1 − r)^(c·d)) with r per round.
    def group(experiment, basis, flow, errors, rounds):
        pt = Point.from_counts(code="surface_rotated", noise="circuit", basis=basis, d=3, p=0.002,
                               rounds=rounds, shots=10**5, errors=errors, experiment=experiment,
                               observable=flow)  # fmt: skip
        return types.SimpleNamespace(decoder="pymatching", experiment=experiment, basis=basis,
                                     observable=flow, points=(pt,))  # fmt: skip

    fits = [group("cnot", b, f, 1000, 12) for b in "xz" for f in cnot_flows(b)]
    fits.append(group("memory", "z", "", 100, 3))
    cnot, ratio = cnot_figure(fits).axes
    assert "CNOT, d = 3" in labels(cnot) and "memory ε_op, d = 3" in labels(cnot)
    from matplotlib.collections import PolyCollection

    # The memory prediction's 95% band, from the memory point's round interval.
    (band,) = [c for c in cnot.collections if isinstance(c, PolyCollection)]
    low, high = (1 - (1 - end) ** 3 for end in (fits[-1].points[0].round_low, fits[-1].points[0].round_high))
    assert band.get_paths()[0].vertices[:, 1].min() == pytest.approx(low)
    assert band.get_paths()[0].vertices[:, 1].max() == pytest.approx(high)
    ((_, (ps, values)),) = series(ratio).items()
    memory_point = fits[-1].points[0]
    expected = (1 - (1 - 1.5 * 0.01) ** 2) / (1 - (1 - memory_point.round_rate) ** 3)
    assert ps == [0.002] and values == [pytest.approx(expected)]
