"""Points: one task's counts as rates with 95% intervals, read from sinter stats."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterable

import sinter

from qec._check import check_int, check_number
from qec.codes import EXPERIMENTS
from qec.interval import Interval, flat_attributes, json_keys
from qec.noise import NOISE_NAMES, NoiseModel
from qec.sampling import DEFAULT_DECODER
from qec.stats import binomial_interval

REQUIRED_METADATA = ("code", "noise", "d", "p", "rounds", "basis")
CONFIDENCE = 0.95
_Z = 1.959963984540054  # scipy.stats.norm.ppf(0.975), written out: this module imports scipy lazily


class FitError(ValueError):
    """Data that cannot support the requested fit; the message says why."""


def per_round(shot_rate: float, rounds: int) -> float:
    """Per-round error rate of a ``rounds``-round memory with per-shot error ``shot_rate``.

    ``(1 - (1 - 2S)**(1/r)) / 2``: the rate at which r independent rounds, each flipping the
    logical with this probability, flip it an odd number of times with probability S.

    Example:
        >>> per_round(0.1, 2)  # sinter's documented example
        0.05278640450004207
    """
    return float(sinter.shot_error_rate_to_piece_error_rate(shot_rate, pieces=rounds))


@flat_attributes
@dataclasses.dataclass(frozen=True)
class Point:
    """One (code, noise, basis, d, p, rounds) task decoded by one decoder: counts and rates with
    95% intervals.

    Per-round rates divide over the rounds that carry noise: all of them, except for the
    code-capacity models whose noise happens once (``NoiseModel.noisy_rounds``).

    Attributes:
        code: Code family. noise: Noise model. basis: Memory basis.
        d: Distance. p: Physical error rate. rounds: Rounds per shot.
        shots: Shots kept (discards removed). errors: Logical errors.
        shot_interval: Per-shot logical error and its 95% LR interval (in fits.json and as
            attributes: ``shot_rate``, ``shot_low``, ``shot_high``).
        round_interval: The same converted to per-round (``round_rate``, ``round_low``,
            ``round_high``).
        decoder: The sinter decoder that decoded the shots.
        experiment: ``memory`` or a gate experiment (``cnot``). A gate's rates are per
            operation: its "per-round" rate is the per-shot rate (one gate per shot).
        observable: For a gate, the stabilizer flow whose flips these are (``qec.surgery``);
            ``""`` for memory.
    """

    code: str
    noise: str
    basis: str
    d: int
    p: float
    rounds: int
    shots: int
    errors: int
    shot_interval: Interval = dataclasses.field(metadata=json_keys("shot_rate", "shot_low", "shot_high"))
    round_interval: Interval = dataclasses.field(metadata=json_keys("round_rate", "round_low", "round_high"))
    decoder: str = DEFAULT_DECODER
    experiment: str = "memory"
    observable: str = ""

    @classmethod
    def from_counts(cls, *, code: str, noise: str, basis: str, d: int, p: float, rounds: int,
                    shots: int, errors: int, decoder: str = DEFAULT_DECODER, experiment: str = "memory",
                    observable: str = "") -> Point:  # fmt: skip
        """Build a point, computing the rates and intervals from the counts."""
        if shots <= 0:
            raise FitError(f"shots={shots} must be > 0")
        shot = binomial_interval(shots, errors)
        if experiment != "memory":
            noisy = 1  # one operation per shot: the gate's rate is the unit
        else:
            noisy = NoiseModel(noise, 0.0).noisy_rounds(rounds) if noise in NOISE_NAMES else rounds
        per = lambda rate: per_round(rate, noisy)  # noqa: E731
        return cls(code=code, noise=noise, basis=basis, d=d, p=p, rounds=rounds, shots=shots,
                   errors=errors, shot_interval=shot,
                   round_interval=Interval(per(shot.best), low=per(shot.low), high=per(shot.high)),
                   decoder=decoder, experiment=experiment, observable=observable)  # fmt: skip

    @property
    def shot_rate(self) -> float:
        """The per-shot logical error rate (``shot_interval.best``)."""
        return self.shot_interval.best

    @property
    def round_rate(self) -> float:
        """The per-round logical error rate (``round_interval.best``)."""
        return self.round_interval.best

    @property
    def log_round_sigma(self) -> float:
        """Standard error of ln(round_rate), read off the width of its 95% interval."""
        low = max(self.round_interval.low, 1e-300)
        return (math.log(self.round_interval.high) - math.log(low)) / (2 * _Z)


def check_metadata(metadata: dict, *, where: str) -> tuple[int, float, int]:
    """(d, p, rounds) of a row's metadata, each checked: the one check of them every fit's
    points go through (catalog B12: NaN p was fitted; B13: d = -3; B17: d = 3.5 became 3).

    Raises:
        FitError: d is not an integer >= 2, p not a number in (0, 0.5], or rounds not an
            integer >= 1 (the message names ``where``, the key and its value).

    Example:
        >>> check_metadata({"d": 3.5, "p": 0.01, "rounds": 3}, where="s.csv:2")
        Traceback (most recent call last):
        ...
        qec.fit.points.FitError: s.csv:2: json_metadata d=3.5 must be an integer >= 2
    """
    try:
        return (check_int("d", metadata["d"], least=2),
                check_number("p", metadata["p"], low=0, high=0.5, closed="(]"),
                check_int("rounds", metadata["rounds"], least=1))  # fmt: skip
    except ValueError as e:
        raise FitError(f"{where}: json_metadata {e}") from None


def points_from_stats(
    stats: Iterable[sinter.TaskStats], *, origin: dict[str, str] | None = None
) -> list[Point]:
    """Turn merged sinter stats into points, checking the metadata each fit needs.

    Args:
        stats: sinter stats, one per task (merge rows first, e.g. with ``qec.read_stats``).
        origin: Optional ``strong_id`` → "file:line", used in error messages.

    Raises:
        FitError: a row lacks a metadata key, has a d, p or rounds ``check_metadata`` refuses,
            has zero shots, or one task and decoder appears twice.

    Example:
        >>> meta = {"code": "c", "noise": "circuit", "d": 3, "p": 0.01, "rounds": 2, "basis": "z"}
        >>> s = sinter.TaskStats(strong_id="a", decoder="pymatching", json_metadata=meta,
        ...                      shots=1000, errors=100)
        >>> (pt,) = points_from_stats([s])
        >>> pt.shot_rate, round(pt.round_rate, 6)
        (0.1, 0.052786)
    """
    origin = origin or {}
    seen: set[tuple] = set()
    points = []
    for s in stats:
        where = origin.get(s.strong_id, f"task {s.strong_id[:12]}")
        m = s.json_metadata
        if not isinstance(m, dict):
            raise FitError(f"{where}: json_metadata must be an object with keys {REQUIRED_METADATA}")
        missing = [k for k in REQUIRED_METADATA if k not in m]
        if missing:
            raise FitError(f"{where}: json_metadata lacks {', '.join(missing)} (needs {REQUIRED_METADATA})")
        key = (*(m[k] for k in REQUIRED_METADATA), m.get("experiment", "memory"), s.decoder)
        if key in seen:
            raise FitError(f"{where}: task {dict(zip(REQUIRED_METADATA, key, strict=False))} decoded by "
                           f"{s.decoder!r} appears twice; merge rows first (qec combine)")  # fmt: skip
        seen.add(key)
        shots = s.shots - s.discards
        if shots <= 0:
            raise FitError(f"{where}: zero shots (shots={s.shots}, discards={s.discards})")
        d, p, rounds = check_metadata(m, where=where)
        common = dict(code=str(m["code"]), noise=str(m["noise"]), basis=str(m["basis"]), d=d, p=p,
                      rounds=rounds, shots=shots, decoder=s.decoder)  # fmt: skip
        experiment = m.get("experiment", "memory")
        if experiment not in EXPERIMENTS:
            raise FitError(f"{where}: experiment={experiment!r} is not known; allowed: {EXPERIMENTS}")
        if experiment == "memory":
            points.append(Point.from_counts(**common, errors=s.errors))
        else:
            for flow, errors in flow_errors(s, where=where).items():
                points.append(Point.from_counts(**common, errors=errors, experiment=str(experiment),
                                                observable=flow))  # fmt: skip
    return sorted(points, key=lambda pt: (pt.experiment, pt.observable, pt.code, pt.noise, pt.basis,
                                          pt.decoder, pt.d, pt.p, pt.rounds))  # fmt: skip


MASK_PREFIX = "obs_mistake_mask="


def flow_errors(stats: sinter.TaskStats, *, where: str = "") -> dict[str, int]:
    """Logical errors per stabilizer flow of a two-observable gate row: each measured flow (the
    row's ``flows``, observable 0 and 1) and their product, which fails when exactly one does.

    The counts come from sinter's per-shot failure masks (``obs_mistake_mask=E_``: observable 0
    failed, 1 did not), which ``qec.collect`` records for gate experiments.

    Example:
        >>> import collections, sinter
        >>> s = sinter.TaskStats(strong_id="a", decoder="pymatching", shots=1000, errors=30,
        ...     json_metadata={"flows": ["XXXI", "XIXX"], "basis": "x"},
        ...     custom_counts=collections.Counter({"obs_mistake_mask=E_": 10, "obs_mistake_mask=EE": 20}))
        >>> flow_errors(s)
        {'XXXI': 30, 'XIXX': 20, 'IXIX': 10}
    """
    from qec.surgery import cnot_flows, flow_product

    where = where or f"task {stats.strong_id[:12]}"
    flows = stats.json_metadata.get("flows") if isinstance(stats.json_metadata, dict) else None
    if not (isinstance(flows, list) and len(flows) == 2 and all(isinstance(f, str) for f in flows)):
        raise FitError(f"{where}: a gate row needs json_metadata 'flows' naming its two observables' "
                       f"stabilizer flows; got {flows!r}")  # fmt: skip
    masks = {k[len(MASK_PREFIX) :]: v for k, v in stats.custom_counts.items() if k.startswith(MASK_PREFIX)}
    if sum(masks.values()) != stats.errors or any(len(k) != 2 or set(k) - {"E", "_"} for k in masks):
        raise FitError(f"{where}: its per-observable failure counts ({dict(masks)}) do not add up to its "
                       f"{stats.errors} errors over 2 observables; sample it with qec sample "
                       "(which counts them)")  # fmt: skip
    basis = stats.json_metadata.get("basis")
    if basis not in ("x", "z") or tuple(flows) != cnot_flows(basis)[:2]:
        raise FitError(f"{where}: flows={flows!r} with basis={basis!r} are not the CNOT's measured "
                       "flows; allowed: ['XXXI', 'XIXX'] with basis 'x', ['ZIZI', 'ZZIZ'] with "
                       "basis 'z'")  # fmt: skip
    a, b = flows
    return {
        a: sum(v for k, v in masks.items() if k[0] == "E"),
        b: sum(v for k, v in masks.items() if k[1] == "E"),
        flow_product(a, b): sum(v for k, v in masks.items() if k.count("E") == 1),
    }
