"""Tests of qec.aer: p ↔ λ, and Stim and Aer agreeing on the same noisy circuits."""

import collections

import numpy as np
import pytest
import scipy.stats
import stim
from qiskit import QuantumCircuit
from qiskit.quantum_info import Operator, SparsePauliOp
from qiskit_aer import AerSimulator
from qiskit_aer.noise import depolarizing_error
from qiskit_aer.primitives import EstimatorV2

import qec
from qec.aer import (
    depolarizing_lambda,
    depolarizing_p,
    logical_noise_model,
    physical_noise_model,
    stim_to_qiskit,
    with_noise_sites,
)
from qec.fit import logical_eps_op


@pytest.mark.parametrize("n", [1, 2])
@pytest.mark.parametrize("p", [0.0, 0.001, 0.3, 0.75])
def test_lambda_gives_aer_the_same_pauli_probabilities_as_stim(n, p):
    lam = depolarizing_lambda(p, n)
    assert depolarizing_p(lam, n) == pytest.approx(p)
    # Aer's channel as a Pauli mixture: the identity term must carry exactly 1 - p.
    error = depolarizing_error(lam, n)
    ident = Operator(np.eye(2**n))
    identity = sum(
        prob
        for circ, prob in zip(error.circuits, error.probabilities, strict=True)
        if Operator(circ).equiv(ident)
    )
    assert identity == pytest.approx(1 - p)
    assert lam == pytest.approx({1: 4 * p / 3, 2: 16 * p / 15}[n])


def chi2_same_distribution(a: collections.Counter, b: collections.Counter) -> float:
    """p-value of a chi-square test that two samples come from one distribution."""
    keys = sorted(set(a) | set(b))
    table = np.array([[a.get(k, 0) for k in keys], [b.get(k, 0) for k in keys]])
    # Pool outcomes too rare for the chi-square approximation (expected count < 5).
    expected = table.sum(0) * table.sum(1)[:, None] / table.sum()
    rare = expected.min(0) < 5
    pooled = np.concatenate([table[:, ~rare], table[:, rare].sum(1, keepdims=True)], axis=1)
    pooled = pooled[:, pooled.sum(0) > 0]
    return scipy.stats.chi2_contingency(pooled).pvalue


GHZ = stim.Circuit("""
    R 0 1 2
    TICK
    H 0
    TICK
    CX 0 1
    TICK
    CX 1 2
    TICK
    M 0 1 2
""")


@pytest.mark.parametrize("name", ["circuit", "si1000"])
@pytest.mark.parametrize("which", ["ghz", "repetition"])
def test_stim_and_aer_agree_on_noisy_circuits(name, which):
    # A distance-3 repetition-code round exercises MR (measure + reset) and idling data.
    noiseless = GHZ if which == "ghz" else qec.Code("repetition", 3).memory_circuit(rounds=1)
    noise = qec.NoiseModel(name, 0.02)
    shots = 40_000
    stim_rows = noise.apply(noiseless).compile_sampler(seed=7).sample(shots)
    stim_counts = collections.Counter("".join("1" if b else "0" for b in row) for row in stim_rows)
    qc = with_noise_sites(stim_to_qiskit(noiseless), barrier_layers=True)
    sim = AerSimulator(method="density_matrix", noise_model=physical_noise_model(noise), seed_simulator=7)
    aer_counts = collections.Counter(
        {bits[::-1]: n for bits, n in sim.run(qc, shots=shots).result().get_counts().items()}
    )
    # Same distribution within statistical error: a correct translation fails this 1 in 10^4.
    assert chi2_same_distribution(stim_counts, aer_counts) > 1e-4
    # And the noise matters: the noiseless GHZ/repetition outcomes are far from what we see.
    assert stim_counts.most_common(1)[0][1] < 0.95 * shots


