"""The lattice-surgery CNOT's measured error against the memory prediction."""

from __future__ import annotations

import os
import pathlib
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from qec.fit import GroupFit
from qec.plot._figure import p_axis, pyplot, save_figure

if TYPE_CHECKING:
    from matplotlib.figure import Figure


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
                                        for r in (pt.round_interval.best, pt.round_interval.low,
                                                  pt.round_interval.high)]  # fmt: skip
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


def cnot_figure(fits: Sequence[GroupFit], *, cycles_per_gate: float = 1.0, basis: str = "z") -> Figure:
    """The lattice-surgery CNOT's measured logical error against the memory prediction, per d.

    One row per decoder. Left: the CNOT's error per operation (markers, 95% intervals; any
    logical Pauli, from its six stabilizer flows) and the scalar route's memory-based ε_op at
    the same (d, p) (dashed, same colour; the band is its 95% interval). Right: their ratio,
    the factor by which one memory patch for c·d rounds underestimates the CNOT.

    Raises:
        ValueError: the fits hold no cnot experiment.
    """
    plt = pyplot()
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
            err = np.array([cnot - [r["cnot_low"] for r in rs], [r["cnot_high"] for r in rs] - cnot])
            row[0].errorbar(ps, cnot, yerr=err, color=colors[d], marker="o", ls="-", label=f"CNOT, d = {d}")
            row[0].plot(ps, [r["memory"] for r in rs], color=colors[d], ls="--",
                        label=f"memory ε_op, d = {d}")  # fmt: skip
            row[0].fill_between(ps, [r["memory_low"] for r in rs], [r["memory_high"] for r in rs],
                                color=colors[d], alpha=0.2, lw=0)  # fmt: skip
            ratio = np.array([r["ratio"] for r in rs])
            ratio_err = np.array([ratio - [r["ratio_low"] for r in rs],
                                  [r["ratio_high"] for r in rs] - ratio])  # fmt: skip
            row[1].errorbar(ps, ratio, yerr=ratio_err, color=colors[d], marker="o", label=f"d = {d}")
        row[1].axhline(1, color="k", lw=0.8)
        for ax in row:
            p_axis(ax, [r["p"] for r in data] or [1e-3])
            ax.set_yscale("log")
            ax.grid(True, which="both", alpha=0.3)
            ax.legend(fontsize=7)
        row[0].set_ylabel("logical error per operation")
        row[1].set_ylabel("CNOT error / memory ε_op")
        row[0].set_title(f"lattice-surgery CNOT vs one memory patch for {cycles_per_gate:g}·d rounds "
                         f"({basis} basis), {decoder}", fontsize=9)  # fmt: skip
        row[1].set_title(f"how far the memory assumption is off, {decoder}", fontsize=9)
    return fig


def plot_cnot(
    fits: Sequence[GroupFit], path: str | os.PathLike[str], *, cycles_per_gate: float = 1.0, basis: str = "z"
) -> pathlib.Path:
    """Draw ``cnot_figure`` and write it to ``path`` (atomically; the format from its suffix)."""
    return save_figure(cnot_figure(fits, cycles_per_gate=cycles_per_gate, basis=basis), path)
