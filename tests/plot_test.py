"""Tests of qec.plot: the figures draw every verdict and mark, from fit and budget records."""

from budget_test import MEASURED, tolerance
from fit_test import near_threshold_points

from qec.budget import BudgetReport, budget_rows
from qec.fit import AboveThreshold, SuppressionModel, fit_all
from qec.plot import plot_budget, plot_fits, plot_lambda


def test_fit_figures_draw_the_measured_threshold_and_the_model_where_fitted(tmp_path):
    (group,) = fit_all(near_threshold_points(), bootstrap=0)
    for plot, name in ((plot_fits, "threshold.png"), (plot_lambda, "lambda.png")):
        assert plot([group], tmp_path / name).read_bytes()[:4] == b"\x89PNG"


def test_budget_figure_draws_every_verdict_and_both_extrapolation_marks(tmp_path):
    model = SuppressionModel(**{**SuppressionModel.power(A=0.05, p_th=0.008).__dict__, "p_min": 0.002,
                                "p_max": 0.004, "distances": (3, 5, 7)})  # fmt: skip
    t = tolerance(physical=((0.001, -0.001), (0.003, -0.05), (0.006, -0.1), (0.0081, -0.2), (0.009, -0.3)))
    rows = budget_rows(model=model, tolerance=t, code="surface_rotated", n_logical=1,
                       above_threshold=AboveThreshold(lambda_reaches_one=0.009))  # fmt: skip
    verdicts = [(r.verdict, r.extrapolated, r.extrapolated_p) for r in rows]
    assert verdicts == [("hardware", False, False), ("qec", True, False), ("qec", True, True),
                        ("no_distance", False, True), ("above_threshold", False, False)]  # fmt: skip
    report = BudgetReport(code="surface_rotated", basis="z", noise="circuit", cycles_per_gate=1, n_logical=1,
                          models={"pymatching": model}, tolerance=t, rows=tuple(rows),
                          above_threshold={"pymatching": MEASURED})  # fmt: skip
    assert plot_budget(report, tmp_path / "budget.png").read_bytes()[:4] == b"\x89PNG"
