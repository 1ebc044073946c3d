"""The machine QDK is given (qubit parameters of a noise model at p, the QEC scheme) and error budgets."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from qec.fit import SuppressionModel
from qec.interval import Interval

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


def qubit_params(noise: str, p: float, *, preset: str = "gate_ns") -> dict[str, Any]:
    """QDK gate-based qubit parameters for the study's noise model at ``p``.

    ``circuit``: every operation fails with p. ``si1000``: one-qubit gates p/10, two-qubit
    gates p, measurement 5p, idle p/10; the T gate counts as a one-qubit gate. (QDK has no
    reset operation, so si1000's 2p reset has no place here.)

    Raises:
        ValueError: an unknown ``preset`` or ``noise``, or a ``p`` whose error rates fall outside
            (0, 1).

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

    Raises:
        ValueError: ``p`` is not below the model's threshold.

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

    Raises:
        ValueError: ``eps_op`` is outside (0, 1).

    Example:
        >>> round(error_budget(1e-3, 10), 8)
        0.00995512
    """
    if not 0 < eps_op < 1:
        raise ValueError(f"eps_op={eps_op!r} must be in (0, 1)")
    return -math.expm1(operations * math.log1p(-eps_op))


def error_budgets(eps_star: Interval, operations: int) -> dict[str, float]:
    """E* = 1 − (1 − ε*)^G at the tolerance ε* and at both ends of its interval, keyed as
    ``estimate_resources`` takes them (``budget``, ``budget_low``, ``budget_high``).

    Args:
        eps_star: ε* and its interval (``Tolerance.eps_star``).
        operations: G, the circuit's logical operations per execution (``logical_operations``).

    Raises:
        ValueError: one of the three is not in (0, 1).

    Example:
        >>> {k: round(v, 6) for k, v in error_budgets(Interval(1e-3, low=5e-4, high=2e-3), 10).items()}
        {'budget': 0.009955, 'budget_low': 0.004989, 'budget_high': 0.019821}
    """
    return {
        "budget": error_budget(eps_star.best, operations),
        "budget_low": error_budget(eps_star.low, operations),
        "budget_high": error_budget(eps_star.high, operations),
    }
