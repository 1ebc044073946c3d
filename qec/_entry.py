"""``MODULE:FUNCTION`` entry points: user code the tool calls (custom decoders, your own QNN circuit)."""

from __future__ import annotations

import importlib
import os
import sys
from typing import Any


def drop_working_folder() -> None:
    """Take the working folder off the front of ``sys.path``, where ``python -m qec`` puts it.

    Python's ``-m`` makes the folder a command runs in importable ahead of everything: a study
    or data folder holding ``numpy.py`` or ``evilmod.py`` would supply code. ``python -m qec``
    is how the Snakefile runs every job; it behaves as the ``qec`` command, which never had that
    folder on the path. ``call_entry_point`` looks there on purpose, for code you name yourself.
    """
    if sys.path and sys.path[0] in ("", os.getcwd()):
        del sys.path[0]


def call_entry_point(spec: str, *, what: str) -> Any:
    """Import ``MODULE``, call ``FUNCTION()`` and return what it returns.

    Only for code named on the command line or in your own Python (``--custom-decoders``,
    ``qec train --circuit``), never for a name read from a file. ``MODULE`` is looked for on
    ``sys.path`` and then, explicitly, in the working folder (``qec`` and ``python -m qec`` alike).
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
    # Names only: a relative module ("..:x", catalog L_dots) was a TypeError from importlib.
    if not all(part.isidentifier() for part in module_name.split(".")) or not function_name.isidentifier():
        raise ValueError(f"{what}{spec!r} must look like MODULE:FUNCTION (an absolute module name such as "
                         "mypkg.decoders, a function name)")  # fmt: skip
    if module_name.split(".")[:2] in (["qec", "cli"], ["qec", "__main__"]):  # catalog L_main
        raise ValueError(f"{what}{spec!r} is qec's own command line, which would run again inside this "
                         "command; give a function of yours")  # fmt: skip
    if os.getcwd() not in sys.path:
        sys.path.append(os.getcwd())  # for good: sinter's spawned workers import it again
    try:
        function = getattr(importlib.import_module(module_name), function_name)
    except (ImportError, AttributeError) as e:
        raise ValueError(f"{what}{spec!r}: {type(e).__name__}: {e}") from None
    try:
        return function()
    except SystemExit as e:  # catalog L_sysexit: qec exited with the user's status, silently
        raise ValueError(f"{what}{spec!r}: calling {function_name}() failed (it called "
                         f"sys.exit({e.code!r}))") from None  # fmt: skip
    except Exception as e:  # the user's code: report whatever it raised
        first = str(e).splitlines()[0] if str(e) else ""
        raise ValueError(
            f"{what}{spec!r}: calling {function_name}() failed ({type(e).__name__}: {first})"
        ) from None
