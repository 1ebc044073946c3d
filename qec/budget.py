"""The QML error budget: tolerable logical error ε* → distance, qubits and suppression."""

from __future__ import annotations

import csv
import dataclasses
import io
import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from qec.aer import logical_eps_op
from qec.codes import Code
from qec.fit import SuppressionModel


@dataclasses.dataclass(frozen=True)
class AccuracyPoint:
    """QNN test accuracy at one logical error rate, over seeds.

    Attributes:
        eps_op: Logical error per gate. mean, std: Mean and standard deviation over seeds.
        n_seeds: Seeds averaged.
    """

    eps_op: float
    mean: float
    std: float
    n_seeds: int


@dataclasses.dataclass(frozen=True)
class Tolerance:
    """ε*: the largest ε_op whose mean accuracy stays within δ of the noiseless accuracy.

    Attributes:
        eps_star: The tolerable logical error per gate (log-interpolated between grid points).
        noiseless: Noiseless mean accuracy. delta: The tolerance δ.
        note: ``""``, or why ε* is only a bound (every grid point passes, or none does).
    """

    eps_star: float
    noiseless: float
    delta: float
    note: str


def accuracy_curve(results: Sequence[Mapping[str, Any]]) -> list[AccuracyPoint]:
    """Group ``qec train`` results with ``logical:<eps>`` noise by ε and average over seeds.

    Example:
        >>> rs = [{"config": {"noise": "logical:0.01"}, "test_accuracy": a} for a in (0.8, 0.9)]
        >>> round(accuracy_curve(rs)[0].mean, 6)
        0.85
    """
    by_eps: dict[float, list[float]] = {}
    for r in results:
        kind, _, value = r["config"]["noise"].partition(":")
        if kind != "logical":
            raise ValueError(f"accuracy_curve takes logical-noise runs; got noise={r['config']['noise']!r}")
        by_eps.setdefault(float(value), []).append(float(r["test_accuracy"]))
    return [
        AccuracyPoint(eps, float(np.mean(a)), float(np.std(a)), len(a)) for eps, a in sorted(by_eps.items())
    ]


def tolerable_eps(curve: Sequence[AccuracyPoint], *, noiseless: float, delta: float) -> Tolerance:
    """ε*: where the accuracy curve, made monotone, falls below ``noiseless − delta``.

    Accuracy cannot rise with more noise, but measured means wobble by their sampling error
    (finite test sets, shots, seeds). The means are first made non-increasing in ε by
    isotonic regression (pool-adjacent-violators, weighted by seeds), so a dip that recovers
    does not end the tolerance early; then the crossing is interpolated linearly in log ε.

    Example:
        >>> curve = [AccuracyPoint(1e-3, 0.90, 0, 1), AccuracyPoint(1e-2, 0.90, 0, 1),
        ...          AccuracyPoint(1e-1, 0.70, 0, 1)]
        >>> round(tolerable_eps(curve, noiseless=0.9, delta=0.1).eps_star, 6)
        0.031623
    """
    if not 0 <= delta < 1:
        raise ValueError(f"delta={delta!r} must be in [0, 1)")
    pts = [c for c in sorted(curve, key=lambda c: c.eps_op) if c.eps_op > 0]
    if not pts:
        raise ValueError("the accuracy curve needs at least one point with eps_op > 0")
    eps = [c.eps_op for c in pts]
    acc = decreasing_fit([c.mean for c in pts], [c.n_seeds for c in pts])
    floor = noiseless - delta
    if acc[0] < floor:
        return Tolerance(eps[0], noiseless, delta,
                         f"accuracy already below noiseless − δ at the smallest ε = {eps[0]:g}; "
                         "ε* is an upper bound")  # fmt: skip
    for i in range(1, len(pts)):
        if acc[i] < floor:
            t = (acc[i - 1] - floor) / (acc[i - 1] - acc[i])
            value = math.exp(math.log(eps[i - 1]) + t * (math.log(eps[i]) - math.log(eps[i - 1])))
            return Tolerance(value, noiseless, delta, "")
    return Tolerance(eps[-1], noiseless, delta,
                     f"accuracy within δ up to the largest ε = {eps[-1]:g}; ε* is a lower bound")  # fmt: skip


