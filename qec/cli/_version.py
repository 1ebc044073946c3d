"""``qec --version``: the installed distribution's version, looked up only when asked."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import Any

# "qec" on PyPI is an unrelated project; this one is distributed as qec-budget.
DISTRIBUTION = "qec-budget"


def version() -> str:
    """The installed version of the ``qec-budget`` distribution (what ``qec --version`` prints).

    Example:
        >>> import importlib.metadata
        >>> version() == importlib.metadata.version("qec-budget")
        True
    """
    from importlib import metadata  # only when asked: every `qec` start would pay for it

    try:
        return metadata.version(DISTRIBUTION)
    except metadata.PackageNotFoundError:
        return f"unknown (the {DISTRIBUTION} distribution is not installed: pip install -e .)"


class _VersionAction(argparse.Action):
    """``--version``: print ``qec <version>`` and exit 0; the version is looked up only when asked."""

    def __init__(self, option_strings: Sequence[str], dest: str = argparse.SUPPRESS, **kwargs: Any) -> None:
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, **kwargs)

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace, values: Any,
                 option_string: str | None = None) -> None:  # fmt: skip
        print(f"qec {version()}")
        parser.exit(0)
