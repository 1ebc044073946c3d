"""Figures, drawn from fit results (and so from data files) only."""

from __future__ import annotations

import os
import pathlib
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from qec._io import atomic_write_bytes
from qec.fit import GroupFit

if TYPE_CHECKING:
    from qec.budget import BudgetReport
    from qec.resources import ResourcesReport
    from qec.tolerance import Tolerance


MARKERS = ("o", "s", "^", "D", "v", "P")
LINESTYLES = ("-", "--", ":", "-.")


def plot_fits(fits: Sequence[GroupFit], path: str | os.PathLike[str]) -> pathlib.Path:
    """Logical error vs p per distance, with the fitted threshold and the model curves.

    One row per (code, noise, basis); its decoders share the axes (colour: distance; marker
    and line style: decoder). Left: per-shot error of the rounds = d points with each
    decoder's threshold (the finite-size-scaling crossing, the one threshold the budget uses)
    and its 95% profile interval. Right: per-round error of every point with each decoder's
    model drawn solid where it was fitted and dotted up to where it is measured to be above
    threshold. Error bars are 95% binomial likelihood-ratio intervals. The format follows the
    suffix (``.png``, ``.pdf``, ``.svg``).

    Returns:
        The path written (atomically).
    """
    plt = _pyplot()
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
            _p_axis(ax, [pt.p for g in groups for pt in g.points])
            ax.set_yscale("log")
            ax.set_title(f"{title}: {what}", fontsize=9)
            ax.grid(True, which="both", alpha=0.3)
            ax.legend(fontsize=6 if len(groups) > 1 else 8)
        row[0].set_ylabel("logical error per shot (rounds = d)")
        row[1].set_ylabel("logical error per round")
    return _save(fig, path)


def _end(value: float | None) -> str:
    return "open" if value is None else f"{value:.4g}"


def _errorbar(ax, pts, rate, low, high, **kwargs) -> None:
    x = np.array([pt.p for pt in pts])
    y = np.array([getattr(pt, rate) for pt in pts])
    yerr = np.array([y - [getattr(pt, low) for pt in pts], [getattr(pt, high) for pt in pts] - y])
    ax.errorbar(x, y, yerr=np.clip(yerr, 0, None), ms=4, capsize=2, **kwargs)


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


def _per_shot_panel(ax, g: GroupFit, distances, colors, style, named: bool) -> None:
    suffix = f", {g.decoder}" if named else ""
    for d in distances:
        pts = sorted((pt for pt in g.points if pt.d == d and pt.rounds == d and pt.errors > 0),
                     key=lambda pt: pt.p)  # fmt: skip
        if pts:
            _errorbar(ax, pts, "shot_rate", "shot_low", "shot_high", color=colors[d],
                      label=f"d = {d}{suffix}", **style)  # fmt: skip
    t = g.threshold
    if t is not None:
        ps = [pt.p for pt in g.points]
        low, high = t.p_th_profile_low or min(ps), t.p_th_profile_high or max(ps)  # None: open end
        ax.axvspan(low, high, color="0.85", alpha=0.6, zorder=0)
        a = g.above_threshold
        interval = f"{t.p_th:.4g} [{_end(a.threshold_low)}, {_end(a.threshold_high)}], ν = {t.nu:.2f}"
        ax.axvline(t.p_th, color="k", ls=style["ls"], lw=1, label=f"threshold{suffix} {interval}")
    elif not named:
        ax.text(0.02, 0.02, "no threshold: " + g.threshold_note, transform=ax.transAxes, fontsize=7,
                wrap=True)  # fmt: skip