def decreasing_fit(values: Sequence[float], weights: Sequence[float]) -> list[float]:
    """Weighted least-squares non-increasing fit (pool adjacent violators).

    Example:
        >>> decreasing_fit([0.9, 0.8, 0.85, 0.5], [1, 1, 1, 1])
        [0.9, 0.825, 0.825, 0.5]
    """
    blocks: list[list[float]] = []  # [mean, weight, count]
    for v, w in zip(values, weights, strict=True):
        blocks.append([v, w, 1])
        while len(blocks) > 1 and blocks[-2][0] < blocks[-1][0]:
            (m2, w2, n2), (m1, w1, n1) = blocks.pop(), blocks.pop()
            blocks.append([(m1 * w1 + m2 * w2) / (w1 + w2), w1 + w2, n1 + n2])
    return [round(m, 12) for m, _, n in blocks for _ in range(int(n))]


def required_distance(
    model: SuppressionModel,
    *,
    p: float,
    eps_star: float,
    cycles_per_gate: float = 1.0,
    max_distance: int = 201,
) -> int | None:
    """Smallest odd d ≥ 3 with ε_op(d, p) = 1 − (1 − ε_round(d, p))^(c·d) ≤ ε*; None if p is
    not below the model threshold or no d ≤ ``max_distance`` suffices.

    Example:
        >>> m = SuppressionModel(A=0.1, A_low=0, A_high=0, p_th=0.01, p_th_low=0, p_th_high=0,
        ...                      n_points=0, chi2_dof=1)
        >>> required_distance(m, p=0.001, eps_star=1e-4)
        7
    """
    if p >= model.p_th:
        return None
    for d in range(3, max_distance + 1, 2):
        if (
            logical_eps_op(min(model.eps_round(d, p), 1.0), distance=d, cycles_per_gate=cycles_per_gate)
            <= eps_star
        ):
            return d
    return None


@dataclasses.dataclass(frozen=True)
class BudgetRow:
    """The budget at one physical error rate.

    Attributes:
        p: Physical error rate (= ε_phys, the QNN's per-gate error without QEC).
        eps_star: Tolerable logical error per gate.
        d_star: Required distance (None: not reachable). qubits_per_logical: Physical qubits
            per logical qubit at d*. physical_qubits: For all the QNN's logical qubits.
        suppression: ε_phys / ε*. qec_needed: ε_phys > ε* (if not, the bare QNN already meets
            the tolerance and d* is what encoding anyway would take).
        eps_op_d_star, eps_op_d_star_minus_2: ε_op the model gives.
        acc_noiseless, acc_physical: Mean test accuracy without noise and under the physical
            model at p (no QEC). acc_d_star, acc_d_star_minus_2: Under logical noise at d*
            and d* − 2 (the check that the budget holds). note: Why a field is empty.
    """

    p: float
    eps_star: float
    d_star: int | None
    qubits_per_logical: int | None
    physical_qubits: int | None
    suppression: float
    qec_needed: bool
    eps_op_d_star: float | None
    eps_op_d_star_minus_2: float | None
    acc_noiseless: float
    acc_physical: float | None
    acc_d_star: float | None
    acc_d_star_minus_2: float | None
    note: str


