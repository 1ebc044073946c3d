"""One interval type, ``Interval(best, low, high)``, and its flat form in the JSON files.

A record holds each value-with-interval as one ``Interval`` field. Its file keeps the three flat
keys that scripts read (``eps_star``, ``eps_star_low``, ``eps_star_high``): ``flat_dict`` writes
them in the field's place, ``qec._check.record_fields`` reads and checks them, and
``flat_attributes`` gives the record read-only attributes under the same names, the ones its
fields had before they became intervals. This module imports nothing but the standard library,
so that ``qec._check`` and every record can use it.
"""

from __future__ import annotations

import copy
import dataclasses
import functools
import keyword
import types
import typing
from typing import Any, Generic, TypeVar

T = TypeVar("T", int, float)


@dataclasses.dataclass(frozen=True)
class Interval(Generic[T]):
    """A best estimate and its interval, one record for every interval of the project (as
    sinter's ``Fit(low, best, high)``). ``Interval[int]`` holds distances and qubit counts.

    Attributes:
        best: The estimate.
        low: The interval's lower end; None where the data do not bound it.
        high: The interval's upper end; None where the data do not bound it.

    Raises:
        ValueError: an end on the wrong side of ``best``.

    Example:
        >>> Interval(0.01, low=0.008, high=0.012)
        Interval(0.01, low=0.008, high=0.012)
        >>> Interval(0.0054, low=0.0053, high=None).high is None  # an end the data leave open
        True
        >>> 0.0119 in Interval(0.01, low=0.008, high=0.012)
        True
    """

    best: T
    low: T | None
    high: T | None

    RULE = "low <= best <= high"  # what __post_init__ checks (a class attribute, not a field)

    def __post_init__(self) -> None:
        below = self.low is not None and self.low > self.best
        above = self.high is not None and self.high < self.best
        if below or above:
            raise ValueError(f"{self!r}: needs {self.RULE}")

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.best:.4g}, low={_end(self.low)}, high={_end(self.high)})"

    def __contains__(self, value: float) -> bool:
        """Whether ``value`` lies within the interval (an open end bounds nothing)."""
        return (self.low is None or self.low <= value) and (self.high is None or value <= self.high)


@dataclasses.dataclass(frozen=True, repr=False)
class BootstrapInterval(Interval[T]):
    """An ``Interval`` whose ends are bootstrap percentiles, which need not hold the estimate:
    the percentile interval of a skewed statistic can miss it, and that of a constant one (every
    test point changed alike) misses it by rounding. Only the ends' order is checked.

    Raises:
        ValueError: ``low`` above ``high``.

    Example:
        >>> BootstrapInterval(-0.02, low=-0.019999999999999997, high=-0.019999999999999997)
        BootstrapInterval(-0.02, low=-0.02, high=-0.02)
    """

    RULE = "low <= high"

    def __post_init__(self) -> None:
        if self.low is not None and self.high is not None and self.low > self.high:
            raise ValueError(f"{self!r}: needs {self.RULE}")


def _end(value: float | None) -> str:
    return "None" if value is None else f"{value:.4g}"


@dataclasses.dataclass(frozen=True)
class FlatKeys:
    """How one ``Interval`` field of a record is written in its JSON file.

    Attributes:
        best, low, high: The three keys (``eps_star``, ``eps_star_low``, ``eps_star_high``).
        kind: The field's interval type (``Interval`` or ``BootstrapInterval``).
        of: What each key holds: ``float``, or ``int`` for an ``Interval[int]``.
        optional: The field may be None (then all three keys are null).
        open_ends: An end may be null on its own (an end the data do not bound, an interval
            not computed), where ``json_keys(..., open_ends=True)`` says so.
    """

    best: str
    low: str
    high: str
    kind: type
    of: type
    optional: bool
    open_ends: bool = False

    @property
    def keys(self) -> tuple[str, str, str]:
        """The three keys, in the order the file has them: best, low, high."""
        return self.best, self.low, self.high


def json_keys(best: str, low: str, high: str, *, open_ends: bool = False) -> dict[str, object]:
    """Field metadata naming an ``Interval`` field's three JSON keys, where they are not the
    field's name, ``<name>_low`` and ``<name>_high``; with ``open_ends``, a file may hold either
    end as null (read as an open end) while the best value stays required.

    Example:
        >>> @dataclasses.dataclass(frozen=True)
        ... class Row:
        ...     d_star_interval: Interval[int] | None = dataclasses.field(
        ...         default=None, metadata=json_keys("d_star", "d_star_low", "d_star_high"))
        >>> flat_dict(Row(Interval(7, low=5, high=9)))
        {'d_star': 7, 'd_star_low': 5, 'd_star_high': 9}
    """
    return {"json": (best, low, high), "open_ends": open_ends}


