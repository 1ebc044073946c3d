"""d* from the measured logical channel: the QNN evaluated under each candidate distance's channel.

The scalar route turns ε* into a distance through one memory patch (ε_op = 1 − (1 − ε_round)^(c·d)).
This route makes no such step: at each candidate odd d it builds the measured channel
(``qec.channel``: the lattice-surgery CNOT's flow flips for two-qubit gates, X/Z memory flips for
one-qubit gates and readouts), evaluates every seed's noiseless QNN under it on the same test
points as the tolerance, and takes d* as the smallest d whose paired accuracy change is within
−δ. The interval: the optimistic end is the smallest d whose change's upper bound reaches −δ
with every rate at its model's lower bound; the pessimistic end the smallest d whose change's
lower bound reaches −δ with every rate at its upper bound.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from qec.channel import ChannelError, LogicalChannel, channel_from_fits
from qec.interval import BootstrapInterval, Interval, flat_attributes, flat_dict, json_keys
from qec.surgery import cnot_flows

VERDICTS = ("hardware", "qec", "above_threshold", "unavailable")
CHANNEL_ASSUMPTIONS = (
    "CNOT: the lattice-surgery CNOT's measured flow flips (tqec, two patches and their merged region for "
    "4d rounds, its own preparation and readout included: an upper bound on the gate alone), X and Z "
    "parts independent; CZ: the same with the target's X and Z swapped (CZ = H_t CNOT H_t); "
    "one-qubit gates and readouts: the X/Z memory flips over c·d rounds; d* [low, high]: the "
    "smallest odd d whose change (or its interval's upper / lower end, with every rate at its "
    "model's lower / upper bound) is ≥ −δ; CNOT/mem: the CNOT's error over the scalar route's ε_op at d*"
)
MIN_DISTANCE = 3  # the smallest CNOT tqec builds


@flat_attributes
@dataclasses.dataclass(frozen=True)
class ChannelRow:
    """The measured-channel budget at one p for one decoder.

    Attributes:
        p: Physical error rate. decoder: The decoder whose fits made the channel.
        verdict: ``hardware`` (no QEC needed, as the scalar route measured it), ``qec``,
            ``above_threshold`` (the measured CNOT or memory does not improve with d at p, or
            no d up to the limit reaches −δ) or ``unavailable`` (a model is missing; see note).
        d_star_interval: Smallest odd d within −δ, and its interval (an end is None when
            open-ended; the whole None when not applicable). ``d_star``, ``d_star_low`` and
            ``d_star_high`` read its parts, as in ``BudgetRow`` and the file.
        delta_accuracy: Paired accuracy change under the channel at d*, with its bootstrap
            interval.
        cnot_error: Probability that one logical CNOT fails (any Pauli) at d*, with every flow's
            rate at the lower / upper end of its model's 95% interval for the ends.
        memory_eps_op: The scalar route's ε_op at d* (one memory patch, c·d rounds), with its
            model's 95% interval.
        cnot_vs_memory: ``cnot_error / memory_eps_op``: how far the memory assumption is off;
            its ends divide opposite ends (the two are measured in separate experiments, so this
            covers at least 95%: conservative).
        d_star_scalar: The scalar route's d* at the same p and decoder, for comparison.
        extrapolated: ``""``, or what the channel at d* extrapolates in (``d``, ``p``, ``d and p``).
        evaluations: Channels the QNN was evaluated under to find this row.
        note: Why, where the verdict needs a word.

    Raises:
        ValueError: ``verdict`` is not one of ``VERDICTS``.
    """

    p: float
    decoder: str
    verdict: str
    d_star_interval: Interval[int] | None = dataclasses.field(
        default=None, metadata=json_keys("d_star", "d_star_low", "d_star_high")
    )
    delta_accuracy: BootstrapInterval | None = None
    cnot_error: Interval | None = None
    memory_eps_op: Interval | None = None
    cnot_vs_memory: Interval | None = None
    d_star_scalar: int | None = None
    extrapolated: str = ""
    evaluations: int = 0
    note: str = ""

    def __post_init__(self) -> None:
        if self.verdict not in VERDICTS:
            raise ValueError(f"verdict={self.verdict!r} is not allowed; allowed: {VERDICTS}")

    @property
    def d_star(self) -> int | None:
        """d* (None when not applicable): ``d_star_interval.best``."""
        return None if self.d_star_interval is None else self.d_star_interval.best

    def to_dict(self) -> dict[str, Any]:
        """The row as budget.json holds it: every interval as its flat keys (``d_star_low``, ...)."""
        return flat_dict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ChannelRow:
        from qec._check import record_fields

        return cls(**record_fields(cls, data, what="channel budget row"))


def smallest_passing(passes: Callable[[int], bool], *, start: int, d_max: int) -> int | None:
    """The smallest odd d in [3, ``d_max``] with ``passes(d)``, for a ``passes`` that is false
    then true as d grows; galloping from ``start`` then bisecting, so a good guess costs few calls.

    Example:
        >>> calls = []
        >>> smallest_passing(lambda d: calls.append(d) or d >= 13, start=9, d_max=101), len(calls)
        (13, 4)
    """
    start = min(max(MIN_DISTANCE, start | 1), d_max if d_max % 2 else d_max - 1)
    if passes(start):
        good, step = start, 2
        while True:
            d = max(MIN_DISTANCE, good - step)
            if d == good:
                return good
            if not passes(d):
                bad = d
                break
            good, step = d, step * 2
    else:
        bad, step = start, 2
        while True:
            d = min(bad + step, d_max if d_max % 2 else d_max - 1)
            if d == bad:
                return None
            if passes(d):
                good = d
                break
            bad, step = d, step * 2
    while good - bad > 2:  # bisect on odd distances
        mid = (bad + good) // 2 | 1
        if mid >= good:
            mid = good - 2
        if passes(mid):
            good = mid
        else:
            bad = mid
    return good


def cnot_above_threshold(groups: Mapping[str, Any], *, noise: str, decoder: str, p: float) -> str:
    """Why the measured CNOT does not improve with d at ``p`` (``""`` if it does, as far as the
    data say): any flow measured above threshold there (``qec.fit.AboveThreshold``: p above its
    threshold's interval, or where its Λ interval reaches 1), the rule memory rows follow too.

    Example:
        >>> cnot_above_threshold({}, noise="circuit", decoder="pymatching", p=0.001)
        ''
    """
    from qec.fit import group_key

    for basis in ("x", "z"):
        for flow in cnot_flows(basis):
            group = groups.get(group_key("surface_rotated", noise, basis, decoder, "cnot", flow))
            why = "" if group is None else group.above_threshold.reason(p)
            if why:
                return f"CNOT flow {flow}: {why}"
    return ""


def channel_row(
    *,
    p: float,
    decoder: str,
    scalar_verdict: str,
    scalar_d_star: int | None,
    groups: Mapping[str, Any],
    evaluate: Callable[[LogicalChannel], np.ndarray],
    baseline: np.ndarray,
    weights: np.ndarray,
    delta: float,
    code: str,
    noise: str,
    cycles_per_gate: float = 1.0,
    confidence: float = 0.95,
    max_distance: int = 101,
) -> ChannelRow:
    """One row of the measured-channel budget (see the module docstring).

    Args:
        p: The row's physical error rate.
        decoder: The row's decoder.
        scalar_verdict: The scalar route's verdict at the same p and decoder (its ``hardware``
            verdict is kept: it measured the QNN under physical noise, with no code at all).
        scalar_d_star: The scalar route's d* there: the search's first guess.
        groups: fits.json groups by key.
        evaluate: Channel → accuracy (seeds, points), paired with ``baseline``.
        baseline: The noiseless accuracy (seeds, points).
        weights: Bootstrap weights (replicates, seeds, points), as the tolerance draws them.
        delta: Accuracy loss tolerated.
        code: The memory groups' code.
        noise: The memory groups' (and the CNOT's) noise model.
        cycles_per_gate: Logical cycles a one-qubit gate or readout takes.
        confidence: Of the accuracy change's bootstrap interval.
        max_distance: Largest d searched.
    """
    base = {"p": p, "decoder": decoder, "d_star_scalar": scalar_d_star}
    if scalar_verdict == "hardware":
        return ChannelRow(**base, verdict="hardware", note="the QNN under physical noise stays within −δ")
    why = cnot_above_threshold(groups, noise=noise, decoder=decoder, p=p)
    if scalar_verdict == "above_threshold" or why:
        return ChannelRow(**base, verdict="above_threshold", note=why or "the memory is above threshold")
    cache: dict[tuple[int, str], tuple[LogicalChannel, float, float, float]] = {}

    def change(d: int, bound: str) -> tuple[LogicalChannel, float, float, float]:
        if (d, bound) not in cache:
            channel = channel_from_fits(groups, code=code, noise=noise, decoder=decoder, distance=d, p=p,
                                        cycles_per_gate=cycles_per_gate, bound=bound)  # fmt: skip
            diff = evaluate(channel) - baseline  # (seeds, points)
            reps = np.einsum("bsn,sn->b", weights, diff)
            lo, hi = np.quantile(reps, [(1 - confidence) / 2, (1 + confidence) / 2])
            cache[(d, bound)] = (channel, float(diff.mean()), float(lo), float(hi))
        return cache[(d, bound)]

    start = scalar_d_star or MIN_DISTANCE
    try:
        d = smallest_passing(lambda d: change(d, "best")[1] >= -delta, start=start, d_max=max_distance)
        if d is None:
            return ChannelRow(**base, verdict="above_threshold", evaluations=len(cache),
                              note=f"no d <= {max_distance} keeps the change within −δ")  # fmt: skip
        d_low = smallest_passing(lambda d: change(d, "low")[3] >= -delta, start=d, d_max=max_distance)
        d_high = smallest_passing(lambda d: change(d, "high")[2] >= -delta, start=d, d_max=max_distance)
    except ChannelError as e:
        return ChannelRow(**base, verdict="unavailable", evaluations=len(cache), note=str(e))
    channel, mean, lo, hi = change(d, "best")
    cnot, memory, vs_memory = _cnot_against_memory(channel, groups, code=code, noise=noise, decoder=decoder,
                                                   distance=d, p=p,
                                                   cycles_per_gate=cycles_per_gate)  # fmt: skip
    notes = []
    if d_high is None:
        notes.append(f"the pessimistic end needs d > {max_distance}")
    d_star = Interval(d, low=min(d_low or d, d), high=d_high)
    return ChannelRow(**base, verdict="qec", d_star_interval=d_star,
                      delta_accuracy=BootstrapInterval(mean, low=lo, high=hi),
                      cnot_error=cnot,
                      memory_eps_op=memory, cnot_vs_memory=vs_memory,
                      extrapolated=channel.extrapolated, evaluations=len(cache),
                      note="; ".join(notes))  # fmt: skip


def _cnot_against_memory(
    channel: LogicalChannel,
    groups: Mapping[str, Any],
    *,
    code: str,
    noise: str,
    decoder: str,
    distance: int,
    p: float,
    cycles_per_gate: float,
) -> tuple[Interval, Interval, Interval | None]:
    """At d*: the CNOT's error with its interval (the channel at the models' low and high ends),
    the scalar route's memory ε_op, and their ratio (None where the memory ε_op is 0)."""
    common = dict(code=code, noise=noise, decoder=decoder, distance=distance, p=p,
                  cycles_per_gate=cycles_per_gate)  # fmt: skip
    low, high = (channel_from_fits(groups, **common, bound=bound).cnot_error for bound in ("low", "high"))
    memory = memory_eps_op_interval(groups, **common)
    ratio = lambda a, b: a / b if b > 0 else None  # noqa: E731
    best = ratio(channel.cnot_error, memory.best)
    vs_memory = (
        None if best is None else Interval(best, low=ratio(low, memory.high), high=ratio(high, memory.low))
    )
    return Interval(channel.cnot_error, low=low, high=high), memory, vs_memory


