"""Fault-tolerant footprint of a circuit: the QDK Resource Estimator fed with measured inputs.

Rotation synthesis, T-state factories, layout and run time are the estimator's; what ``qec``
supplies is what it measured: the QEC scheme from the fitted suppression model, the qubit
parameters from the study's noise model, and the error budget from the QNN's tolerance ε*.

Conventions (QDK's per-cycle logical error is a·d^k'·(p_q/p*)^((d+1)/2), k' an integer, p_q the
largest error rate among the qubit's operations):

- ``measured``: a = A·d^k at the distance the estimator chooses (found by re-running until the
  distance is stable), k' = 1, p* = p_q·(p_th/p)^α. At the chosen distance the per-cycle error
  then equals d·ε_round(d, p) of our model exactly, whatever its form.
- ``qdk-default``: QDK's built-in surface code (a = 0.03, p* = 0.01, k' = 0), same qubits.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from qec._check import record_fields
from qec.channel import CNOT_BLOCKS, cnot_equivalent_model
from qec.fit import AboveThreshold, SuppressionModel, above_threshold_by_decoder, groups_of, models_by_decoder
from qec.qnn.execution import check_circuit, logical_operations

PRESETS: dict[str, dict[str, str]] = {
    # QDK's qubit_gate_ns_* and qubit_gate_us_* operation times.
    "gate_ns": {
        "oneQubitMeasurementTime": "100 ns",
        "oneQubitGateTime": "50 ns",
        "twoQubitGateTime": "50 ns",
        "tGateTime": "50 ns",
    },
    "gate_us": {
        "oneQubitMeasurementTime": "100000 ns",
        "oneQubitGateTime": "100000 ns",
        "twoQubitGateTime": "100000 ns",
        "tGateTime": "100000 ns",
    },
}
QDK_DEFAULT_SCHEME = {"name": "surface_code"}  # crossingPrefactor 0.03, threshold 0.01, power 0
# The estimator's largest code distance, for every scheme (QDK's own default is 50): the one
# default of `qec resources` and of studies, which leave it out or set their own.
MAX_CODE_DISTANCE = 101


def qubit_params(noise: str, p: float, *, preset: str = "gate_ns") -> dict[str, Any]:
    """QDK gate-based qubit parameters for the study's noise model at ``p``.

    ``circuit``: every operation fails with p. ``si1000``: one-qubit gates p/10, two-qubit
    gates p, measurement 5p, idle p/10; the T gate counts as a one-qubit gate. (QDK has no
    reset operation, so si1000's 2p reset has no place here.)

    Example:
        >>> qp = qubit_params("circuit", 0.001)
        >>> qp["twoQubitGateErrorRate"], qp["oneQubitMeasurementTime"]
        (0.001, '100 ns')
    """
    if preset not in PRESETS:
        raise ValueError(f"preset={preset!r} is not known; allowed: {', '.join(PRESETS)}")
    if noise == "circuit":
        one, two, meas, idle = p, p, p, p
    elif noise == "si1000":
        one, two, meas, idle = p / 10, p, 5 * p, p / 10
    else:
        raise ValueError(f"noise={noise!r} has no qubit parameters; allowed: circuit, si1000")
    if not 0 < max(one, two, meas, idle) < 1:
        raise ValueError(f"p={p!r} gives error rates outside (0, 1) for {noise}")
    return {
        "instructionSet": "GateBased",
        "name": f"qec_{noise}_{p:g}_{preset}",
        **PRESETS[preset],
        "oneQubitMeasurementErrorRate": meas,
        "oneQubitGateErrorRate": one,
        "twoQubitGateErrorRate": two,
        "tGateErrorRate": one,
        "idleErrorRate": idle,
    }


def physical_error_rate(params: Mapping[str, Any]) -> float:
    """The p QDK puts in its per-cycle formula: the largest error rate of the qubit's operations."""
    return max(
        params[k]
        for k in (
            "oneQubitMeasurementErrorRate",
            "oneQubitGateErrorRate",
            "twoQubitGateErrorRate",
            "tGateErrorRate",
            "idleErrorRate",
        )
    )


def measured_scheme(model: SuppressionModel, *, p: float, p_qdk: float, distance: int) -> dict[str, Any]:
    """QDK's QEC scheme whose per-cycle error at ``distance`` is d·ε_round(d, p) of ``model``.

    Example:
        >>> m = SuppressionModel.power(A=0.04, p_th=0.008)
        >>> s = measured_scheme(m, p=0.001, p_qdk=0.001, distance=7)
        >>> round(s["crossingPrefactor"], 12), round(s["errorCorrectionThreshold"], 12)
        (0.04, 0.008)
    """
    if not 0 < p < model.p_th:
        raise ValueError(
            f"p={p!r} is not below the model threshold p_th={model.p_th:.4g}: no distance suffices"
        )
    return {
        "name": "surface_code",
        "crossingPrefactor": model.A * distance**model.k,
        "errorCorrectionThreshold": p_qdk * (model.p_th / p) ** model.alpha,
        "distanceCoefficientPower": 1,
    }


def error_budget(eps_op: float, operations: int) -> float:
    """E = 1 − (1 − ε_op)^G: the chance of any logical error in G logical operations.

    Example:
        >>> round(error_budget(1e-3, 10), 8)
        0.00995512
    """
    if not 0 < eps_op < 1:
        raise ValueError(f"eps_op={eps_op!r} must be in (0, 1)")
    return -math.expm1(operations * math.log1p(-eps_op))


def error_budgets(eps_star: tuple[float, float, float], operations: int) -> dict[str, float]:
    """E* = 1 − (1 − ε*)^G at the tolerance ε* and at both ends of its interval, keyed as
    ``estimate_resources`` takes them (``budget``, ``budget_low``, ``budget_high``).

    Args:
        eps_star: ε* and its interval, (best, low, high) (``Tolerance.eps_star``, ``_low``, ``_high``).
        operations: G, the circuit's logical operations per execution (``logical_operations``).

    Raises:
        ValueError: one of the three is not in (0, 1).

    Example:
        >>> {k: round(v, 6) for k, v in error_budgets((1e-3, 5e-4, 2e-3), 10).items()}
        {'budget': 0.009955, 'budget_low': 0.004989, 'budget_high': 0.019821}
    """
    best, low, high = eps_star
    return {
        "budget": error_budget(best, operations),
        "budget_low": error_budget(low, operations),
        "budget_high": error_budget(high, operations),
    }


# ---------------------------------------------------------------------------------------
# Models


def models_from_fits(
    fits: Mapping[str, Any], *, code: str, noise: str, basis: str = "z", decoders: Sequence[str] | None = None
) -> tuple[dict[str, SuppressionModel], dict[str, AboveThreshold]]:
    """Each decoder's chosen suppression model of (code, noise, basis) in a fits.json document,
    with the lattice-surgery CNOT's constants beside it where the document holds them
    (``with_cnot_constants``), and where each is above threshold as measured.

    Args:
        fits: A parsed fits.json document (``qec fit``).
        code: Code family of the memory models.
        noise: Noise model of the memory models (and of the CNOT's).
        basis: Memory basis of the models.
        decoders: The decoders whose models to take (default: all the document fitted).

    Raises:
        ValueError: the document has no such group, no fit for one of ``decoders``, or a corrupt one.

    Example:
        >>> try:
        ...     models_from_fits({"fits": {}}, code="surface_rotated", noise="circuit")
        ... except ValueError as e:
        ...     print(e)
        no fit for code='surface_rotated', noise='circuit', basis='z'; the document has []
    """
    fitted = models_by_decoder(fits, code, noise, basis, decoders)
    models = {name: ms[0] for name, ms in fitted.items()}
    above = above_threshold_by_decoder(fits, code, noise, basis, list(models))
    return with_cnot_constants(models, above, groups_of(fits), noise=noise)


def with_cnot_constants(
    models: Mapping[str, SuppressionModel],
    above: Mapping[str, AboveThreshold],
    groups: Sequence[Any],
    *,
    noise: str,
) -> tuple[dict[str, SuppressionModel], dict[str, AboveThreshold]]:
    """Beside each decoder's memory constants, the lattice-surgery CNOT's (``decoder, cnot``) where
    the fits hold it: above threshold where any of its flows is.

    Args:
        models: Decoder → its memory suppression model.
        above: Decoder → where its memory measurements say "above threshold".
        groups: The fits' groups (``qec.fit.groups_of``), CNOT flows among them or not.
        noise: The noise model whose CNOT groups count.

    Example:
        >>> m = {"pymatching": SuppressionModel.power(A=0.03, p_th=0.01)}
        >>> list(with_cnot_constants(m, {}, [], noise="circuit")[0])
        ['pymatching']
    """
    by_key = {g.key: g for g in groups}
    out, out_above = dict(models), dict(above)
    for name in models:
        model = cnot_equivalent_model(by_key, noise=noise, decoder=name)
        if model is None:
            continue
        flows = [g for g in groups if g.experiment == "cnot" and g.decoder == name and g.noise == noise]
        bounded = [g.above_threshold for g in flows if g.above_threshold.limit is not None]
        out[f"{name}, cnot"] = model
        out_above[f"{name}, cnot"] = min(bounded, key=lambda a: a.limit) if bounded else AboveThreshold()
    return out, out_above


# ---------------------------------------------------------------------------------------
# Estimates


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


@dataclasses.dataclass(frozen=True)
class ResourcesReport:
    """Everything ``qec resources`` writes.

    Attributes:
        noise, preset: Qubit model. circuit: Name, qubits, logical operations G, gate counts.
        eps_star, eps_star_low, eps_star_high: The tolerance the budget came from (None if the
            budget was given directly). models: Decoder → the measured model's constants (A,
            p_th, k, α, form, describe).
        rows: Estimates, per p and constant set: at E* (``bound`` ``estimate``) and at E*'s ends.
        seconds_per_estimate: Median wall time of one estimator call.
        failures: Estimates not made: ``p``, ``constants``, ``decoder``, ``bound``, ``message``
            (the estimator refused, e.g. no code distance up to its maximum reaches the required
            error rate; or p is at or above that decoder's threshold).
    """

    noise: str
    preset: str
    circuit: dict[str, Any]
    eps_star: float | None
    eps_star_low: float | None
    eps_star_high: float | None
    models: dict[str, dict[str, Any]]
    rows: tuple[ResourceRow, ...]
    seconds_per_estimate: float
    failures: tuple[dict[str, Any], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        out = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        out["rows"] = [r.to_dict() for r in self.rows]
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ResourcesReport:
        values = record_fields(cls, data, what="resources")
        values["rows"] = tuple(ResourceRow(**r) for r in data["rows"])
        values["failures"] = tuple(data.get("failures", ()))
        return cls(**values)

    def format(self) -> str:
        c = self.circuit
        lines = [
            f"# Fault-tolerant resources (QDK Resource Estimator), {self.noise} noise, preset {self.preset}",
            f"#   circuit: {c['name']}, {c['qubits']} qubits, G = {c['operations']} logical operations "
            f"({c['counts']})",
        ]
        if self.eps_star is not None:
            lines.append(
                f"#   error budget E* = 1 − (1 − ε*)^G, ε* = {self.eps_star:.3g} "
                f"[{self.eps_star_low:.3g}, {self.eps_star_high:.3g}]"
            )
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


class EstimatorFailure(RuntimeError):
    """The QDK Resource Estimator refused an estimate; the message is its own."""


def _estimate(circuit, params: dict[str, Any]) -> dict[str, Any]:
    from qdk.qiskit import estimate

    try:
        return estimate(circuit, params).data()
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as e:  # qdk's EstimatorError derives from BaseException
        message = " ".join(str(e).split())
        raise EstimatorFailure(f"QDK Resource Estimator: {message}") from None


def _row(
    data: dict[str, Any],
    *,
    p: float,
    constants: str,
    bound: str,
    budget: float,
    code: str,
    timing: Mapping[str, float] | None,
) -> ResourceRow:
    from qec.codes import Code

    b = data["physicalCounts"]["breakdown"]
    d = data["logicalQubit"]["codeDistance"]
    scheme = data["jobParams"]["qecScheme"]
    runtime = float(data["physicalCounts"]["runtime"])
    per = Code(code, d).physical_qubits if d >= 2 else 0
    n_qubits = int(data["logicalCounts"]["numQubits"])
    return ResourceRow(
        p=p,
        constants=constants,
        bound=bound,
        error_budget=budget,
        code_distance=int(d),
        logical_qubits=int(b["algorithmicLogicalQubits"]),
        t_states=int(b["numTstates"]),
        t_factories=int(b["numTfactories"]),
        physical_qubits=int(data["physicalCounts"]["physicalQubits"]),
        physical_qubits_algorithm=int(b["physicalQubitsForAlgorithm"]),
        physical_qubits_factories=int(b["physicalQubitsForTfactories"]),
        runtime_ns=runtime,
        logical_error_per_cycle=float(data["logicalQubit"]["logicalErrorRate"]),
        crossing_prefactor=float(scheme["crossingPrefactor"]),
        error_correction_threshold=float(scheme["errorCorrectionThreshold"]),
        distance_coefficient_power=int(scheme["distanceCoefficientPower"]),
        data_patch_qubits=n_qubits * per,
        inference_seconds=None if timing is None else timing["inference_shots"] * runtime * 1e-9,
        training_seconds=None if timing is None else timing["training_shots"] * runtime * 1e-9,
    )


def estimate_measured(
    circuit,
    model: SuppressionModel,
    *,
    p: float,
    qubits: dict[str, Any],
    budget: float,
    max_code_distance: int = MAX_CODE_DISTANCE,
    max_rounds: int = 8,
) -> tuple[dict[str, Any], bool]:
    """One estimate with the measured scheme, and whether it is exact.

    QDK's prefactor cannot depend on d, so a model with d^k (k ≠ 0) is given the prefactor
    A·d₀^k and re-run with d₀ = the distance the estimator chose, starting from d₀ = 3,
    until the two agree: then the per-cycle error at the chosen distance is d·ε_round(d, p)
    exactly. If they never agree, the run with the largest chosen distance is kept (the
    conservative one) and marked inexact.
    """
    p_qdk = physical_error_rate(qubits)
    runs: dict[int, dict[str, Any]] = {}
    d = 3
    for _ in range(max_rounds):
        scheme = measured_scheme(model, p=p, p_qdk=p_qdk, distance=d)
        scheme["maxCodeDistance"] = max_code_distance
        data = _estimate(circuit, {"qubitParams": qubits, "qecScheme": scheme, "errorBudget": budget})
        chosen = int(data["logicalQubit"]["codeDistance"])
        if chosen == d or model.k == 0:
            return data, True
        runs[d] = data
        if chosen in runs:
            break
        d = chosen
    return max(runs.values(), key=lambda r: r["logicalQubit"]["codeDistance"]), False


def estimate_resources(
    circuit,
    *,
    ps: Sequence[float],
    noise: str,
    models: Mapping[str, SuppressionModel],
    budget: float,
    budget_low: float | None = None,
    budget_high: float | None = None,
    preset: str = "gate_ns",
    code: str = "surface_rotated",
    timing: Mapping[str, float] | None = None,
    eps_star: tuple[float, float, float] | None = None,
    max_code_distance: int = MAX_CODE_DISTANCE,
    circuit_name: str = "circuit",
    only_below_threshold: bool = False,
    above: Mapping[str, AboveThreshold] | None = None,
    progress: Callable[[str], None] | None = None,
    qubit_parameters: Mapping[str, Any] | None = None,
) -> ResourcesReport:
    """Estimate ``circuit`` at each p with each decoder's measured constants and QDK's defaults.

    Args:
        circuit (qiskit.QuantumCircuit): A bound Qiskit circuit (one execution).
        ps: Physical error rates.
        noise: ``circuit`` or ``si1000`` (the qubit parameters).
        models: Decoder → its suppression model (fitted, or ``SuppressionModel.power`` of given
            constants).
        budget: Error budget per execution; budget_low, budget_high: its interval ends (every
            constant set is estimated at those too).
        preset: Operation times, ``gate_ns`` or ``gate_us``.
        code: Code family of the data-patch-only column.
        timing: ``inference_shots`` and ``training_shots`` (executions per pass/run) for the
            wall-clock columns.
        eps_star: (ε*, low, high) the budget came from, for the report.
        max_code_distance: The estimator's largest distance, for every constant set.
        only_below_threshold: A p at or above a decoder's threshold is listed as not estimated
            for that decoder (and QDK's default is estimated only where some decoder is below);
            without it such a p is a ``ValueError``.
        above: Constant set → where its measurements say "above threshold" (``qec.fit``): such a
            p is not estimated, whatever the model's p_th (an extrapolation parameter) says.
        qubit_parameters: QDK qubit parameters for every p in place of ``qubit_params(noise, p,
            preset)`` (a device's: ``qec.device_budget.device_qubit_params``).
    """
    import time

    check_circuit(circuit, name=circuit_name)
    if not models:
        raise ValueError("models is empty: give at least one decoder's suppression model")
    for name, value in (
        ("error budget", budget),
        ("error budget low", budget_low),
        ("error budget high", budget_high),
    ):
        if value is not None and not 0 < value < 1:
            raise ValueError(f"{name}={value!r} must be in (0, 1)")
    failures: list[dict[str, Any]] = []
    above = above or {}

    def why_above(name: str, p: float) -> str:
        measured = above[name].reason(p) if name in above else ""
        if measured:
            return measured
        p_th = models[name].p_th
        return "" if 0 < p < p_th else f"p is at or above the model's p_th {p_th:.4g} (no distance suffices)"

    for p in ps:
        if qubit_parameters is None:
            qubit_params(noise, p, preset=preset)
        for decoder in models:
            why = why_above(decoder, p)
            if why:
                if not only_below_threshold:
                    raise ValueError(f"p={p!r} cannot be estimated for {decoder!r}: {why}")
                failures.append({"p": p, "constants": "measured", "decoder": decoder, "bound": "estimate",
                                 "message": f"not estimated: {why}"})  # fmt: skip
    say = progress or (lambda _m: None)
    rows, seconds = [], []
    budgets = [("estimate", budget)] + [(b, v) for b, v in (("low", budget_low), ("high", budget_high)) if v]
    for p in ps:
        below = [name for name in models if not why_above(name, p)]
        if not below:
            continue
        qubits = qubit_params(noise, p, preset=preset) if qubit_parameters is None else dict(qubit_parameters)
        say(f"p = {p:g}: {len(budgets)} estimate(s) for each of {', '.join(below)} and the QDK default")
        calls = [("measured", name) for name in below] + [("qdk-default", None)]
        for (constants, decoder), (bound, value) in itertools.product(calls, budgets):
            start = time.perf_counter()
            try:
                if decoder is not None:
                    data, exact = estimate_measured(
                        circuit, models[decoder], p=p, qubits=qubits, budget=value,
                        max_code_distance=max_code_distance,
                    )  # fmt: skip
                else:
                    default = {**QDK_DEFAULT_SCHEME, "maxCodeDistance": max_code_distance}
                    params = {"qubitParams": qubits, "qecScheme": default, "errorBudget": value}
                    data, exact = _estimate(circuit, params), True
            except EstimatorFailure as e:
                failures.append({"p": p, "constants": constants, "decoder": decoder, "bound": bound,
                                 "message": str(e)})  # fmt: skip
                continue
            finally:
                seconds.append(time.perf_counter() - start)
            row = _row(data, p=p, constants=constants, bound=bound, budget=value, code=code, timing=timing)
            where = "" if decoder is None else models[decoder].extrapolated(row.code_distance, p)
            rows.append(dataclasses.replace(row, scheme_exact=exact, decoder=decoder, extrapolated=where))
    counts = {k: int(v) for k, v in circuit.count_ops().items()}
    star = eps_star or (None, None, None)
    seconds.sort()
    return ResourcesReport(
        noise=noise,
        preset=preset,
        circuit={
            "name": circuit_name,
            "qubits": circuit.num_qubits,
            "operations": logical_operations(circuit),
            "counts": counts,
        },
        eps_star=star[0],
        eps_star_low=star[1],
        eps_star_high=star[2],
        models={
            name: {
                "A": m.A,
                "p_th": m.p_th,
                "k": m.k,
                "alpha": m.alpha,
                "form": m.form,
                "describe": m.describe(),
                "d_max": max(m.distances, default=None),
                "p_min": m.p_min,
                "p_max": m.p_max,
            }
            for name, m in models.items()
        },
        rows=tuple(rows),
        seconds_per_estimate=seconds[len(seconds) // 2] if seconds else 0.0,
        failures=tuple(sorted(failures, key=lambda f: f["p"])),
    )
