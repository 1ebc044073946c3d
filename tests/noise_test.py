"""Tests of qec.noise: each model puts exactly the channels of docs/concepts.md's noise-model table."""

import collections

import pytest
import stim

import qec
from qec.noise import NOISE_NAMES


def census(circuit: stim.Circuit) -> collections.Counter:
    """(channel, probability) -> number of qubit targets, counting loop iterations."""
    out: collections.Counter = collections.Counter()
    for inst in circuit.flattened():
        if inst.name in ("X_ERROR", "Z_ERROR", "DEPOLARIZE1", "DEPOLARIZE2"):
            out[(inst.name, round(inst.gate_args_copy()[0], 12))] += len(inst.targets_copy())
    return out


P = 0.01
REPETITION_D3_R2 = qec.Code("repetition", 3).memory_circuit(rounds=2)


def without_annotations(circuit: stim.Circuit) -> str:
    keep = [
        inst
        for inst in circuit.flattened()
        if inst.name not in ("DETECTOR", "OBSERVABLE_INCLUDE", "SHIFT_COORDS")
    ]
    return str(stim.Circuit("\n".join(str(i) for i in keep)))


# Hand-written from docs/concepts.md's noise-model table for the distance-3 repetition code, 2 rounds:
# data 0 2 4, measure 1 3; layers R | CX | CX | MR | CX | CX | MR | M.
EXPECTED = {
    "code_capacity": """
        R 0 1 2 3 4
        TICK
        DEPOLARIZE1(0.01) 0 2 4
        CX 0 1 2 3
        TICK
        CX 2 1 4 3
        TICK
        MR 1 3
        TICK
        CX 0 1 2 3
        TICK
        CX 2 1 4 3
        TICK
        MR 1 3
        TICK
        M 0 2 4
    """,
    "phenomenological": """
        R 0 1 2 3 4
        TICK
        DEPOLARIZE1(0.01) 0 2 4
        CX 0 1 2 3
        TICK
        CX 2 1 4 3
        TICK
        X_ERROR(0.01) 1 3
        MR 1 3
        TICK
        DEPOLARIZE1(0.01) 0 2 4
        CX 0 1 2 3
        TICK
        CX 2 1 4 3
        TICK
        X_ERROR(0.01) 1 3
        MR 1 3
        TICK
        M 0 2 4
    """,
    "circuit": """
        R 0 1 2 3 4
        X_ERROR(0.01) 0 1 2 3 4
        TICK
        CX 0 1 2 3
        DEPOLARIZE2(0.01) 0 1 2 3
        DEPOLARIZE1(0.01) 4
        TICK
        CX 2 1 4 3
        DEPOLARIZE2(0.01) 2 1 4 3
        DEPOLARIZE1(0.01) 0
        TICK
        X_ERROR(0.01) 1 3
        MR 1 3
        X_ERROR(0.01) 1 3
        DEPOLARIZE1(0.01) 0 2 4
        TICK
        CX 0 1 2 3
        DEPOLARIZE2(0.01) 0 1 2 3
        DEPOLARIZE1(0.01) 4
        TICK
        CX 2 1 4 3
        DEPOLARIZE2(0.01) 2 1 4 3
        DEPOLARIZE1(0.01) 0
        TICK
        X_ERROR(0.01) 1 3
        MR 1 3
        X_ERROR(0.01) 1 3
        DEPOLARIZE1(0.01) 0 2 4
        TICK
        X_ERROR(0.01) 0 2 4
        M 0 2 4
        DEPOLARIZE1(0.01) 1 3
    """,
    "si1000": """
        R 0 1 2 3 4
        X_ERROR(0.02) 0 1 2 3 4
        TICK
        CX 0 1 2 3
        DEPOLARIZE2(0.01) 0 1 2 3
        DEPOLARIZE1(0.001) 4
        TICK
        CX 2 1 4 3
        DEPOLARIZE2(0.01) 2 1 4 3
        DEPOLARIZE1(0.001) 0
        TICK
        X_ERROR(0.05) 1 3
        MR 1 3
        X_ERROR(0.02) 1 3
        DEPOLARIZE1(0.02) 0 2 4
        TICK
        CX 0 1 2 3
        DEPOLARIZE2(0.01) 0 1 2 3
        DEPOLARIZE1(0.001) 4
        TICK
        CX 2 1 4 3
        DEPOLARIZE2(0.01) 2 1 4 3
        DEPOLARIZE1(0.001) 0
        TICK
        X_ERROR(0.05) 1 3
        MR 1 3
        X_ERROR(0.02) 1 3
        DEPOLARIZE1(0.02) 0 2 4
        TICK
        X_ERROR(0.05) 0 2 4
        M 0 2 4
        DEPOLARIZE1(0.02) 1 3
    """,
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_placement_on_the_repetition_code_matches_the_table(name):
    noisy = qec.NoiseModel(name, P).apply(REPETITION_D3_R2)
    assert without_annotations(noisy) == str(stim.Circuit(EXPECTED[name]))


# Counts derived by hand for the rotated d=3 memory, 3 rounds (17 qubits: 9 data, 8 measure).
# One round: H layer (4 H, 13 idle), 4 CX layers (6 pairs, 5 idle each), H layer, MR layer
# (8 measured, 9 idle). Plus the R layer (17 resets) and the readout layer (9 M, 8 idle).
ROTATED = {
    "z": qec.Code("surface_rotated", 3).memory_circuit(rounds=3, basis="z"),
    "x": qec.Code("surface_rotated", 3).memory_circuit(rounds=3, basis="x"),
}
P_SI = 0.001
EXPECTED_COUNTS = {
    ("circuit", "z"): {
        # 1q gates 8/round + idle (13+20+13+9)/round, x3 rounds, + 8 idle at readout
        ("DEPOLARIZE1", P): 3 * (8 + 13 + 20 + 13 + 9) + 8,
        ("DEPOLARIZE2", P): 3 * 4 * 12,
        # 17 resets + 3 rounds x (8 measure + 8 reset) + 9 readout
        ("X_ERROR", P): 17 + 3 * 16 + 9,
    },
    ("circuit", "x"): {
        ("DEPOLARIZE1", P): 3 * (8 + 13 + 20 + 13 + 9) + 8,
        ("DEPOLARIZE2", P): 3 * 4 * 12,
        ("X_ERROR", P): 8 + 3 * 16,  # measure qubits stay in the Z basis
        ("Z_ERROR", P): 9 + 9,  # RX and MX of the data qubits
    },
    ("si1000", "z"): {
        ("DEPOLARIZE1", P_SI / 10): 3 * (8 + 13 + 20 + 13),  # 1q gates and plain idles
        ("DEPOLARIZE1", 2 * P_SI): 3 * 9 + 8,  # idle while others measure or reset
        ("DEPOLARIZE2", P_SI): 3 * 4 * 12,
        ("X_ERROR", 2 * P_SI): 17 + 3 * 8,  # resets
        ("X_ERROR", 5 * P_SI): 3 * 8 + 9,  # measurements
    },
    ("phenomenological", "z"): {("DEPOLARIZE1", P): 3 * 9, ("X_ERROR", P): 3 * 8},
    ("phenomenological_bitflip", "z"): {("X_ERROR", P): 3 * 9 + 3 * 8},
    ("code_capacity", "z"): {("DEPOLARIZE1", P): 9},
    ("code_capacity_bitflip", "x"): {("X_ERROR", P): 9},
}


@pytest.mark.parametrize(("name", "basis"), sorted(EXPECTED_COUNTS))
def test_channel_counts_on_the_rotated_surface_code(name, basis):
    p = P_SI if name == "si1000" else P
    noisy = qec.NoiseModel(name, p).apply(ROTATED[basis])
    expected = {(k, round(v, 12)): n for (k, v), n in EXPECTED_COUNTS[(name, basis)].items()}
    assert dict(census(noisy)) == expected


def test_noise_inside_repeat_blocks_is_kept_in_the_loop():
    noisy = qec.NoiseModel("circuit", P).apply(qec.Code("surface_rotated", 3).memory_circuit(rounds=10))
    assert any(isinstance(inst, stim.CircuitRepeatBlock) for inst in noisy)
    assert census(noisy)[("DEPOLARIZE2", P)] == 10 * 48


@pytest.mark.parametrize("name", NOISE_NAMES)
def test_zero_noise_adds_nothing(name):
    assert qec.NoiseModel(name, 0.0).apply(REPETITION_D3_R2) == REPETITION_D3_R2


def test_rates_follow_the_table():
    si = qec.NoiseModel("si1000", 0.002).rates
    assert (si.gate1, si.gate2, si.idle, si.idle_measure_reset) == pytest.approx((2e-4, 2e-3, 2e-4, 4e-3))
    assert (si.measure_flip, si.readout_flip, si.reset_flip) == pytest.approx((1e-2, 1e-2, 4e-3))


@pytest.mark.parametrize(
    ("name", "p", "message"),
    [
        ("circuit", -0.1, r"p=-0.1 must be in \[0, 0.5\]"),
        ("circuit", 0.6, r"p=0.6 must be in \[0, 0.5\]"),
        ("circuit", float("nan"), r"p=nan must be in"),
        ("si1000", 0.2, r"p=0.2 must be in \[0, 0.1\] for si1000"),
        ("bogus", 0.1, "noise='bogus' is not a known noise model"),
        ("circuit", "0.1", "p='0.1' must be a number"),
    ],
)
def test_bad_noise_arguments(name, p, message):
    with pytest.raises(ValueError, match=message):
        qec.NoiseModel(name, p)


@pytest.mark.parametrize("spec", ["circuit", "circuit:abc", "nope:0.1"])
def test_bad_specs(spec):
    with pytest.raises(ValueError):
        qec.NoiseModel.from_spec(spec)


def test_refuses_a_circuit_that_already_has_noise():
    noisy = qec.NoiseModel("circuit", P).apply(REPETITION_D3_R2)
    with pytest.raises(ValueError, match="already has noise"):
        qec.NoiseModel("circuit", P).apply(noisy)