def memory_eps_op(
    groups: Mapping[str, Any], *, code: str, noise: str, decoder: str, distance: int, p: float,
    cycles_per_gate: float = 1.0, basis: str = "z",
) -> float:  # fmt: skip
    """The scalar route's ε_op at (d, p): one ``basis`` memory patch for c·d rounds.

    Example:
        >>> memory_eps_op({}, code="surface_rotated", noise="circuit", decoder="pymatching",
        ...               distance=3, p=0.001)
        Traceback (most recent call last):
        ...
        qec.channel.ChannelError: the scalar route needs the fit 'surface_rotated/circuit/z/pymatching'
    """
    return memory_eps_op_interval(
        groups,
        code=code,
        noise=noise,
        decoder=decoder,
        distance=distance,
        p=p,
        cycles_per_gate=cycles_per_gate,
        basis=basis,
    ).best


def memory_eps_op_interval(
    groups: Mapping[str, Any], *, code: str, noise: str, decoder: str, distance: int, p: float,
    cycles_per_gate: float = 1.0, basis: str = "z",
) -> Interval:  # fmt: skip
    """``memory_eps_op`` with the 95% interval of its model's ε_round carried through."""
    from qec.fit import group_key, logical_eps_op

    key = group_key(code, noise, basis, decoder)
    group = groups.get(key)
    if group is None or group.model is None:
        raise ChannelError(f"the scalar route needs the fit {key!r}")
    rate = group.model.eps_round_interval(distance, p)
    op = lambda eps: logical_eps_op(min(eps, 1.0), distance=distance, cycles_per_gate=cycles_per_gate)  # noqa: E731
    return Interval(op(group.model.eps_round(distance, p)), low=op(rate.low), high=op(rate.high))


