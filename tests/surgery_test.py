"""Tests of qec.surgery and qec.channel: tqec's lattice-surgery CNOT sampled through sinter, its
flows, the measured logical channel and its Aer model against the Stim rates."""

import collections
import warnings

import numpy as np
import pytest
import scipy.stats
import sinter
import stim

import qec
from qec.channel import LogicalChannel, cnot_pauli_law, cz_pauli_law, pair_law
from qec.fit import flow_errors, points_from_stats
from qec.surgery import cnot_circuit, cnot_flows

# Sampled counts are compared with 99.99% intervals: a correct implementation fails one of them
# about once in 10^4 runs (sinter takes no seed, so counts agree in distribution only).
CONFIDENCE = 0.9999


def ci(errors: int, shots: int) -> tuple[float, float]:
    c = scipy.stats.binomtest(errors, shots).proportion_ci(CONFIDENCE, method="exact")
    return c.low, c.high


def cnot(d: int, basis: str, p: float) -> qec.Experiment:
    return qec.Experiment("surface_rotated", d, 1, basis, qec.NoiseModel("circuit", p), experiment="cnot")


@pytest.mark.slow
def test_cnot_circuit_shape_and_rounds():
    # tqec's CNOT at k = 1 is 81 qubit indices (65 used), two observables, 4 blocks of d rounds.
    for basis in ("x", "z"):
        c = cnot_circuit(3, basis)
        assert (c.num_observables, c.num_detectors) == (2, 256)
        assert len(qec.codes.used_qubits(c)) == 65
        measure_layers = sum(1 for layer in str(c).split("TICK") if "\nM" in layer)
        assert measure_layers == qec.sampling.CNOT_ROUNDS_PER_DISTANCE * 3
    # Its circuit-noise DEM has the full distance: the shortest graphlike logical error is d.
    noisy = cnot(3, "z", 0.001).circuit()
    assert len(noisy.shortest_graphlike_error()) == 3
    assert cnot(3, "x", 0.001).metadata["flows"] == ["XXXI", "XIXX"]


def test_flows_are_the_cnots_stabilizer_flows():
    # A CNOT maps X_c -> X_c X_t, X_t -> X_t, Z_c -> Z_c, Z_t -> Z_c Z_t (ports In_C In_T Out_C Out_T).
    gate = stim.Tableau.from_named_gate("CNOT")
    for basis in ("x", "z"):
        for flow in cnot_flows(basis):
            before = stim.PauliString(flow[:2].replace("I", "_"))
            after = stim.PauliString(flow[2:].replace("I", "_"))
            assert gate(before) == after, flow


@pytest.mark.slow
def test_our_noise_on_tqecs_circuit_matches_tqecs_uniform_depolarizing():
    # Our circuit model on tqec's noiseless circuit and tqec's own NoiseModel.uniform_depolarizing
    # place the same channels up to tqec's reset/measure conventions: the CNOT's failure rates agree.
    from tqec import NoiseModel, compile_block_graph
    from tqec.gallery import cnot as gallery_cnot

    p = 0.002
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fillings = gallery_cnot().fill_ports_for_minimal_simulation()
        filling = next(f for f in fillings if f.stabilizers[0] == "ZIZI")
        graph = compile_block_graph(filling.graph, observables=filling.observables)
        theirs = graph.generate_stim_circuit(1, noise_model=NoiseModel.uniform_depolarizing(p),
                                             do_not_use_database=True)  # fmt: skip
    ours = cnot(3, "z", p).circuit()
    tasks = [sinter.Task(circuit=c, decoder="pymatching", json_metadata={"who": w})
             for w, c in (("ours", ours), ("tqec", theirs))]  # fmt: skip
    stats = {s.json_metadata["who"]: s for s in sinter.collect(num_workers=2, tasks=tasks, max_shots=60_000)}
    a, b = ci(stats["ours"].errors, stats["ours"].shots), ci(stats["tqec"].errors, stats["tqec"].shots)
    assert a[0] <= b[1] and b[0] <= a[1], (stats["ours"].errors, stats["tqec"].errors)


@pytest.mark.slow
def test_cnot_logical_error_falls_with_distance_below_threshold(tmp_path):
    # At p = 0.1% (below the CNOT's threshold, ~0.4% in the paper study) d = 5 fails less than d = 3,
    # for every flow: the intervals from counts are disjoint.
    experiments = qec.sweep(codes=["surface_rotated"], noises=["circuit"], distances=[3, 5], ps=[0.001],
                            bases=["x", "z"], rounds=1, experiments=["cnot"])  # fmt: skip
    stats = qec.collect(experiments, out=tmp_path / "c.csv", workers=2, max_shots=60_000, max_errors=None)
    points = points_from_stats(stats)
    assert {pt.observable for pt in points} == {*cnot_flows("x"), *cnot_flows("z")}
    for flow in {pt.observable for pt in points}:
        by_d = {pt.d: pt for pt in points if pt.observable == flow}
        d3 = ci(by_d[3].errors, by_d[3].shots)
        d5 = ci(by_d[5].errors, by_d[5].shots)
        assert d5[1] < d3[0], (flow, by_d[3].errors, by_d[5].errors)
    fits = qec.fit_all(points, bootstrap=0)
    assert {g.key for g in fits} >= {f"cnot:{f}/surface_rotated/circuit/{b}/pymatching"
                                     for b in "xz" for f in cnot_flows(b)}  # fmt: skip


