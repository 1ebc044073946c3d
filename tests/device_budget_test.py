"""The budget of a device (#18): the QNN transpiled to a fake backend under Aer's
``NoiseModel.from_backend``, QDK qubit parameters from its calibration, and the budget and
resources rows labelled by it.

Expected values come from the fake backend's own calibration or from an independent route
(Aer's own sampled readout), never from the code under test.
"""

import dataclasses
import json
import math
import pathlib

import numpy as np
import pytest
from qiskit import ClassicalRegister, QuantumCircuit
from qiskit.circuit import Parameter
from qiskit.quantum_info import SparsePauliOp

from qec.cli import main
from qec.device import Device
from qec.device_budget import device_budget_plan, device_qubit_params, device_verdict, labelled_csv
from qec.fit import Point, fit_all, fits_document
from qec.interval import BootstrapInterval
from qec.qnn import QNN, TrainConfig, Workload, qnn_parts, train
from qec.qnn.device import backend_noise_model, device_expectations, fake_backend, transpile_qnn
from qec.tolerance import PhysicalPoint, Tolerance

REPO = pathlib.Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def fez_backend():
    return fake_backend("fake_fez")


@pytest.fixture(scope="module")
def fez_model(fez_backend):
    return backend_noise_model(fez_backend)


@pytest.fixture(scope="module")
def tiny_result() -> dict:
    """A real trained QNN: 2 qubits, 1 layer, 6 test points."""
    return train(TrainConfig(qubits=2, layers=1, samples=12, maxiter=8, chunk=8)).to_dict()


# --- the QNN on the device ----------------------------------------------------------------------


@pytest.mark.slow
def test_readout_only_circuit_reads_the_calibrations_readout_error(fez_backend, fez_model):
    """A circuit of virtual rz gates (no error, no duration on IBM devices) read in Z: ⟨Z⟩ is
    1 − 2·(the physical qubit's readout error), by hand from the backend's properties."""
    x, w = Parameter("x"), Parameter("w")
    qc = QuantumCircuit(1)
    qc.rz(x, 0)
    qc.rz(w, 0)
    qnn = QNN(circuit=qc, inputs=(x,), weights=(w,), observable=SparsePauliOp("Z"), read_qubits=(0,))
    t = transpile_qnn(qnn, fez_backend)
    assert t.swaps == 0 and set(t.circuit.count_ops()) <= {"rz", "delay"}
    (q,) = t.read_physical
    (ev,) = device_expectations(t, qnn, fez_model, [{x: 0.3, w: -1.1}])
    assert ev == pytest.approx(1 - 2 * fez_backend.properties().readout_error(q), abs=1e-12)


def test_ring_qnn_needs_swaps_on_heavy_hex(fez_backend):
    """A 5-qubit ring has no 5-cycle on a heavy-hex lattice (its shortest cycle has 12 qubits):
    routing must insert swaps, and each costs three native CZs."""
    qnn = qnn_parts(TrainConfig(qubits=5, layers=1, connectivity="ring"))
    plain = transpile_qnn(qnn_parts(TrainConfig(qubits=5, layers=1, connectivity="line")), fez_backend)
    ring = transpile_qnn(qnn, fez_backend)
    assert plain.swaps == 0 and ring.swaps > 0
    assert ring.two_qubit_gates > plain.two_qubit_gates
    assert len(set(ring.layout)) == 5 and ring.duration_ns > 0