def format_rows(rows: Sequence[ChannelRow], *, delta: float) -> str:
    """The measured-channel table, beside the scalar route's d*."""
    lines = [
        f"d* from the measured logical channel (two-qubit gates: the lattice-surgery CNOT's flow flips; "
        f"one-qubit gates and readouts: X/Z memory flips), paired accuracy change within −δ = −{delta:g}; "
        f"at d*: the CNOT's error, the scalar route's ε_op and their ratio, each [95% interval]",
        f"{'p':>8} {'decoder':<22} {'verdict':<16} {'d* [interval]':<16} {'scalar d*':>9} "
        f"{'Δacc at d* [95%]':<28} {'CNOT error':<26} {'memory ε_op':<30} {'CNOT/mem':<20}  note",
    ]

    def num(x: Interval | None) -> str:
        if x is None:
            return ""
        ends = "" if x.low is None or x.high is None else f" [{x.low:.3g}, {x.high:.3g}]"
        return f"{x.best:.3g}{ends}"

    for r in rows:
        d = (
            ""
            if r.d_star_interval is None
            else (f"{r.d_star_interval.best} [{r.d_star_interval.low}, {r.d_star_interval.high or '>max'}]")
        )
        a = r.delta_accuracy
        acc = "" if a is None else f"{a.best:+.4f} [{a.low:+.4f}, {a.high:+.4f}]"
        scalar = "" if r.d_star_scalar is None else str(r.d_star_scalar)
        where = f"extrapolated in {r.extrapolated}" if r.extrapolated else ""
        note = "; ".join(x for x in (where, r.note) if x)
        lines.append(f"{r.p:>8g} {r.decoder:<22} {r.verdict:<16} {d:<16} {scalar:>9} {acc:<28} "
                     f"{num(r.cnot_error):<26} {num(r.memory_eps_op):<30} {num(r.cnot_vs_memory):<20}  "
                     f"{note}")  # fmt: skip
    return "\n".join(lines)