def test_flow_errors_from_failure_masks():
    s = sinter.TaskStats(
        strong_id="a",
        decoder="pymatching",
        shots=100,
        errors=7,
        json_metadata={"flows": ["ZIZI", "ZZIZ"], "basis": "z"},
        custom_counts=collections.Counter(
            {"obs_mistake_mask=E_": 3, "obs_mistake_mask=_E": 1, "obs_mistake_mask=EE": 3}
        ),
    )
    assert flow_errors(s) == {"ZIZI": 6, "ZZIZ": 4, "IZZZ": 4}
    broken = sinter.TaskStats(strong_id="b", decoder="pymatching", shots=100, errors=7,
                              json_metadata={"flows": ["ZIZI", "ZZIZ"], "basis": "z"})  # fmt: skip
    with pytest.raises(ValueError, match="do not add up"):
        flow_errors(broken)
    # A data row cannot name flows of its own: only the CNOT's, with their basis.
    foreign = sinter.TaskStats(strong_id="c", decoder="pymatching", shots=100, errors=0,
                               json_metadata={"flows": ["ZIZI", "XIXX"], "basis": "z"})  # fmt: skip
    with pytest.raises(ValueError, match="not the CNOT's measured flows"):
        flow_errors(foreign)


def test_pair_law_recovers_a_joint_law():
    # Any joint law of two bits is determined by P(a), P(b), P(a xor b): round trip.
    law = {(0, 0): 0.6, (1, 0): 0.1, (0, 1): 0.2, (1, 1): 0.1}
    f_a, f_b = law[(1, 0)] + law[(1, 1)], law[(0, 1)] + law[(1, 1)]
    f_ab = law[(1, 0)] + law[(0, 1)]
    assert pair_law(f_a, f_b, f_ab) == pytest.approx(law)


def test_cnot_law_from_a_known_pauli_channel():
    # Put a known two-qubit Pauli law after a CNOT, compute each flow's flip exactly (a flow fails
    # when the error anticommutes with its output Pauli), and read the law back.
    # X and Z parts independent (what the channel assumes), with correlations inside each part.
    px = {(0, 0): 0.95, (1, 0): 0.01, (0, 1): 0.03, (1, 1): 0.01}
    pz = {(0, 0): 0.9, (1, 0): 0.06, (0, 1): 0.02, (1, 1): 0.02}
    names = {(0, 0): "I", (1, 0): "X", (1, 1): "Y", (0, 1): "Z"}
    truth = {names[(xc, zc)] + names[(xt, zt)]: px[(xc, xt)] * pz[(zc, zt)]
             for (xc, xt) in px for (zc, zt) in pz}  # fmt: skip
    flips = {}
    for basis in ("x", "z"):
        for flow in cnot_flows(basis):
            out = stim.PauliString(flow[2:].replace("I", "_"))
            flips[flow] = sum(v for k, v in truth.items()
                              if not stim.PauliString(k.replace("I", "_")).commutes(out))  # fmt: skip
    law = cnot_pauli_law(flips)
    assert law == pytest.approx(truth, abs=1e-12)


def test_cz_law_is_the_cnot_law_conjugated_by_hadamard_on_the_target():
    # H_t E H_t for each Pauli E: checked with Stim's tableau of H on qubit 1.
    law = {"II": 0.5, "XX": 0.1, "YZ": 0.2, "ZY": 0.2}
    h = stim.Tableau.from_named_gate("H")
    for pauli, prob in law.items():
        target = h(stim.PauliString(pauli[1].replace("I", "_")))
        assert cz_pauli_law({pauli: prob}) == {pauli[0] + str(target)[1:].replace("_", "I"): prob}


def _aer_flip_counts(model, prepare: str, gate: str, measure: str, shots: int, seed: int) -> np.ndarray:
    """Shots × 2 bits of (control, target) readouts flipped, after preparing and measuring in bases
    ``prepare``/``measure`` (each 'zz', 'xx', ...), with one noisy ``gate`` between."""
    from qiskit import QuantumCircuit
    from qiskit_aer import AerSimulator

    qc = QuantumCircuit(2, 2)
    for q, b in enumerate(prepare):
        if b == "x":
            qc.h(q)
    getattr(qc, gate)(0, 1)
    for q, b in enumerate(measure):
        if b == "x":
            qc.h(q)
    qc.measure([0, 1], [0, 1])
    counts = AerSimulator(noise_model=model, seed_simulator=seed).run(qc, shots=shots).result().get_counts()
    rows = []
    for bits, n in counts.items():
        rows += [[int(bits[-1]), int(bits[-2])]] * n  # Qiskit strings are little-endian
    return np.array(rows)


