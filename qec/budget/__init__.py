"""The QML error budget: tolerance ε* and suppression model → one verdict per p, d* [interval], qubits.

One module per concept, in the order ``qec budget`` uses them: ``rows`` (one verdict per p and
decoder, d* with its interval), ``report`` (the rows with their assumptions, written and read
back) and ``plan`` (from a fits.json and a tolerance to the report). The measured-channel
route is ``qec.channel_budget``. This package only lists names."""

from qec.budget.plan import BudgetPlan, budget_plan, budget_report, measure_budget
from qec.budget.report import BudgetReport
from qec.budget.rows import VERDICTS, BudgetRow, budget_rows, check_eps, with_checks

__all__ = [
    "VERDICTS",
    "BudgetPlan",
    "BudgetReport",
    "BudgetRow",
    "budget_plan",
    "budget_report",
    "budget_rows",
    "check_eps",
    "measure_budget",
    "with_checks",
]
