"""Argument checks shared by every module: one wording for "an integer ≥ k" and "a number in a range"."""

from __future__ import annotations

import collections.abc
import dataclasses
import functools
import re
import types
import typing
from collections.abc import Collection, Mapping
from typing import Any

from qec.interval import FlatKeys, Interval, flat_fields


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


# A number as text: ASCII digits, an optional sign, point and exponent, or nan/inf (refused later
# by the range checks, which name them). Python's int() and float() also take other scripts'
# digits ("３" is 3) and underscores ("1_1" is 11): a typo there became another number silently.
_INT_TEXT = re.compile(r"\s*[+-]?[0-9]+\s*", re.ASCII)
_FLOAT_TEXT = re.compile(r"\s*[+-]?(?:(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|nan|inf|infinity)\s*",
                         re.ASCII | re.IGNORECASE)  # fmt: skip


def parse_int(text: str) -> int:
    """The integer ``text`` writes in ASCII digits (``int()`` also reads "１" and "1_1").

    Raises:
        ValueError: ``text`` is not an integer so written.

    Example:
        >>> parse_int(" 12 ")
        12
        >>> parse_int("1_1")
        Traceback (most recent call last):
        ...
        ValueError: '1_1' is not an integer
    """
    if not _INT_TEXT.fullmatch(text):
        raise ValueError(f"{text!r} is not an integer")
    return int(text)


def parse_float(text: str) -> float:
    """The number ``text`` writes in ASCII (digits, sign, point, exponent; or nan, inf), where
    ``float()`` also reads other scripts' digits and underscores.

    Raises:
        ValueError: ``text`` is not a number so written.

    Example:
        >>> parse_float("1e-3"), parse_float("-.5")
        (0.001, -0.5)
        >>> parse_float("０.０１")
        Traceback (most recent call last):
        ...
        ValueError: '０.０１' is not a number
    """
    if not _FLOAT_TEXT.fullmatch(text):
        raise ValueError(f"{text!r} is not a number")
    return float(text)


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