@pytest.mark.slow
def test_aer_channel_reproduces_the_stim_flip_rates(tmp_path):
    # Sample the CNOT with Stim at d = 3, build the Aer channel from those measured flips, and check
    # that Aer's CNOT (and CZ) flips each flow at the Stim rate: intervals from both counts overlap.
    from qec.aer import measured_noise_model

    experiments = qec.sweep(codes=["surface_rotated"], noises=["circuit"], distances=[3], ps=[0.002],
                            bases=["x", "z"], rounds=1, experiments=["cnot"])  # fmt: skip
    stats = qec.collect(experiments, out=tmp_path / "c.csv", workers=2, max_shots=40_000, max_errors=None)
    points = {pt.observable: pt for pt in points_from_stats(stats)}
    channel = LogicalChannel(distance=3, p=0.002, rounds_per_gate=3, flip_z=0.0, flip_x=0.0,
                             cnot_flips=tuple((f, pt.shot_rate) for f, pt in points.items()))  # fmt: skip
    model = measured_noise_model(channel)
    shots = 40_000
    # |++> -> CNOT -> X readouts: X_c flips on XXXI's rate, X_t on IXIX's, their parity on XIXX's.
    # |00> -> CNOT -> Z readouts: Z_c on ZIZI, Z_t on ZZIZ, parity on IZZZ.
    # CZ = H_t CNOT H_t: |0+> -> CZ -> Z_c, X_t readouts flip at ZIZI's and ZZIZ's rates.
    cases = [("xx", "cx", "xx", ("XXXI", "IXIX", "XIXX")), ("zz", "cx", "zz", ("ZIZI", "ZZIZ", "IZZZ")),
             ("zx", "cz", "zx", ("ZIZI", "ZZIZ", "IZZZ"))]  # fmt: skip
    for i, (prepare, gate, measure, flows) in enumerate(cases):
        bits = _aer_flip_counts(model, prepare, gate, measure, shots, seed=i)
        for flips, flow in zip((bits[:, 0], bits[:, 1], bits[:, 0] ^ bits[:, 1]), flows, strict=True):
            aer = ci(int(flips.sum()), shots)
            stim_ci = ci(points[flow].errors, points[flow].shots)
            assert aer[0] <= stim_ci[1] and stim_ci[0] <= aer[1], (gate, flow, flips.mean(),
                                                                   points[flow].shot_rate)  # fmt: skip


def test_aer_one_qubit_gate_and_readout_follow_the_memory_flips():
    # One noisy gate then a noisy Z readout on |0>: the readout flips with P(X or Y on the gate)
    # composed with the readout flip: q = a(1-f) + (1-a)f, a = flip_z. Exact Aer density matrix.
    from qiskit import QuantumCircuit
    from qiskit_aer import AerSimulator

    from qec.aer import measured_noise_model

    channel = LogicalChannel(distance=5, p=0.001, rounds_per_gate=5, flip_z=0.03, flip_x=0.05,
                             cnot_flips=tuple((f, 0.0) for b in "xz" for f in cnot_flows(b)))  # fmt: skip
    qc = QuantumCircuit(1, 1)
    qc.x(0)
    qc.measure(0, 0)
    sim = AerSimulator(method="density_matrix", noise_model=measured_noise_model(channel))
    counts = sim.run(qc, shots=200_000, seed_simulator=1).result().get_counts()
    a = f = 0.03
    expected = a * (1 - f) + (1 - a) * f  # probability the readout is 0 instead of 1
    low, high = ci(counts.get("0", 0), 200_000)
    assert low <= expected <= high


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--experiment", "teleport"], "invalid choice: 'teleport'"),
        (["--experiment", "cnot", "--distance", "4"], "distance=4 is not allowed for the cnot experiment"),
        (["--experiment", "cnot", "--distance", "101"], "at most 15"),
        (["--experiment", "cnot", "--code", "repetition"], "code='repetition' is not allowed for the cnot"),
        (["--experiment", "cnot", "--noise", "phenomenological"], "needs gate-level noise"),
    ],
)
def test_bad_experiment_exits_2_and_writes_nothing(tmp_path, capsys, args, message):
    base = {"--code": "surface_rotated", "--noise": "circuit", "--distance": "3", "--p": "0.001"}
    argv = ["sample", *args]
    for flag, value in base.items():
        if flag not in args:
            argv += [flag, value]
    out = tmp_path / "s.csv"
    with pytest.raises(SystemExit) as e:
        raise SystemExit(qec.cli.main([*argv, "--out", str(out), "--max-shots", "10"]))
    assert e.value.code == 2
    assert message in capsys.readouterr().err
    assert not out.exists()
