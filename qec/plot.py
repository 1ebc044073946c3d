"""Figures, drawn from fit results (and so from data files) only."""

from __future__ import annotations

import os
import pathlib
from collections.abc import Sequence

import numpy as np

from qec.fit import GroupFit
from qec.stats import atomic_write_bytes


def plot_fits(fits: Sequence[GroupFit], path: str | os.PathLike[str]) -> pathlib.Path:
    """Logical error vs p per distance, with the fitted threshold and the model curves.

    One row per (code, noise, basis). Left: per-shot error of the rounds = d points with the
    threshold and its 95% interval. Right: per-round error of every point with the model
    ε_round = A·(p/p_th)^((d+1)/2) drawn where it was fitted. Error bars are 95% binomial
    likelihood-ratio intervals. The format follows the suffix (``.png``, ``.pdf``, ``.svg``).

    Returns:
        The path written (atomically).
    """
    import io

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    path = pathlib.Path(path)
    if not fits:
        raise ValueError("nothing to plot: no fit results")
    fig, axes = plt.subplots(len(fits), 2, figsize=(11, 4.2 * len(fits)), squeeze=False)
    for row, g in zip(axes, fits, strict=True):
        distances = sorted({pt.d for pt in g.points})
        colors = {d: plt.cm.viridis(i / max(len(distances) - 1, 1)) for i, d in enumerate(distances)}
        _per_shot_panel(row[0], g, distances, colors)
        _per_round_panel(row[1], g, distances, colors)
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format=path.suffix.lstrip(".") or "png", dpi=130)
    plt.close(fig)
    atomic_write_bytes(path, buffer.getvalue())
    return path


def _errorbar(ax, pts, rate, low, high, **kwargs) -> None:
    x = np.array([pt.p for pt in pts])
    y = np.array([getattr(pt, rate) for pt in pts])
    yerr = np.array([y - [getattr(pt, low) for pt in pts], [getattr(pt, high) for pt in pts] - y])
    ax.errorbar(x, y, yerr=np.clip(yerr, 0, None), marker="o", ms=4, capsize=2, **kwargs)


def _p_axis(ax, ps: Sequence[float]) -> None:
    """Log p axis ticked at (up to 8 of) the sampled p values, labelled plainly."""
    from matplotlib.ticker import FixedLocator, FormatStrFormatter, NullFormatter

    ps = sorted(set(ps))
    step = max(1, -(-len(ps) // 8))
    ax.set_xscale("log")
    ax.xaxis.set_major_locator(FixedLocator(ps[::step]))
    ax.xaxis.set_major_formatter(FormatStrFormatter("%g"))
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.set_xlabel("physical error rate p (per operation)")


def _per_shot_panel(ax, g: GroupFit, distances, colors) -> None:
    for d in distances:
        pts = sorted((pt for pt in g.points if pt.d == d and pt.rounds == d and pt.errors > 0),
                     key=lambda pt: pt.p)  # fmt: skip
        if pts:
            _errorbar(ax, pts, "shot_rate", "shot_low", "shot_high", color=colors[d], label=f"d = {d}")
    t = g.threshold
    if t is not None:
        ax.axvspan(t.p_th_low, t.p_th_high, color="0.85", zorder=0)
        ax.axvline(
            t.p_th,
            color="k",
            ls="--",
            lw=1,
            label=f"threshold {t.p_th:.4g} [{t.p_th_low:.4g}, {t.p_th_high:.4g}], ν = {t.nu:.2f}",
        )
    else:
        ax.text(0.02, 0.02, "no threshold: " + g.threshold_note, transform=ax.transAxes, fontsize=7,
                wrap=True)  # fmt: skip
    _p_axis(ax, [pt.p for pt in g.points])
    ax.set_yscale("log")
    ax.set_ylabel("logical error per shot (rounds = d)")
    ax.set_title(f"{g.key}: per shot", fontsize=10)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)


def _per_round_panel(ax, g: GroupFit, distances, colors) -> None:
    for d in distances:
        pts = sorted((pt for pt in g.points if pt.d == d and pt.errors > 0), key=lambda pt: pt.p)
        if pts:
            _errorbar(ax, pts, "round_rate", "round_low", "round_high", color=colors[d], ls="none",
                      label=f"d = {d}")  # fmt: skip
    m = g.model
    if m is not None:
        ps = sorted({pt.p for pt in g.points if pt.p < m.p_th})
        if ps:
            grid = np.geomspace(ps[0], min(ps[-1] * 1.5, m.p_th), 100)
            for d in distances:
                ax.plot(grid, [m.eps_round(d, p) for p in grid], color=colors[d], lw=1)
            ax.plot(
                [],
                [],
                color="0.3",
                lw=1,
                label=f"model A·(p/p_th)^((d+1)/2): A = {m.A:.3g}, p_th = {m.p_th:.3g}",
            )
    _p_axis(ax, [pt.p for pt in g.points])
    ax.set_yscale("log")
    ax.set_ylabel("logical error per round")
    ax.set_title(f"{g.key}: per round", fontsize=10)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
