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
    plt = _pyplot()
    if not fits:
        raise ValueError("nothing to plot: no fit results")
    fig, axes = plt.subplots(len(fits), 2, figsize=(11, 4.2 * len(fits)), squeeze=False)
    for row, g in zip(axes, fits, strict=True):
        distances = sorted({pt.d for pt in g.points})
        colors = {d: plt.cm.viridis(i / max(len(distances) - 1, 1)) for i, d in enumerate(distances)}
        _per_shot_panel(row[0], g, distances, colors)
        _per_round_panel(row[1], g, distances, colors)
    return _save(fig, path)


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
    ax.tick_params(axis="x", labelrotation=30)
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


def plot_lambda(fits: Sequence[GroupFit], path: str | os.PathLike[str]) -> pathlib.Path:
    """Λ = ε_d / ε_{d+2} vs p for every group, with 95% intervals and Λ = 1 marked."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6.5, 4.5))
    for g in fits:
        if not g.lambdas:
            continue
        ps = np.array([f.p for f in g.lambdas])
        lam = np.array([f.lambda_ for f in g.lambdas])
        err = np.array([lam - [f.lambda_low for f in g.lambdas], [f.lambda_high for f in g.lambdas] - lam])
        ax.errorbar(ps, lam, yerr=np.clip(err, 0, None), marker="o", ms=4, capsize=2, label=g.key)
        if g.threshold is not None:
            ax.axvline(g.threshold.p_th, ls=":", lw=1, color=ax.lines[-1].get_color())
    ax.axhline(1, color="k", lw=1, ls="--", label="Λ = 1 (no suppression)")
    _p_axis(ax, [f.p for g in fits for f in g.lambdas])
    ax.set_yscale("log")
    ax.set_ylabel("Λ = ε_d / ε_(d+2)  (per round)")
    ax.set_title("Error suppression per distance step (dotted: fitted threshold)", fontsize=10)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
    return _save(fig, path)


def plot_accuracy(budget_doc: dict, rows: Sequence[dict], qnn: Sequence[dict],
                  path: str | os.PathLike[str]) -> pathlib.Path:  # fmt: skip
    """QNN test accuracy vs logical error per gate: the ε grid (mean ± std over seeds), ε*,
    the noiseless level with its δ band, the physical-noise runs at ε = p, and the
    check runs at ε_op(d*) and ε_op(d* − 2)."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(7.5, 4.8))
    curve = budget_doc["curve"]
    eps = np.array([c["eps_op"] for c in curve])
    mean = np.array([c["mean"] for c in curve])
    std = np.array([c["std"] for c in curve])
    ax.errorbar(eps, mean, yerr=std, marker="o", capsize=3, color="C0",
                label=f"logical noise ε_op (mean ± std over {curve[0]['n_seeds']} seeds)")  # fmt: skip
    from qec.budget import decreasing_fit

    monotone = decreasing_fit(list(mean), [c["n_seeds"] for c in curve])
    ax.plot(eps, monotone, ls="--", color="C0", lw=1, label="monotone fit ε* is read from")
    noiseless, delta = budget_doc["noiseless"], budget_doc["delta"]
    ax.axhspan(noiseless - delta, noiseless, color="C0", alpha=0.12,
               label=f"noiseless {noiseless:.3f} − δ ({delta:g})")  # fmt: skip
    ax.axhline(noiseless, color="C0", lw=1)
    ax.axvline(budget_doc["eps_star"], color="k", ls="--", lw=1, label=f"ε* = {budget_doc['eps_star']:.3g}")
    phys = [(r["p"], r["acc_physical"]) for r in rows if r["acc_physical"] is not None]
    if phys:
        ax.plot(*zip(*phys, strict=True), "s", color="C3", label="physical noise, no QEC (ε = p)")
    for key, marker, label in (
        ("d_star", "^", "logical at d*"),
        ("d_star_minus_2", "v", "logical at d* − 2"),
    ):
        pts = [(r[f"eps_op_{key}"], r[f"acc_{key}"]) for r in rows if r[f"acc_{key}"] is not None]
        if pts:
            ax.plot(*zip(*pts, strict=True), marker, color="C2" if key == "d_star" else "C1", ms=7,
                    ls="none", label=f"check: {label} (one per p)")  # fmt: skip
    ax.set_xscale("log")
    ax.set_xlabel("logical error per gate ε_op")
    ax.set_ylabel("test accuracy")
    ax.set_title("QNN accuracy vs logical error", fontsize=10)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8, loc="lower left")
    return _save(fig, path)