def test_a_mistranslation_would_be_caught():
    # The check above has power: Aer given λ = p instead of 4p/3 (the classic mistake) is
    # distinguished from Stim on the same GHZ circuit.
    noise = qec.NoiseModel("circuit", 0.05)
    shots = 40_000
    stim_rows = noise.apply(GHZ).compile_sampler(seed=3).sample(shots)
    stim_counts = collections.Counter("".join("1" if b else "0" for b in row) for row in stim_rows)
    wrong = physical_noise_model(qec.NoiseModel("circuit", depolarizing_p(0.05, 1)))  # λ = p for 1q gates
    qc = with_noise_sites(stim_to_qiskit(GHZ), barrier_layers=True)
    counts = (
        AerSimulator(method="density_matrix", noise_model=wrong, seed_simulator=3)
        .run(qc, shots=shots)
        .result()
        .get_counts()
    )
    aer_counts = collections.Counter({bits[::-1]: n for bits, n in counts.items()})
    assert chi2_same_distribution(stim_counts, aer_counts) < 1e-4


def test_estimator_readout_flips_scale_z_expectations():
    # <Z> of |0> after a readout flip f is 1 - 2f; the logical model uses eps for f.
    qc = with_noise_sites(QuantumCircuit(2), idle=False, readout_qubits=[0, 1])
    est = EstimatorV2(
        options={"backend_options": {"method": "density_matrix", "noise_model": logical_noise_model(0.1)}}
    )
    evs = est.run([(qc, [SparsePauliOp("IZ"), SparsePauliOp("ZZ")])]).result()[0].data.evs
    assert evs == pytest.approx([0.8, 0.8**2])


def test_idle_noise_lands_on_idle_qubits_only():
    qc = QuantumCircuit(2)
    qc.x(0)
    noisy = with_noise_sites(qc)
    est = EstimatorV2(
        options={
            "backend_options": {
                "method": "density_matrix",
                "noise_model": physical_noise_model(qec.NoiseModel("circuit", 0.03)),
            }
        }
    )
    evs = est.run([(noisy, [SparsePauliOp("IZ"), SparsePauliOp("ZI")])]).result()[0].data.evs
    # Depolarizing p flips Z with probability 2p/3 (X or Y): <Z> = 1 - 4p/3 per channel.
    assert evs[0] == pytest.approx(-(1 - 4 * 0.03 / 3))  # qubit 0: X then gate noise
    assert evs[1] == pytest.approx(1 - 4 * 0.03 / 3)  # qubit 1: one idle channel


def test_bad_arguments():
    with pytest.raises(ValueError, match="has no gate-level Aer equivalent"):
        physical_noise_model(qec.NoiseModel("phenomenological", 0.01))
    with pytest.raises(ValueError, match=r"eps_op=1.5 must be a number in \[0, 1\]"):
        logical_noise_model(1.5)
    with pytest.raises(ValueError, match="does not translate"):
        stim_to_qiskit(stim.Circuit("S 0"))


def logical_noise_model_from_fit(model, *, distance: int, p: float, cycles_per_gate: float = 1.0):
    """``logical_noise_model`` at the ε_op a fitted suppression model predicts for distance
    ``distance`` at physical rate ``p``: ε_op = 1 − (1 − ε_round(d, p))^(c·d) (docs/concepts.md).

    Here rather than in qec.aer, so that qec.aer does not import qec.fit: only this test uses it.
    """
    eps_round = min(model.eps_round(distance, p), 1.0)
    return logical_noise_model(logical_eps_op(eps_round, distance=distance, cycles_per_gate=cycles_per_gate))


def test_logical_model_from_a_fit_uses_the_budget_formula():
    from qec.fit import SuppressionModel

    m = SuppressionModel.power(A=0.1, p_th=0.01)
    eps = logical_eps_op(m.eps_round(3, 0.002), distance=3)  # 1 - (1 - 0.1 * 0.2^2)^3
    qc = with_noise_sites(QuantumCircuit(1), idle=False, readout_qubits=[0])
    est = EstimatorV2(
        options={
            "backend_options": {
                "method": "density_matrix",
                "noise_model": logical_noise_model_from_fit(m, distance=3, p=0.002),
            }
        }
    )
    (ev,) = est.run([(qc, [SparsePauliOp("Z")])]).result()[0].data.evs
    assert ev == pytest.approx(1 - 2 * eps)


def test_logical_eps_op_matches_the_budget_formula():
    assert logical_eps_op(0.0, distance=7) == 0.0
    assert logical_eps_op(1e-3, distance=5, cycles_per_gate=2) == pytest.approx(1 - (1 - 1e-3) ** 10)