def record_fields(
    cls: type,
    data: Any,
    *,
    what: str,
    required: Collection[str] | None = None,
    keys: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """The fields of dataclass ``cls`` found in the mapping ``data``, for a ``from_dict``, each
    checked against its annotation as JSON holds it (``int``: an integer, ``float``: a number,
    ``tuple[X, ...]``: a list of X, a dict or a dataclass: a JSON object, ``X | None``: X or
    null; nested records are left to their own ``from_dict``). An ``Interval`` field is read
    from its three flat keys (``qec.interval.flat_fields``: ``eps_star``, ``eps_star_low``,
    ``eps_star_high``), each checked alike, and returned as one ``Interval``.

    Every JSON record a command reads goes through here: a file that is not ours, or corrupt,
    is one line naming the record, the field and what is allowed, never a ``KeyError`` or
    ``TypeError`` deep in the code that uses it.

    Args:
        cls: The dataclass the record describes.
        data: The parsed JSON.
        what: The record's name in messages (``"tolerance"``, ``"--fits='f.json': fits group"``).
        required: The fields that must be present (default: those without a default).
        keys: Field → its key in the file, where they differ (``lambdas`` is ``lambda``); an
            interval field names its keys itself (``qec.interval.json_keys``).

    Raises:
        ValueError: ``data`` is not a JSON object, lacks a required field (an interval: any of
            its keys), a field has the wrong type, or an interval's ends do not hold its best
            value (or it has ends but no best value).

    Example:
        >>> import dataclasses
        >>> @dataclasses.dataclass
        ... class R:
        ...     a: int
        ...     b: tuple[float, ...] = ()
        >>> record_fields(R, {"a": 1, "c": 2}, what="record")
        {'a': 1}
        >>> record_fields(R, {"b": [1]}, what="record")
        Traceback (most recent call last):
        ...
        ValueError: record lacks a
        >>> record_fields(R, {"a": 1, "b": 5}, what="record")
        Traceback (most recent call last):
        ...
        ValueError: record b=5 must be a list of numbers
    """
    if not isinstance(data, dict):
        raise ValueError(f"{what} must be a JSON object; got {_json_type(data)}")
    fields = dataclasses.fields(cls)
    if required is None:
        required = [f.name for f in fields if f.default is dataclasses.MISSING
                    and f.default_factory is dataclasses.MISSING]  # fmt: skip
    intervals = flat_fields(cls)
    key = (keys or {}).get
    file_keys = lambda n: intervals[n].keys if n in intervals else (key(n, n),)  # noqa: E731
    missing = [k for n in required for k in file_keys(n) if k not in data]
    if missing:
        raise ValueError(f"{what} lacks {', '.join(missing)}")
    hints = _field_types(cls)
    out = {}
    for f in fields:
        if f.name in intervals:
            if any(k in data for k in intervals[f.name].keys):
                out[f.name] = _interval(data, intervals[f.name], what=what)
            continue
        if key(f.name, f.name) not in data:
            continue
        value, kind = data[key(f.name, f.name)], hints.get(f.name, Any)
        if not _matches(value, kind):
            raise ValueError(f"{what} {key(f.name, f.name)}={value!r:.60} must be {_describe(kind)}")
        out[f.name] = value
    return out


def _interval(data: Mapping[str, Any], flat: FlatKeys, *, what: str) -> Interval | None:
    """The ``Interval`` that ``flat``'s three keys of ``data`` hold (a missing key: null), each
    checked as a number (``flat.of``), or null where the field may be None, or, for an end,
    where the field's ends may be open (``json_keys(..., open_ends=True)``)."""
    ends = []
    for k in flat.keys:
        value = data.get(k)
        kind = flat.of | None if flat.optional or (flat.open_ends and k != flat.best) else flat.of
        if not _matches(value, kind):
            raise ValueError(f"{what} {k}={value!r:.60} must be {_describe(kind)}")
        ends.append(value)
    best, low, high = ends
    if best is None:
        if low is not None or high is not None:
            raise ValueError(f"{what} {flat.best}=None has an interval [{flat.low}, {flat.high}] = "
                             f"[{low!r}, {high!r}]: give its best value or no ends")  # fmt: skip
        return None
    try:
        return flat.kind(best, low=low, high=high)
    except ValueError:
        raise ValueError(
            f"{what} {flat.best}={best!r} with [{flat.low}, {flat.high}] = [{low!r}, {high!r}] "
            f"needs {flat.kind.RULE}"
        ) from None


@functools.cache
def _field_types(cls: type) -> dict[str, Any]:
    """The resolved annotations of dataclass ``cls`` (none checked if one cannot be resolved)."""
    try:
        return typing.get_type_hints(cls)
    except NameError:  # a name imported for type checkers only
        return {}


def _matches(value: Any, kind: Any) -> bool:
    """Whether parsed JSON ``value`` has the shape annotation ``kind`` describes."""
    origin, args = typing.get_origin(kind), typing.get_args(kind)
    if kind is Any:
        return True
    if origin in (typing.Union, types.UnionType):
        return any(_matches(value, a) for a in args)
    if kind is type(None):
        return value is None
    if kind is bool:
        return isinstance(value, bool)
    if kind is int:
        return is_int(value)
    if kind is float:
        return isinstance(value, int | float) and not isinstance(value, bool)
    if kind is str:
        return isinstance(value, str)
    if origin in (tuple, list, collections.abc.Sequence) or kind in (tuple, list):
        if not isinstance(value, list | tuple):
            return False
        if origin is tuple and args and args[-1] is not Ellipsis:  # a fixed length
            return len(value) == len(args) and all(map(_matches, value, args))
        return not args or all(_matches(v, args[0]) for v in value)
    if origin in (dict, collections.abc.Mapping) or kind in (dict, collections.abc.Mapping):
        return isinstance(value, dict) and (not args or all(_matches(v, args[1]) for v in value.values()))
    if dataclasses.is_dataclass(kind):
        return isinstance(value, dict)
    return True  # a type JSON cannot hold: its own reader checks it


def _describe(kind: Any, *, many: bool = False) -> str:
    """What ``_matches`` allows for ``kind``, in words (``many``: the plural, for list items)."""
    origin, args = typing.get_origin(kind), typing.get_args(kind)
    if origin in (typing.Union, types.UnionType):
        return " or ".join(_describe(a, many=many) for a in args)
    if origin in (tuple, list, collections.abc.Sequence) or kind in (tuple, list):
        size = f"{len(args)} " if origin is tuple and args and args[-1] is not Ellipsis else ""
        items = _describe(args[0], many=True) if args else "values"
        return f"{'lists' if many else 'a list'} of {size}{items}"
    words = {type(None): ("null", "nulls"), bool: ("true or false", "booleans"),
             int: ("an integer", "integers"), float: ("a number", "numbers"),
             str: ("a string", "strings")}  # fmt: skip
    if kind in words:
        return words[kind][many]
    if kind is Any:
        return "values" if many else "any value"
    return "JSON objects" if many else "a JSON object"


def _json_type(value: Any) -> str:
    """The JSON name of a parsed value's type (``list``: array, ``None``: null)."""
    names = {dict: "object", list: "array", str: "string", bool: "boolean", int: "number",
             float: "number", type(None): "null"}  # fmt: skip
    return names.get(type(value), type(value).__name__)
