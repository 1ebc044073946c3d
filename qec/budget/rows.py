"""Budget rows: at each p and decoder exactly one verdict, and d* with its interval where QEC is needed."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any

from qec._check import record_fields
from qec.codes import Code
from qec.fit import (
    AboveThreshold,
    SuppressionModel,
    logical_eps_op,
)
from qec.interval import BootstrapInterval, Interval, flat_attributes, flat_dict, json_keys
from qec.sampling import DEFAULT_DECODER
from qec.tolerance import Change, Tolerance

VERDICTS: dict[str, str] = {
    "hardware": "hardware alone suffices",
    "qec": "QEC needed",
    "above_threshold": "above threshold: no distance suffices",
    "no_distance": "QEC needed; the model finds no d",
}


_QEC_NEEDED = {"hardware": False, "qec": True, "above_threshold": None, "no_distance": True}


@flat_attributes
@dataclasses.dataclass(frozen=True)
class BudgetRow:
    """The budget at one physical error rate with one decoder: exactly one of ``VERDICTS``.

    Attributes:
        p: Physical error rate.
        decoder: The decoder whose suppression model gave d* (the no-QEC verdict does not
            depend on it).
        verdict: ``hardware`` (the QNN under the physical model at p stays within δ),
            ``qec`` (it does not, and a distance suffices), ``above_threshold`` (p is above
            the measured threshold, or where Λ's interval reaches 1: ``AboveThreshold``) or
            ``no_distance`` (below it, but the model finds no distance: p at or above the
            model's p_th, an extrapolation parameter, or d beyond the search).
        qec_needed: False, True, or None (above threshold), as ``verdict`` says.
        physical_delta_accuracy: Paired accuracy change under the physical model at p (no QEC),
            with its interval.
        d_star_interval: d*, the smallest odd d with ε_op(d, p) ≤ ε* (best-fit model), and its
            interval: low with ε*'s upper end and the model's optimistic bound, high with ε*'s
            lower end and its pessimistic bound (an end is None beyond the search limit). None
            where no QEC distance is given. ``d_star``, ``d_star_low`` and ``d_star_high`` read
            its parts (adaptive sampling and the tables read d* as a number), as the file names
            them.
        qubits_per_logical: Physical qubits of one logical qubit at d*.
        physical_qubits: For all logical qubits, at d* and at its interval's ends.
        extrapolated: d* exceeds the largest sampled distance; extrapolated_by: by how many
            distance steps (of 2).
        extrapolated_p: p lies outside the p range the model was fitted on (rows that use
            the model: ``qec`` and ``no_distance``).
        suppression: p / ε* with ε*'s interval (QEC rows).
        eps_op_d_star, eps_op_d_star_minus_2: ε_op the best-fit model gives at d* and d* − 2.
        check_d_star, check_d_star_minus_2: Measured paired accuracy change at those ε_op.
        note: Anything a reader must know about this row.
    """

    p: float
    verdict: str
    qec_needed: bool | None
    physical_delta_accuracy: BootstrapInterval
    decoder: str = DEFAULT_DECODER
    d_star_interval: Interval[int] | None = dataclasses.field(
        default=None, metadata=json_keys("d_star", "d_star_low", "d_star_high")
    )
    qubits_per_logical: int | None = None
    physical_qubits: Interval[int] | None = None
    extrapolated: bool = False
    extrapolated_by: int = 0
    extrapolated_p: bool = False
    suppression: Interval | None = None
    eps_op_d_star: float | None = None
    eps_op_d_star_minus_2: float | None = None
    check_d_star: Change | None = None
    check_d_star_minus_2: Change | None = None
    note: str = ""

    @property
    def d_star(self) -> int | None:
        """d* (None where no QEC distance is given): ``d_star_interval.best``."""
        return None if self.d_star_interval is None else self.d_star_interval.best

    def __repr__(self) -> str:
        d = self.d_star_interval
        d = "" if d is None else f", d* = {d.best} [{d.low}, {d.high}]"
        return f"<BudgetRow p = {self.p:g}, {self.decoder}: {self.verdict}{d}>"

    def __post_init__(self) -> None:
        if self.verdict not in VERDICTS:
            raise ValueError(f"verdict={self.verdict!r} is not known; allowed: {sorted(VERDICTS)}")
        expected = _QEC_NEEDED[self.verdict]
        if self.qec_needed is not expected:
            raise ValueError(f"qec_needed={self.qec_needed!r} contradicts verdict={self.verdict!r}")
        if self.verdict == "qec" and self.d_star is None:
            raise ValueError("a row that needs QEC must give d_star")

    def to_dict(self) -> dict[str, Any]:
        """The row as budget.json holds it: every interval as its flat keys (``d_star_low``, ...)."""
        return flat_dict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> BudgetRow:
        """Rebuild from ``to_dict`` output, field by field and each check alike.

        Raises:
            ValueError: a field is missing or of the wrong type (``qec._check.record_fields``).
        """
        values = record_fields(cls, data, what="budget row")
        for key in ("check_d_star", "check_d_star_minus_2"):
            if values.get(key) is not None:
                values[key] = Change(**record_fields(Change, values[key], what=f"budget row {key}"))
        return cls(**values)


def budget_rows(
    *,
    model: SuppressionModel,
    tolerance: Tolerance,
    code: str,
    n_logical: int,
    cycles_per_gate: float = 1.0,
    max_distance: int = 1001,
    alternatives: Sequence[SuppressionModel] = (),
    decoder: str = DEFAULT_DECODER,
    above_threshold: AboveThreshold | None = None,
) -> list[BudgetRow]:
    """The budget at every p the tolerance measured the physical model at (no checks yet), for
    the suppression ``model`` of one ``decoder``.

    Where ``above_threshold`` (the decoder's measured threshold and Λ, ``GroupFit.above_threshold``)
    says p is above threshold, the row says so whatever the model would give. Elsewhere d*
    comes from ``model``; its interval spans ε*'s interval, the model's 95% bounds and the
    ``alternatives`` (other forms the data support about as well), so that the choice of form
    is part of the uncertainty. A p outside the p range the model was fitted on is marked
    ``extrapolated_p``.

    Example:
        >>> t = Tolerance.given(eps_star=1e-4, physical=[(0.001, -0.02), (0.02, -0.3), (1e-4, 0.0)])
        >>> rows = budget_rows(model=SuppressionModel.power(A=0.1, p_th=0.01), tolerance=t,
        ...                    code="surface_rotated", n_logical=4,
        ...                    above_threshold=AboveThreshold(lambda_reaches_one=0.01))
        >>> [(r.verdict, r.d_star, r.physical_qubits) for r in rows]  # doctest: +NORMALIZE_WHITESPACE
        [('qec', 7, Interval(388, low=388, high=388)), ('above_threshold', None, None),
         ('hardware', None, None)]
    """
    settings = dict(model=model, tolerance=tolerance, code=code, n_logical=n_logical,
                    cycles_per_gate=cycles_per_gate, max_distance=max_distance, alternatives=alternatives,
                    decoder=decoder, above_threshold=above_threshold)  # fmt: skip
    return [_row(phys, **settings) for phys in tolerance.physical]


def _row(
    phys: Any,
    *,
    model: SuppressionModel,
    tolerance: Tolerance,
    code: str,
    n_logical: int,
    cycles_per_gate: float,
    max_distance: int,
    alternatives: Sequence[SuppressionModel],
    decoder: str,
    above_threshold: AboveThreshold | None,
) -> BudgetRow:
    """The row at one physical-noise run's p: hardware, above threshold, no distance, or QEC."""
    p = phys.p
    measured = {"physical_delta_accuracy": phys.delta_accuracy, "decoder": decoder}
    # The verdict follows the best estimate; where its interval holds −δ, say so.
    marginal = phys.delta_accuracy.low < -tolerance.delta < phys.delta_accuracy.high
    close = "marginal: the no-QEC accuracy change's interval contains −δ" if marginal else ""
    if phys.within_delta:
        return BudgetRow(p=p, verdict="hardware", qec_needed=False, note=close, **measured)
    above = above_threshold.reason(p) if above_threshold is not None else ""
    if above:
        note = "; ".join(x for x in (close, above) if x)
        return BudgetRow(p=p, verdict="above_threshold", qec_needed=None, note=note, **measured)
    fitted = model.p_range
    outside_p = fitted is not None and not fitted[0] <= p <= fitted[1]
    in_p = (
        ""
        if not outside_p
        else (f"extrapolated in p: the model was fitted on p in [{fitted[0]:.4g}, {fitted[1]:.4g}]")
    )

    def distance(eps: float, bound: str, m: SuppressionModel = model) -> int | None:
        return m.distance_for(eps_op=eps, p=p, cycles_per_gate=cycles_per_gate, bound=bound,
                              max_distance=max_distance)  # fmt: skip

    star = tolerance.eps_star
    d = distance(star.best, "best")
    if d is None:
        why = f"needs d > {max_distance}" if p < model.p_th else (
            f"p is not below the model's p_th {model.p_th:.4g} (an extrapolation parameter): its "
            "ε_round stops falling with d")  # fmt: skip
        note = "; ".join(x for x in (close, why, in_p) if x)
        return BudgetRow(p=p, verdict="no_distance", qec_needed=True, extrapolated_p=outside_p, note=note,
                         **measured)  # fmt: skip
    lows = [distance(star.high, "low", m=m) for m in (model, *alternatives)]
    highs = [distance(star.low, "high", m=m) for m in (model, *alternatives)]
    d_low = min((x for x in lows if x is not None), default=None)
    d_high = None if None in highs else max(x for x in highs if x is not None)
    largest = max(model.distances, default=0)
    notes = [x for x in (close, _bound_note(tolerance.bound)) if x]
    if d_high is None:
        notes.append(f"the pessimistic end needs d > {max_distance}, or p is not below a supported "
                     "form's p_th")  # fmt: skip
    if d > largest:
        notes.append(f"extrapolated {(d - largest) // 2} distance steps beyond d = {largest}")
    if in_p:
        notes.append(in_p)
    if p < star.best:
        notes.append("p < ε*: the physical model (idle and readout noise on every layer) costs more than "
                     "logical noise at ε_op = p")  # fmt: skip
    qubits = {x: None if x is None else n_logical * Code(code, x).physical_qubits for x in {d, d_low, d_high}}
    eps_at = lambda dist: logical_eps_op(  # noqa: E731
        min(model.eps_round(dist, p), 1.0), distance=dist, cycles_per_gate=cycles_per_gate
    )
    return BudgetRow(
        p=p, verdict="qec", qec_needed=True, **measured, d_star_interval=Interval(d, low=d_low, high=d_high),
        qubits_per_logical=qubits[d] // n_logical,
        physical_qubits=Interval(qubits[d], low=qubits[d_low], high=qubits[d_high]),
        extrapolated=d > largest, extrapolated_by=max(0, (d - largest) // 2), extrapolated_p=outside_p,
        suppression=Interval(p / star.best, low=p / star.high, high=p / star.low), eps_op_d_star=eps_at(d),
        eps_op_d_star_minus_2=eps_at(d - 2) if d >= 5 else None, note="; ".join(notes),
    )  # fmt: skip


def _bound_note(bound: str) -> str:
    """What a one-sided ε* (off the end of its grid) makes of d*."""
    return {"lower": "ε* is a lower bound, so d* is an upper bound",
            "upper": "ε* is an upper bound, so d* is a lower bound"}.get(bound, "")  # fmt: skip


def check_eps(rows: Sequence[BudgetRow]) -> list[float]:
    """The ε_op values the d* and d* − 2 checks must measure."""
    return sorted({e for r in rows for e in (r.eps_op_d_star, r.eps_op_d_star_minus_2) if e is not None})


def with_checks(rows: Sequence[BudgetRow], changes: Mapping[float, Change]) -> list[BudgetRow]:
    """Rows with the measured accuracy change at ε_op(d*) and ε_op(d* − 2) filled in."""
    return [
        dataclasses.replace(
            r,
            check_d_star=None if r.eps_op_d_star is None else changes[r.eps_op_d_star],
            check_d_star_minus_2=None
            if r.eps_op_d_star_minus_2 is None
            else changes[r.eps_op_d_star_minus_2],
        )
        for r in rows
    ]
