"""Figures, drawn from fit results (and so from data files) only.

One module per figure family: ``fits`` (logical error and Λ against p), ``tolerance`` (accuracy
against the logical error per operation), ``budget`` (d* and qubits against p), ``resources``
(QDK's qubit counts), ``cnot`` (the lattice-surgery CNOT against the memory prediction) and
``study`` (every figure of a study's data folder). Each ``*_figure`` draws and returns the
matplotlib figure (to inspect or restyle); its ``plot_*`` writes it to a file. This package only
lists names.
"""

from qec.plot.budget import budget_figure, plot_budget
from qec.plot.cnot import cnot_figure, cnot_vs_memory, plot_cnot
from qec.plot.fits import fits_figure, lambda_figure, plot_fits, plot_lambda
from qec.plot.resources import plot_resources, resources_figure
from qec.plot.study import plot_study
from qec.plot.tolerance import accuracy_figure, plot_accuracy

__all__ = [
    "accuracy_figure",
    "budget_figure",
    "cnot_figure",
    "cnot_vs_memory",
    "fits_figure",
    "lambda_figure",
    "plot_accuracy",
    "plot_budget",
    "plot_cnot",
    "plot_fits",
    "plot_lambda",
    "plot_resources",
    "plot_study",
    "resources_figure",
]