def budget_rows(
    *,
    model: SuppressionModel,
    code: str,
    ps: Sequence[float],
    tolerance: Tolerance,
    n_logical: int,
    cycles_per_gate: float,
    physical_accuracy: Mapping[float, float],
    check_accuracy: Callable[[float], float],
) -> list[BudgetRow]:
    """DESIGN.md's budget at each ``p``; ``check_accuracy(eps_op)`` trains the QNN under
    logical noise ``eps_op`` (mean over seeds) for the d* and d* − 2 checks.

    Example:
        >>> m = SuppressionModel(A=0.1, A_low=0, A_high=0, p_th=0.01, p_th_low=0, p_th_high=0,
        ...                      n_points=0, chi2_dof=1)
        >>> t = Tolerance(eps_star=1e-4, noiseless=0.9, delta=0.01, note="")
        >>> (row,) = budget_rows(model=m, code="surface_rotated", ps=[0.001], tolerance=t,
        ...                      n_logical=4, cycles_per_gate=1, physical_accuracy={},
        ...                      check_accuracy=lambda eps: 0.9)
        >>> row.d_star, row.physical_qubits, row.suppression
        (7, 388, 10.0)
    """
    rows = []
    for p in ps:
        d = required_distance(model, p=p, eps_star=tolerance.eps_star, cycles_per_gate=cycles_per_gate)

        def eps_at(dist: int, p: float = p) -> float:
            return logical_eps_op(
                min(model.eps_round(dist, p), 1.0), distance=dist, cycles_per_gate=cycles_per_gate
            )

        note = tolerance.note
        if d is None:
            note = (
                (note + "; " if note else "") + f"p={p:g} is not below the model threshold "
                f"{model.p_th:.4g} (or needs d > 201): no distance suffices"
            )
            rows.append(BudgetRow(
                p=p, eps_star=tolerance.eps_star, d_star=None, qubits_per_logical=None,
                physical_qubits=None, suppression=p / tolerance.eps_star,
                qec_needed=p > tolerance.eps_star, eps_op_d_star=None, eps_op_d_star_minus_2=None,
                acc_noiseless=tolerance.noiseless, acc_physical=physical_accuracy.get(p),
                acc_d_star=None, acc_d_star_minus_2=None, note=note,
            ))  # fmt: skip
            continue
        per = Code(code, d).physical_qubits
        e_d = eps_at(d)
        e_d2 = eps_at(d - 2) if d - 2 >= 3 else None
        rows.append(
            BudgetRow(
                p=p,
                eps_star=tolerance.eps_star,
                d_star=d,
                qubits_per_logical=per,
                physical_qubits=n_logical * per,
                suppression=p / tolerance.eps_star,
                qec_needed=p > tolerance.eps_star,
                eps_op_d_star=e_d,
                eps_op_d_star_minus_2=e_d2,
                acc_noiseless=tolerance.noiseless,
                acc_physical=physical_accuracy.get(p),
                acc_d_star=check_accuracy(e_d),
                acc_d_star_minus_2=None if e_d2 is None else check_accuracy(e_d2),
                note=note,
            )
        )
    return rows


def rows_to_csv(rows: Sequence[BudgetRow]) -> str:
    """The budget as CSV text (header = ``BudgetRow`` fields; empty cells for None)."""
    out = io.StringIO()
    fields = [f.name for f in dataclasses.fields(BudgetRow)]
    writer = csv.DictWriter(out, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: "" if v is None else v for k, v in dataclasses.asdict(row).items()})
    return out.getvalue()


def read_budget_csv(text: str) -> list[dict[str, Any]]:
    """Parse ``rows_to_csv`` output back into dicts of numbers (None for empty cells)."""
    rows = []
    for raw in csv.DictReader(io.StringIO(text)):
        row: dict[str, Any] = {}
        for k, v in raw.items():
            if k == "note":
                row[k] = v
            elif k == "qec_needed":
                row[k] = v == "True"
            elif v == "":
                row[k] = None
            else:
                row[k] = int(v) if k in ("d_star", "qubits_per_logical", "physical_qubits") else float(v)
        rows.append(row)
    return rows


