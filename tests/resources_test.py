"""Tests of qec.resources against direct calls of the real QDK Resource Estimator."""

import dataclasses
import json
import math

import pytest
from qdk.qiskit import estimate
from qiskit import QuantumCircuit, qasm2, qpy
from qiskit.circuit import Parameter

from qec.cli import main
from qec.fit import SuppressionModel
from qec.qnn.execution import load_circuit, logical_operations
from qec.resources import (
    error_budget,
    estimate_resources,
    physical_error_rate,
    qubit_params,
)


def counts(data: dict) -> tuple[int, int, int]:
    return (
        data["logicalQubit"]["codeDistance"],
        data["physicalCounts"]["physicalQubits"],
        data["physicalCounts"]["breakdown"]["numTstates"],
    )


def rows(report, constants: str) -> dict:
    return {r.p: r for r in report.rows if r.constants == constants and r.bound == "estimate"}


def test_circuit_noise_at_1e3_is_qdks_qubit_gate_ns_e3(small_circuit):
    direct = estimate(
        small_circuit(), {"qubitParams": {"name": "qubit_gate_ns_e3"}, "errorBudget": 1e-3}
    ).data()
    ours = qubit_params("circuit", 0.001, preset="gate_ns")
    theirs = direct["jobParams"]["qubitParams"]
    assert {k: v for k, v in ours.items() if k != "name"} == {k: v for k, v in theirs.items() if k != "name"}
    si = qubit_params("si1000", 0.001)
    assert (
        si["oneQubitGateErrorRate"],
        si["twoQubitGateErrorRate"],
        si["oneQubitMeasurementErrorRate"],
        si["idleErrorRate"],
        si["tGateErrorRate"],
    ) == pytest.approx((1e-4, 1e-3, 5e-3, 1e-4, 1e-4))
    assert physical_error_rate(si) == pytest.approx(5e-3)


def test_default_rows_reproduce_a_direct_call(small_circuit):
    report = estimate_resources(
        small_circuit(),
        ps=[0.001, 0.003],
        noise="circuit",
        models={"given": SuppressionModel.power(A=0.03, p_th=0.01)},
        budget=1e-3,
    )
    for p, row in rows(report, "qdk-default").items():
        direct = estimate(
            small_circuit(), {"qubitParams": qubit_params("circuit", p), "errorBudget": 1e-3}
        ).data()
        assert (row.code_distance, row.physical_qubits, row.t_states) == counts(direct)
        assert row.physical_qubits == row.physical_qubits_algorithm + row.physical_qubits_factories


def test_given_constants_reproduce_a_direct_call_with_power_1(small_circuit):
    report = estimate_resources(
        small_circuit(),
        ps=[0.001, 0.004],
        noise="circuit",
        models={"given": SuppressionModel.power(A=0.03, p_th=0.01)},
        budget=1e-3,
    )
    scheme = {
        "name": "surface_code",
        "crossingPrefactor": 0.03,
        "errorCorrectionThreshold": 0.01,
        "distanceCoefficientPower": 1,
    }
    for p, row in rows(report, "measured").items():
        direct = estimate(
            small_circuit(),
            {"qubitParams": qubit_params("circuit", p), "qecScheme": scheme, "errorBudget": 1e-3},
        ).data()
        assert (row.code_distance, row.physical_qubits, row.t_states) == counts(direct)


@pytest.mark.parametrize("noise", ["circuit", "si1000"])
def test_per_cycle_error_is_d_times_eps_round_of_a_fitted_form(small_circuit, noise):
    # A model with a distance-dependent prefactor and a slope α ≠ 1 (the forms AIC picks for
    # `paper`), on si1000 too, where the estimator's p is the 5p of measurements.
    model = SuppressionModel(
        form="power_alpha_dk",
        coef=(math.log(0.05), -0.95 * math.log(0.0067), 0.95, -0.4),
        cov=((0.0,) * 4,) * 4,
        n_points=0,
        chi2_dof=1.0,
        aic=0.0,
    )
    report = estimate_resources(
        small_circuit(), ps=[0.001, 0.002], noise=noise, models={"fit": model}, budget=1e-2
    )
    for p, row in rows(report, "measured").items():
        d = row.code_distance
        assert row.scheme_exact
        assert row.logical_error_per_cycle == pytest.approx(d * model.eps_round(d, p), rel=1e-9)


