"""qec.device: a device's calibration, the Stim noise it makes, `qec devices` and `qec sample --device`.

The expected values come from the calibration (the fake backend's own numbers) and closed-form
formulas, never from the code under test: detection-event probabilities are read exactly off
Stim's detector error model, so no sampling tolerance is needed.
"""

import copy
import dataclasses
import datetime
import itertools
import json
import math

import numpy as np
import pytest
import sinter
import stim

import qec
from qec.cli import main
from qec.device import (
    Device,
    available_devices,
    check_quantile,
    depolarizing_probability,
    idle_pauli,
)
from qec.noise import apply_rates


@pytest.fixture(scope="module")
def fez() -> Device:
    return Device.from_backend("fake_fez")


def odd(*ps: float) -> float:
    """Probability that an odd number of independent events with probabilities ``ps`` happen."""
    return (1 - math.prod(1 - 2 * p for p in ps)) / 2


def detector_probability(circuit: stim.Circuit, detector: int) -> float:
    """P(detector fires), exact: its independent error mechanisms in Stim's detector error model."""
    dem = circuit.detector_error_model(approximate_disjoint_errors=True)
    ps = []
    for inst in dem.flattened():
        if inst.type == "error" and stim.target_relative_detector_id(detector) in inst.targets_copy():
            ps.append(inst.args_copy()[0])
    return odd(*ps)


# --- the device's numbers -----------------------------------------------------------------------


def test_fez_median_is_the_snapshot_median(fez):
    """The record holds the medians of the fake backend's own calibration (cz errors of couplers in
    service, i.e. gate_error < 1; sx errors; readout errors; T1, T2)."""
    from qiskit_ibm_runtime.fake_provider import FakeFez

    props = FakeFez().properties()
    cz = [g.parameters[0].value for g in props.gates if g.gate == "cz"]
    assert fez.error_2q == pytest.approx(np.median([e for e in cz if e < 1]))
    sx = [props.gate_error("sx", q) for q in range(156)]
    assert fez.error_1q == pytest.approx(np.median(sx))
    assert fez.readout_error == pytest.approx(np.median([props.readout_error(q) for q in range(156)]))
    assert fez.t1 == pytest.approx(np.median([props.t1(q) for q in range(156)]))
    assert fez.t2 == pytest.approx(min(np.median([props.t2(q) for q in range(156)]), 2 * fez.t1))
    assert fez.duration_2q == pytest.approx(84e-9) and fez.duration_readout == pytest.approx(1.56e-6)
    assert fez.calibration.startswith("2025-02-26") and fez.quantile == "median"


@pytest.mark.parametrize("spelling", ["fake_fez", "FakeFez", "fez", "FAKE-FEZ", "ibm_fez", " fake fez"])
def test_any_spelling_names_the_same_backend(spelling, fez):
    assert Device.from_backend(spelling) == fez


def test_unknown_name_lists_close_matches():
    with pytest.raises(ValueError, match=r"device='fake_fex' is not a fake backend .*close: fake_fez"):
        Device.from_backend("fake_fex")


def test_available_devices_lists_the_issue_backends():
    assert {"fake_fez", "fake_torino", "fake_brisbane"} <= set(available_devices())


def test_quantile_is_pessimistic(fez):
    """q90: errors and durations at their 90th percentile, T1 and T2 at their 10th."""
    q90 = Device.from_backend("fake_fez", "q90")
    assert q90.error_2q > fez.error_2q and q90.readout_error > fez.readout_error
    assert q90.t1 < fez.t1 and q90.t2 <= fez.t2
    assert q90.label == "device:fake_fez@2025-02-26:q90"
    assert check_quantile("q50") == "median"
    with pytest.raises(ValueError, match="quantile='q100' is not allowed"):
        check_quantile("q100")


# --- the conversions ----------------------------------------------------------------------------