def plot_budget(rows: Sequence[dict], path: str | os.PathLike[str]) -> pathlib.Path:
    """Required distance d* and physical qubits vs physical error rate p."""
    plt = _pyplot()
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(11, 4.2))
    ok = [r for r in rows if r["d_star"] is not None]
    ps = [r["p"] for r in ok]
    a1.plot(ps, [r["d_star"] for r in ok], "o-")
    a1.set_ylabel("required code distance d*")
    a2.plot(ps, [r["physical_qubits"] for r in ok], "o-", color="C1")
    spare = [r for r in ok if not r["qec_needed"]]
    if spare:  # the bare QNN already meets the tolerance there
        for ax, key in ((a1, "d_star"), (a2, "physical_qubits")):
            ax.plot([r["p"] for r in spare], [r[key] for r in spare], "o", ms=11, mfc="none", mec="k",
                    label="p ≤ ε*: no QEC needed (d* if encoded anyway)")  # fmt: skip
    a2.set_yscale("log")
    a2.set_ylabel("physical qubits (all logical qubits)")
    for ax, title in ((a1, "distance"), (a2, "qubits")):
        _p_axis(ax, [r["p"] for r in rows])
        ax.grid(True, which="both", alpha=0.3)
        ax.set_title(f"Required {title} for the QNN to stay within δ (ε* = {rows[0]['eps_star']:.3g})",
                     fontsize=9)  # fmt: skip
        unreachable = [r["p"] for r in rows if r["d_star"] is None]
        if unreachable:
            ax.axvspan(min(unreachable), max(unreachable) * 1.05, color="0.85",
                       label="no distance suffices (at or above threshold)")  # fmt: skip
            ax.legend(fontsize=8)
    return _save(fig, path)


def plot_study(folder: str | os.PathLike[str]) -> list[pathlib.Path]:
    """Every figure of a study, from its data folder only (no sampling, no training).

    Reads ``fits.json`` and, when present, ``budget.json``, ``budget.csv`` and ``qnn/``;
    writes ``plots/threshold.png``, ``lambda.png``, ``accuracy.png`` and ``budget.png``.
    """
    import json

    from qec.budget import read_budget_csv
    from qec.fit import GroupFit

    folder = pathlib.Path(folder)
    fits_path = folder / "fits.json"
    if not fits_path.exists():
        raise ValueError(f"{str(folder)!r} has no fits.json: is it a study's data folder?")
    try:
        fits = [GroupFit.from_dict(g) for g in json.loads(fits_path.read_text())["fits"].values()]
    except (json.JSONDecodeError, KeyError, TypeError) as e:
        raise ValueError(
            f"{fits_path}: not a fits.json written by qec fit ({type(e).__name__}: {e})"
        ) from None
    plots = folder / "plots"
    plots.mkdir(exist_ok=True)
    written = [plot_fits(fits, plots / "threshold.png"), plot_lambda(fits, plots / "lambda.png")]
    if (folder / "budget.json").exists() and (folder / "budget.csv").exists():
        doc = json.loads((folder / "budget.json").read_text())
        rows = read_budget_csv((folder / "budget.csv").read_text())
        qnn = [json.loads(p.read_text()) for p in sorted((folder / "qnn").glob("*.json"))]
        written.append(plot_accuracy(doc, rows, qnn, plots / "accuracy.png"))
        written.append(plot_budget(rows, plots / "budget.png"))
    return written


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _save(fig, path: str | os.PathLike[str]) -> pathlib.Path:
    import io

    path = pathlib.Path(path)
    buffer = io.BytesIO()
    fig.tight_layout()
    fig.savefig(buffer, format=path.suffix.lstrip(".") or "png", dpi=130)
    _pyplot().close(fig)
    atomic_write_bytes(path, buffer.getvalue())
    return path