def channel_rows(
    scalar_rows: Sequence[Any],
    *,
    groups: Mapping[str, Any],
    workload: Any,
    delta: float,
    code: str,
    noise: str,
    cycles_per_gate: float = 1.0,
    confidence: float = 0.95,
    bootstrap: int = 1000,
    seed: int = 0,
    max_distance: int = 101,
    jobs: int = 1,
    progress: Callable[[str], None] | None = None,
) -> list[ChannelRow]:
    """The measured-channel row beside each scalar budget row (same p and decoder).

    Rows run in ``jobs`` processes; the noiseless baseline is evaluated once for all rows, then
    each row one channel per candidate distance it visits (``Workload.evaluate_channels``).

    Args:
        scalar_rows: ``qec.budget.BudgetRow`` records (verdict, d*, p, decoder).
        groups: fits.json groups by key.
        workload: A ``qec.qnn.Workload`` (inference).
        delta: Accuracy loss tolerated, as the tolerance measured ε*.
        confidence: Of the intervals, as the tolerance's.
        bootstrap: Bootstrap replicates, as the tolerance's.
        seed: Of the bootstrap weights, as the tolerance's.
        code: See ``channel_row``.
        noise: See ``channel_row``.
        cycles_per_gate: See ``channel_row``.
        max_distance: See ``channel_row``.
        jobs: Processes.
        progress: Called with one line per finished row.
    """
    import concurrent.futures
    import contextlib
    import functools

    from qec.tolerance import bootstrap_weights

    args = [dict(p=r.p, decoder=r.decoder, scalar_verdict=_scalar_verdict(r.verdict), scalar_d_star=r.d_star,
                 groups=groups, delta=delta, code=code, noise=noise, cycles_per_gate=cycles_per_gate,
                 confidence=confidence, max_distance=max_distance) for r in scalar_rows]  # fmt: skip
    # The noiseless baseline and the bootstrap weights are the same for every row: made once here.
    needed = any(a["scalar_verdict"] == "qec" for a in args)
    # (seeds, points)
    baseline = workload.evaluate(["none"]).accuracy[:, 0, :] if needed else np.zeros((1, 1))
    weights = bootstrap_weights(*baseline.shape, replicates=bootstrap, rng=np.random.default_rng(seed))
    common = dict(workload=workload, baseline=baseline, weights=weights)
    say = progress or (lambda _m: None)
    rows = []
    with contextlib.ExitStack() as stack:
        if jobs > 1 and len(args) > 1:
            pool = stack.enter_context(concurrent.futures.ProcessPoolExecutor(max_workers=jobs))
            results = pool.map(functools.partial(_row_job, **common), args)
        else:
            results = (_row_job(a, **common) for a in args)
        for a, row in zip(args, results, strict=True):
            rows.append(row)
            say(f"p = {a['p']:g}, {a['decoder']}: {row.verdict} {row.d_star or ''}")
    return rows


def _scalar_verdict(verdict: str) -> str:
    # The scalar route's verdicts that decide this route's: hardware, and above threshold as measured.
    return verdict if verdict in ("hardware", "above_threshold") else "qec"


def _row_job(args: dict[str, Any], *, workload: Any, baseline: np.ndarray, weights: np.ndarray) -> ChannelRow:
    """One row in a worker process: the search, paired with the shared baseline."""
    if args["scalar_verdict"] != "qec":
        return channel_row(**args, evaluate=_never, baseline=baseline, weights=weights)
    return channel_row(**args, evaluate=lambda ch: workload.evaluate_channels([ch])[:, 0, :],
                       baseline=baseline, weights=weights)  # fmt: skip


def _never(channel: LogicalChannel) -> np.ndarray:
    raise AssertionError("no evaluation is needed for this verdict")
