"""The measurements: per-shot and per-round logical error against p, and Λ per p."""

from __future__ import annotations

import os
import pathlib
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from qec.fit import GroupFit
from qec.plot._figure import LINESTYLES, MARKERS, errorbar, interval_end, p_axis, pyplot, save_figure

if TYPE_CHECKING:
    from matplotlib.figure import Figure


def fits_figure(fits: Sequence[GroupFit]) -> Figure:
    """Logical error vs p per distance, with the fitted threshold and the model curves.

    One row per (code, noise, basis); its decoders share the axes (colour: distance; marker
    and line style: decoder). Left: per-shot error of the rounds = d points with each
    decoder's threshold (the finite-size-scaling crossing, the one threshold the budget uses)
    and its 95% profile interval. Right: per-round error of every point with each decoder's
    model drawn solid where it was fitted and dotted up to where it is measured to be above
    threshold. Error bars are 95% binomial likelihood-ratio intervals.

    Returns:
        The matplotlib figure (``plot_fits`` writes it; the format follows the file's suffix).

    Raises:
        ValueError: the fits hold no fit results.
    """
    plt = pyplot()
    if not fits:
        raise ValueError("nothing to plot: no fit results")
    rows: dict[tuple[str, str, str], list[GroupFit]] = {}
    for g in fits:
        rows.setdefault((g.code, g.noise, g.basis), []).append(g)
    fig, axes = plt.subplots(len(rows), 2, figsize=(11, 4.6 * len(rows)), squeeze=False)
    for row, ((code, noise, basis), groups) in zip(axes, rows.items(), strict=True):
        distances = sorted({pt.d for g in groups for pt in g.points})
        colors = {d: plt.cm.viridis(i / max(len(distances) - 1, 1)) for i, d in enumerate(distances)}
        for i, g in enumerate(groups):
            style = {"marker": MARKERS[i % len(MARKERS)], "ls": LINESTYLES[i % len(LINESTYLES)]}
            named = len(groups) > 1
            _per_shot_panel(row[0], g, distances, colors, style, named)
            _per_round_panel(row[1], g, distances, colors, style, named)
        title = f"{code}/{noise}/{basis}, decoder{'s' if len(groups) > 1 else ''} " + ", ".join(
            g.decoder for g in groups
        )
        for ax, what in zip(row, ("per shot", "per round"), strict=True):
            p_axis(ax, [pt.p for g in groups for pt in g.points])
            ax.set_yscale("log")
            ax.set_title(f"{title}: {what}", fontsize=9)
            ax.grid(True, which="both", alpha=0.3)
            ax.legend(fontsize=6 if len(groups) > 1 else 8)
        row[0].set_ylabel("logical error per shot (rounds = d)")
        row[1].set_ylabel("logical error per round")
    return fig


def plot_fits(fits: Sequence[GroupFit], path: str | os.PathLike[str]) -> pathlib.Path:
    """Draw ``fits_figure`` and write it to ``path`` (atomically; the format from its suffix)."""
    return save_figure(fits_figure(fits), path)


def _per_shot_panel(ax, g: GroupFit, distances, colors, style, named: bool) -> None:
    suffix = f", {g.decoder}" if named else ""
    for d in distances:
        pts = sorted((pt for pt in g.points if pt.d == d and pt.rounds == d and pt.errors > 0),
                     key=lambda pt: pt.p)  # fmt: skip
        if pts:
            errorbar(ax, pts, "shot_interval", color=colors[d],
                      label=f"d = {d}{suffix}", **style)  # fmt: skip
    t = g.threshold
    if t is not None:
        ps = [pt.p for pt in g.points]
        low, high = t.p_th_profile_low or min(ps), t.p_th_profile_high or max(ps)  # None: open end
        ax.axvspan(low, high, color="0.85", alpha=0.6, zorder=0)
        a = g.above_threshold.threshold_interval
        ends = f"[{interval_end(a.low)}, {interval_end(a.high)}]"
        interval = f"{t.p_th:.4g} {ends}, ν = {t.nu:.2f}"
        ax.axvline(t.p_th, color="k", ls=style["ls"], lw=1, label=f"threshold{suffix} {interval}")
    elif not named:
        ax.text(0.02, 0.02, "no threshold: " + g.threshold_note, transform=ax.transAxes, fontsize=7,
                wrap=True)  # fmt: skip