def _per_round_panel(ax, g: GroupFit, distances, colors, style, named: bool) -> None:
    suffix = f", {g.decoder}" if named else ""
    for d in distances:
        pts = sorted((pt for pt in g.points if pt.d == d and pt.errors > 0), key=lambda pt: pt.p)
        if pts:
            _errorbar(ax, pts, "round_rate", "round_low", "round_high", color=colors[d],
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


def plot_lambda(fits: Sequence[GroupFit], path: str | os.PathLike[str]) -> pathlib.Path:
    """Λ = ε_d / ε_{d+2} vs p for every group, with 95% intervals and Λ = 1 marked."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6.5, 4.5))
    one_labelled = False
    for g in fits:
        if not g.lambdas:
            continue
        ps = np.array([f.p for f in g.lambdas])
        lam = np.array([f.lambda_ for f in g.lambdas])
        err = np.array([lam - [f.lambda_low for f in g.lambdas], [f.lambda_high for f in g.lambdas] - lam])
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
    _p_axis(ax, [f.p for g in fits for f in g.lambdas])
    ax.set_yscale("log")
    ax.set_ylabel("Λ = ε_d / ε_(d+2)  (per round)")
    ax.set_title("Error suppression per distance step (dotted: measured threshold)", fontsize=10)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
    return _save(fig, path)


def plot_accuracy(tolerance: Tolerance, path: str | os.PathLike[str], *,
                  report: BudgetReport | None = None) -> pathlib.Path:  # fmt: skip
    """The paired accuracy change (left) and loss change (right) vs logical error per
    operation, with their intervals: ε* and its interval, −δ, the physical-noise runs at ε = p
    and, with a ``report``, the checks at ε_op(d*) and ε_op(d* − 2)."""
    plt = _pyplot()
    t = tolerance
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(12, 4.6))
    eps = np.array([c.eps_op for c in t.curve])
    for ax, key, label in ((a1, "delta_accuracy", "accuracy"), (a2, "delta_loss", "squared-error loss")):
        mean = np.array([getattr(c, key) for c in t.curve])
        low = np.array([getattr(c, f"{key}_low") for c in t.curve])
        high = np.array([getattr(c, f"{key}_high") for c in t.curve])
        ax.fill_between(eps, low, high, color="C0", alpha=0.25, lw=0, label=f"{t.confidence:.0%} interval")
        ax.plot(eps, mean, "-", color="C0", lw=1)
        coarse = np.array([not c.refined for c in t.curve])
        ax.plot(eps[coarse], mean[coarse], "o", color="C0", ms=5, label="logical noise ε_op (grid)")
        if (~coarse).any():
            ax.plot(eps[~coarse], mean[~coarse], ".", color="C0", ms=7, label="refined grid")
        phys = [x for x in t.physical]
        if phys:
            x = np.array([q.p for q in phys])
            y = np.array([getattr(q, key) for q in phys])
            err = np.array(
                [y - [getattr(q, f"{key}_low") for q in phys], [getattr(q, f"{key}_high") for q in phys] - y]
            )
            ax.errorbar(x, y, yerr=np.clip(err, 0, None), fmt="s", color="C3", ms=4, capsize=2,
                        label=f"{phys[0].noise} noise at p, no QEC (ε = p)")  # fmt: skip
        ax.axvspan(t.eps_star_low, t.eps_star_high, color="k", alpha=0.08)
        ax.axvline(t.eps_star, color="k", ls="--", lw=1,
                   label=f"ε* = {t.eps_star:.3g} [{t.eps_star_low:.3g}, {t.eps_star_high:.3g}]")  # fmt: skip
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
    return _save(fig, path)


def plot_budget(report: BudgetReport, path: str | os.PathLike[str]) -> pathlib.Path:
    """Required distance d* [interval] and physical qubits [interval] vs p, one series per
    decoder (side by side, nudged apart in p), with the p where hardware alone suffices and
    where no distance does marked."""
    plt = _pyplot()
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(11, 4.4))
    decoders = report.decoders
    largest = max((d for m in report.models.values() for d in m.distances), default=0)
    # Above threshold for every decoder: a shaded band; for some only: a cross per decoder.
    above = sorted(
        p
        for p in {r.p for r in report.rows}
        if all(r.verdict == "above_threshold" for r in report.rows if r.p == p)
    )
    for ax, key in ((a1, "d_star"), (a2, "physical_qubits")):
        extrapolated_labelled = extrapolated_p_labelled = False
        for i, decoder in enumerate(decoders):
            qec = [r for r in report.rows if r.verdict == "qec" and r.decoder == decoder]
            if not qec:
                continue
            nudge = 1.025 ** (i - (len(decoders) - 1) / 2)  # side by side on the log p axis
            ps = np.array([r.p for r in qec]) * nudge
            y = np.array([getattr(r, key) for r in qec], dtype=float)
            top = np.array([getattr(r, f"{key}_high") or np.nan for r in qec], dtype=float)
            bottom = np.array([getattr(r, f"{key}_low") or np.nan for r in qec], dtype=float)
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
        hw = sorted({r.p for r in report.rows if r.verdict == "hardware"})
        if hw:
            ax.axvspan(
                min(hw) / 1.05, max(hw) * 1.05, color="C2", alpha=0.15, label="hardware alone suffices"
            )
        if above:
            every = " (every decoder)" if len(decoders) > 1 else ""
            ax.axvspan(min(above) / 1.05, max(above) * 1.05, color="0.8", label=f"above threshold{every}")
        if not any(r.verdict == "qec" for r in report.rows):
            ax.text(0.5, 0.5, "no sampled p needs QEC: nothing to draw but the verdicts", ha="center",
                    va="center", transform=ax.transAxes, fontsize=9)  # fmt: skip
            ax.set_yticks([])
        _p_axis(ax, [r.p for r in report.rows])
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=7)
    a1.set_ylabel("required code distance d*")
    a2.set_yscale("log")
    a2.set_ylabel(f"physical qubits ({report.n_logical} logical)")
    t = report.tolerance
    star = f"ε* = {t.eps_star:.3g} [{t.eps_star_low:.3g}, {t.eps_star_high:.3g}]"
    fig.suptitle(f"{report.code}: what the QNN needs to stay within δ = {t.delta:g} ({star})", fontsize=10)
    return _save(fig, path)


def plot_resources(report: ResourcesReport, path: str | os.PathLike[str]) -> pathlib.Path:
    """Physical qubits vs p from the QDK Resource Estimator, stacked algorithm + T factories,
    for the measured constants and QDK's defaults side by side, with the data-patch-only
    count (the QNN's logical qubits at the same distance, no layout, no factories)."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(10.5, 4.6))
    ps = sorted({r.p for r in report.rows} | {f["p"] for f in report.failures})
    x = np.arange(len(ps))
    labels = [f"measured ({name})" for name in report.models] + ["qdk-default"]
    labels = [label for label in labels if any(r.label == label for r in report.rows)] or labels
    width = 0.8 / len(labels)
    colors = [f"C{i}" for i in range(len(labels) - 1)] + ["C7"]
    for i, (label, color) in enumerate(zip(labels, colors, strict=True)):
        offset = (i - (len(labels) - 1) / 2) * width
        rows = {r.p: r for r in report.rows if r.label == label and r.bound == "estimate"}
        have = [j for j, p in enumerate(ps) if p in rows]
        alg = np.array([rows[ps[j]].physical_qubits_algorithm for j in have])
        fac = np.array([rows[ps[j]].physical_qubits_factories for j in have])
        ax.bar(x[have] + offset, alg, width, color=color, label=f"{label}: algorithm")
        ax.bar(x[have] + offset, fac, width, bottom=alg, color=color, alpha=0.45, hatch="//",
               label=f"{label}: T factories")  # fmt: skip
        if label != "qdk-default":
            patches = [rows[ps[j]].data_patch_qubits for j in have]
            ax.plot(x[have] + offset, patches, "k_", ms=28 / len(labels), mew=2,
                    label="data patches only, same distance" if i == 0 else None)  # fmt: skip
            for j in (j for j, p in enumerate(ps) if p not in rows):
                ax.text(x[j] + offset, 0.03, "not estimated", ha="center", va="bottom", fontsize=7,
                        rotation=90, transform=ax.get_xaxis_transform())  # fmt: skip
    ax.set_yscale("log")
    smallest = [v for r in report.rows for v in (r.physical_qubits_algorithm, r.data_patch_qubits) if v > 0]
    if smallest:
        ax.set_ylim(bottom=min(smallest) / 2)
    ax.set_xticks(x, [f"{p:g}" for p in ps])
    ax.set_xlabel("physical error rate p")
    ax.set_ylabel("physical qubits")
    ax.grid(True, axis="y", which="both", alpha=0.3)
    budget = report.rows[0].error_budget if report.rows else float("nan")
    ax.set_title(f"One QNN execution on a fault-tolerant machine ({report.noise}, {report.preset}, "
                 f"error budget {budget:.3g})", fontsize=9)  # fmt: skip
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1))
    return _save(fig, path)