def _stabilizer_states(n: int) -> list[np.ndarray]:
    """Every n-qubit stabilizer state (each Clifford applied to |0…0⟩): a 2-design."""
    states = {}
    for t in stim.Tableau.iter_all(n):
        v = t.to_state_vector(endian="little").astype(complex)
        v = v / (v[np.flatnonzero(abs(v) > 1e-6)[0]] / abs(v[np.flatnonzero(abs(v) > 1e-6)[0]]))  # fix phase
        states.setdefault(tuple(np.round(v, 5)), v)
    assert len(states) == {1: 6, 2: 60}[n]
    return list(states.values())


@pytest.mark.parametrize("n", [1, 2])
def test_depolarizing_probability_has_the_reported_average_infidelity(n):
    """p = r·(2ⁿ+1)/2ⁿ: the average gate infidelity of Stim's DEPOLARIZEn(p), averaged exactly over
    the stabilizer states (a 2-design, so the average equals the Haar average), is r."""
    r = 0.004
    p = depolarizing_probability(r, n)
    paulis = [stim.PauliString(k).to_unitary_matrix(endian="little")
              for k in (stim.PauliString.iter_all(n)) if k.weight > 0]  # fmt: skip
    fidelities = []
    for psi in _stabilizer_states(n):
        overlap = np.mean([abs(np.vdot(psi, u @ psi)) ** 2 for u in paulis])
        fidelities.append((1 - p) + p * overlap)
    assert 1 - np.mean(fidelities) == pytest.approx(r, rel=1e-6)  # Stim's state vectors are float32


def _damping_ptm_diagonal(t: float, t1: float, t2: float) -> np.ndarray:
    """λx, λy, λz of amplitude damping (T1) followed by pure dephasing (1/Tφ = 1/T2 − 1/2T1),
    from their Kraus operators."""
    gamma = 1 - math.exp(-t / t1)
    lam = 1 - math.exp(-2 * t * (1 / t2 - 1 / (2 * t1)))  # dephasing: coherences × sqrt(1 − lam)
    kraus_ad = [np.array([[1, 0], [0, math.sqrt(1 - gamma)]]), np.array([[0, math.sqrt(gamma)], [0, 0]])]
    kraus_pd = [np.array([[1, 0], [0, math.sqrt(1 - lam)]]), np.array([[0, 0], [0, math.sqrt(lam)]])]
    kraus = [b @ a for a in kraus_ad for b in kraus_pd]
    x, y, z = np.array([[0, 1], [1, 0]]), np.array([[0, -1j], [1j, 0]]), np.diag([1, -1])
    return np.array([np.trace(p @ sum(k @ p @ k.conj().T for k in kraus)).real / 2 for p in (x, y, z)])


@pytest.mark.parametrize(
    ("t", "t1", "t2"), [(84e-9, 145e-6, 88e-6), (3.1e-6, 145e-6, 88e-6), (1e-5, 50e-6, 100e-6)]
)
def test_twirled_idle_matches_amplitude_and_phase_damping(t, t1, t2):
    """The Pauli twirl keeps the channel's Pauli-transfer diagonal; and the two observable flip
    rates are the exact ones: |+⟩ dephases to P(−) = (1 − e^(−t/T2))/2, and a Z-basis state flips
    with γ/2 on average over |0⟩ (never) and |1⟩ (γ = 1 − e^(−t/T1))."""
    px, py, pz = idle_pauli(t, t1, t2)
    twirled = np.array([1 - 2 * (py + pz), 1 - 2 * (px + pz), 1 - 2 * (px + py)])
    np.testing.assert_allclose(twirled, _damping_ptm_diagonal(t, t1, t2), rtol=1e-12, atol=1e-15)
    assert py + pz == pytest.approx((1 - math.exp(-t / t2)) / 2, rel=1e-12)
    assert px + py == pytest.approx((1 - math.exp(-t / t1)) / 2, rel=1e-12)


# --- the Stim noise reproduces the calibration --------------------------------------------------


def test_readout_error_is_the_measurement_flip(fez):
    """R then M: the reset and the measurement each flip with the readout error r."""
    c = fez.noise.apply(stim.Circuit("R 0\nTICK\nM 0\nDETECTOR rec[-1]"))
    assert detector_probability(c, 0) == pytest.approx(odd(fez.readout_error, fez.readout_error), rel=1e-9)


