"""Fixtures the test files share: small, deterministic inputs built the same way everywhere."""

import dataclasses
import pathlib

import pytest
from qiskit import QuantumCircuit

from qec.fit import points_from_stats
from qec.interval import Interval
from qec.stats import read_stats_with_origin
from qec.tolerance import Tolerance

DATA = pathlib.Path(__file__).parent / "data"


@pytest.fixture(scope="session")
def near_threshold_points():
    """Builds the points of a committed sinter CSV (rotated surface code, circuit noise, d = 3, 5, 7
    across its threshold), kept so that what depends on these counts is deterministic and fast."""
    return lambda: points_from_stats(read_stats_with_origin(DATA / "surface_circuit_near_threshold.csv")[0])


@pytest.fixture(scope="session")
def small_circuit():
    """Builds a bound 3-qubit circuit: six RY, two CZ, three readouts (11 logical operations)."""

    def build() -> QuantumCircuit:
        qc = QuantumCircuit(3, 3)
        for q in range(3):
            qc.ry(0.3 + 0.2 * q, q)
        qc.cz(0, 1)
        qc.cz(1, 2)
        for q in range(3):
            qc.ry(1.1 - 0.3 * q, q)
        qc.measure(range(3), range(3))
        return qc

    return build


@pytest.fixture(scope="session")
def given_tolerance():
    """Builds a tolerance with a given ε* [low, high] and physical accuracy changes (p, Δacc)."""

    def build(eps_star=1e-4, low=None, high=None, physical=((0.001, -0.001), (0.004, -0.05), (0.009, -0.2))):
        t = Tolerance.given(eps_star=eps_star, physical=physical)
        return dataclasses.replace(t, eps_star=Interval(eps_star, low=low or eps_star, high=high or eps_star))

    return build