def cnot_vs_memory(fits: Sequence[GroupFit], *, decoder: str, cycles_per_gate: float = 1.0,
                   basis: str = "z") -> list[dict[str, float]]:  # fmt: skip
    """Per sampled (d, p): the lattice-surgery CNOT's measured error (any logical Pauli, from its
    six flows; the interval with every flow at its 95% bound) and the memory prediction the scalar
    route makes, ε_op = 1 − (1 − ε_round)^(c·d), from the ``basis`` memory point at the same (d, p),
    and their ratio (its interval from both intervals' opposite ends).

    Example:
        >>> cnot_vs_memory([], decoder="pymatching")
        []
    """
    from qec.channel import sampled_cnot_errors
    from qec.fit import logical_eps_op

    memory: dict[tuple[int, float], list[float]] = {}
    for g in fits:
        if g.decoder == decoder and g.experiment == "memory" and g.basis == basis:
            for pt in (pt for pt in g.points if pt.rounds == pt.d):
                memory[(pt.d, pt.p)] = [logical_eps_op(r, distance=pt.d, cycles_per_gate=cycles_per_gate)
                                        for r in (pt.round_rate, pt.round_low, pt.round_high)]  # fmt: skip
    out = []
    flows = {g.observable: g.points for g in fits if g.decoder == decoder and g.experiment == "cnot"}
    for (d, p), (error, _) in sampled_cnot_errors(flows).items():
        if (d, p) not in memory:
            continue
        mem = memory[(d, p)]
        out.append({"d": d, "p": p, "cnot": error.best, "cnot_low": error.low, "cnot_high": error.high,
                    "memory": mem[0], "memory_low": mem[1], "memory_high": mem[2],
                    "ratio": error.best / mem[0], "ratio_low": error.low / mem[2],
                    "ratio_high": error.high / mem[1] if mem[1] > 0 else float("inf")})  # fmt: skip
    return out


