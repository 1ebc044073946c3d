"""Argument checks shared by every module: one wording for "an integer ≥ k" and "a number in a range"."""

from __future__ import annotations

from typing import Any


def is_int(value: Any) -> bool:
    """An int that is not a bool (``True`` is an ``int`` to Python, never a count to us)."""
    return isinstance(value, int) and not isinstance(value, bool)


def check_int(name: str, value: Any, *, least: int = 0, most: int | None = None, why: str = "") -> int:
    """``value`` if it is an integer in [least, most]; else a ``ValueError`` naming ``name``.

    Raises:
        ValueError: ``value`` is not an integer (a bool is not one) in [least, most].

    Example:
        >>> check_int("rounds", 3, least=1)
        3
        >>> check_int("rounds", True, least=1)
        Traceback (most recent call last):
        ...
        ValueError: rounds=True must be an integer >= 1
    """
    if not is_int(value) or value < least or (most is not None and value > most):
        allowed = f"in [{least}, {most}]" if most is not None else f">= {least}"
        raise ValueError(f"{name}={value!r} must be an integer {allowed}{f' ({why})' if why else ''}")
    return value


def check_number(name: str, value: Any, *, low: float, high: float, closed: str = "[]") -> float:
    """``value`` if it is a real number (not a bool) in the interval; ``closed`` says which ends
    belong to it: ``"[]"``, ``"[)"``, ``"(]"`` or ``"()"``.

    Raises:
        ValueError: ``value`` is not a real number (a bool is not one; NaN is in no interval) in
            the interval.

    Example:
        >>> check_number("delta", 1.5, low=0, high=1, closed="()")
        Traceback (most recent call last):
        ...
        ValueError: delta=1.5 must be a number in (0, 1)
    """
    ok = isinstance(value, int | float) and not isinstance(value, bool)
    if ok:
        ok = (value >= low if closed[0] == "[" else value > low) and (
            value <= high if closed[1] == "]" else value < high
        )
    if not ok:
        raise ValueError(f"{name}={value!r} must be a number in {closed[0]}{low:g}, {high:g}{closed[1]}")
    return value


def record_fields(cls: type, data: Any, *, what: str) -> dict[str, Any]:
    """The fields of dataclass ``cls`` found in the mapping ``data``, for a ``from_dict``; a
    missing field without a default is a ``ValueError`` naming it (the file is not ours, or is
    corrupt).

    Raises:
        ValueError: ``data`` is not a mapping, or lacks a field that has no default.

    Example:
        >>> import dataclasses
        >>> @dataclasses.dataclass
        ... class R:
        ...     a: int
        ...     b: int = 0
        >>> record_fields(R, {"a": 1, "c": 2}, what="record")
        {'a': 1}
        >>> record_fields(R, {"b": 1}, what="record")
        Traceback (most recent call last):
        ...
        ValueError: record lacks a
    """
    import dataclasses

    if not isinstance(data, dict):
        raise ValueError(f"{what} must be a JSON object; got {type(data).__name__}")
    fields = dataclasses.fields(cls)
    required = [
        f.name
        for f in fields
        if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
    ]
    missing = [n for n in required if n not in data]
    if missing:
        raise ValueError(f"{what} lacks {', '.join(missing)}")
    return {f.name: data[f.name] for f in fields if f.name in data}
