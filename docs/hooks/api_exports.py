"""MkDocs hook: the table of names ``qec`` exports, generated from ``qec/__init__.py``.

``qec`` loads its names lazily (``_WHERE``: name → module), so no documentation tool can see
them as members of the package. This hook reads that dict from the source (no import) and puts
a table in place of the ``<!-- qec-exports -->`` marker, so the page cannot fall behind it.
"""

from __future__ import annotations

import ast
import pathlib
from typing import Any

MARKER = "<!-- qec-exports -->"
INIT = pathlib.Path(__file__).resolve().parents[2] / "qec" / "__init__.py"


def exports() -> dict[str, list[str]]:
    """Module → the names ``qec`` re-exports from it, read from ``_WHERE`` in ``qec/__init__.py``."""
    for node in ast.parse(INIT.read_text()).body:
        if isinstance(node, ast.AnnAssign | ast.Assign):
            targets = [node.target] if isinstance(node, ast.AnnAssign) else node.targets
            if any(isinstance(t, ast.Name) and t.id == "_WHERE" for t in targets):
                where: dict[str, str] = ast.literal_eval(node.value)
                by_module: dict[str, list[str]] = {}
                for name, module in sorted(where.items(), key=lambda kv: (kv[1], kv[0])):
                    by_module.setdefault(module, []).append(name)
                return by_module
    raise ValueError(f"{INIT}: no _WHERE dict (name → module) to list the exports from")


def _cell(module: str, name: str) -> str:
    # Constants have no docstring and no entry on the module page: they are named, not linked.
    return f"`{name}`" if name.isupper() else f"[`{name}`][{module}.{name}]"


def on_page_markdown(markdown: str, *, page: Any, **kwargs: Any) -> str:
    if MARKER not in markdown:
        return markdown
    rows = ["| module | names (`qec.<name>`) |", "|---|---|"]
    for module, names in exports().items():
        page_link = f"[`{module}`]({module.removeprefix('qec.')}.md)"
        rows.append(f"| {page_link} | {', '.join(_cell(module, n) for n in names)} |")
    return markdown.replace(MARKER, "\n".join(rows))