def _per_round_panel(ax, g: GroupFit, distances, colors, style, named: bool) -> None:
    suffix = f", {g.decoder}" if named else ""
    for d in distances:
        pts = sorted((pt for pt in g.points if pt.d == d and pt.errors > 0), key=lambda pt: pt.p)
        if pts:
            errorbar(ax, pts, "round_interval", color=colors[d],
                      label=f"d = {d}{suffix}", marker=style["marker"], ls="none")  # fmt: skip
    m = g.model
    if m is not None and m.p_range is not None:
        fitted = np.geomspace(*m.p_range, 100)
        # Beyond the fitted range the model is an extrapolation: dotted, and only up to where
        # the measurements say "above threshold" (never up to its own p_th, a fit parameter).
        top = min(x for x in (g.above_threshold.limit, max(pt.p for pt in g.points)) if x is not None)
        beyond = np.geomspace(m.p_max, top, 30) if top > m.p_max else np.array([])
        for d in distances:
            ax.plot(fitted, [m.eps_round(d, p) for p in fitted], color=colors[d], lw=1, ls=style["ls"])
            if beyond.size:
                ax.plot(beyond, [m.eps_round(d, p) for p in beyond], color=colors[d], lw=0.8, ls=":")
        ax.plot([], [], color="0.3", lw=1, ls=style["ls"],
                label=f"model{suffix} " + m.describe().replace(": ", ":\n", 1))  # fmt: skip
        if beyond.size:
            ax.plot([], [], color="0.3", lw=0.8, ls=":",
                    label=f"model{suffix} beyond its fitted p ≤ {m.p_max:g}: extrapolated")  # fmt: skip


def lambda_figure(fits: Sequence[GroupFit]) -> Figure:
    """Λ = ε_d / ε_{d+2} vs p for every group, with 95% intervals and Λ = 1 marked."""
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(6.5, 4.5))
    one_labelled = False
    for g in fits:
        if not g.lambdas:
            continue
        ps = np.array([f.p for f in g.lambdas])
        lam = np.array([f.interval.best for f in g.lambdas])
        low, high = ([getattr(f.interval, end) for f in g.lambdas] for end in ("low", "high"))
        err = np.array([lam - low, high - lam])
        ax.errorbar(ps, lam, yerr=np.clip(err, 0, None), marker="o", ms=4, capsize=2, label=g.key)
        # Decoders of one group are compared here on the same axes (the key names the decoder).
        color = ax.lines[-1].get_color()
        if g.threshold is not None:
            ax.axvline(g.threshold.p_th, ls=":", lw=1, color=color)
        one = g.above_threshold.lambda_reaches_one
        if one is not None:  # not the threshold: where Λ's interval reaches 1, named as such
            label = None if one_labelled else "from here on Λ's 95% interval reaches 1"
            ax.plot([one], [1], marker="|", ms=14, mew=2, color=color, ls="none", label=label)
            one_labelled = True
    ax.axhline(1, color="k", lw=1, ls="--", label="Λ = 1 (no suppression)")
    p_axis(ax, [f.p for g in fits for f in g.lambdas])
    ax.set_yscale("log")
    ax.set_ylabel("Λ = ε_d / ε_(d+2)  (per round)")
    ax.set_title("Error suppression per distance step (dotted: measured threshold)", fontsize=10)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
    return fig


def plot_lambda(fits: Sequence[GroupFit], path: str | os.PathLike[str]) -> pathlib.Path:
    """Draw ``lambda_figure`` and write it to ``path`` (atomically; the format from its suffix)."""
    return save_figure(lambda_figure(fits), path)
