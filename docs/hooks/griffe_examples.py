"""Griffe extension for the API pages: a docstring's ``Example:`` section is read as ``Examples:``.

qec's docstrings head their doctests ``Example:``, which Google style allows; griffe knows only
``Examples:`` and would render the section as Markdown, where ``>>>`` is a block quote and a
printed list a link. The docstrings stay as they are (the doctests run from them unchanged).
"""

from __future__ import annotations

import re
from typing import Any

import griffe

_EXAMPLE = re.compile(r"^(\s*)Example:[ \t]*$", re.MULTILINE)


class ExampleSections(griffe.Extension):
    # on_instance (an object was created, its docstring with it) exists in every griffe release
    # mkdocstrings[python] >= 1.0 installs.
    def on_instance(self, *, obj: griffe.Object, **kwargs: Any) -> None:
        if obj.docstring is not None:
            obj.docstring.value = _EXAMPLE.sub(r"\1Examples:", obj.docstring.value)