@functools.cache
def flat_fields(cls: type) -> dict[str, FlatKeys]:
    """The ``Interval`` fields of dataclass ``cls`` (annotated ``Interval``, ``Interval[int]``,
    a subclass such as ``BootstrapInterval``, or any of them ``| None``), each with its JSON
    keys, in field order.

    Raises:
        NameError: an annotation that mentions ``Interval`` does not resolve.
    """
    try:
        hints = typing.get_type_hints(cls)
    except NameError:  # a name imported for type checkers only: fine where no field is an interval
        if any("Interval" in str(f.type) for f in dataclasses.fields(cls)):
            raise
        return {}
    out = {}
    for f in dataclasses.fields(cls):
        kind = hints.get(f.name)
        union = typing.get_origin(kind) in (typing.Union, types.UnionType)
        parts = typing.get_args(kind) if union else (kind,)
        found = [a for a in parts if _interval_type(a) is not None]
        if not found:
            continue
        best, low, high = f.metadata.get("json") or (f.name, f"{f.name}_low", f"{f.name}_high")
        of = (typing.get_args(found[0]) or (float,))[0]
        open_ends = f.metadata.get("open_ends", False)
        out[f.name] = FlatKeys(best, low, high, kind=_interval_type(found[0]), of=of,
                               optional=type(None) in parts, open_ends=open_ends)  # fmt: skip
    return out


def _interval_type(kind: Any) -> type | None:
    """``Interval`` or its subclass that annotation ``kind`` names (subscripted or not), else None."""
    origin = typing.get_origin(kind) or kind
    return origin if isinstance(origin, type) and issubclass(origin, Interval) else None


def flat_dict(record: Any) -> dict[str, Any]:
    """``dataclasses.asdict(record)``, with each ``Interval`` field written as its three flat
    keys in the field's place (None: three nulls), in nested records alike.

    Example:
        >>> @dataclasses.dataclass(frozen=True)
        ... class Point:
        ...     p: float
        ...     change: Interval | None
        >>> flat_dict(Point(0.01, Interval(-0.02, low=-0.03, high=-0.01)))
        {'p': 0.01, 'change': -0.02, 'change_low': -0.03, 'change_high': -0.01}
        >>> flat_dict(Point(0.01, None))
        {'p': 0.01, 'change': None, 'change_low': None, 'change_high': None}
    """
    flat = flat_fields(type(record))
    out: dict[str, Any] = {}
    for f in dataclasses.fields(record):
        value = getattr(record, f.name)
        if f.name in flat:
            ends = (None, None, None) if value is None else (value.best, value.low, value.high)
            out.update(zip(flat[f.name].keys, ends, strict=True))
        else:
            out[f.name] = _plain(value)
    return out


def _plain(value: Any) -> Any:
    """As ``dataclasses.asdict`` copies a field's value (records inside go through ``flat_dict``)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return flat_dict(value)
    if isinstance(value, list | tuple):
        return type(value)(_plain(v) for v in value)
    if isinstance(value, dict):
        return type(value)((_plain(k), _plain(v)) for k, v in value.items())
    return copy.deepcopy(value)


def flat_attributes(cls: type) -> type:
    """Class decorator: give a record read-only attributes under the JSON keys of its
    ``Interval`` fields that are not already names of the class (``eps_star_low`` reads
    ``eps_star.low``; ``lambda`` becomes ``lambda_``), so that code written against the fields
    the intervals replaced keeps working.

    Example:
        >>> @flat_attributes
        ... @dataclasses.dataclass(frozen=True)
        ... class Star:
        ...     eps_star: Interval
        >>> Star(Interval(0.003, low=0.002, high=0.005)).eps_star_high
        0.005
    """
    for name, flat in flat_fields(cls).items():
        for key, end in zip(flat.keys, ("best", "low", "high"), strict=True):
            attribute = f"{key}_" if keyword.iskeyword(key) else key
            if attribute == name or hasattr(cls, attribute):
                continue
            setattr(cls, attribute, _end_property(name, end))
    return cls


def _end_property(name: str, end: str) -> property:
    def read(self: Any) -> Any:
        value = getattr(self, name)
        return None if value is None else getattr(value, end)

    read.__doc__ = f"``{name}.{end}`` (None when ``{name}`` is None), under the name of the old field."
    return property(read)
