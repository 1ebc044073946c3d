"""The tolerance: the QNN's accuracy against the logical error per operation."""

from __future__ import annotations

import os
import pathlib
from typing import TYPE_CHECKING

import numpy as np

from qec.plot._figure import pyplot, save_figure

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from qec.budget import BudgetReport
    from qec.tolerance import Tolerance


def accuracy_figure(tolerance: Tolerance, *, report: BudgetReport | None = None) -> Figure:
    """The paired accuracy change (left) and loss change (right) vs logical error per
    operation, with their intervals: ε* and its interval, −δ, the physical-noise runs at ε = p
    and, with a ``report``, the checks at ε_op(d*) and ε_op(d* − 2)."""
    plt = pyplot()
    t = tolerance
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(12, 4.6))
    eps = np.array([c.eps_op for c in t.curve])
    for ax, key, label in ((a1, "delta_accuracy", "accuracy"), (a2, "delta_loss", "squared-error loss")):
        mean = np.array([getattr(c, key).best for c in t.curve])
        low = np.array([getattr(c, key).low for c in t.curve])
        high = np.array([getattr(c, key).high for c in t.curve])
        ax.fill_between(eps, low, high, color="C0", alpha=0.25, lw=0, label=f"{t.confidence:.0%} interval")
        ax.plot(eps, mean, "-", color="C0", lw=1)
        coarse = np.array([not c.refined for c in t.curve], dtype=bool)
        ax.plot(eps[coarse], mean[coarse], "o", color="C0", ms=5, label="logical noise ε_op (grid)")
        if (~coarse).any():
            ax.plot(eps[~coarse], mean[~coarse], ".", color="C0", ms=7, label="refined grid")
        phys = [x for x in t.physical]
        if phys:
            x = np.array([q.p for q in phys])
            y = np.array([getattr(q, key).best for q in phys])
            err = np.array(
                [y - [getattr(q, key).low for q in phys], [getattr(q, key).high for q in phys] - y]
            )
            ax.errorbar(x, y, yerr=np.clip(err, 0, None), fmt="s", color="C3", ms=4, capsize=2,
                        label=f"{phys[0].noise} noise at p, no QEC (ε = p)")  # fmt: skip
        star = t.eps_star
        ax.axvspan(star.low, star.high, color="k", alpha=0.08)
        ax.axvline(star.best, color="k", ls="--", lw=1,
                   label=f"ε* = {star.best:.3g} [{star.low:.3g}, {star.high:.3g}]")  # fmt: skip
        ax.set_xscale("log")
        ax.set_xlabel("logical error per operation ε_op")
        ax.set_ylabel(f"paired change in {label} vs ε = 0")
        ax.grid(True, which="both", alpha=0.3)
    a1.axhline(-t.delta, color="C1", lw=1, label=f"−δ = −{t.delta:g}")
    a1.set_ylim(-5 * t.delta, 1.5 * t.delta)  # the crossing is what matters; large drops run off the axis
    a1.axhline(0, color="0.4", lw=0.8)
    if report is not None:
        checks = (
            ("d_star", "^", "C2", "check at ε_op(d*)"),
            ("d_star_minus_2", "v", "C1", "check at ε_op(d* − 2)"),
        )
        for key, marker, color, label in checks:
            pts = [(getattr(r, f"eps_op_{key}"), getattr(r, f"check_{key}")) for r in report.rows
                   if getattr(r, f"check_{key}") is not None]  # fmt: skip
            if pts:
                x = np.array([e for e, _ in pts])
                y = np.array([c.mean for _, c in pts])
                err = np.array([y - [c.low for _, c in pts], [c.high for _, c in pts] - y])
                a1.errorbar(x, y, yerr=np.clip(err, 0, None), fmt=marker, color=color, ms=6, capsize=2,
                            label=label)  # fmt: skip
    a1.set_title(f"QNN accuracy vs logical error ({t.definition}; mean of {len(t.seeds)} seed(s) × "
                 f"{t.test_points} points)", fontsize=9)  # fmt: skip
    a2.set_title("The same, as the loss (a continuous view)", fontsize=9)
    a1.legend(fontsize=7, loc="lower left")
    a2.legend(fontsize=7, loc="upper left")
    return fig


def plot_accuracy(
    tolerance: Tolerance, path: str | os.PathLike[str], *, report: BudgetReport | None = None
) -> pathlib.Path:
    """Draw ``accuracy_figure`` and write it to ``path`` (atomically; the format from its suffix)."""
    return save_figure(accuracy_figure(tolerance, report=report), path)
