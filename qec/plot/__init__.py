"""Figures, drawn from fit results (and so from data files) only.

One module per figure family: ``fits`` (logical error and Λ against p), ``tolerance`` (accuracy
against the logical error per operation), ``budget`` (d* and qubits against p), ``resources``
(QDK's qubit counts), ``cnot`` (the lattice-surgery CNOT against the memory prediction) and
``study`` (every figure of a study's data folder). This package only lists names.
"""

from qec.plot.budget import plot_budget
from qec.plot.cnot import cnot_vs_memory, plot_cnot
from qec.plot.fits import plot_fits, plot_lambda
from qec.plot.resources import plot_resources
from qec.plot.study import plot_study
from qec.plot.tolerance import plot_accuracy

__all__ = [
    "cnot_vs_memory",
    "plot_accuracy",
    "plot_budget",
    "plot_cnot",
    "plot_fits",
    "plot_lambda",
    "plot_resources",
    "plot_study",
]