def test_rows_say_where_the_measured_model_is_extrapolated(small_circuit):
    # A model fitted on d = 3, 5 and p in [0.001, 0.0015]: the estimator's distance (well above 5
    # at a 1e-3 budget) is an extrapolation in d, and p = 0.002 in p as well; QDK's default
    # constants are assumed, not fitted, and say so.
    model = dataclasses.replace(SuppressionModel.power(A=0.05, p_th=0.008), distances=(3, 5),
                                p_min=0.001, p_max=0.0015)  # fmt: skip
    report = estimate_resources(small_circuit(), ps=[0.001, 0.002], noise="circuit", models={"fit": model},
                                budget=1e-3)  # fmt: skip
    measured = rows(report, "measured")
    assert measured[0.001].code_distance > 5 and measured[0.001].extrapolated == "d"
    assert measured[0.002].extrapolated == "d and p"
    table = report.format()
    assert "extrapolated in d (fitted d ≤ 5) and p (fitted p in [0.001, 0.0015])" in table
    assert "assumed (QDK's constants)" in table


def test_error_budget_and_operation_count(small_circuit):
    qc = small_circuit()
    assert logical_operations(qc) == 6 + 2 + 3  # rotations, CZs, readouts: as the logical noise model counts
    assert error_budget(1e-3, 11) == pytest.approx(1 - 0.999**11)


def test_refusals_are_recorded_with_the_estimators_own_message(small_circuit):
    # At p just below the model threshold no distance up to 50 reaches a 1e-9 budget.
    report = estimate_resources(
        small_circuit(),
        ps=[0.0099],
        noise="circuit",
        models={"given": SuppressionModel.power(A=0.03, p_th=0.01)},
        budget=1e-9,
    )
    assert report.failures and "QDK Resource Estimator" in report.failures[0]["message"]
    assert "code parameter cannot be computed" in report.failures[0]["message"]
    # An end of the E* range refused while the estimate stands: the printed range says so.
    report = estimate_resources(
        small_circuit(),
        ps=[0.005],
        noise="circuit",
        models={"given": SuppressionModel.power(A=0.03, p_th=0.01)},
        budget=1e-2,
        budget_low=1e-30,
        budget_high=2e-2,
    )
    assert {f["bound"] for f in report.failures} == {"low"} and report.rows
    rows = [x for x in report.format().splitlines() if x.lstrip().startswith("0.005 ")]
    assert len(rows) == 2 + len(report.failures) and all("†" in x for x in rows[:2])


def test_cli_writes_resources_json_with_the_named_keys(small_circuit, tmp_path, capsys):
    circuit = tmp_path / "c.qpy"
    with circuit.open("wb") as f:
        qpy.dump(small_circuit(), f)
    out = tmp_path / "r.json"
    argv = [
        "resources",
        "--circuit",
        str(circuit),
        "--p",
        "0.001",
        "--noise",
        "circuit",
        "--constants",
        "0.03",
        "0.01",
        "--error-budget",
        "0.001",
        "--out",
        str(out),
    ]
    assert main(argv) == 0
    doc = json.loads(out.read_text())
    keys = {
        "p",
        "constants",
        "code_distance",
        "logical_qubits",
        "t_states",
        "t_factories",
        "physical_qubits",
        "physical_qubits_algorithm",
        "physical_qubits_factories",
        "runtime_ns",
    }
    assert {r["constants"] for r in doc["rows"]} == {"measured", "qdk-default"}
    assert all(keys <= set(r) for r in doc["rows"])
    assert "qdk-default" in (tmp_path / "r.txt").read_text()


def test_qasm_files_load_and_unbound_circuits_are_refused(small_circuit, tmp_path):
    path = tmp_path / "c.qasm"
    path.write_text(qasm2.dumps(small_circuit()))
    assert load_circuit(path).count_ops()["cz"] == 2
    unbound = QuantumCircuit(1)
    unbound.ry(Parameter("theta"), 0)
    with (tmp_path / "u.qpy").open("wb") as f:
        qpy.dump(unbound, f)
    with pytest.raises(ValueError, match="1 unbound parameters"):
        load_circuit(tmp_path / "u.qpy")


def test_cli_and_library_share_one_max_code_distance(small_circuit, tmp_path):
    # One default for the estimator's largest distance (the CLI had QDK's 50, studies 101): at
    # p = 0.007 a 1e-3 budget needs d = 85 (measured) and 61 (QDK's constants), both beyond 50.
    circuit = tmp_path / "c.qpy"
    with circuit.open("wb") as f:
        qpy.dump(small_circuit(), f)
    out = tmp_path / "r.json"
    argv = ["resources", "--circuit", str(circuit), "--p", "0.007", "--noise", "circuit",
            "--constants", "0.03", "0.01", "--error-budget", "0.001", "--out", str(out)]  # fmt: skip
    assert main(argv) == 0
    cli = {r["constants"]: r["code_distance"] for r in json.loads(out.read_text())["rows"]}
    assert cli == {"measured": 85, "qdk-default": 61}
    report = estimate_resources(small_circuit(), ps=[0.007], noise="circuit", budget=1e-3,
                                models={"given": SuppressionModel.power(A=0.03, p_th=0.01)})  # fmt: skip
    assert {r.constants: r.code_distance for r in report.rows} == cli
