"""Griffe extension for the API pages: qec's plain-text docstrings, read as the Markdown they become.

- A docstring's ``Example:`` section is read as ``Examples:``. Google style allows both; griffe
  knows only ``Examples:`` and would render the section as Markdown, where ``>>>`` is a block
  quote and a printed list a link.
- The star of ε*, d*, E* and p* is escaped in prose (never in code or examples): two of them in
  one paragraph would otherwise make the text between them italic.

The docstrings stay as they are: the doctests run from them unchanged.
"""

from __future__ import annotations

import re
from typing import Any

import griffe

_EXAMPLE = re.compile(r"^(\s*)Examples?:[ \t]*$")
_STAR = re.compile(r"(?<=[εdEp])\*(?!\*)")


def _markdown(docstring: str) -> str:
    out: list[str] = []
    example_indent: int | None = None  # inside an Examples section: the indent of its header
    for line in docstring.split("\n"):
        indent = len(line) - len(line.lstrip())
        if example_indent is not None and line.strip() and indent <= example_indent:
            example_indent = None
        header = _EXAMPLE.match(line)
        if header:
            example_indent = indent
            out.append(f"{header.group(1)}Examples:")
        elif example_indent is not None:
            out.append(line)
        else:  # prose: leave ``code`` spans alone
            parts = re.split(r"(``.*?``|`[^`]*`)", line)
            out.append("".join(p if i % 2 else _STAR.sub(r"\\*", p) for i, p in enumerate(parts)))
    return "\n".join(out)


class PlainDocstrings(griffe.Extension):
    # on_instance (an object was created, its docstring with it) exists in every griffe release
    # mkdocstrings[python] >= 1.0 installs.
    def on_instance(self, *, obj: griffe.Object, **kwargs: Any) -> None:
        if obj.docstring is not None:
            obj.docstring.value = _markdown(obj.docstring.value)