def format_budget(rows: Sequence[BudgetRow], *, assumptions: Mapping[str, Any]) -> str:
    """The printed budget: every assumption first, then one line per p."""
    lines = ["# QML error budget. Assumptions (disagree with any of them? change the study config):"]
    lines += [f"#   {k}: {v}" for k, v in assumptions.items()]
    lines.append(
        "#   ε_op(d, p) = 1 − (1 − ε_round(d, p))^(c·d); ε_round from the fitted model "
        "A·(p/p_th)^((d+1)/2); ε_phys = p; suppression = ε_phys / ε*"
    )
    header = (
        f"{'p':>8} {'eps*':>9} {'d*':>4} {'qubits/logical':>14} {'physical qubits':>15} "
        f"{'suppression':>11} {'acc noiseless':>13} {'acc no-QEC':>10} {'acc @d*':>8} "
        f"{'acc @d*-2':>9}"
    )
    lines.append(header)
    fmt = lambda v, spec: "—" if v is None else format(v, spec)  # noqa: E731
    for r in rows:
        notes = [] if r.qec_needed else ["no QEC needed: p <= ε*"]
        notes += [r.note] if r.note else []
        lines.append(
            f"{r.p:>8g} {r.eps_star:>9.3g} {fmt(r.d_star, '>4')} {fmt(r.qubits_per_logical, '>14')} "
            f"{fmt(r.physical_qubits, '>15')} {r.suppression:>10.3g}x {r.acc_noiseless:>13.3f} "
            f"{fmt(r.acc_physical, '>10.3f')} {fmt(r.acc_d_star, '>8.3f')} "
            f"{fmt(r.acc_d_star_minus_2, '>9.3f')}" + (f"  ({'; '.join(notes)})" if notes else "")
        )
    return "\n".join(lines)


_SHAPE_KEYS = (
    "dataset",
    "qubits",
    "layers",
    "connectivity",
    "observable",
    "samples",
    "test_fraction",
    "maxiter",
    "chunk",
    "shots",
)