def test_two_qubit_gate_error_reproduced(fez):
    """R 0 1, CX 0 1, M 0 1: DEPOLARIZE2(p) flips qubit 0's Z readout with 8 of its 15 Paulis, so
    8p/15 = (2/3)·r2 with p = (5/4)·r2; the reset and readout flips of qubit 0 add to it."""
    c = fez.noise.apply(stim.Circuit("R 0 1\nTICK\nCX 0 1\nTICK\nM 0 1\nDETECTOR rec[-2]"))
    expected = odd(2 / 3 * fez.error_2q, fez.readout_error, fez.readout_error)
    assert detector_probability(c, 0) == pytest.approx(expected, rel=1e-6)


def test_one_qubit_gate_error_reproduced(fez):
    """R, H, MX: DEPOLARIZE1(p) flips the X readout with Y or Z, 2p/3 = r1 with p = (3/2)·r1; the
    reset's X flip (a Z after H) and the readout's flip add to it."""
    c = fez.noise.apply(stim.Circuit("R 0\nTICK\nH 0\nTICK\nMX 0\nDETECTOR rec[-1]"))
    expected = odd(fez.error_1q, fez.readout_error, fez.readout_error)
    assert detector_probability(c, 0) == pytest.approx(expected, rel=1e-6)


@pytest.mark.parametrize(
    ("layer", "duration"),
    [("H 0", "duration_1q"), ("CX 0 1", "duration_2q"), ("MR 0", "readout+reset")],
)
def test_idle_qubit_decoheres_for_the_layer(fez, layer, duration):
    """Qubit 2 idles through one layer: |+⟩ read in X flips with py + pz = (1 − e^(−t/T2))/2, t the
    layer's duration (readout plus reset for a measuring layer)."""
    t = fez.duration_readout + fez.duration_reset if duration == "readout+reset" else getattr(fez, duration)
    c = fez.noise.apply(stim.Circuit(f"R 0 1\nRX 2\nTICK\n{layer}\nTICK\nMX 2\nDETECTOR rec[-1]"))
    dephased = (1 - math.exp(-t / fez.t2)) / 2
    # DEM treats the disjoint Y and Z of PAULI_CHANNEL_1 as independent: off by py·pz at most.
    _, py, pz = idle_pauli(t, fez.t1, fez.t2)
    expected = odd(dephased, fez.readout_error, fez.readout_error)
    assert detector_probability(c, 0) == pytest.approx(expected, abs=2 * py * pz + 1e-12)


def test_device_noise_on_a_memory_circuit(fez):
    """Every channel the docstring promises appears, and no other noise model's channel does."""
    circuit = qec.Experiment("surface_rotated", 3, rounds=2, basis="z", noise=fez.noise).circuit()
    channels = {(inst.name, tuple(inst.gate_args_copy())) for inst in circuit.flattened()
                if stim.gate_data(inst.name).is_noisy_gate and inst.gate_args_copy()}  # fmt: skip
    r = fez.noise.rates
    assert channels == {
        ("DEPOLARIZE2", (r.gate2,)), ("DEPOLARIZE1", (r.gate1,)), ("X_ERROR", (fez.readout_error,)),
        ("PAULI_CHANNEL_1", r.idle_pauli_1q), ("PAULI_CHANNEL_1", r.idle_pauli_2q),
        ("PAULI_CHANNEL_1", r.idle_pauli_measure_reset),
    }  # fmt: skip


# --- files --------------------------------------------------------------------------------------


def props() -> dict:
    """A two-qubit backend-properties document in the accepted format."""

    def q(t1):
        return [{"name": "T1", "value": t1, "unit": "us"}, {"name": "T2", "value": 80, "unit": "us"},
                {"name": "readout_error", "value": 0.01, "unit": ""},
                {"name": "readout_length", "value": 1000, "unit": "ns"}]  # fmt: skip

    def gate(name, qubits, error, length):
        return {"gate": name, "qubits": qubits, "parameters": [
            {"name": "gate_error", "value": error, "unit": ""},
            {"name": "gate_length", "value": length, "unit": "ns"}]}  # fmt: skip

    return {"backend_name": "my_device", "backend_version": "1",
            "last_update_date": "2026-01-02T03:04:05+00:00", "qubits": [q(100), q(120)],
            "gates": [gate("sx", [0], 2e-4, 30), gate("sx", [1], 4e-4, 30),
                      gate("cz", [0, 1], 5e-3, 70)]}  # fmt: skip


