"""Tests of qec.budget: one verdict per p, d* [interval] against the model, the report's files."""

import csv
import io
import json

import numpy as np
import pytest

from qec.budget import BudgetReport, BudgetRow, budget_rows, check_eps, with_checks
from qec.codes import Code
from qec.fit import SuppressionModel, fit_model
from qec.tolerance import Change, Tolerance

MODEL = SuppressionModel.power(A=0.05, p_th=0.008)


def fitted_model():
    """A model with real uncertainty: fitted to counts drawn from A = 0.05, p_th = 0.008."""
    from fit_test import synthetic_model_points

    return fit_model(synthetic_model_points(np.random.default_rng(0), A=0.05, p_th=0.008), form="power")


def tolerance(eps_star=1e-4, low=None, high=None, physical=((0.001, -0.001), (0.004, -0.05), (0.009, -0.2))):
    t = Tolerance.given(eps_star=eps_star, physical=physical)
    return Tolerance.from_dict(
        {**t.to_dict(), "eps_star_low": low or eps_star, "eps_star_high": high or eps_star}
    )


def test_each_row_says_one_thing():
    rows = budget_rows(model=MODEL, tolerance=tolerance(), code="surface_rotated", n_logical=4)
    hardware, qec, above = rows
    # Hardware: the physical-noise accuracy change -0.001 is within δ = 0.01, whatever ε* says.
    assert (hardware.verdict, hardware.qec_needed, hardware.d_star, hardware.suppression) == (
        "hardware", False, None, None)  # fmt: skip
    assert qec.verdict == "qec" and qec.qec_needed is True
    assert qec.d_star == MODEL.distance_for(eps_op=1e-4, p=0.004)
    assert qec.physical_qubits == 4 * (2 * qec.d_star**2 - 1)  # rotated surface code: d² data + d²−1 measure
    assert qec.suppression == pytest.approx(0.004 / 1e-4)
    assert above.verdict == "above_threshold" and above.qec_needed is None and above.d_star is None
    assert "not below the model threshold" in above.note