@dataclasses.dataclass(frozen=True)
class BudgetInputs:
    """QNN results sorted for the budget: noiseless runs, the logical ε grid, physical runs.

    Attributes:
        shape: The QNN configuration shared by every run (all but noise and seed).
        seeds: Seeds of the noiseless runs (the check trainings use the same).
        noiseless: Mean noiseless test accuracy. curve: Accuracy vs ε over the logical grid.
        physical: Mean test accuracy under the physical model, per p.
    """

    shape: dict[str, Any]
    seeds: tuple[int, ...]
    noiseless: float
    curve: tuple[AccuracyPoint, ...]
    physical: dict[float, float]

    @classmethod
    def from_results(cls, results: Sequence[Mapping[str, Any]], *, noise: str) -> BudgetInputs:
        """Sort ``qec train`` results; they must share one QNN shape."""
        if not results:
            raise ValueError("no QNN results given")
        shape = {k: results[0]["config"][k] for k in _SHAPE_KEYS}
        noiseless, logical, physical = [], [], {}
        for r in results:
            config = r["config"]
            if {k: config[k] for k in _SHAPE_KEYS} != shape:
                raise ValueError(f"QNN results differ in shape: {shape} vs {config}")
            kind, _, value = config["noise"].partition(":")
            if kind == "none":
                noiseless.append(r)
            elif kind == "logical":
                logical.append(r)
            elif kind == noise:
                physical.setdefault(float(value), []).append(float(r["test_accuracy"]))
            else:
                raise ValueError(
                    f"QNN result with noise={config['noise']!r}: expected none, logical:<eps> or {noise}:<p>"
                )
        if not noiseless or not logical:
            raise ValueError(
                f"the budget needs noiseless runs and a logical ε grid; got {len(noiseless)} "
                f"noiseless and {len(logical)} logical runs"
            )
        return cls(
            shape=shape,
            seeds=tuple(sorted(r["config"]["seed"] for r in noiseless)),
            noiseless=float(np.mean([r["test_accuracy"] for r in noiseless])),
            curve=tuple(accuracy_curve(logical)),
            physical={p: float(np.mean(a)) for p, a in physical.items()},
        )

    @property
    def resolution(self) -> float:
        """1σ binomial error of the mean noiseless test accuracy (test points × seeds)."""
        n_test = math.ceil(self.shape["samples"] * self.shape["test_fraction"]) * len(self.seeds)
        return math.sqrt(max(self.noiseless * (1 - self.noiseless), 1e-12) / n_test)

    def describe(self) -> str:
        s = self.shape
        return (
            f"{s['dataset']}, {s['qubits']} qubits, {s['layers']} layers, {s['connectivity']} "
            f"connectivity, {s['observable']} observable, {s['samples']} samples "
            f"(test {s['test_fraction']}), COBYLA {s['maxiter']} iterations, accuracy from "
            f"{s['shots']} shots, seeds {list(self.seeds)}"
        )

    def run(
        self,
        *,
        model: SuppressionModel,
        code: str,
        ps: Sequence[float],
        delta: float,
        cycles_per_gate: float,
        check_dir: Any,
        jobs: int = 1,
    ) -> tuple[list[BudgetRow], Tolerance]:
        """ε*, then the budget rows, training the check runs into ``check_dir`` (reused).

        The check trainings are independent: a first pass lists the ε_op they need, ``jobs``
        processes train the missing ones, and a second pass reads them back.
        """
        tolerance = tolerable_eps(self.curve, noiseless=self.noiseless, delta=delta)
        needed: list[float] = []

        def rows(check: Callable[[float], float]) -> list[BudgetRow]:
            return budget_rows(model=model, code=code, ps=ps, tolerance=tolerance,
                               n_logical=int(self.shape["qubits"]), cycles_per_gate=cycles_per_gate,
                               physical_accuracy=self.physical, check_accuracy=check)  # fmt: skip

        rows(lambda eps: needed.append(eps) or math.nan)
        missing = [(eps, seed) for eps in needed for seed in self.seeds
                   if self._cached(eps, seed, check_dir) is None]  # fmt: skip
        if missing:
            import concurrent.futures

            with concurrent.futures.ProcessPoolExecutor(max_workers=max(1, jobs)) as pool:
                futures = [pool.submit(_train_check, self.shape, eps, seed, str(check_dir))
                           for eps, seed in missing]  # fmt: skip
                for future in futures:
                    future.result()
        check = lambda eps: float(np.mean([self._cached(eps, s, check_dir) for s in self.seeds]))  # noqa: E731
        return rows(check), tolerance

    def _cached(self, eps_op: float, seed: int, check_dir: Any) -> float | None:
        """Test accuracy of a finished check training, or None if it is missing or stale."""
        import json

        path, config = _check_path_and_config(self.shape, eps_op, seed, check_dir)
        if not path.exists():
            return None
        cached = json.loads(path.read_text())
        return float(cached["test_accuracy"]) if cached["config"] == config else None


def _check_path_and_config(shape: Mapping[str, Any], eps_op: float, seed: int, check_dir: Any):
    import pathlib

    from qec.qml import TrainConfig

    config = TrainConfig(**shape, noise=f"logical:{eps_op:.6g}", seed=seed)
    return pathlib.Path(check_dir) / f"logical_{eps_op:.6g}_s{seed}.json", dataclasses.asdict(config)


def _train_check(shape: Mapping[str, Any], eps_op: float, seed: int, check_dir: str) -> None:
    """Train one check run into ``check_dir`` (a worker process's job)."""
    import json

    from qec.qml import TrainConfig, train
    from qec.stats import atomic_write_text

    path, config = _check_path_and_config(shape, eps_op, seed, check_dir)
    result = train(TrainConfig(**config)).to_dict()
    atomic_write_text(path, json.dumps(result, indent=1) + "\n")
