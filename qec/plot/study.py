"""Every figure of a study, from its data folder only."""

from __future__ import annotations

import os
import pathlib
from typing import TYPE_CHECKING

from qec.plot._figure import read_json
from qec.plot.budget import plot_budget
from qec.plot.cnot import plot_cnot
from qec.plot.fits import plot_fits, plot_lambda
from qec.plot.resources import plot_resources
from qec.plot.tolerance import plot_accuracy

if TYPE_CHECKING:
    pass


def plot_study(folder: str | os.PathLike[str]) -> list[pathlib.Path]:
    """Every figure of a study, from its data folder only (no sampling, no training).

    Reads ``fits.json`` and, when present, ``tolerance.json``, ``budget.json`` and ``resources.json``;
    writes ``plots/threshold.png``, ``lambda.png``, ``accuracy.png``, ``budget.png`` and
    ``resources.png``, and ``cnot.png`` when the fits hold the lattice-surgery CNOT.

    Raises:
        ValueError: ``folder`` has no ``fits.json``.
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

        resources = ResourcesReport.from_dict(read_json(folder / "resources.json"))
        written.append(plot_resources(resources, plots / "resources.png"))
    report = None
    if (folder / "budget.json").exists():
        report = BudgetReport.from_dict(read_json(folder / "budget.json"))
        written.append(plot_budget(report, plots / "budget.png"))
    if any(g.experiment == "cnot" for g in every):
        cycles = report.cycles_per_gate if report is not None else 1.0
        written.append(plot_cnot(every, plots / "cnot.png", cycles_per_gate=cycles))
    if report is not None or (folder / "tolerance.json").exists():
        tolerance = report.tolerance if report else Tolerance.from_dict(read_json(folder / "tolerance.json"))
        written.insert(2, plot_accuracy(tolerance, plots / "accuracy.png", report=report))
    return written
