"""The QDK Resource Estimator driver: measured and default constants, per p and error budget."""

from __future__ import annotations

import dataclasses
import functools
import itertools
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

from qec._check import check_int
from qec.fit import AboveThreshold, SuppressionModel
from qec.interval import Interval
from qec.qnn.execution import check_circuit, logical_operations
from qec.resources.qubits import measured_scheme, physical_error_rate, qubit_params
from qec.resources.report import ResourceRow, ResourcesReport

QDK_DEFAULT_SCHEME = {"name": "surface_code"}  # crossingPrefactor 0.03, threshold 0.01, power 0


# The estimator's largest code distance, for every scheme (QDK's own default is 50): the one
# default of `qec resources` and of studies, which leave it out or set a lower one, and the most
# they may set (the schema's maximum is the same: catalog V15r, 10⁹ ran past minutes). A budget
# that needs more than ~20 000 physical qubits per logical qubit is a finding, not an estimate.
MAX_CODE_DISTANCE = 101
MIN_CODE_DISTANCE = 3
# The estimator's largest crossing prefactor A (its own check: "expected value between 0 and 0.5").
MAX_CROSSING_PREFACTOR = 0.5


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
    eps_star: Interval | None = None,
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
        eps_star: ε* and its interval, the budget came from, for the report.
        max_code_distance: The estimator's largest distance, for every constant set.
        only_below_threshold: A p at or above a decoder's threshold is listed as not estimated
            for that decoder (and QDK's default is estimated only where some decoder is below);
            without it such a p is a ``ValueError``.
        above: Constant set → where its measurements say "above threshold" (``qec.fit``): such a
            p is not estimated, whatever the model's p_th (an extrapolation parameter) says.
        qubit_parameters: QDK qubit parameters for every p in place of ``qubit_params(noise, p,
            preset)`` (a device's: ``qec.device_budget.device_qubit_params``).

    Raises:
        ValueError: a circuit that cannot be estimated (unbound, empty, classical control), an
            empty ``models``, ``max_code_distance`` not an integer in [``MIN_CODE_DISTANCE``,
            ``MAX_CODE_DISTANCE``], a bad budget, ``noise``, ``preset`` or p (``qubit_params``),
            or, without ``only_below_threshold``, a p at or above a decoder's threshold.
    """
    check_circuit(circuit, name=circuit_name)
    check_int("max_code_distance", max_code_distance, least=MIN_CODE_DISTANCE, most=MAX_CODE_DISTANCE)
    if not models:
        raise ValueError("models is empty: give at least one decoder's suppression model")
    budgets = _budgets(budget, budget_low, budget_high)
    why_above = functools.partial(_why_above, models, above or {})
    if qubit_parameters is None:
        for p in ps:
            qubit_params(noise, p, preset=preset)  # every p is checked before any estimate runs
    failures = _not_estimated(ps, models, why_above, only_below_threshold=only_below_threshold)
    say = progress or (lambda _m: None)
    rows, seconds = [], []
    for p in ps:
        below = {name: models[name] for name in models if not why_above(name, p)}
        if below:
            say(f"p = {p:g}: {len(budgets)} estimate(s) for each of {', '.join(below)} and the QDK default")
            qubits = dict(qubit_parameters or qubit_params(noise, p, preset=preset))
            for row, failure, elapsed in _estimates_at(circuit, below, p=p, qubits=qubits, budgets=budgets,
                                                       code=code, timing=timing,
                                                       max_code_distance=max_code_distance):  # fmt: skip
                rows += [row] if row is not None else []
                failures += [failure] if failure is not None else []
                seconds.append(elapsed)
    return ResourcesReport(
        noise=noise, preset=preset, circuit=_circuit_summary(circuit, circuit_name), eps_star=eps_star,
        models={name: _model_summary(m) for name, m in models.items()}, rows=tuple(rows),
        seconds_per_estimate=sorted(seconds)[len(seconds) // 2] if seconds else 0.0,
        failures=tuple(sorted(failures, key=lambda f: f["p"])),
    )  # fmt: skip


def _not_estimated(
    ps: Sequence[float],
    models: Mapping[str, SuppressionModel],
    why_above: Callable[[str, float], str],
    *,
    only_below_threshold: bool,
) -> list[dict[str, Any]]:
    """The (p, decoder) pairs measured above threshold, as failure records; without
    ``only_below_threshold`` the first of them is a ``ValueError``."""
    refused = [(p, decoder, why) for p in ps for decoder in models if (why := why_above(decoder, p))]
    if refused and not only_below_threshold:
        p, decoder, why = refused[0]
        raise ValueError(f"p={p!r} cannot be estimated for {decoder!r}: {why}")
    return [{"p": p, "constants": "measured", "decoder": decoder, "bound": "estimate",
             "message": f"not estimated: {why}"} for p, decoder, why in refused]  # fmt: skip


def _estimate_with(
    circuit, model: SuppressionModel | None, *, p: float, qubits: dict[str, Any], budget: float,
    max_code_distance: int,
) -> tuple[dict[str, Any], bool]:  # fmt: skip
    """One estimate with a measured ``model``'s scheme, or QDK's default one (``None``), and
    whether it is exact (``estimate_measured``)."""
    if model is not None:
        return estimate_measured(circuit, model, p=p, qubits=qubits, budget=budget,
                                 max_code_distance=max_code_distance)  # fmt: skip
    default = {**QDK_DEFAULT_SCHEME, "maxCodeDistance": max_code_distance}
    return _estimate(circuit, {"qubitParams": qubits, "qecScheme": default, "errorBudget": budget}), True


def _model_summary(m: SuppressionModel) -> dict[str, Any]:
    """A model as the report records it: its constants, its form in words and where it was fitted."""
    return {"A": m.A, "p_th": m.p_th, "k": m.k, "alpha": m.alpha, "form": m.form, "describe": m.describe(),
            "d_max": max(m.distances, default=None), "p_min": m.p_min, "p_max": m.p_max}  # fmt: skip


def _estimates_at(
    circuit, models: Mapping[str, SuppressionModel], *, p: float, qubits: dict[str, Any],
    budgets: Sequence[tuple[str, float]], code: str, timing: Mapping[str, float] | None,
    max_code_distance: int,
) -> Iterator[tuple[ResourceRow | None, dict[str, Any] | None, float]]:  # fmt: skip
    """At one p, every decoder's measured constants and QDK's default at every error budget: each
    estimate's row (or the estimator's refusal) and its wall time."""
    import time

    calls = [("measured", name) for name in models] + [("qdk-default", None)]
    for (constants, decoder), (bound, value) in itertools.product(calls, budgets):
        start = time.perf_counter()
        model = None if decoder is None else models[decoder]
        try:
            data, exact = _estimate_with(circuit, model, p=p, qubits=qubits, budget=value,
                                         max_code_distance=max_code_distance)  # fmt: skip
        except EstimatorFailure as e:
            failure = {"p": p, "constants": constants, "decoder": decoder, "bound": bound, "message": str(e)}
            yield None, failure, time.perf_counter() - start
            continue
        elapsed = time.perf_counter() - start
        row = _row(data, p=p, constants=constants, bound=bound, budget=value, code=code, timing=timing)
        where = "" if model is None else model.extrapolated(row.code_distance, p)
        yield dataclasses.replace(row, scheme_exact=exact, decoder=decoder, extrapolated=where), None, elapsed


def _budgets(budget: float, low: float | None, high: float | None) -> list[tuple[str, float]]:
    """The error budgets to estimate at, each refused unless in (0, 1): (bound, value)."""
    for bound, value in (("estimate", budget), ("low", low), ("high", high)):
        if value is not None and not 0 < value < 1:
            name = "error budget" if bound == "estimate" else f"error budget {bound}"
            raise ValueError(f"{name}={value!r} must be in (0, 1)")
    return [(b, v) for b, v in (("estimate", budget), ("low", low), ("high", high)) if v]


def _circuit_summary(circuit, name: str) -> dict[str, Any]:
    """The circuit as the report records it: name, qubits, logical operations and gate counts."""
    return {"name": name, "qubits": circuit.num_qubits, "operations": logical_operations(circuit),
            "counts": {k: int(v) for k, v in circuit.count_ops().items()}}  # fmt: skip


def _why_above(
    models: Mapping[str, SuppressionModel], above: Mapping[str, AboveThreshold], name: str, p: float
) -> str:
    """Why ``name``'s constants are not estimated at p: above its measured threshold, or at or above
    its model's p_th; ``""`` when they are."""
    measured = above[name].reason(p) if name in above else ""
    if measured:
        return measured
    p_th = models[name].p_th
    return "" if 0 < p < p_th else f"p is at or above the model's p_th {p_th:.4g} (no distance suffices)"
