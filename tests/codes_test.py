"""Tests of qec.codes: circuits are valid memory experiments and qubit counts are right."""

import numpy as np
import pytest
import stim

import qec
from qec.codes import CODE_NAMES


@pytest.mark.parametrize("name", CODE_NAMES)
@pytest.mark.parametrize("d", [2, 3, 4, 5, 7])
def test_physical_qubits_match_the_qubits_the_circuit_uses(name, d):
    code = qec.Code(name, d)
    for basis in ("x", "z"):
        circuit = code.memory_circuit(rounds=2, basis=basis)
        assert len(qec.used_qubits(circuit)) == code.physical_qubits
    # Closed forms: d, d^2 and d^2 + (d-1)^2 data qubits; (2d-1)^2 in all for unrotated.
    expected_total = {
        "repetition": 2 * d - 1,
        "surface_rotated": 2 * d * d - 1,
        "surface_unrotated": (2 * d - 1) ** 2,
    }[name]
    assert code.physical_qubits == expected_total


def test_num_qubits_overcounts_the_rotated_layout():
    # Stim issue #960: num_qubits is max index + 1, not the qubits used.
    circuit = qec.Code("surface_rotated", 3).memory_circuit(rounds=1)
    assert circuit.num_qubits == 26
    assert qec.Code("surface_rotated", 3).physical_qubits == 17


@pytest.mark.parametrize("name", CODE_NAMES)
@pytest.mark.parametrize("basis", ["x", "z"])
@pytest.mark.parametrize("rounds", [1, 2, 5])
def test_noiseless_circuits_are_deterministic(name, basis, rounds):
    circuit = qec.Code(name, 3).memory_circuit(rounds=rounds, basis=basis)
    # Detectors and observable of a valid memory experiment never fire without noise...
    det, obs = circuit.compile_detector_sampler(seed=1).sample(256, separate_observables=True)
    assert not det.any() and not obs.any()
    # ...and Stim can build a graphlike error model once noise is added (this raises on
    # non-deterministic detectors or observables).
    noisy = qec.NoiseModel("circuit", 0.001).apply(circuit)
    assert noisy.detector_error_model(decompose_errors=True).num_observables == 1


@pytest.mark.parametrize("rounds", [1, 3])
def test_x_basis_repetition_code_protects_against_phase_flips(rounds):
    # The X-basis repetition code is the Hadamard dual of the Z-basis one: Z errors on data
    # trigger its detectors, X errors do nothing.
    circuit = qec.Code("repetition", 3).memory_circuit(rounds=rounds, basis="x")
    with_z = circuit.copy()
    with_z.insert(2, stim.CircuitInstruction("Z_ERROR", [0], [1.0]))
    with_x = circuit.copy()
    with_x.insert(2, stim.CircuitInstruction("X_ERROR", [0], [1.0]))
    assert with_z.compile_detector_sampler().sample(1).any()
    assert not with_x.compile_detector_sampler().sample(1).any()


def test_detector_counts_per_round():
    # Repetition: (d-1) detectors per round plus (d-1) final ones.
    assert qec.Code("repetition", 5).memory_circuit(rounds=4).num_detectors == 4 * 4 + 4
    # Rotated Z memory: (d^2-1)/2 Z-type detectors in the first round, d^2-1 after, (d^2-1)/2 final.
    assert qec.Code("surface_rotated", 3).memory_circuit(rounds=3).num_detectors == 4 + 8 * 2 + 4


def test_every_layer_ends_with_a_tick_before_readout():
    circuit = qec.Code("surface_rotated", 3).memory_circuit(rounds=4)
    names = [inst.name for inst in circuit if isinstance(inst, stim.CircuitInstruction)]
    assert names[names.index("M") - 1] == "TICK"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"name": "toric", "distance": 3}, "code='toric' is not a known code"),
        ({"name": "repetition", "distance": 1}, "distance=1 is not allowed"),
        ({"name": "surface_rotated", "distance": 3.0}, "distance=3.0 is not allowed"),
    ],
)
def test_bad_code_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        qec.Code(**kwargs)


def test_bad_rounds_and_basis():
    code = qec.Code("repetition", 3)
    with pytest.raises(ValueError, match="rounds=0 must be an integer >= 1"):
        code.memory_circuit(rounds=0)
    with pytest.raises(ValueError, match="basis='y' is not allowed"):
        code.memory_circuit(rounds=1, basis="y")


def test_generated_circuit_is_reproducible():
    a = qec.Code("surface_unrotated", 3).memory_circuit(rounds=3, basis="x")
    b = qec.Code("surface_unrotated", 3).memory_circuit(rounds=3, basis="x")
    assert a == b
    assert np.array_equal(
        a.compile_detector_sampler(seed=3).sample(4), b.compile_detector_sampler(seed=3).sample(4)
    )
