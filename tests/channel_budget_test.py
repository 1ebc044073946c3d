"""Tests of qec.channel_budget: the search for d* under the measured channel, on synthetic models
and a synthetic QNN whose accuracy loss is known in closed form."""

import dataclasses
import types

import numpy as np
import pytest

from qec.channel import channel_from_fits
from qec.channel_budget import ChannelRow, channel_row, format_rows, smallest_passing
from qec.fit import AboveThreshold, SuppressionModel, group_key
from qec.interval import Interval
from qec.surgery import cnot_flows
from qec.tolerance import bootstrap_weights


@pytest.mark.parametrize("answer", [3, 5, 9, 13, 31, 99, 101])
@pytest.mark.parametrize("start", [3, 7, 21, 101])
def test_smallest_passing_finds_the_first_passing_odd_distance(answer, start):
    calls = []

    def passes(d):
        calls.append(d)
        assert d % 2 == 1 and 3 <= d <= 101
        return d >= answer

    assert smallest_passing(passes, start=start, d_max=101) == answer
    assert len(calls) <= 2 * 7 + 2  # galloping then bisecting: logarithmic in the range
    assert smallest_passing(lambda d: False, start=start, d_max=101) is None


def _groups(A_memory=0.03, A_cnot=0.3, p_th=0.01):
    """fits.json-like groups: memory in both bases and all six CNOT flows, each a power law."""

    def group(A):
        model = SuppressionModel.power(A=A, p_th=p_th)
        return types.SimpleNamespace(model=model, above_threshold=AboveThreshold())

    out = {group_key("surface_rotated", "circuit", b, "pymatching"): group(A_memory) for b in "xz"}
    for b in "xz":
        for f in cnot_flows(b):
            out[group_key("surface_rotated", "circuit", b, "pymatching", "cnot", f)] = group(A_cnot)
    return out


def test_channel_from_fits_follows_the_models():
    # Each flow flips at A (p/p_th)^((d+1)/2); the one-qubit flips are the memory's over c·d rounds.
    ch = channel_from_fits(_groups(), code="surface_rotated", noise="circuit", decoder="pymatching",
                           distance=5, p=0.001)  # fmt: skip
    flow = 0.3 * 0.1**3
    assert dict(ch.cnot_flips)["XXXI"] == pytest.approx(flow)
    per_round = 0.03 * 0.1**3
    assert ch.flip_z == pytest.approx((1 - (1 - 2 * per_round) ** 5) / 2)
    # Three flows per type at the same rate f: P(11) = f/2 per type, so P(no error in a type) = 1 − 3f/2.
    assert ch.cnot_error == pytest.approx(1 - (1 - 1.5 * flow) ** 2)


def test_channel_row_finds_the_distance_where_a_known_loss_crosses_delta():
    # A synthetic QNN whose accuracy falls by 10 × the CNOT error: the change at d is
    # −10 · cnot_error(d), so d* is the smallest odd d with 10 · cnot_error(d) <= δ.
    groups = _groups()
    delta = 0.01
    rng = np.random.default_rng(0)
    baseline = np.ones((3, 200))
    weights = bootstrap_weights(3, 200, replicates=200, rng=rng)

    def evaluate(channel):
        return baseline - 10 * channel.cnot_error

    row = channel_row(p=0.002, decoder="pymatching", scalar_verdict="qec", scalar_d_star=5, groups=groups,
                      evaluate=evaluate, baseline=baseline, weights=weights, delta=delta,
                      code="surface_rotated", noise="circuit")  # fmt: skip

    def cnot_error(d):
        return channel_from_fits(groups, code="surface_rotated", noise="circuit", decoder="pymatching",
                                 distance=d, p=0.002).cnot_error  # fmt: skip

    expected = next(d for d in range(3, 101, 2) if 10 * cnot_error(d) <= delta)
    assert row.verdict == "qec" and row.d_star == expected
    # No noise in this QNN: the interval is the models' (given models have zero covariance).
    assert row.d_star_low == row.d_star_high == expected
    assert row.cnot_vs_memory.best == pytest.approx(cnot_error(expected) / row.memory_eps_op.best)
    assert row.cnot_error.low == row.cnot_error.best == row.cnot_error.high
    assert row.memory_eps_op.low == row.memory_eps_op.best == row.memory_eps_op.high
    assert ChannelRow.from_dict(row.to_dict()) == row
    assert "pymatching" in format_rows([row], delta=delta)