def test_exported_properties_load_like_the_fake_backend(tmp_path, fez):
    """What `json.dump(backend.properties().to_dict(), f, default=str)` writes is accepted, and
    gives the same device as the fake backend's name."""
    from qiskit_ibm_runtime.fake_provider import FakeFez

    path = tmp_path / "fez.json"
    path.write_text(json.dumps(FakeFez().properties().to_dict(), default=str))
    loaded = Device.from_backend(str(path))
    assert loaded == Device.from_backend("fake_fez").__class__(**{**fez.__dict__, "name": "ibm_fez"})


def test_small_properties_file(tmp_path):
    path = tmp_path / "d.json"
    path.write_text(json.dumps(props()))
    d = Device.from_backend(str(path))
    assert (d.name, d.qubits, d.gate_2q, d.error_2q, d.readout_error) == ("my_device", 2, "cz", 5e-3, 0.01)
    assert d.error_1q == pytest.approx(3e-4) and d.t1 == pytest.approx(110e-6)
    assert d.duration_reset == d.duration_readout == pytest.approx(1e-6)  # no reset gate: a readout


def broken(change):
    """A preparation writing ``props()`` changed by ``change`` (a function of the dict) to bad.json."""

    def prepare(tmp):
        data = copy.deepcopy(props())
        change(data)
        (tmp / "bad.json").write_text(json.dumps(data))

    return prepare


def _set(path, value):
    def change(data):
        target = data
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return change


SAMPLE = ["sample", "--code", "repetition", "--distance", "3", "--rounds", "1", "--max-shots", "100",
          "--quiet", "--out", "{tmp}/out.csv"]  # fmt: skip
CLI = [
    ("device-unknown", ["--device", "fake_fex"], None, "device='fake_fex' is not a fake backend"),
    ("device-and-noise", ["--device", "fake_fez", "--noise", "circuit", "--p", "0.001"], None,
     "is not allowed with --noise and --p"),
    ("device-nor-noise", [], None, "--noise and --p missing: give --noise NOISE --p P, or --device DEVICE"),
    ("noise-without-p", ["--noise", "circuit"], None, "--p missing"),
    ("device-quantile", ["--device", "fez", "--quantile", "90"], None, "quantile='90' is not allowed"),
    ("quantile-without-device", ["--noise", "circuit", "--p", "0.01", "--quantile", "q90"], None,
     "--quantile='q90' is not allowed without --device"),
    ("device-file-missing", ["--device", "{tmp}/none.json"], None, "cannot read it as JSON"),
    ("device-file-not-json", ["--device", "{tmp}/bad.json"], lambda t: (t / "bad.json").write_text("{"),
     "cannot read it as JSON"),
    ("device-file-a-list", ["--device", "{tmp}/bad.json"], lambda t: (t / "bad.json").write_text("[]"),
     "must be a backend-properties object"),
    ("device-file-no-gates", ["--device", "{tmp}/bad.json"], broken(lambda d: d.pop("gates")),
     "gates=missing is not allowed"),
    ("device-file-no-2q", ["--device", "{tmp}/bad.json"], broken(lambda d: d["gates"].pop()),
     "has no two-qubit gate error (cz, ecr, cx) below 1"),
    ("device-file-2q-out-of-service", ["--device", "{tmp}/bad.json"],
     broken(_set(["gates", 2, "parameters", 0, "value"], 1)), "has no two-qubit gate error"),
    ("device-file-t1-zero", ["--device", "{tmp}/bad.json"], broken(_set(["qubits", 0, 0, "value"], 0)),
     "T1=0.0 s is not allowed; allowed: a time > 0"),
    ("device-file-no-t1", ["--device", "{tmp}/bad.json"],
     broken(lambda d: [q.pop(0) for q in d["qubits"]]), "has no T1"),
    ("device-file-t1-text", ["--device", "{tmp}/bad.json"],
     broken(_set(["qubits", 1, 0, "value"], "os.system")),
     "qubits[1] T1='os.system' is not allowed; allowed: a finite number"),
    ("device-file-unit", ["--device", "{tmp}/bad.json"], broken(_set(["qubits", 0, 0, "unit"], "furlong")),
     "T1 unit='furlong' is not allowed"),
    ("device-file-date", ["--device", "{tmp}/bad.json"], broken(_set(["last_update_date"], "yesterday")),
     "last_update_date='yesterday' is not allowed"),
    ("device-file-gate-shape", ["--device", "{tmp}/bad.json"], broken(_set(["gates", 0], "cz")),
     "gates[0]=cz is not allowed"),
]  # fmt: skip


