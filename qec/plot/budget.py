"""The budget: d* and its physical qubits against p, per decoder."""

from __future__ import annotations

import os
import pathlib
from typing import TYPE_CHECKING

import numpy as np

from qec.plot._figure import MARKERS, p_axis, pyplot, save_figure

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from qec.budget import BudgetReport


def budget_figure(report: BudgetReport) -> Figure:
    """Required distance d* [interval] and physical qubits [interval] vs p, one series per
    decoder (side by side, nudged apart in p), with the p where hardware alone suffices and
    where no distance does marked."""
    plt = pyplot()
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(11, 4.4))
    decoders = report.decoders
    largest = max((d for m in report.models.values() for d in m.distances), default=0)
    # Above threshold for every decoder: a shaded band; for some only: a cross per decoder.
    above = sorted(
        p
        for p in {r.p for r in report.rows}
        if all(r.verdict == "above_threshold" for r in report.rows if r.p == p)
    )
    for ax, key in ((a1, "d_star_interval"), (a2, "physical_qubits")):
        extrapolated_labelled = extrapolated_p_labelled = False
        for i, decoder in enumerate(decoders):
            qec = [r for r in report.rows if r.verdict == "qec" and r.decoder == decoder]
            if not qec:
                continue
            nudge = 1.025 ** (i - (len(decoders) - 1) / 2)  # side by side on the log p axis
            ps = np.array([r.p for r in qec]) * nudge
            y = np.array([getattr(r, key).best for r in qec], dtype=float)
            top = np.array([getattr(r, key).high or np.nan for r in qec], dtype=float)
            bottom = np.array([getattr(r, key).low or np.nan for r in qec], dtype=float)
            err = np.nan_to_num(np.array([y - bottom, top - y]))
            color = f"C{i}"
            name = f"{decoder}: " if len(decoders) > 1 else ""
            ax.errorbar(ps, y, yerr=err, fmt=MARKERS[i % len(MARKERS)] + "-", capsize=3, color=color,
                        label=f"{name}QEC needed: best fit [ε* and model interval]")  # fmt: skip
            open_ended = np.isnan(top)
            if open_ended.any():  # the pessimistic end needs more than any distance searched
                factor = 1.6 if key == "physical_qubits" else 1.25
                ax.plot(ps[open_ended], y[open_ended] * factor, "^", color=color, ms=8,
                        label=f"{name}upper end unbounded")  # fmt: skip
                for x0, y0 in zip(ps[open_ended], y[open_ended], strict=True):
                    ax.vlines(x0, y0, y0 * factor, color=color, ls=":")
            ext = [(x, yy) for x, yy, r in zip(ps, y, qec, strict=True) if r.extrapolated]
            if ext:
                label = None if extrapolated_labelled else f"extrapolated beyond d = {largest}"
                ax.plot(*zip(*ext, strict=True), "o", ms=11, mfc="none", mec="k", label=label)
                extrapolated_labelled = True
            ext_p = [(x, yy) for x, yy, r in zip(ps, y, qec, strict=True) if r.extrapolated_p]
            if ext_p:
                label = None if extrapolated_p_labelled else "extrapolated in p (outside the model's p range)"
                ax.plot(*zip(*ext_p, strict=True), "s", ms=14, mfc="none", mec="0.4", label=label)
                extrapolated_p_labelled = True
            # Where this decoder is above threshold but another is not, say so on the axis.
            only = [r.p for r in report.rows if r.decoder == decoder and r.verdict == "above_threshold"
                    and r.p not in above]  # fmt: skip
            if only:
                ax.plot(np.array(only) * nudge, [0.02] * len(only), "x", color=color, ms=9, mew=2,
                        transform=ax.get_xaxis_transform(), label=f"{name}above its threshold")  # fmt: skip
            lost = [r.p for r in report.rows if r.decoder == decoder and r.verdict == "no_distance"]
            if lost:  # below the measured threshold, but the model finds no distance
                ax.plot(np.array(lost) * nudge, [0.98] * len(lost), "v", color=color, ms=8,
                        transform=ax.get_xaxis_transform(),
                        label=f"{name}QEC needed, model finds no d")  # fmt: skip
        _verdict_bands(ax, report, above)
        p_axis(ax, [r.p for r in report.rows])
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=7)
    a1.set_ylabel("required code distance d*")
    a2.set_yscale("log")
    a2.set_ylabel(f"physical qubits ({report.n_logical} logical)")
    t = report.tolerance
    star = f"ε* = {t.eps_star.best:.3g} [{t.eps_star.low:.3g}, {t.eps_star.high:.3g}]"
    fig.suptitle(f"{report.code}: what the QNN needs to stay within δ = {t.delta:g} ({star})", fontsize=10)
    return fig


def _verdict_bands(ax, report: BudgetReport, above: list[float]) -> None:
    """Shade where hardware alone suffices and where every decoder is above threshold."""
    hw = sorted({r.p for r in report.rows if r.verdict == "hardware"})
    if hw:
        ax.axvspan(min(hw) / 1.05, max(hw) * 1.05, color="C2", alpha=0.15, label="hardware alone suffices")
    if above:
        every = " (every decoder)" if len(report.decoders) > 1 else ""
        ax.axvspan(min(above) / 1.05, max(above) * 1.05, color="0.8", label=f"above threshold{every}")
    if not any(r.verdict == "qec" for r in report.rows):
        ax.text(0.5, 0.5, "no sampled p needs QEC: nothing to draw but the verdicts", ha="center",
                va="center", transform=ax.transAxes, fontsize=9)  # fmt: skip
        ax.set_yticks([])


def plot_budget(report: BudgetReport, path: str | os.PathLike[str]) -> pathlib.Path:
    """Draw ``budget_figure`` and write it to ``path`` (atomically; the format from its suffix)."""
    return save_figure(budget_figure(report), path)