def plot_cnot(fits: Sequence[GroupFit], path: str | os.PathLike[str], *, cycles_per_gate: float = 1.0,
              basis: str = "z") -> pathlib.Path:  # fmt: skip
    """The lattice-surgery CNOT's measured logical error against the memory prediction, per d.

    One row per decoder. Left: the CNOT's error per operation (markers, 95% intervals; any
    logical Pauli, from its six stabilizer flows) and the scalar route's memory-based ε_op at
    the same (d, p) (dashed, same colour). Right: their ratio, the factor by which one memory
    patch for c·d rounds underestimates the CNOT.
    """
    plt = _pyplot()
    decoders = sorted({g.decoder for g in fits if g.experiment == "cnot"})
    if not decoders:
        raise ValueError("nothing to plot: the fits hold no cnot experiment")
    fig, axes = plt.subplots(len(decoders), 2, figsize=(11, 4.4 * len(decoders)), squeeze=False)
    for row, decoder in zip(axes, decoders, strict=True):
        data = cnot_vs_memory(fits, decoder=decoder, cycles_per_gate=cycles_per_gate, basis=basis)
        distances = sorted({r["d"] for r in data})
        colors = {d: plt.cm.viridis(i / max(len(distances) - 1, 1)) for i, d in enumerate(distances)}
        for d in distances:
            rs = [r for r in data if r["d"] == d]
            ps = [r["p"] for r in rs]
            cnot = np.array([r["cnot"] for r in rs])
            err = [cnot - [r["cnot_low"] for r in rs], [r["cnot_high"] for r in rs] - cnot]
            row[0].errorbar(ps, cnot, yerr=err, color=colors[d], marker="o", ls="-", label=f"CNOT, d = {d}")
            row[0].plot(ps, [r["memory"] for r in rs], color=colors[d], ls="--",
                        label=f"memory ε_op, d = {d}")  # fmt: skip
            ratio = np.array([r["ratio"] for r in rs])
            ratio_err = [ratio - [r["ratio_low"] for r in rs], [r["ratio_high"] for r in rs] - ratio]
            row[1].errorbar(ps, ratio, yerr=ratio_err, color=colors[d], marker="o", label=f"d = {d}")
        row[1].axhline(1, color="k", lw=0.8)
        for ax in row:
            _p_axis(ax, [r["p"] for r in data] or [1e-3])
            ax.set_yscale("log")
            ax.grid(True, which="both", alpha=0.3)
            ax.legend(fontsize=7)
        row[0].set_ylabel("logical error per operation")
        row[1].set_ylabel("CNOT error / memory ε_op")
        row[0].set_title(f"lattice-surgery CNOT vs one memory patch for {cycles_per_gate:g}·d rounds "
                         f"({basis} basis), {decoder}", fontsize=9)  # fmt: skip
        row[1].set_title(f"how far the memory assumption is off, {decoder}", fontsize=9)
    return _save(fig, path)