@pytest.mark.parametrize(("flags", "prepare", "message"), [c[1:] for c in CLI], ids=[c[0] for c in CLI])
def test_sample_bad_device_input(tmp_path, capsys, flags, prepare, message):
    """Bad --device input: one line naming the value and what is allowed, exit 2, nothing written
    (the catalog's rule, as tests/bad_input_test.py checks it)."""
    if prepare is not None:
        prepare(tmp_path)
    before = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    argv = [a.replace("{tmp}", str(tmp_path)) for a in SAMPLE + flags]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err
    assert len(err.strip().splitlines()) == 1, err
    assert {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()} == before


# --- the commands -------------------------------------------------------------------------------


def test_qec_devices_lists_backends_with_medians(capsys, fez):
    assert main(["devices"]) == 0
    out = capsys.readouterr().out
    assert "median" in out.splitlines()[0] and "ideal square grid" in out and "heavy-hex" in out
    (row,) = [line for line in out.splitlines() if line.startswith("fake_fez ")]
    assert row.split()[1:5] == ["2025-02-26", "156", "cz", f"{fez.error_2q:.2e}"]
    assert f"{fez.t1 * 1e6:.1f}" in row
    assert any(line.startswith("fake_armonk") and "not usable" in line for line in out.splitlines())


def test_sample_with_a_device(tmp_path, capsys, fez):
    out = tmp_path / "s.csv"
    argv = [a.replace("{tmp}", str(tmp_path)) for a in SAMPLE]
    argv[argv.index("--out") + 1] = str(out)
    assert main([*argv, "--device", "fake_fez", "--workers", "1"]) == 0
    printed = capsys.readouterr().out
    assert "device:fake_fez@2025-02-26:median" in printed and "heavy-hex" in printed
    (row,) = sinter.read_stats_from_csv_files(out)
    assert row.json_metadata == {
        "code": "repetition", "noise": "device:fake_fez@2025-02-26:median", "d": 3,
        "p": depolarizing_probability(fez.error_2q, 2), "rounds": 1, "basis": "z",
        "device": "fake_fez", "calibration": fez.calibration, "quantile": "median",
    }  # fmt: skip
    assert row.shots == 100
    (point,) = qec.points_from_stats([row])
    assert point.noise == "device:fake_fez@2025-02-26:median"  # fits group by device and quantile


# --- against Qiskit Aer's device noise model ----------------------------------------------------


def _aer_line_properties(dev: Device, n: int):
    """``dev``'s values on every qubit of an n-qubit line, as Qiskit's ``BackendProperties``."""
    from qiskit_ibm_runtime.models import BackendProperties

    date = datetime.datetime(2025, 1, 1, tzinfo=datetime.UTC)

    def entry(name, value, unit):
        return {"date": date, "name": name, "value": value, "unit": unit}

    def params(error, length_ns):
        return [entry("gate_error", error, ""), entry("gate_length", length_ns, "ns")]

    qubit = [entry("T1", dev.t1 * 1e6, "us"), entry("T2", dev.t2 * 1e6, "us"),
             entry("readout_error", dev.readout_error, ""), entry("frequency", 5.0, "GHz")]  # fmt: skip
    cx = params(dev.error_2q, dev.duration_2q * 1e9)
    gates = [{"gate": "cx", "qubits": [a, b], "name": f"cx{a}_{b}", "parameters": cx}
             for a in range(n) for b in range(n) if abs(a - b) == 1]  # fmt: skip
    gates += [{"gate": "x", "qubits": [q], "name": f"x{q}", "parameters": params(0.0, 0.0)} for q in range(n)]
    return BackendProperties.from_dict({"backend_name": "line", "backend_version": "1",
                                        "last_update_date": date, "general": [], "qubits": [qubit] * n,
                                        "gates": gates})  # fmt: skip


