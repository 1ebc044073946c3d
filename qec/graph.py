"""The decoding graph of a noisy circuit: its size and its effective (graphlike) distance."""

from __future__ import annotations

import dataclasses

import networkx as nx
import numpy as np
import pymatching
import scipy.sparse
import scipy.sparse.csgraph
import stim

from qec.codes import Code, used_qubits
from qec.sampling import Experiment


@dataclasses.dataclass(frozen=True)
class CircuitReport:
    """What to check about a noisy memory experiment before spending CPU hours on it.

    Attributes:
        experiment: The experiment described.
        physical_qubits: Qubits the circuit acts on (data + measure).
        data_qubits: Data qubits of the code.
        measure_qubits: Measure qubits of the code.
        detectors: Detectors in the circuit.
        error_mechanisms: Distinct error mechanisms in its detector error model.
        graph_nodes: Nodes of PyMatching's decoding graph (detectors + boundary).
        graph_edges: Edges of PyMatching's decoding graph.
        graph_distance: Fewest graphlike error mechanisms that flip the logical observable
            undetected: the shortest odd-parity cycle of the decoding graph, parallel edges kept.
        stim_distance: ``len(circuit.shortest_graphlike_error())``, the same quantity by Stim.
    """

    experiment: Experiment
    physical_qubits: int
    data_qubits: int
    measure_qubits: int
    detectors: int
    error_mechanisms: int
    graph_nodes: int
    graph_edges: int
    graph_distance: int
    stim_distance: int

    @property
    def has_hook_errors(self) -> bool:
        """True if the circuit's effective distance is below the code distance."""
        return min(self.graph_distance, self.stim_distance) < self.experiment.distance

    def __str__(self) -> str:
        e = self.experiment
        lines = [
            f"{e.code} d={e.distance} rounds={e.rounds} basis={e.basis} noise={e.noise.name} p={e.noise.p}",
            f"  physical qubits   {self.physical_qubits} ({self.data_qubits} data + "
            f"{self.measure_qubits} measure)",
            f"  detectors         {self.detectors}",
            f"  error mechanisms  {self.error_mechanisms}",
            f"  decoding graph    {self.graph_nodes} nodes, {self.graph_edges} edges",
            f"  graphlike distance {self.graph_distance} (decoding graph), "
            f"{self.stim_distance} (stim shortest_graphlike_error)",
        ]
        if self.graph_distance != self.stim_distance:
            lines.append("  WARNING: the two distance computations disagree")
        if self.has_hook_errors:
            lines.append(f"  WARNING: effective distance below d={e.distance}: hook errors?")
        return "\n".join(lines)


# Physical qubits × rounds qec inspect analyses: its distance searches (the decoding graph's and
# Stim's shortest_graphlike_error) took ~10 s at 10⁴ (d = 17) and ~40 s at 3·10⁴ (d = 25) on a
# 2-core machine, growing faster than the square; the sampler's MAX_QUBIT_ROUNDS is far beyond.
MAX_INSPECT_QUBIT_ROUNDS = 2 * 10**4


def matching_graph(circuit: stim.Circuit | stim.DetectorErrorModel) -> nx.Graph:
    """PyMatching's decoding graph of a noisy circuit (or its error model) as networkx.

    Edges carry ``fault_ids`` (observables flipped), ``weight`` and ``error_probability``;
    the boundary node has ``is_boundary=True``.

    Example:
        >>> import qec
        >>> e = qec.Experiment("repetition", distance=3, rounds=1, basis="z",
        ...                    noise=qec.NoiseModel("code_capacity_bitflip", 0.1))
        >>> g = matching_graph(e.circuit())
        >>> g.number_of_nodes(), g.number_of_edges()
        (3, 3)
    """
    dem = circuit if isinstance(circuit, stim.DetectorErrorModel) else _dem(circuit)
    return pymatching.Matching.from_detector_error_model(dem).to_networkx()


def _dem(circuit: stim.Circuit) -> stim.DetectorErrorModel:
    return circuit.detector_error_model(decompose_errors=True)


def graphlike_edges(
    dem: stim.DetectorErrorModel, *, observable: int = 0
) -> tuple[list[tuple[int, int, int]], int]:
    """Every graphlike error of ``dem`` as an edge (u, v, flips observable), boundary = −1.

    Parallel edges are kept: PyMatching's graph merges two errors between the same detectors
    into one edge, and when one of them flips the observable and the other does not, the
    distance-2 logical error they form together disappears from it. Returns the edges and the
    number of detectors.

    Example:
        >>> dem = stim.DetectorErrorModel("error(0.1) D0 L0\\nerror(0.1) D0\\nerror(0.1) D0 D1")
        >>> graphlike_edges(dem)
        ([(0, -1, 1), (0, -1, 0), (0, 1, 0)], 2)
    """
    edges: list[tuple[int, int, int]] = []
    for inst in dem.flattened():
        if inst.type != "error":
            continue
        component: list[stim.DemTarget] = []
        for target in [*inst.targets_copy(), None]:  # None closes the last component
            if target is not None and not target.is_separator():
                component.append(target)
                continue
            dets = [t.val for t in component if t.is_relative_detector_id()]
            flip = int(sum(1 for t in component if t.is_logical_observable_id() and t.val == observable) % 2)
            if len(dets) == 2:
                edges.append((dets[0], dets[1], flip))
            elif len(dets) == 1:
                edges.append((dets[0], -1, flip))
            elif not dets and flip:
                edges.append((-1, -1, 1))  # a logical error no detector sees: distance 1
            component = []
    return edges, dem.num_detectors