@pytest.mark.slow
def test_device_expectations_match_aers_sampled_readout(fez_backend, fez_model, tiny_result):
    """Independent route: the transpiled QNN with its readout qubits measured, run by Aer with
    shots (its own readout-error sampling), agrees with the exact expectation within 4σ; without
    noise the transpiled QNN gives the QNN's own exact expectation."""
    from qiskit.quantum_info import Statevector
    from qiskit_aer import AerSimulator

    config = TrainConfig.from_dict(tiny_result["config"])
    qnn = qnn_parts(config)
    t = transpile_qnn(qnn, fez_backend)
    binding = {**dict(zip(qnn.weights, tiny_result["weights"], strict=True)),
               **dict(zip(qnn.inputs, [0.4, 2.1], strict=True))}  # fmt: skip
    (exact,) = device_expectations(t, qnn, fez_model, [binding])
    (ideal,) = device_expectations(t, qnn, None, [binding])
    reference = Statevector(qnn.circuit.assign_parameters(binding)).expectation_value(qnn.observable).real
    assert ideal == pytest.approx(reference, abs=1e-9)
    measured = t.circuit.assign_parameters(binding)
    creg = ClassicalRegister(len(t.read_physical), "r")
    measured.add_register(creg)
    for i, q in enumerate(t.read_physical):
        measured.measure(q, creg[i])
    shots = 40_000
    counts = AerSimulator(method="density_matrix", noise_model=fez_model).run(
        measured, shots=shots, seed_simulator=7).result().get_counts()  # fmt: skip
    parity = sum(n * (-1) ** bits.count("1") for bits, n in counts.items()) / shots
    sigma = math.sqrt(max(1 - exact**2, 1e-6) / shots)
    assert abs(parity - exact) < 4 * sigma, (parity, exact, sigma)
    assert abs(exact - ideal) > 1e-3  # the noise is there


@pytest.mark.slow
def test_device_verdict_pairs_against_the_noiseless_qnn(tiny_result):
    """The verdict's change is the mean over test points of (device accuracy − noiseless accuracy),
    its interval holds it, and the row is labelled by the device at its DEPOLARIZE2 p."""
    workload = Workload.from_results([tiny_result], definition="inference")
    device = Device.from_backend("fake_fez")
    v = device_verdict(workload, device, delta=0.01, bootstrap=50)
    x = v.point
    assert x.noise == device.label and x.p == device.noise.p
    assert x.delta_accuracy.best in x.delta_accuracy
    base = workload.evaluate(["none"]).accuracy.mean()
    assert x.accuracy - base == pytest.approx(x.delta_accuracy.best, abs=1e-12)
    assert x.within_delta == (x.delta_accuracy.best >= -0.01)
    assert v.swaps == 0 and len(v.layout) == 2
    assert type(v).from_dict(json.loads(json.dumps(v.to_dict()))) == v


# --- QDK qubit parameters -----------------------------------------------------------------------


def test_qubit_params_are_the_calibration_medians():
    """Times and error rates straight from FakeFez's properties: medians of sx and cz (couplers in
    service) lengths and errors, of readout errors and lengths; error rates as the Stim noise's."""
    from qiskit_ibm_runtime.fake_provider import FakeFez

    props = FakeFez().properties()
    cz = [g for g in props.gates if g.gate == "cz"]
    cz_error = np.median([g.parameters[0].value for g in cz if g.parameters[0].value < 1])
    cz_ns = np.median([props.gate_length("cz", g.qubits) for g in cz if g.parameters[0].value < 1]) * 1e9
    sx_ns = np.median([props.gate_length("sx", q) for q in range(156)]) * 1e9
    read_ns = np.median([props.readout_length(q) for q in range(156)]) * 1e9
    sx_error = np.median([props.gate_error("sx", q) for q in range(156)])
    readout = np.median([props.readout_error(q) for q in range(156)])
    qp = device_qubit_params(Device.from_backend("fake_fez"))
    assert qp["instructionSet"] == "GateBased"
    assert qp["twoQubitGateTime"] == f"{round(cz_ns)} ns" and qp["oneQubitGateTime"] == f"{round(sx_ns)} ns"
    assert (
        qp["oneQubitMeasurementTime"] == f"{round(read_ns)} ns" and qp["tGateTime"] == qp["oneQubitGateTime"]
    )
    assert qp["twoQubitGateErrorRate"] == pytest.approx(cz_error * 5 / 4)
    assert qp["oneQubitGateErrorRate"] == pytest.approx(sx_error * 3 / 2) == qp["tGateErrorRate"]
    assert qp["oneQubitMeasurementErrorRate"] == pytest.approx(readout)
    t1 = np.median([props.t1(q) for q in range(156)])
    t2 = min(np.median([props.t2(q) for q in range(156)]), 2 * t1)
    px = (1 - math.exp(-cz_ns * 1e-9 / t1)) / 4
    pz = (1 - math.exp(-cz_ns * 1e-9 / t2)) / 2 - px
    assert qp["idleErrorRate"] == pytest.approx(2 * px + pz)


