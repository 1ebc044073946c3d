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
        ValueError: no fits.json, an input that is not the record qec writes (the message names
            the file, the field and what is allowed), or ``plots`` is not a folder.
    """

    from qec.budget import BudgetReport
    from qec.fit import read_fits
    from qec.tolerance import Tolerance

    folder = pathlib.Path(folder)
    fits_path = folder / "fits.json"
    if not fits_path.exists():
        raise ValueError(f"{str(folder)!r} has no fits.json: is it a study's data folder?")
    # Every input is read before anything is drawn or written: a corrupt one is one line, and
    # leaves no figure behind (catalog PL13, PL14).
    every = read_fits(fits_path)
    fits = [g for g in every if g.experiment == "memory"]
    resources = report = tolerance = None
    if (folder / "resources.json").exists():
        from qec.resources import ResourcesReport

        resources = read_json(folder / "resources.json", ResourcesReport.from_dict)
    if (folder / "budget.json").exists():
        report = read_json(folder / "budget.json", BudgetReport.from_dict)
    if report is not None:
        tolerance = report.tolerance
    elif (folder / "tolerance.json").exists():
        tolerance = read_json(folder / "tolerance.json", Tolerance.from_dict)
    plots = folder / "plots"
    if plots.exists() and not plots.is_dir():  # catalog PL7: a FileExistsError traceback
        raise ValueError(f"{str(plots)!r} exists and is not a folder; the figures are written there: "
                         "move it away")  # fmt: skip
    plots.mkdir(exist_ok=True)
    written = [plot_fits(fits, plots / "threshold.png"), plot_lambda(fits, plots / "lambda.png")]
    if resources is not None:
        written.append(plot_resources(resources, plots / "resources.png"))
    if report is not None:
        written.append(plot_budget(report, plots / "budget.png"))
    if any(g.experiment == "cnot" for g in every):
        cycles = report.cycles_per_gate if report is not None else 1.0
        written.append(plot_cnot(every, plots / "cnot.png", cycles_per_gate=cycles))
    if tolerance is not None:
        written.insert(2, plot_accuracy(tolerance, plots / "accuracy.png", report=report))
    return written
