"""``MODULE:FUNCTION`` entry points: user code the tool calls (custom decoders, your own QNN circuit)."""

from __future__ import annotations

import importlib
from typing import Any


def call_entry_point(spec: str, *, what: str) -> Any:
    """Import ``MODULE``, call ``FUNCTION()`` and return what it returns.

    ``what`` starts each message, before the quoted spec (``"custom decoders "``, ``"circuit="``).

    Raises:
        ValueError: ``spec`` is not MODULE:FUNCTION, the module or function cannot be found,
            or the call raised (its first line is in the message).

    Example:
        >>> call_entry_point("math:pi", what="x=")
        Traceback (most recent call last):
        ...
        ValueError: x='math:pi': calling pi() failed (TypeError: 'float' object is not callable)
    """
    module_name, _, function_name = spec.partition(":")
    if not module_name or not function_name:
        raise ValueError(f"{what}{spec!r} must look like MODULE:FUNCTION")
    try:
        function = getattr(importlib.import_module(module_name), function_name)
    except (ImportError, AttributeError) as e:
        raise ValueError(f"{what}{spec!r}: {type(e).__name__}: {e}") from None
    try:
        return function()
    except Exception as e:  # the user's code: report whatever it raised
        first = str(e).splitlines()[0] if str(e) else ""
        raise ValueError(
            f"{what}{spec!r}: calling {function_name}() failed ({type(e).__name__}: {first})"
        ) from None