def graphlike_distance(graph: nx.Graph | stim.DetectorErrorModel, *, observable: int = 0) -> int:
    """Fewest graphlike errors whose flips cancel on every detector but flip ``observable``.

    Undetectable error sets are the cycles of the decoding graph (the boundary is one
    node); a logical error is a cycle crossing the observable an odd number of times.
    Lifting every node to (node, parity) turns that into a shortest path from (v, 0) to
    (v, 1), found by breadth-first search from every node. Given a detector error model,
    parallel errors are kept (see ``graphlike_edges``); given a networkx graph, its edges.

    Raises:
        ValueError: no error in the graph flips ``observable``.

    Example:
        >>> g = nx.cycle_graph(5)
        >>> nx.set_edge_attributes(g, set(), "fault_ids")
        >>> g.edges[0, 1]["fault_ids"] = {0}
        >>> graphlike_distance(g)
        5
    """
    if isinstance(graph, stim.DetectorErrorModel):
        edges, n_det = graphlike_edges(graph, observable=observable)
        if any(u == v == -1 for u, v, _ in edges):
            return 1
        nodes = [*range(n_det), -1]
        pairs = [(u, v, flip) for u, v, flip in edges]
    else:
        nodes = list(graph.nodes)
        pairs = [(u, v, int(observable in a.get("fault_ids", ()))) for u, v, a in graph.edges(data=True)]
    n = len(nodes)
    index = {v: i for i, v in enumerate(nodes)}
    rows, cols = [], []
    for u, v, flip in pairs:
        for b in (0, 1):
            rows.append(index[u] + b * n)
            cols.append(index[v] + (b ^ flip) * n)
    lifted = scipy.sparse.coo_matrix((np.ones(len(rows)), (rows, cols)), shape=(2 * n, 2 * n)).tocsr()
    best = np.inf
    # Every odd cycle crosses a flipping edge, so it passes through the first end of one: those
    # nodes alone need a search (a few per round, not every detector).
    starts = np.unique([index[u] for u, _, flip in pairs if flip])
    chunk = 256  # bounds memory at chunk × 2n distances
    for start in range(0, len(starts), chunk):
        sources = starts[start : start + chunk]
        dist = scipy.sparse.csgraph.shortest_path(
            lifted, method="D", directed=False, unweighted=True, indices=sources
        )
        best = min(best, float(dist[np.arange(len(sources)), sources + n].min()))
    if not np.isfinite(best):
        raise ValueError(f"no error in the graph flips observable {observable}")
    return int(best)


def inspect_experiment(experiment: Experiment) -> CircuitReport:
    """Describe the noisy circuit of ``experiment``: size, decoding graph, distance.

    Raises:
        ValueError: the experiment is larger than ``MAX_INSPECT_QUBIT_ROUNDS`` qubit-rounds, or
            its circuit has no error mechanisms (p = 0).

    Example:
        >>> import qec
        >>> e = qec.Experiment("surface_rotated", distance=3, rounds=3, basis="z",
        ...                    noise=qec.NoiseModel("circuit", 0.001))
        >>> r = qec.inspect_experiment(e)
        >>> r.physical_qubits, r.detectors, r.graph_distance, r.stim_distance
        (17, 24, 3, 3)
    """
    code = Code(experiment.code, experiment.distance)
    size = code.physical_qubits * experiment.rounds
    if size > MAX_INSPECT_QUBIT_ROUNDS:  # catalog C16, C17: still searching after minutes
        raise ValueError(f"distance={experiment.distance} with rounds={experiment.rounds} is {size:.3g} "
                         f"qubit-rounds; qec inspect searches its decoding graph for the distance (and "
                         f"Stim's shortest_graphlike_error too), which grows faster than the square of "
                         f"that: at most {MAX_INSPECT_QUBIT_ROUNDS:.0e} (about half a minute); lower the "
                         "distance or the rounds")  # fmt: skip
    circuit = experiment.circuit()
    dem = _dem(circuit)  # once: the graph and the error count both come from it
    if dem.num_errors == 0:  # catalog C1, C5, C7: p = 0 was a traceback from the distance search
        raise ValueError(f"p={experiment.noise.p!r}: the noisy circuit has no error mechanisms, so there is "
                         "no decoding graph or distance to inspect; give p > 0")  # fmt: skip
    graph = matching_graph(dem)
    return CircuitReport(
        experiment=experiment,
        physical_qubits=len(used_qubits(circuit)),
        data_qubits=code.data_qubits,
        measure_qubits=code.measure_qubits,
        detectors=circuit.num_detectors,
        error_mechanisms=dem.num_errors,
        graph_nodes=graph.number_of_nodes(),
        graph_edges=graph.number_of_edges(),
        graph_distance=graphlike_distance(dem),
        stim_distance=len(circuit.shortest_graphlike_error()),
    )
