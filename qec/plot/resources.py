"""The resources: QDK's physical qubits per p and constant set."""

from __future__ import annotations

import os
import pathlib
from typing import TYPE_CHECKING

import numpy as np

from qec.plot._figure import pyplot, save_figure

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from qec.resources import ResourcesReport


def resources_figure(report: ResourcesReport) -> Figure:
    """Physical qubits vs p from the QDK Resource Estimator, stacked algorithm + T factories,
    for the measured constants and QDK's defaults side by side, with the data-patch-only
    count (the QNN's logical qubits at the same distance, no layout, no factories)."""
    plt = pyplot()
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
    return fig


def plot_resources(report: ResourcesReport, path: str | os.PathLike[str]) -> pathlib.Path:
    """Draw ``resources_figure`` and write it to ``path`` (atomically; the format from its suffix)."""
    return save_figure(resources_figure(report), path)
