"""What every figure shares: matplotlib without a display, the markers, the p axis, atomic PNG writes."""

from __future__ import annotations

import os
import pathlib
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from qec._io import atomic_write_bytes

MARKERS = ("o", "s", "^", "D", "v", "P")
LINESTYLES = ("-", "--", ":", "-.")


def pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def save_figure(fig, path: str | os.PathLike[str]) -> pathlib.Path:
    import io

    path = pathlib.Path(path)
    buffer = io.BytesIO()
    fig.tight_layout()
    fig.savefig(buffer, format=path.suffix.lstrip(".") or "png", dpi=130)
    pyplot().close(fig)
    atomic_write_bytes(path, buffer.getvalue())
    return path


def read_json(path: pathlib.Path, read: Callable[[Any], Any] | None = None) -> Any:
    """The JSON document in ``path``; with ``read`` (a record's reader, ``BudgetReport.from_dict``
    say), what it makes of it.

    Raises:
        ValueError: the file is unreadable or ``read`` refuses it, the message naming the file.
    """
    import json

    try:
        document = json.loads(path.read_text())
    except (OSError, json.JSONDecodeError) as e:
        raise ValueError(f"{path}: unreadable ({type(e).__name__}: {e})") from None
    if read is None:
        return document
    try:
        return read(document)
    except ValueError as e:
        raise ValueError(f"{path}: {e}") from None


def interval_end(value: float | None) -> str:
    return "open" if value is None else f"{value:.4g}"


def errorbar(ax, pts, interval: str, **kwargs) -> None:
    """Each point's ``interval`` (the name of an ``Interval`` attribute) against its p, the
    ends as error bars."""
    x = np.array([pt.p for pt in pts])
    intervals = [getattr(pt, interval) for pt in pts]
    y = np.array([i.best for i in intervals])
    yerr = np.array([y - [i.low for i in intervals], [i.high for i in intervals] - y])
    ax.errorbar(x, y, yerr=np.clip(yerr, 0, None), ms=4, capsize=2, **kwargs)


def p_axis(ax, ps: Sequence[float]) -> None:
    """Log p axis ticked at (up to 8 of) the sampled p values, labelled plainly."""
    from matplotlib.ticker import FixedLocator, FormatStrFormatter, NullFormatter

    ps = sorted(set(ps))
    step = max(1, -(-len(ps) // 8))
    ax.set_xscale("log")
    ax.xaxis.set_major_locator(FixedLocator(ps[::step]))
    ax.xaxis.set_major_formatter(FormatStrFormatter("%g"))
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.tick_params(axis="x", labelrotation=30)
    ax.set_xlabel("physical error rate p (per operation)")
