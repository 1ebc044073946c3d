"""The budget report: every decoder's rows with their assumptions, as ``qec budget`` writes them."""

from __future__ import annotations

import csv
import dataclasses
import io
from collections.abc import Mapping
from typing import Any

from qec._check import record_fields
from qec.budget.rows import VERDICTS, BudgetRow
from qec.channel_budget import CHANNEL_ASSUMPTIONS, ChannelRow
from qec.channel_budget import format_rows as format_channel_rows
from qec.fit import (
    AboveThreshold,
    SuppressionModel,
)
from qec.interval import Interval
from qec.tolerance import Change, Tolerance


@dataclasses.dataclass(frozen=True)
class BudgetReport:
    """Everything ``qec budget`` writes: assumptions, tolerance, the model of each decoder, rows.

    Attributes:
        code: Code family. basis: Memory basis of the models. noise: Physical noise model.
        cycles_per_gate: c, the d-round cycles per logical operation.
        n_logical: Logical qubits (the QNN's qubits).
        models: Decoder → its suppression model, in the order the rows give them.
        tolerance: The measured tolerance.
        rows: One per (p, decoder), by p and then decoder. assumptions: Text lines printed above
            the table.
        alternatives: Decoder → other model forms its data support (their d* spans the interval).
        above_threshold: Decoder → where its measurements say "above threshold" (none given:
            only the model speaks, and never says "above threshold").
        channel_rows: The measured-channel route beside the rows (``qec.channel_budget``), one
            per row, when the fits hold the lattice-surgery CNOT; empty otherwise.
    """

    code: str
    basis: str
    noise: str
    cycles_per_gate: float
    n_logical: int
    models: Mapping[str, SuppressionModel]
    tolerance: Tolerance
    rows: tuple[BudgetRow, ...]
    assumptions: tuple[str, ...] = ()
    alternatives: Mapping[str, tuple[SuppressionModel, ...]] = dataclasses.field(default_factory=dict)
    above_threshold: Mapping[str, AboveThreshold] = dataclasses.field(default_factory=dict)
    channel_rows: tuple[ChannelRow, ...] = ()

    @property
    def decoders(self) -> tuple[str, ...]:
        return tuple(self.models)

    def to_dict(self) -> dict[str, Any]:
        out = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        out["models"] = {name: m.to_dict() for name, m in self.models.items()}
        out["tolerance"] = self.tolerance.to_dict()
        out["rows"] = [r.to_dict() for r in self.rows]
        out["assumptions"] = list(self.assumptions)
        out["alternatives"] = {name: [m.to_dict() for m in ms] for name, ms in self.alternatives.items()}
        out["above_threshold"] = {name: a.to_dict() for name, a in self.above_threshold.items()}
        out["channel_rows"] = [r.to_dict() for r in self.channel_rows]
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> BudgetReport:
        """Rebuild from ``to_dict`` output; a missing field is a ``ValueError`` naming it."""
        data = record_fields(cls, data, what="budget")
        return cls(
            code=data["code"],
            basis=data["basis"],
            noise=data["noise"],
            cycles_per_gate=data["cycles_per_gate"],
            n_logical=data["n_logical"],
            models={name: SuppressionModel.from_dict(m) for name, m in data["models"].items()},
            tolerance=Tolerance.from_dict(data["tolerance"]),
            rows=tuple(BudgetRow.from_dict(r) for r in data["rows"]),
            assumptions=tuple(data.get("assumptions", ())),
            alternatives={
                name: tuple(SuppressionModel.from_dict(m) for m in ms)
                for name, ms in data.get("alternatives", {}).items()
            },
            above_threshold={
                name: AboveThreshold.from_dict(a) for name, a in data.get("above_threshold", {}).items()
            },
            channel_rows=tuple(ChannelRow.from_dict(r) for r in data.get("channel_rows", ())),
        )

    def to_csv(self) -> str:
        """One line per p; the checks flattened to ``check_d_star_delta_accuracy[_low|_high]``."""
        out = io.StringIO()
        writer = None
        for row in self.rows:
            flat: dict[str, Any] = {"p": row.p, "decoder": row.decoder}
            for key, value in row.to_dict().items():
                if key.startswith("check_"):
                    for part, name in (("mean", ""), ("low", "_low"), ("high", "_high")):
                        flat[f"{key}_delta_accuracy{name}"] = None if value is None else value[part]
                else:
                    flat[key] = value
            if writer is None:
                writer = csv.DictWriter(out, fieldnames=list(flat), lineterminator="\n")
                writer.writeheader()
            writer.writerow({k: "" if v is None else v for k, v in flat.items()})
        return out.getvalue()

    def format(self) -> str:
        """The printed budget: every assumption, then one line per p saying one thing."""
        lines = self._assumption_lines() + self._table_lines()
        if self.channel_rows:
            lines += ["", "# The measured route (no depolarizing assumption): " + CHANNEL_ASSUMPTIONS,
                      format_channel_rows(self.channel_rows, delta=self.tolerance.delta)]  # fmt: skip
        return "\n".join(lines)

    def _assumption_lines(self) -> list[str]:
        """The header: the QNN, the noise, the tolerance, each decoder's model and the conventions."""
        t = self.tolerance
        lines = ["# QML error budget. Assumptions (disagree with one? change the study config):"]
        s = t.qnn
        if s:  # a tolerance measured on a workload, not given by hand
            circuit = (
                f"circuit {s['circuit']}"
                if s.get("circuit")
                else f"{s['layers']} layers, {s['connectivity']} connectivity"
            )
            lines.append(
                f"#   QNN: {s['dataset']}, {s['qubits']} qubits, {circuit}, {s['observable']} observable, "
                f"{s['samples']} samples (test {s['test_fraction']}), COBYLA {s['maxiter']} iterations, "
                f"seeds {list(t.seeds)}"
            )
            if t.simulation:
                lines.append(f"#   noisy simulation: {t.simulation}")
            lines.append(
                f"#   accuracy: expected accuracy from {t.shots} shots per prediction (exact binomial), "
                f"{t.test_points} test points per seed ({t.extra_test} fresh beyond the held-out split)"
            )
        lines.append(
            "#   logical noise: depolarizing ε_op after every logical gate (by its arity), readout flip ε_op"
        )
        lines += [f"#   {a}" for a in self.assumptions]
        lines.append(f"#   tolerance: {t.describe()}")
        lines.append(
            f"#   noiseless accuracy {t.noiseless_accuracy.best:.4f} [{t.noiseless_accuracy.low:.4f}, "
            f"{t.noiseless_accuracy.high:.4f}]"
        )
        lines.append(
            "#   above threshold: p above the upper end of the measured threshold's 95% profile interval "
            "(finite-size-scaling crossing of the per-shot error at rounds = d, from qec fit), or from "
            "the p where Λ's 95% interval reaches 1 on; a model's p_th is an extrapolation parameter "
            "and decides no verdict"
        )
        for name, model in self.models.items():
            if name in self.above_threshold:
                lines.append(f"#   measured (decoder {name}): {self.above_threshold[name].describe()}")
            fitted = model.p_range
            where = f"fitted on p in [{fitted[0]:.4g}, {fitted[1]:.4g}], " if fitted else ""
            lines.append(
                f"#   suppression model ({self.code}, {self.basis} basis, decoder {name}): ε_round = "
                f"{model.describe()}, χ²/dof {model.chi2_dof:.2f}, {where}sampled d = {list(model.distances)}"
            )
            for alt in self.alternatives.get(name, ()):
                lines.append(
                    f"#     also supported (AIC within 2): ε_round = {alt.describe()}, "
                    f"χ²/dof {alt.chi2_dof:.2f}"
                )
        lines.append(
            f"#   ε_op(d, p) = 1 − (1 − ε_round(d, p))^(c·d), c = {self.cycles_per_gate:g}; "
            f"qubits = {self.n_logical} logical × qubits({self.code}, d)"
        )
        lines.append(
            "#   d* [low, high]: ε*'s upper end with the optimistic 95% bound of the model (and of each "
            "supported form), its lower end with the pessimistic one"
        )
        lines.append(
            f"#   hardware alone suffices where the paired accuracy change under {self.noise} noise at "
            f"p (no QEC) is ≥ −δ = −{t.delta:g}"
        )
        lines.append(
            "#   (extrapolated): d* beyond the largest sampled distance; (extrapolated in p): p outside the "
            "p range the model was fitted on; (extrapolated in d and p): both"
        )
        lines.append(f"#   Δacc: paired accuracy change against ε = 0 [{t.confidence:.0%} interval]")
        return lines

    def _table_lines(self) -> list[str]:
        """The column header and one line per row."""
        lines = []
        w = max(len("decoder"), *(len(r.decoder) for r in self.rows)) if self.rows else len("decoder")
        verdicts = [VERDICTS[r.verdict] + _extrapolation_mark(r) for r in self.rows]
        vw = max(38, *map(len, verdicts)) if verdicts else 38
        header = (
            f"{'p':>8}  {'decoder':<{w}} {'verdict':<{vw}} {'Δacc no QEC':<28} {'d* [low, high]':<16} "
            f"{'physical qubits [low, high]':<28} {'suppression p/ε*':<22} {'Δacc at d*':<28} "
            f"{'Δacc at d*-2':<28}"
        )
        lines.append(header)
        for r, verdict in zip(self.rows, verdicts, strict=True):
            acc = r.physical_delta_accuracy
            cells = [
                f"{r.p:>8g} ",
                f"{r.decoder:<{w}}",
                f"{verdict:<{vw}}",
                f"{_change(acc.best, acc.low, acc.high):<28}",
            ]
            if r.verdict == "qec":
                cells += [
                    f"{_interval(r.d_star_interval, 'd'):<16}",
                    f"{_interval(r.physical_qubits, ','):<28}",
                    f"{_interval(r.suppression, '.3g'):<22}",
                    f"{_check(r.check_d_star):<28}",
                    f"{_check(r.check_d_star_minus_2):<28}",
                ]
            lines.append(" ".join(cells).rstrip() + (f"  ({r.note})" if r.note else ""))
        return lines


def _extrapolation_mark(row: BudgetRow) -> str:
    """The verdict's mark: distance extrapolation as before, p extrapolation named."""
    if row.extrapolated and row.extrapolated_p:
        return " (extrapolated in d and p)"
    return " (extrapolated)" if row.extrapolated else " (extrapolated in p)" if row.extrapolated_p else ""


def _interval(interval: Interval | None, spec: str) -> str:
    """``best [low, high]`` in ``spec``; ``?`` for what is unknown (an open end, or no interval)."""
    f = lambda v: "?" if v is None else format(v, spec)  # noqa: E731
    if interval is None:
        return f"{f(None)} [{f(None)}, {f(None)}]"
    return f"{f(interval.best)} [{f(interval.low)}, {f(interval.high)}]"


def _change(mean: float, low: float, high: float) -> str:
    return f"{mean:+.4f} [{low:+.4f}, {high:+.4f}]"


def _check(change: Change | None) -> str:
    return "—" if change is None else _change(change.mean, change.low, change.high)
