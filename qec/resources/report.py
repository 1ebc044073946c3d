"""The resources report: one row per estimate, as qec resources writes and reads them."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from qec._check import record_fields
from qec.channel import CNOT_BLOCKS
from qec.interval import Interval, flat_attributes, flat_dict


@dataclasses.dataclass(frozen=True)
class ResourceRow:
    """One estimate: a p, a constant set (and decoder) and an error budget.

    Attributes:
        p: Physical error rate of the study's noise model. constants: ``measured`` or
            ``qdk-default``. decoder: Whose suppression model the measured constants are
            (None for ``qdk-default``). bound: ``estimate``, or ``low``/``high`` (the error budget from
            ε*'s lower/upper end). error_budget: E per circuit execution.
        code_distance, logical_qubits, t_states, t_factories: The estimator's.
        physical_qubits, physical_qubits_algorithm, physical_qubits_factories: Its qubit counts.
        runtime_ns: One circuit execution. logical_error_per_cycle: Per logical qubit and cycle.
        crossing_prefactor, error_correction_threshold, distance_coefficient_power: The QEC
            scheme it was given. data_patch_qubits: Logical qubits of the circuit × qubits of
            the code at that distance, the count without layout or factories.
        inference_seconds, training_seconds: Wall clock of one inference pass over the test set
            (points × shots × run time) and of one training run (evaluations × training points ×
            shots × run time), or None without a QNN configuration.
        scheme_exact: The estimator's per-cycle error at its distance equals d·ε_round(d, p)
            (always, unless the model's d^k prefactor made the distance search cycle).
        extrapolated: What the measured model extrapolates in at the chosen distance and p
            (``""``, ``d``, ``p``, ``d and p``: outside the distances or p range it was fitted on);
            ``""`` for QDK's default constants, which are assumed, not fitted.
    """

    p: float
    constants: str
    bound: str
    error_budget: float
    code_distance: int
    logical_qubits: int
    t_states: int
    t_factories: int
    physical_qubits: int
    physical_qubits_algorithm: int
    physical_qubits_factories: int
    runtime_ns: float
    logical_error_per_cycle: float
    crossing_prefactor: float
    error_correction_threshold: float
    distance_coefficient_power: int
    data_patch_qubits: int
    inference_seconds: float | None = None
    training_seconds: float | None = None
    scheme_exact: bool = True
    decoder: str | None = None
    extrapolated: str = ""

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @property
    def label(self) -> str:
        """``measured (decoder)`` or ``qdk-default``: the constant set in tables and plots."""
        return constant_set_label(self.constants, self.decoder)


@flat_attributes
@dataclasses.dataclass(frozen=True)
class ResourcesReport:
    """Everything ``qec resources`` writes.

    Attributes:
        noise, preset: Qubit model. circuit: Name, qubits, logical operations G, gate counts.
        eps_star: The tolerance the budget came from, with its interval (None if the budget
            was given directly; in the file ``eps_star``, ``eps_star_low``, ``eps_star_high``).
        models: Decoder → the measured model's constants (A, p_th, k, α, form, describe).
        rows: Estimates, per p and constant set: at E* (``bound`` ``estimate``) and at E*'s ends.
        seconds_per_estimate: Median wall time of one estimator call.
        failures: Estimates not made: ``p``, ``constants``, ``decoder``, ``bound``, ``message``
            (the estimator refused, e.g. no code distance up to its maximum reaches the required
            error rate; or p is at or above that decoder's threshold).
    """

    noise: str
    preset: str
    circuit: dict[str, Any]
    eps_star: Interval | None
    models: dict[str, dict[str, Any]]
    rows: tuple[ResourceRow, ...]
    seconds_per_estimate: float
    failures: tuple[dict[str, Any], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """The resources.json document: ε* as its flat keys, the rows as a list."""
        out = flat_dict(self)
        out["rows"] = [r.to_dict() for r in self.rows]
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ResourcesReport:
        values = record_fields(cls, data, what="resources")
        values["rows"] = tuple(ResourceRow(**record_fields(ResourceRow, r, what="resources row"))
                               for r in values["rows"])  # fmt: skip
        values["failures"] = tuple(values.get("failures", ()))
        return cls(**values)

    def format(self) -> str:
        c = self.circuit
        lines = [
            f"# Fault-tolerant resources (QDK Resource Estimator), {self.noise} noise, preset {self.preset}",
            f"#   circuit: {c['name']}, {c['qubits']} qubits, G = {c['operations']} logical operations "
            f"({c['counts']})",
        ]
        star = self.eps_star
        if star is not None:
            lines.append(f"#   error budget E* = 1 − (1 − ε*)^G, ε* = {star.best:.3g} "
                         f"[{star.low:.3g}, {star.high:.3g}]")  # fmt: skip
        lines.append(
            "#   measured (decoder): constants of the memory patch (QDK's formula is the error per patch "
            "per logical cycle, which a memory patch of d rounds measures; QDK's own layout counts the "
            "patches and cycles each operation takes); measured (decoder, cnot): the lattice-surgery "
            f"CNOT's measured error spread over its {CNOT_BLOCKS} patch-blocks, as if every patch-cycle "
            "failed like the CNOT's"
        )
        for name, m in self.models.items():
            lines.append(f"#   measured ({name}): {m.get('describe', '')}")
        lines.append("#   qdk-default: a = 0.03, p* = 0.01, k = 0 (QDK's surface-code constants)")
        w = max([len("constants"), *(len(r.label) for r in self.rows)])
        lines.append(
            f"{'p':>8} {'constants':<{w}} {'E':>9} {'d':>3} {'logical':>7} {'T states':>8} "
            f"{'factories':>9} {'qubits: algorithm':>17} {'factories':>10} {'total [E* range]':>26} "
            f"{'data patches':>12} {'run time':>10} {'inference':>10} {'training':>10}  model used"
        )
        refused = {(f["p"], _failure_label(f)) for f in self.failures if f["bound"] in ("low", "high")}
        marked = False
        for p in sorted({r.p for r in self.rows}):
            for r in (r for r in self.rows if r.p == p and r.bound == "estimate"):
                ends = {e.bound: e for e in self.rows if e.p == p and e.label == r.label}
                span = ""
                if len(ends) > 1:
                    counts = [e.physical_qubits for e in ends.values()]
                    span = f" [{min(counts):,}, {max(counts):,}]"
                    span += "" if all(e.scheme_exact for e in ends.values()) else " ~"
                if (p, r.label) in refused:  # the range covers only the ends QDK estimated
                    span += " †"
                    marked = True
                lines.append(
                    f"{p:>8g} {r.label:<{w}} {r.error_budget:>9.3g} {r.code_distance:>3} "
                    f"{r.logical_qubits:>7} "
                    f"{r.t_states:>8,} {r.t_factories:>9} {r.physical_qubits_algorithm:>17,} "
                    f"{r.physical_qubits_factories:>10,} {f'{r.physical_qubits:,}{span}':>26} "
                    f"{r.data_patch_qubits:>12,} {_time(r.runtime_ns * 1e-9):>10} "
                    f"{_time(r.inference_seconds):>10} {_time(r.training_seconds):>10}  "
                    f"{_extrapolation(r, self.models)}"
                )
        if marked:
            lines.append(
                "# †: an end of the E* range was refused (below); the range spans the ends estimated"
            )
        for f in self.failures:
            lines.append(f"{f['p']:>8g} {_failure_label(f):<{w}} ({f['bound']}): {f['message']}")
        return "\n".join(lines)


def constant_set_label(constants: str, decoder: str | None) -> str:
    """``measured (decoder)`` or ``qdk-default``: how rows and failures name their constant set.

    Example:
        >>> constant_set_label("measured", "pymatching"), constant_set_label("qdk-default", None)
        ('measured (pymatching)', 'qdk-default')
    """
    return constants if decoder is None else f"{constants} ({decoder})"


def _extrapolation(row: ResourceRow, models: Mapping[str, Mapping[str, Any]]) -> str:
    """The table's last column: where the measured model at the row's d and p stands."""
    if row.decoder is None:
        return "assumed (QDK's constants)"
    if not row.extrapolated:
        return "within its data"
    model = models.get(row.decoder, {})
    where = {"d": f"d (fitted d ≤ {model.get('d_max', '?')})",
             "p": f"p (fitted p in [{model.get('p_min', 0):g}, {model.get('p_max', 0):g}])"}  # fmt: skip
    return "extrapolated in " + " and ".join(where[x] for x in row.extrapolated.split(" and "))


def _failure_label(failure: Mapping[str, Any]) -> str:
    return constant_set_label(failure["constants"], failure.get("decoder"))


def _time(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60), ("s", 1), ("ms", 1e-3), ("µs", 1e-6)):
        if seconds >= size:
            return f"{seconds / size:.3g} {unit}"
    return f"{seconds * 1e9:.3g} ns"