def plot_study(folder: str | os.PathLike[str]) -> list[pathlib.Path]:
    """Every figure of a study, from its data folder only (no sampling, no training).

    Reads ``fits.json`` and, when present, ``tolerance.json``, ``budget.json`` and ``resources.json``;
    writes ``plots/threshold.png``, ``lambda.png``, ``accuracy.png``, ``budget.png`` and
    ``resources.png``, and ``cnot.png`` when the fits hold the lattice-surgery CNOT.
    """

    from qec.budget import BudgetReport
    from qec.fit import read_fits
    from qec.tolerance import Tolerance

    folder = pathlib.Path(folder)
    fits_path = folder / "fits.json"
    if not fits_path.exists():
        raise ValueError(f"{str(folder)!r} has no fits.json: is it a study's data folder?")
    every = read_fits(fits_path)
    fits = [g for g in every if g.experiment == "memory"]
    plots = folder / "plots"
    plots.mkdir(exist_ok=True)
    written = [plot_fits(fits, plots / "threshold.png"), plot_lambda(fits, plots / "lambda.png")]
    if (folder / "resources.json").exists():
        from qec.resources import ResourcesReport

        resources = ResourcesReport.from_dict(_read_json(folder / "resources.json"))
        written.append(plot_resources(resources, plots / "resources.png"))
    report = None
    if (folder / "budget.json").exists():
        report = BudgetReport.from_dict(_read_json(folder / "budget.json"))
        written.append(plot_budget(report, plots / "budget.png"))
    if any(g.experiment == "cnot" for g in every):
        cycles = report.cycles_per_gate if report is not None else 1.0
        written.append(plot_cnot(every, plots / "cnot.png", cycles_per_gate=cycles))
    if report is not None or (folder / "tolerance.json").exists():
        tolerance = report.tolerance if report else Tolerance.from_dict(_read_json(folder / "tolerance.json"))
        written.insert(2, plot_accuracy(tolerance, plots / "accuracy.png", report=report))
    return written


def _read_json(path: pathlib.Path) -> dict:
    import json

    try:
        return json.loads(path.read_text())
    except (OSError, json.JSONDecodeError) as e:
        raise ValueError(f"{path}: unreadable ({type(e).__name__}: {e})") from None


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