# --- the budget row of a device -----------------------------------------------------------------


def synthetic_fits(label: str, p: float, *, A: float = 0.05, p_th: float = 0.01) -> dict:
    """fits.json of memory points that follow ε_round = A·(p/p_th)^((d+1)/2) at one p."""
    shots = 10**8
    pts = [Point.from_counts(code="surface_rotated", noise=label, basis="z", d=d, p=p, rounds=1, shots=shots,
                             errors=round(shots * A * (p / p_th) ** ((d + 1) / 2)))
           for d in (3, 5, 7, 9)]  # fmt: skip
    return fits_document(fit_all(pts, bootstrap=0), inputs=["synthetic"], bootstrap=0, seed=0)


def verdict_of(device: Device, change: float) -> "object":
    from qec.device_budget import DeviceVerdict

    point = PhysicalPoint(noise=device.label, p=device.noise.p, accuracy=0.9 + change,
                          delta_accuracy=BootstrapInterval(change, low=change - 0.005, high=change + 0.005),
                          delta_loss=BootstrapInterval(0.0, low=0.0, high=0.0),
                          within_delta=change >= -0.01)  # fmt: skip
    return DeviceVerdict(device=device.name, label=device.label, calibration=device.calibration,
                         quantile=device.quantile, p=device.noise.p, swaps=0, layout=(0,), two_qubit_gates=0,
                         depth=1, duration_ns=0.0, point=point)  # fmt: skip


@pytest.mark.parametrize(("change", "verdict"), [(-0.05, "qec"), (-0.002, "hardware")])
def test_device_budget_row_from_synthetic_fits(change, verdict):
    """One row at the device's DEPOLARIZE2 p; its verdict is the device's; d* is the smallest odd d
    with 1 − (1 − A·(p/p_th)^((d+1)/2))^d ≤ ε*, computed here by hand."""
    device = Device.from_backend("fake_fez")
    p = device.noise.p
    fits = synthetic_fits(device.label, p)
    workload = Workload.from_results([{"config": {"noise": "none", "seed": 0}, "weights": [0.0]}],
                                     definition="inference")  # fmt: skip
    tolerance = dataclasses.replace(Tolerance.given(eps_star=1e-4), qnn=dict(workload.shape))
    plan, _ = device_budget_plan(fits, tolerance, workload, device, code="surface_rotated",
                                 verdict=verdict_of(device, change))  # fmt: skip
    (row,) = plan.report.rows
    assert row.p == p and row.verdict == verdict and plan.report.noise == device.label
    assert any("DEPOLARIZE2" in a for a in plan.report.assumptions)
    if verdict == "qec":
        d = next(d for d in range(3, 200, 2) if 1 - (1 - 0.05 * (p / 0.01) ** ((d + 1) / 2)) ** d <= 1e-4)
        assert row.d_star == d
    csv_text = labelled_csv(plan.report.to_csv(), device)
    header, first = csv_text.splitlines()[:2]
    assert header.startswith("device,calibration,quantile,noise,p,decoder")
    assert first.startswith(f"fake_fez,{device.calibration},median,{device.label},")


def test_device_budget_without_the_devices_fits_names_what_there_is():
    device = Device.from_backend("fake_torino")
    fits = synthetic_fits(Device.from_backend("fake_fez").label, 0.004)
    with pytest.raises(ValueError, match=r"no fit for .*device:fake_torino.*the document has"):
        device_budget_plan(fits, Tolerance.given(eps_star=1e-4), None, device, code="surface_rotated")