def test_channel_row_carries_the_models_intervals_to_the_cnot_error_and_the_ratio():
    # With a covariance on ln A, every rate has an interval: the CNOT's error, the memory's ε_op
    # and their ratio (opposite ends divided) each bracket their best value.
    groups = _groups()
    for g in groups.values():
        g.model = dataclasses.replace(g.model, cov=tuple(map(tuple, np.diag([0.04, 0.0, 0.0, 0.0]))))
    baseline = np.ones((2, 50))
    weights = bootstrap_weights(2, 50, replicates=50, rng=np.random.default_rng(1))
    row = channel_row(p=0.002, decoder="pymatching", scalar_verdict="qec", scalar_d_star=5, groups=groups,
                      evaluate=lambda ch: baseline - 10 * ch.cnot_error, baseline=baseline, weights=weights,
                      delta=0.01, code="surface_rotated", noise="circuit")  # fmt: skip
    cnot, memory, ratio = row.cnot_error, row.memory_eps_op, row.cnot_vs_memory
    assert cnot.low < cnot.best < cnot.high
    assert memory.low < memory.best < memory.high
    assert ratio.low < ratio.best < ratio.high
    assert ratio.low == pytest.approx(cnot.low / memory.high)
    assert f"[{cnot.low:.3g}, {cnot.high:.3g}]" in format_rows([row], delta=0.01)
    # Scripts written against the flat fields read them still (the file's keys, as attributes).
    assert (row.cnot_error_low, row.cnot_vs_memory_high) == (cnot.low, ratio.high)


def test_channel_row_keeps_hardware_and_refuses_above_the_cnots_threshold():
    groups = _groups()
    common = dict(decoder="pymatching", scalar_d_star=None, groups=groups, evaluate=None, baseline=None,
                  weights=None, delta=0.01, code="surface_rotated", noise="circuit")  # fmt: skip
    assert channel_row(p=0.001, scalar_verdict="hardware", **common).verdict == "hardware"
    key = group_key("surface_rotated", "circuit", "x", "pymatching", "cnot", "XXXI")
    groups[key].above_threshold = AboveThreshold(Interval(0.004, low=0.0038, high=0.0042))
    row = channel_row(p=0.005, scalar_verdict="qec", **common)
    assert row.verdict == "above_threshold" and "XXXI: p is above the measured threshold" in row.note
    missing = {k: v for k, v in _groups().items() if "IZZZ" not in k}
    row = channel_row(p=0.002, scalar_verdict="qec", **{**common, "groups": missing,
                      "evaluate": lambda ch: np.zeros((1, 1)), "baseline": np.zeros((1, 1)),
                      "weights": np.ones((2, 1, 1))})  # fmt: skip
    assert row.verdict == "unavailable" and "IZZZ" in row.note


def test_cnot_equivalent_points_spread_the_gate_over_its_blocks():
    # Six flows at rate f: the CNOT fails with e = 1 − (1 − 3f/2)² (see above); per block
    # 1 − (1 − e)^(1/10), per round over d rounds (1 − (1 − 2b)^(1/d))/2.
    from qec.channel import CNOT_BLOCKS, cnot_equivalent_points
    from qec.fit import Point

    f, d, p = 0.02, 5, 0.002
    groups = {}
    for b in "xz":
        for flow in cnot_flows(b):
            pt = Point.from_counts(
                code="surface_rotated",
                noise="circuit",
                basis=b,
                d=d,
                p=p,
                rounds=4 * d,
                shots=10**6,
                errors=int(f * 10**6),
                experiment="cnot",
                observable=flow,
            )
            key = group_key("surface_rotated", "circuit", b, "pymatching", "cnot", flow)
            groups[key] = types.SimpleNamespace(points=(pt,), above_threshold=AboveThreshold())
    (point,) = cnot_equivalent_points(groups, noise="circuit", decoder="pymatching")
    e = 1 - (1 - 1.5 * f) ** 2
    block = 1 - (1 - e) ** (1 / CNOT_BLOCKS)
    assert point.shot_rate == pytest.approx(block)
    assert point.round_rate == pytest.approx((1 - (1 - 2 * block) ** (1 / d)) / 2)
    assert point.round_low < point.round_rate < point.round_high