def test_aer_device_model_agrees_with_the_stim_model(fez):
    """Repetition code d=3, one round, under Fez's medians: Aer's NoiseModel.from_backend_properties
    (on a homogeneous 5-qubit line with those values; density matrix, so no trajectory sampling)
    and the Stim model give the same detection-event and observable-flip fractions within 4σ.

    Two settings make the two models the same model, and are the only ones: (1) Aer splits a gate's
    error into thermal relaxation over the gate's duration and a depolarizing rest, where the Stim
    model makes all of it depolarizing; gate_lengths=0 for cx keeps Aer's gates depolarizing with the
    same average infidelity (with Aer's split, round-1 detection fractions come out ~8% lower: the
    thermal part is mostly Z, which a Z memory does not see). (2) The Stim model's reset flip (IBM
    resets by measuring) is set to 0: Aer gives resets no error. Aer's idling is amplitude and phase
    damping, not its Pauli twirl, so the data start in each of the 8 computational states (a random
    X frame, undone in the detectors), which averages the twirl in.
    """
    from qiskit import QuantumCircuit
    from qiskit_aer import AerSimulator
    from qiskit_aer.noise import NoiseModel

    n, shots = 5, 50_000
    line = [("cx", [a, b], 0.0) for a in range(n) for b in range(n) if abs(a - b) == 1]
    aer_noise = NoiseModel.from_backend_properties(_aer_line_properties(fez, n), dt=1e-9, gate_lengths=line)

    def circuit(frame):  # the Stim circuit below, with the ancilla readout deferred to the end
        qc = QuantumCircuit(n, n)
        for q, bit in zip((0, 2, 4), frame, strict=True):
            if bit:
                qc.x(q)
        qc.cx(0, 1), qc.cx(2, 3), qc.delay(fez.duration_2q, 4, unit="s")
        qc.cx(2, 1), qc.cx(4, 3), qc.delay(fez.duration_2q, 0, unit="s")
        for q in (0, 2, 4):  # idle while the ancillas are read out and reset
            qc.delay(fez.duration_readout + fez.duration_reset, q, unit="s")
        qc.measure([1, 3, 0, 2, 4], range(n))
        return qc

    fired = np.zeros(5)
    for i, f in enumerate(itertools.product((0, 1), repeat=3)):
        sim = AerSimulator(method="density_matrix", noise_model=aer_noise, seed_simulator=11 + i)
        for key, count in sim.run(circuit(f), shots=shots).result().get_counts().items():
            a1, a3, d0, d2, d4 = (int(b) for b in reversed(key))
            fired += count * np.array(
                [a1 ^ f[0] ^ f[1], a3 ^ f[1] ^ f[2], d0 ^ d2 ^ a1, d2 ^ d4 ^ a3, d4 ^ f[2]]
            )
    aer = fired / (8 * shots)

    rates = dataclasses.replace(fez.noise.rates, reset_flip=0.0)
    noisy = apply_rates(qec.Code("repetition", 3).memory_circuit(rounds=1), rates)
    det, obs = noisy.compile_detector_sampler(seed=1).sample(1_000_000, separate_observables=True)
    ours = np.concatenate([det.mean(axis=0), obs.mean(axis=0)])
    sigma = np.sqrt(ours * (1 - ours) / (8 * shots) + ours * (1 - ours) / 1_000_000)
    assert np.all(abs(aer - ours) < 4 * sigma), (aer, ours)