# --- the commands: bad input --------------------------------------------------------------------


@pytest.fixture
def budget_inputs(tmp_path, tiny_result):
    (tmp_path / "out").mkdir()
    (tmp_path / "r.json").write_text(json.dumps(tiny_result))
    shape = Workload.from_results([tiny_result], definition="inference").shape
    t = dataclasses.replace(Tolerance.given(eps_star=1e-4, physical=[(0.001, -0.02)]), qnn=shape)
    (tmp_path / "t.json").write_text(json.dumps(t.to_dict()))
    fez = Device.from_backend("fake_fez")
    (tmp_path / "f.json").write_text(json.dumps(synthetic_fits(fez.label, fez.noise.p)))
    return tmp_path


BUDGET = ["budget", "--fits", "{tmp}/f.json", "--tolerance", "{tmp}/t.json", "--results", "{tmp}/r.json",
          "--code", "surface_rotated", "--out", "{tmp}/out/b.csv"]  # fmt: skip
RESOURCES = ["resources", "--qnn", "{tmp}/r.json", "--fits", "{tmp}/f.json", "--error-budget", "0.01",
             "--out", "{tmp}/out/r.json"]  # fmt: skip


def budget(*flags: str) -> list[str]:
    return [*BUDGET, *flags]


def resources(*flags: str) -> list[str]:
    return [*RESOURCES, *flags]


BAD = [
    ("budget-unknown-device", budget("--device", "fake_fex"), "device='fake_fex' is not a fake backend"),
    ("budget-json-device", budget("--device", "{tmp}/d.json"), "which a properties JSON does not hold"),
    ("budget-quantile-alone", budget("--quantile", "q90"), "--quantile='q90' is not allowed without"),
    ("budget-bad-quantile", budget("--device", "fake_fez", "--quantile", "90%"), "quantile='90%' is not"),
    ("budget-device-not-fitted", budget("--device", "fake_torino"),
     "no fit for code='surface_rotated', noise='device:fake_torino@2025-02-26:median'"),
    ("resources-unknown-device", resources("--device", "fake_fex"), "device='fake_fex' is not a fake"),
    ("resources-device-and-p", resources("--device", "fake_fez", "--p", "0.001"),
     "--device='fake_fez' is not allowed with --p"),
    ("resources-no-p", resources("--noise", "circuit"), "--p missing: give --noise NOISE --p P, or --device"),
    ("resources-device-not-fitted", resources("--device", "fake_brisbane"), "no fit for code="),
]  # fmt: skip


@pytest.mark.parametrize(("argv", "message"), [c[1:] for c in BAD], ids=[c[0] for c in BAD])
def test_bad_device_input_on_budget_and_resources(budget_inputs, capsys, argv, message):
    """One line naming the value and what is allowed, exit 2, nothing written."""
    tmp = budget_inputs
    before = {p: p.read_bytes() for p in tmp.rglob("*") if p.is_file()}
    assert main([a.replace("{tmp}", str(tmp)) for a in argv]) == 2
    err = capsys.readouterr().err
    assert message in err, err
    assert len(err.strip().splitlines()) == 1, err
    assert {p: p.read_bytes() for p in tmp.rglob("*") if p.is_file()} == before


def test_resources_with_a_device_uses_its_qubit_params(budget_inputs, capsys):
    tmp = budget_inputs
    argv = [a.replace("{tmp}", str(tmp)) for a in RESOURCES] + ["--device", "fake_fez"]
    assert main(argv) == 0
    report = json.loads((tmp / "out" / "r.json").read_text())
    fez = Device.from_backend("fake_fez")
    assert report["noise"] == fez.label and {r["p"] for r in report["rows"]} == {fez.noise.p}
    assert "qubit parameters of device:fake_fez" in capsys.readouterr().out


# --- the study keys -----------------------------------------------------------------------------


