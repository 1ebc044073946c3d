"""The quantile a device is read at: its label (``median``, ``qNN``) and the value it picks."""

from __future__ import annotations

import re

_QUANTILE = re.compile(r"q(\d{1,2})")


def check_quantile(quantile: str) -> str:
    """The quantile's label: ``"median"`` (also for ``"q50"``) or ``"qNN"``, NN in 1..99.

    Raises:
        ValueError: ``quantile`` is neither ``median`` nor ``qNN`` with NN in 1..99.

    Example:
        >>> check_quantile("q90"), check_quantile("q50")
        ('q90', 'median')
        >>> check_quantile("90%")
        Traceback (most recent call last):
        ...
        ValueError: quantile='90%' is not allowed; allowed: median or qNN with NN in 1..99 (e.g. q90)
    """
    match = _QUANTILE.fullmatch(quantile) if isinstance(quantile, str) else None
    if quantile == "median" or (match and int(match[1]) == 50):
        return "median"
    if match and 1 <= int(match[1]) <= 99:
        return f"q{int(match[1])}"
    raise ValueError(
        f"quantile={quantile!r} is not allowed; allowed: median or qNN with NN in 1..99 (e.g. q90)"
    )


def _fraction(quantile: str) -> float:
    return 0.5 if quantile == "median" else int(quantile[1:]) / 100


def _quantile(values: list[float], fraction: float) -> float:
    import numpy as np

    return float(np.quantile(np.asarray(values, dtype=float), fraction))
