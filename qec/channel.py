"""The measured logical channel: Pauli channels per logical operation from sampled experiments.

No depolarizing assumption: each operation's channel is made of measured flip rates.

- **Two-qubit gate** (CNOT, and CZ by conjugation): the lattice-surgery CNOT's stabilizer-flow
  flips (``qec.surgery``). A flow fails when the logical error after the gate anticommutes with
  its output Pauli, so the X-type flows (outputs X_c, X_t, X_c X_t) give the joint law of the
  error's Z parts (z_c, z_t) and the Z-type flows that of its X parts (x_c, x_t), each by
  inclusion–exclusion over the three flows of the type. The two types are sampled in separate
  experiments, so their correlation (Y errors beyond chance) is not measured: the channel takes
  the X and Z parts as independent.
- **One-qubit gate and readout**: the X- and Z-basis memory flips over the rounds the
  operation takes, ``cycles_per_gate · d`` (one logical cycle of d rounds by default — the same
  count the scalar route and the QDK estimator use for a logical operation). A Z-basis memory
  fails on X (or Y) errors, an X-basis memory on Z (or Y) errors; taken as independent.
- A **CZ** is H_t · CNOT · H_t: an error E after the CNOT is H_t E H_t after the CZ, so the
  target's X and Z parts swap (its first qubit is the control).

The channel is a frozen record; ``qec.aer.measured_noise_model`` turns it into an Aer model.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Iterable, Mapping
from typing import Any

from qec.interval import Interval
from qec.surgery import cnot_flows

PAULIS = ("I", "X", "Y", "Z")
BOUNDS = ("best", "low", "high")


def _pauli(x: int, z: int) -> str:
    return {(0, 0): "I", (1, 0): "X", (1, 1): "Y", (0, 1): "Z"}[(x, z)]


def pair_law(f_a: float, f_b: float, f_ab: float) -> dict[tuple[int, int], float]:
    """The joint law of two bits from P(a), P(b) and P(a ⊕ b), by inclusion–exclusion.

    Negative cells (fitted rates that disagree within their noise) are clipped to 0 and the
    law renormalised.

    Example:
        >>> pair_law(0.1, 0.2, 0.26)  # independent: P(11) = 0.1 · 0.2
        {(0, 0): 0.72, (1, 0): 0.08, (0, 1): 0.18, (1, 1): 0.02}
    """
    p11 = (f_a + f_b - f_ab) / 2
    cells = {(1, 0): f_a - p11, (0, 1): f_b - p11, (1, 1): p11}
    cells = {k: max(v, 0.0) for k, v in cells.items()}
    total = sum(cells.values())
    if total > 1:
        cells = {k: v / total for k, v in cells.items()}
        total = 1.0
    return {(0, 0): round(1 - total, 15), **{k: round(v, 15) for k, v in cells.items()}}


def cnot_pauli_law(flips: Mapping[str, float]) -> dict[str, float]:
    """The CNOT's two-qubit Pauli error law (control first) from its six flow flip rates.

    Args:
        flips: Flip probability of each flow of ``cnot_flows("x")`` and ``cnot_flows("z")``.

    Raises:
        ValueError: ``flips`` lacks one of the six flows.

    Example:
        >>> law = cnot_pauli_law({"XXXI": 0.01, "IXIX": 0.0, "XIXX": 0.01,
        ...                       "ZIZI": 0.0, "ZZIZ": 0.02, "IZZZ": 0.02})
        >>> {k: round(v, 6) for k, v in sorted(law.items()) if v > 0 and k != "II"}
        {'IX': 0.0198, 'ZI': 0.0098, 'ZX': 0.0002}
    """
    missing = [f for f in (*cnot_flows("x"), *cnot_flows("z")) if f not in flips]
    if missing:
        raise ValueError(f"cnot flips lack the flows {missing}")
    laws = {}
    for basis in ("x", "z"):
        flows = cnot_flows(basis)
        # A flow tests the error parts its output (ports Out_C, Out_T) anticommutes with.
        tests = {f: tuple(int(letter != "I") for letter in f[2:]) for f in flows}
        by_test = {t: flips[f] for f, t in tests.items()}
        laws[basis] = pair_law(by_test[(1, 0)], by_test[(0, 1)], by_test[(1, 1)])
    # X-type flows read the Z parts (z_c, z_t); Z-type flows read the X parts (x_c, x_t).
    out: dict[str, float] = {}
    for (xc, xt), (zc, zt) in itertools.product(laws["z"], laws["x"]):
        out[_pauli(xc, zc) + _pauli(xt, zt)] = laws["z"][(xc, xt)] * laws["x"][(zc, zt)]
    return out


def cz_pauli_law(cnot_law: Mapping[str, float]) -> dict[str, float]:
    """A CZ's error law from its CNOT's: CZ = H_t CNOT H_t swaps the target's X and Z parts.

    Example:
        >>> cz_pauli_law({"II": 0.9, "IX": 0.1})
        {'II': 0.9, 'IZ': 0.1}
    """
    swap = {"I": "I", "X": "Z", "Z": "X", "Y": "Y"}
    return {c + swap[t]: v for (c, t), v in cnot_law.items()}


def memory_pauli_law(flip_z: float, flip_x: float) -> dict[str, float]:
    """One qubit's Pauli law from Z-basis (X errors) and X-basis (Z errors) memory flips.

    Example:
        >>> {k: round(v, 12) for k, v in memory_pauli_law(0.1, 0.2).items()}
        {'I': 0.72, 'X': 0.08, 'Y': 0.02, 'Z': 0.18}
    """
    return {"I": (1 - flip_z) * (1 - flip_x), "X": flip_z * (1 - flip_x), "Y": flip_z * flip_x,
            "Z": (1 - flip_z) * flip_x}  # fmt: skip


def shot_flip(per_round: float, rounds: float) -> float:
    """Probability that ``rounds`` rounds, each flipping with ``per_round``, flip an odd number
    of times: (1 − (1 − 2ε)^r) / 2 (the inverse of ``qec.fit.per_round``).

    Example:
        >>> round(shot_flip(0.05278640450004207, 2), 12)
        0.1
    """
    return (1 - (1 - 2 * min(per_round, 0.5)) ** rounds) / 2


@dataclasses.dataclass(frozen=True)
class LogicalChannel:
    """The measured logical Pauli channels at one code distance and physical error rate.

    Attributes:
        distance: Code distance d.
        p: Physical error rate the rates were measured (or modelled) at.
        rounds_per_gate: Rounds a one-qubit gate or a readout takes (``cycles_per_gate · d``).
        flip_z: Z-basis memory flip over those rounds (an X or Y error).
        flip_x: X-basis memory flip over those rounds (a Z or Y error).
        cnot_flips: Flip probability per CNOT of each stabilizer flow (``qec.surgery``).
        label: What the rates are, for tables.
        extrapolated: ``""``, or what the models extrapolate in at (d, p): ``d``, ``p``, ``d and p``.

    Raises:
        ValueError: a flip probability outside [0, 0.5].
    """

    distance: int
    p: float
    rounds_per_gate: float
    flip_z: float
    flip_x: float
    cnot_flips: tuple[tuple[str, float], ...]
    label: str = ""
    extrapolated: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "cnot_flips", tuple(sorted(dict(self.cnot_flips).items())))
        for name, value in [("flip_z", self.flip_z), ("flip_x", self.flip_x), *self.cnot_flips]:
            if not 0 <= value <= 0.5:
                raise ValueError(f"{name}={value!r} must be a flip probability in [0, 0.5]")

    @property
    def one_qubit(self) -> dict[str, float]:
        """The Pauli law of a one-qubit gate (``memory_pauli_law``)."""
        return memory_pauli_law(self.flip_z, self.flip_x)

    @property
    def readout(self) -> float:
        """The flip probability of a Z-basis logical readout (X or Y errors flip it)."""
        return self.flip_z

    @property
    def cnot(self) -> dict[str, float]:
        """The CNOT's two-qubit Pauli law, control first (``cnot_pauli_law``)."""
        return cnot_pauli_law(dict(self.cnot_flips))

    @property
    def cnot_error(self) -> float:
        """Probability that a CNOT suffers any logical error."""
        return 1 - self.cnot["II"]

    def to_dict(self) -> dict[str, Any]:
        """As JSON; ``from_dict`` reads it back."""
        return {**dataclasses.asdict(self), "cnot_flips": dict(self.cnot_flips)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> LogicalChannel:
        return cls(**{**data, "cnot_flips": tuple(dict(data["cnot_flips"]).items())})


class ChannelError(ValueError):
    """The fits lack a model the measured channel needs; the message says which."""


def channel_from_fits(
    groups: Mapping[str, Any],
    *,
    code: str,
    noise: str,
    decoder: str,
    distance: int,
    p: float,
    cycles_per_gate: float = 1.0,
    bound: str = "best",
) -> LogicalChannel:
    """The channel the fitted models predict at (``distance``, ``p``).

    Args:
        groups: ``fits.json`` groups by key (``qec.fit.read_fits``), as ``GroupFit`` records.
        code: Code of the memory groups (both bases) that give the one-qubit rates.
        noise: Noise model of the memory groups and of the CNOT's flows (the
            ``cnot:<flow>/surface_rotated/<noise>/<basis>/<decoder>`` groups).
        decoder: Whose fits make the channel.
        distance: Code distance.
        p: Physical error rate.
        cycles_per_gate: Logical cycles (of d rounds) a one-qubit gate or readout takes.
        bound: ``best``, or ``low``/``high``: every rate at that end of its model's interval.

    Raises:
        ChannelError: a group or its model is missing.
    """
    from qec.fit import group_key

    if bound not in BOUNDS:
        raise ValueError(f"bound={bound!r} is not allowed; allowed: {BOUNDS}")
    rounds = cycles_per_gate * distance
    outside: set[str] = set()

    def rate(key: str) -> float:
        group = groups.get(key)
        if group is None or group.model is None:
            why = "not in the fits" if group is None else f"has no model ({group.model_note})"
            raise ChannelError(f"the measured channel needs the fit {key!r}, which is {why}")
        model = group.model
        outside.update(set(model.extrapolated(distance, p).split(" and ")) - {""})
        if bound == "best":
            return min(model.eps_round(distance, p), 0.5)
        interval = model.eps_round_interval(distance, p)
        return min(interval.low if bound == "low" else interval.high, 0.5)

    flip_z = shot_flip(rate(group_key(code, noise, "z", decoder)), rounds)
    flip_x = shot_flip(rate(group_key(code, noise, "x", decoder)), rounds)
    flips = {flow: rate(group_key("surface_rotated", noise, basis, decoder, "cnot", flow))
             for basis in ("x", "z") for flow in cnot_flows(basis)}  # fmt: skip
    extrapolated = " and ".join(sorted(outside))
    where = f"extrapolated in {extrapolated}" if outside else "within the sampled range"
    return LogicalChannel(distance=distance, p=p, rounds_per_gate=rounds, flip_z=flip_z, flip_x=flip_x,
                          cnot_flips=tuple(flips.items()), extrapolated=extrapolated,
                          label=f"{decoder}, models at d={distance} ({bound}; {where})")  # fmt: skip


# tqec's filled CNOT occupies ten patch-blocks of spacetime (``BlockGraph.spacetime_volume`` of
# the filled graph; the gate itself is six, the rest its preparation and readout), each about d
# rounds of one patch: what QDK's per-patch, per-logical-cycle formula counts.
CNOT_BLOCKS = 10


def sampled_cnot_errors(
    flow_points: Mapping[str, Iterable[Any]],
) -> dict[tuple[int, float], tuple[Interval, int]]:
    """The CNOT's measured error per operation (any logical Pauli) at each sampled (d, p) that has
    all six flows: the best value from each flow's rate, the 95% ends with every flow at that end
    of its interval; and the fewest shots among the flows.

    Args:
        flow_points: Each flow's fitted points (``qec.fit.Point``), by flow (``XXXI``, ...).

    Example:
        >>> sampled_cnot_errors({})
        {}
    """
    flows: dict[tuple[int, float], dict[str, Any]] = {}
    for flow, points in flow_points.items():
        for pt in points:
            flows.setdefault((pt.d, pt.p), {})[flow] = pt
    out = {}
    for (d, p), by_flow in sorted(flows.items()):
        if len(by_flow) < 6:  # three flows of each type
            continue
        best, low, high = (1 - cnot_pauli_law({f: getattr(pt.shot_interval, end)
                                               for f, pt in by_flow.items()})["II"]
                           for end in ("best", "low", "high"))  # fmt: skip
        out[(d, p)] = (Interval(best, low=low, high=high), min(pt.shots for pt in by_flow.values()))
    return out


def cnot_equivalent_points(groups: Mapping[str, Any], *, noise: str, decoder: str) -> list[Any]:
    """The CNOT's measured error spread over its patch-blocks, as per-round points of a memory-like
    fit: at each sampled (d, p) with all six flows, the any-Pauli error e (``sampled_cnot_errors``),
    per block 1 − (1 − e)^(1/CNOT_BLOCKS), per round over d rounds. Only p below every flow's
    measured "above threshold" limit.

    Example:
        >>> cnot_equivalent_points({}, noise="circuit", decoder="pymatching")
        []
    """
    from qec.fit import Point, group_key, per_round

    keys = {flow: group_key("surface_rotated", noise, basis, decoder, "cnot", flow)
            for basis in ("x", "z") for flow in cnot_flows(basis)}  # fmt: skip
    if any(k not in groups for k in keys.values()):
        return []
    limits = (groups[k].above_threshold.limit for k in keys.values())
    limit = min((x for x in limits if x is not None), default=float("inf"))
    points = []
    errors = sampled_cnot_errors({flow: groups[k].points for flow, k in keys.items()})
    for (d, p), (error, shots) in errors.items():
        if p >= limit:
            continue
        block = [1 - (1 - e) ** (1 / CNOT_BLOCKS) for e in (error.best, error.low, error.high)]
        r, r_lo, r_hi = (per_round(b, d) for b in block)
        points.append(Point(code="surface_rotated", noise=noise, basis="cnot", d=d, p=p, rounds=d,
                            shots=shots, errors=round(block[0] * shots),
                            shot_interval=Interval(block[0], low=block[1], high=block[2]),
                            round_interval=Interval(r, low=r_lo, high=r_hi), decoder=decoder))  # fmt: skip
    return points


def cnot_equivalent_model(groups: Mapping[str, Any], *, noise: str, decoder: str) -> Any:
    """The suppression model (best form by AIC) of ``cnot_equivalent_points``: per-patch,
    per-cycle constants for QDK as the CNOT measured them, or None when they cannot be fitted."""
    from qec.fit import FitError, fit_models

    points = cnot_equivalent_points(groups, noise=noise, decoder=decoder)
    try:
        return fit_models(points)[0] if points else None
    except FitError:
        return None