def _study(**sampling) -> dict:
    import yaml

    config = yaml.safe_load((REPO / "studies/quick.yaml").read_text())
    config["sampling"].update(sampling)
    return config


@pytest.mark.parametrize(
    ("sampling", "extra", "message"),
    [
        ({"device": ["fake_fex"]}, {}, "device='fake_fex' is not a fake backend"),
        ({"quantile": "q90"}, {}, "quantile='q90' is not allowed without device"),
        ({"device": ["fake_fez"], "quantile": "q100"}, {}, "sampling.quantile: 'q100' does not match"),
        ({}, {"device_qnns": "copy of qnn"}, "device_qnns needs sampling.device"),
    ],
)
def test_study_device_keys_are_checked(sampling, extra, message):
    from qec.study import check_study

    config = {**_study(**sampling), **extra}
    if config.get("device_qnns") == "copy of qnn":
        config["device_qnns"] = {"small": dict(config["qnn"])}
    with pytest.raises(ValueError, match=message):
        check_study(config, REPO / "studies/schema.yaml")


def test_study_devices_yaml_is_valid():
    import yaml

    from qec.study import check_study

    check_study(yaml.safe_load((REPO / "studies/devices.yaml").read_text()), REPO / "studies/schema.yaml")


def test_devices_study_summary_without_budgets_exits_2(tmp_path, capsys):
    assert main(["devices", "--study", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "holds no devices/<device>/budget.json" in err and len(err.strip().splitlines()) == 1
    assert not any(tmp_path.iterdir())


@pytest.mark.slow
def test_devices_study_plans_every_device_job(tmp_path):
    """A dry run of studies/devices.yaml from nothing: a shard per (device, decoder, d), a budget
    and resources per device for each QNN, one table."""
    import subprocess

    from _helpers import planned_jobs, snakemake_cmd

    run = subprocess.run(snakemake_cmd(tmp_path, REPO / "studies/devices.yaml", "-n"), capture_output=True,
                         text=True, timeout=300)  # fmt: skip
    assert run.returncode == 0, (run.stdout + run.stderr)[-2000:]
    jobs = planned_jobs(run.stdout + run.stderr)
    assert jobs["sample_device"] == 3 * 2 * 4
    assert jobs["budget_device"] == jobs["resources_device"] == 3
    assert jobs["budget_device_other"] == jobs["resources_device_other"] == 3
    assert jobs["qnn_other"] == 3 and jobs["tolerance_other"] == 1 and jobs["devices_table"] == 1


def test_the_devices_table_says_where_each_d_star_extrapolates():
    # A model used beyond the distances it was fitted on says so in every row it touches.
    from qec.device_budget import format_summary

    base = {"device": "fake_fez", "qnn": "5q 4l ring circles", "calibration": "2025-02-26",
            "decoder": "pymatching", "p": 0.0048, "swaps": 11, "delta_accuracy": -0.0125,
            "delta_accuracy_low": -0.017, "delta_accuracy_high": -0.008, "physical_qubits": None,
            "physical_qubits_low": None, "physical_qubits_high": None, "qdk_code_distance": None,
            "qdk_physical_qubits": None, "qdk_runtime_ns": None, "qdk_machine": "m"}  # fmt: skip
    rows = [
        {**base, "verdict": "qec", "d_star": 25, "d_star_low": 17, "d_star_high": None, "extrapolated_by": 8},
        {**base, "verdict": "qec", "d_star": 7, "d_star_low": 5, "d_star_high": 9, "extrapolated_by": 0},
        {**base, "verdict": "no_distance", "d_star": None, "d_star_low": None, "d_star_high": None},
        {**base, "verdict": "hardware", "d_star": None, "d_star_low": None, "d_star_high": None},
    ]
    lines = format_summary(rows).splitlines()[2:6]
    assert lines[0].endswith("extrapolated 8 distance steps beyond the sampled d")
    assert lines[1].endswith("within the sampled d")
    assert lines[2].endswith("the model finds no d") and lines[3].endswith("no d needed")
