"""Tests of qec.graph: decoding-graph size and effective distance, cross-checked with Stim."""

import networkx as nx
import pytest
import stim

import qec
from qec.graph import graphlike_distance, matching_graph


@pytest.mark.parametrize("code", qec.CODE_NAMES)
@pytest.mark.parametrize("noise", ["code_capacity", "phenomenological", "circuit", "si1000"])
@pytest.mark.parametrize("d", [3, 5])
def test_distance_equals_d_and_agrees_with_stim(code, noise, d):
    experiment = qec.Experiment(code, distance=d, rounds=d, basis="z", noise=qec.NoiseModel(noise, 0.001))
    report = qec.inspect_experiment(experiment)
    assert report.graph_distance == report.stim_distance == d
    assert not report.has_hook_errors
    assert report.physical_qubits == qec.Code(code, d).physical_qubits
    assert report.graph_nodes <= report.detectors + 1  # detectors that some error touches + boundary


def with_cx_layers_reordered(circuit: stim.Circuit, order: tuple[int, ...]) -> stim.Circuit:
    """Permute the four CX layers of every round of a rotated-surface-code circuit."""
    out = stim.Circuit()
    insts = list(circuit)
    i = 0
    while i < len(insts):
        inst = insts[i]
        if isinstance(inst, stim.CircuitRepeatBlock):
            body = with_cx_layers_reordered(inst.body_copy(), order)
            out.append(stim.CircuitRepeatBlock(inst.repeat_count, body))
            i += 1
        elif inst.name == "CX":
            layers = [insts[i + 2 * k] for k in range(4)]  # CX TICK CX TICK CX TICK CX
            for k, j in enumerate(order):
                out.append(layers[j])
                if k < 3:
                    out.append("TICK")
            i += 7
        else:
            out.append(inst)
            i += 1
    return out


def test_a_bad_schedule_shows_hook_errors_as_lower_distance():
    # Swapping the middle two CX layers keeps every detector deterministic but turns the
    # measure-qubit hook errors parallel to the logical operator: distance 5 drops to 3.
    good = qec.Code("surface_rotated", 5).memory_circuit(rounds=5)
    bad = qec.NoiseModel("circuit", 0.001).apply(with_cx_layers_reordered(good, (0, 2, 1, 3)))
    assert graphlike_distance(matching_graph(bad)) == len(bad.shortest_graphlike_error()) == 3


def test_toy_graphs():
    # A path from the boundary node b through 4 detectors back to b, the observable on one edge.
    g = nx.cycle_graph(5)
    nx.set_edge_attributes(g, set(), "fault_ids")
    g.edges[2, 3]["fault_ids"] = {0}
    assert graphlike_distance(g) == 5
    # A chord with the observable makes a shorter odd cycle: 0-1-2-0 crossing it once.
    g.add_edge(0, 2, fault_ids={0})
    g.edges[2, 3]["fault_ids"] = set()
    assert graphlike_distance(g) == 3
    # No edge touches the observable: no logical error exists.
    nx.set_edge_attributes(g, set(), "fault_ids")
    with pytest.raises(ValueError, match="no error in the graph flips observable 0"):
        graphlike_distance(g)


def test_report_text_warns_on_hook_errors():
    experiment = qec.Experiment(
        "repetition", distance=3, rounds=3, basis="z", noise=qec.NoiseModel("circuit", 0.01)
    )
    text = str(qec.inspect_experiment(experiment))
    assert "physical qubits   5 (3 data + 2 measure)" in text
    assert "WARNING" not in text


@pytest.mark.parametrize(
    ("code", "d"),
    [
        ("repetition", 2),
        ("repetition", 3),
        ("surface_rotated", 2),
        ("surface_rotated", 4),
        ("surface_unrotated", 2),
    ],
)
def test_small_and_even_distances_agree_with_stim(code, d):
    # PyMatching's graph merges parallel edges; at d = 2 the two parallel errors that make a
    # distance-2 logical were merged into one and the graph said 3 (Stim: 2). Here d is the
    # expected graphlike distance of these standard circuits, and the two computations agree.
    e = qec.Experiment(code, distance=d, rounds=d, basis="z", noise=qec.NoiseModel("circuit", 0.001))
    r = qec.inspect_experiment(e)
    assert r.graph_distance == r.stim_distance == d