def test_d_star_interval_comes_from_eps_star_and_the_model():
    model = fitted_model()
    t = tolerance(eps_star=1e-4, low=5e-5, high=2e-4)
    (_, row, _) = budget_rows(model=model, tolerance=t, code="surface_rotated", n_logical=2)
    assert row.d_star_low == model.distance_for(eps_op=2e-4, p=0.004, bound="low")
    assert row.d_star_high == model.distance_for(eps_op=5e-5, p=0.004, bound="high")
    assert row.d_star_low <= row.d_star <= row.d_star_high
    assert row.physical_qubits_low <= row.physical_qubits <= row.physical_qubits_high
    assert row.suppression_low == pytest.approx(0.004 / 2e-4) and row.suppression_high == pytest.approx(80)
    # The model was fitted on d = 3, 5, 7: anything beyond is flagged with the number of steps.
    assert row.extrapolated == (row.d_star > 7) and row.extrapolated_by == max(0, (row.d_star - 7) // 2)


def test_checks_fill_in_the_measured_changes():
    rows = budget_rows(model=MODEL, tolerance=tolerance(), code="surface_rotated", n_logical=1)
    eps = check_eps(rows)
    assert eps == sorted({rows[1].eps_op_d_star, rows[1].eps_op_d_star_minus_2})
    # ε_op(d*) meets ε*, ε_op(d* − 2) does not: what the checks are there to confirm.
    assert rows[1].eps_op_d_star <= 1e-4 < rows[1].eps_op_d_star_minus_2
    checked = with_checks(rows, {e: Change(-e, -2 * e, 0.0) for e in eps})
    assert checked[1].check_d_star == Change(-rows[1].eps_op_d_star, -2 * rows[1].eps_op_d_star, 0.0)
    assert checked[0].check_d_star is None


def test_report_round_trips_through_json_and_csv():
    rows = budget_rows(model=fitted_model(), tolerance=tolerance(low=5e-5, high=2e-4), code="surface_rotated",
                       n_logical=3)  # fmt: skip
    rows = with_checks(rows, {e: Change(-0.001, -0.002, 0.0) for e in check_eps(rows)})
    t = tolerance(low=5e-5, high=2e-4)
    report = BudgetReport(code="surface_rotated", basis="z", noise="circuit", cycles_per_gate=1, n_logical=3,
                          models={"pymatching": fitted_model()}, tolerance=t, rows=tuple(rows))  # fmt: skip
    doc = json.loads(json.dumps(report.to_dict()))
    assert BudgetReport.from_dict(doc) == report
    # The keys scripts outside the repository read.
    assert {"eps_star", "eps_star_low", "eps_star_high", "definition", "delta"} <= set(doc["tolerance"])
    for row in doc["rows"]:
        assert {"p", "qec_needed", "d_star", "d_star_low", "d_star_high", "physical_qubits",
                "extrapolated"} <= set(row)  # fmt: skip
    table = list(csv.DictReader(io.StringIO(report.to_csv())))
    assert [float(r["p"]) for r in table] == [0.001, 0.004, 0.009]
    assert table[1]["check_d_star_delta_accuracy"] == "-0.001" and table[0]["d_star"] == ""
    text = report.format()
    assert text.count("hardware alone suffices") == 2  # the row and the assumption defining it
    assert "QEC needed" in text and "above threshold" in text


def test_a_row_cannot_contradict_itself():
    with pytest.raises(ValueError, match="qec_needed=True contradicts verdict='hardware'"):
        BudgetRow(p=0.001, verdict="hardware", qec_needed=True, physical_delta_accuracy=0.0,
                  physical_delta_accuracy_low=0.0, physical_delta_accuracy_high=0.0)  # fmt: skip
    with pytest.raises(ValueError, match="must give d_star"):
        BudgetRow(p=0.001, verdict="qec", qec_needed=True, physical_delta_accuracy=-0.1,
                  physical_delta_accuracy_low=-0.1, physical_delta_accuracy_high=-0.1)  # fmt: skip


def test_qubit_counts_follow_the_code():
    t = tolerance(physical=((0.004, -0.05),))
    (row,) = budget_rows(model=MODEL, tolerance=t, code="repetition", n_logical=5)
    assert (
        row.physical_qubits == 5 * Code("repetition", row.d_star).physical_qubits == 5 * (2 * row.d_star - 1)
    )


def test_supported_alternative_forms_widen_the_interval():
    # A second form the data support about as well must be inside [d_star_low, d_star_high].
    t = tolerance(physical=((0.004, -0.05),))
    steeper = SuppressionModel.power(A=0.05, p_th=0.010)  # suppresses faster: smaller d
    flatter = SuppressionModel.power(A=0.05, p_th=0.0065)  # suppresses slower: larger d
    (row,) = budget_rows(model=MODEL, tolerance=t, code="surface_rotated", n_logical=1,
                         alternatives=[steeper, flatter])  # fmt: skip
    assert row.d_star == MODEL.distance_for(eps_op=1e-4, p=0.004)
    assert row.d_star_low == steeper.distance_for(eps_op=1e-4, p=0.004) < row.d_star
    assert row.d_star_high == flatter.distance_for(eps_op=1e-4, p=0.004) > row.d_star


def test_a_verdict_whose_interval_straddles_delta_is_marked_marginal():
    t = tolerance(physical=((0.001, -0.008), (0.004, -0.012)))
    doc = t.to_dict()
    doc["physical"][0].update(delta_accuracy_low=-0.011, delta_accuracy_high=-0.005)  # holds −δ = −0.01
    doc["physical"][1].update(delta_accuracy_low=-0.015, delta_accuracy_high=-0.0105)  # clear of it
    hardware, qec = budget_rows(model=MODEL, tolerance=Tolerance.from_dict(doc), code="surface_rotated",
                                n_logical=1)  # fmt: skip
    assert hardware.verdict == "hardware" and hardware.note.startswith("marginal")
    assert qec.verdict == "qec" and "marginal" not in qec.note
