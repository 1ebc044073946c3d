"""Lattice-surgery logical operations as noiseless Stim circuits, built with tqec.

A logical CNOT between two rotated-surface-code patches (``tqec.gallery.cnot``) is a block
graph with four open ports (control and target, in and out). tqec fills the ports so that two
simulations cover every stabilizer flow of the gate: one with X-type flows, one with Z-type
flows. Here the X-type filling is the experiment's basis ``x`` and the Z-type filling basis
``z``; each circuit carries two logical observables, one per flow tqec measures.

Flows are written over the ports in tqec's order (In_Control, In_Target, Out_Control,
Out_Target): ``XIXX`` is X_c → X_c X_t. A flow's observable flips when the logical error after
the gate anticommutes with its output part (the last two letters). The product of a filling's
two flows is a flow too, and flips when exactly one of them does: ``cnot_flows`` lists all
three per basis, so the two-qubit error's joint distribution in that basis is determined.

tqec's own noise models are not used: the circuit is generated noiseless and ``qec``'s noise
models (``NoiseModel.apply``) place every channel, exactly as on memory experiments.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

from qec._check import is_int

if TYPE_CHECKING:
    import stim

# The stabilizer flows tqec simulates per filling, in the order of the circuit's observables,
# and the product of the two (flips iff exactly one of them flips). Ports: In_C, In_T, Out_C, Out_T.
_MEASURED_FLOWS: dict[str, tuple[str, str]] = {"x": ("XXXI", "XIXX"), "z": ("ZIZI", "ZZIZ")}


def cnot_flows(basis: str) -> tuple[str, str, str]:
    """The CNOT's non-trivial stabilizer flows of one basis: the two tqec measures and their product.

    Raises:
        ValueError: ``basis`` is not ``x`` or ``z``.

    Example:
        >>> cnot_flows("x"), cnot_flows("z")
        (('XXXI', 'XIXX', 'IXIX'), ('ZIZI', 'ZZIZ', 'IZZZ'))
    """
    if basis not in _MEASURED_FLOWS:
        raise ValueError(f"basis={basis!r} is not allowed for the cnot experiment; allowed: ('x', 'z')")
    a, b = _MEASURED_FLOWS[basis]
    return a, b, flow_product(a, b)


def flow_product(a: str, b: str) -> str:
    """The product of two flows of one basis (shared letters cancel).

    Example:
        >>> flow_product("XXXI", "XIXX")
        'IXIX'
    """
    # Flows of one basis hold one Pauli letter or I per port: their product drops the shared letters.
    return "".join("I" if x == y else (x if y == "I" else y) for x, y in zip(a, b, strict=True))


# tqec builds the CNOT in ~6 s at d = 3 and ~40 s at d = 7, growing about as d³: d = 15 is minutes.
MAX_CNOT_DISTANCE = 15


def check_cnot_distance(distance: int) -> None:
    """Refuse a distance tqec's CNOT cannot be built at (d = 2k + 1, k ≥ 1) or not in reasonable
    time (at most ``MAX_CNOT_DISTANCE``).

    Raises:
        ValueError: ``distance`` is not odd and ≥ 3, or exceeds ``MAX_CNOT_DISTANCE``.

    Example:
        >>> check_cnot_distance(4)
        Traceback (most recent call last):
        ...
        ValueError: distance=4 is not allowed for the cnot experiment: tqec builds d = 2k + 1 (odd, >= 3)
    """
    if is_int(distance) and distance > MAX_CNOT_DISTANCE:
        raise ValueError(f"distance={distance} is not allowed for the cnot experiment: at most "
                         f"{MAX_CNOT_DISTANCE} (tqec's build time grows about as d³)")  # fmt: skip
    if not is_int(distance) or distance < 3 or distance % 2 == 0:
        raise ValueError(f"distance={distance!r} is not allowed for the cnot experiment: tqec builds "
                         "d = 2k + 1 (odd, >= 3)")  # fmt: skip


def cnot_circuit(distance: int, basis: str) -> stim.Circuit:
    """The noiseless lattice-surgery CNOT of ``tqec.gallery.cnot()`` at ``distance``, filled for
    the ``basis``-type flows (``cnot_flows(basis)[:2]`` are its observables 0 and 1).

    Building it takes tqec about ten seconds at d = 3 (once per process: it is cached); its shape
    is checked in ``tests/surgery_test.py``.

    Example:
        >>> cnot_circuit(4, "z")
        Traceback (most recent call last):
        ...
        ValueError: distance=4 is not allowed for the cnot experiment: tqec builds d = 2k + 1 (odd, >= 3)
    """
    import stim

    check_cnot_distance(distance)
    cnot_flows(basis)  # validates the basis
    return stim.Circuit(_cnot_text(distance, basis))


@functools.cache
def _cnot_text(distance: int, basis: str) -> str:
    import warnings

    from tqec import compile_block_graph
    from tqec.gallery import cnot

    with warnings.catch_warnings():  # tqec warns about its detector database on first use
        warnings.simplefilter("ignore")
        fillings = cnot().fill_ports_for_minimal_simulation()
        by_flows = {tuple(f.stabilizers): f for f in fillings}
        filling = by_flows.get(_MEASURED_FLOWS[basis])
        if filling is None:  # a tqec whose filling differs from the one this module was written for
            raise ValueError(f"tqec filled the CNOT's ports as {sorted(by_flows)}; expected the flows "
                             f"{_MEASURED_FLOWS[basis]} for basis {basis!r}")  # fmt: skip
        graph = compile_block_graph(filling.graph, observables=filling.observables)
        circuit = graph.generate_stim_circuit((distance - 1) // 2, noise_model=None, do_not_use_database=True)
    return str(circuit)
