"""Adaptive sampling: spend shots where the budget's d* intervals need them (``qec sample --target``).

Uniform sampling gives every (d, p) task the same stopping rule. The budget's answer, d* with its
interval, depends on the tasks very unequally: the interval comes from the suppression model's
uncertainty at (d*, p), which the low-p, large-d points pin down and the points near threshold
barely touch. ``sample_adaptively`` samples in rounds instead:

1. **Pilot**: every task to ``pilot_errors`` errors or ``pilot_shots`` shots (a threshold and a
   first model for every (basis, decoder) group).
2. **Judge**: refit (``qec.fit.fit_all``, no bootstrap) and compute each group's budget rows
   (``qec.budget.budget_rows``) against the tolerance. A row is done when its d* interval is at
   most ``steps`` distance steps wider than it would be with the model known exactly (the
   *floor*: ε*'s own interval, which no amount of sampling narrows; 0 for an exact ε*).
3. **Choose**: the next batches go to the tasks that shrink the open rows' model variance most
   per core-second. A batch of Δn shots at a task whose per-shot error is r adds Δn·r/(1 − r) to
   the weight of its ln-rate in the model's least-squares fit; the variance of ln ε_round at a
   row's (d*, p) then falls by a rank-one (Sherman–Morrison) update of the model's covariance.
   Batches cost ``batch_seconds`` core-seconds each, at each task's measured seconds per shot.
4. Stop when every row is done, the core-hour cap is spent, or no task can take more shots.

**Without a tolerance** (``AdaptiveTarget.relative_width``, ``qec sample --fit-target W``) there
are no budget rows; the questions are ``qec fit``'s own: in every (basis, decoder) group, the
measured threshold (the finite-size-scaling crossing, ``qec.fit.fit_threshold``) and Λ at every
sampled p the group is not measured above threshold at (``qec.fit.fit_lambdas``). Each is done
when its 95% interval is at most W times its estimate wide, (high − low)/estimate ≤ W (the
threshold's profile interval; an end the data leave open is an infinite width). Rounds, pilot,
stop rule and files are the same; step 3 values a batch with the fits' own covariances, as for
the model:

- the threshold's scaling fit, P = A + B·x + C·x², x = (p − p_th)·d^(1/ν), has the Gauss–Newton
  information I = Σ w_i g_i g_iᵀ (g = ∂P/∂(p_th, ν, A, B, C), w = n/(r(1 − r)), the fit's own
  weights); p_th's variance, s²·(I⁻¹)₀₀ (s the fit's χ² scale), is what its profile interval
  measures to first order (``qec.fit.threshold.ScalingFit``). Δn more shots at (d, p) add
  Δn/(r(1 − r))·g gᵀ to I;
- Λ at p is exp(−2b) from the weighted fit ln ε_round = a + b·d; its relative width,
  2·sinh(2z·σ_b), falls with b's variance, and Δn more shots at (d, p) add Δn/(n·σ²) to that
  point's weight (σ its ln-rate's standard error, ``qec.fit.lambdas.lambda_fit_at``).

A batch's value is the relative fall of each open interval's variance (rank-one updates),
summed, and divided by the fit's χ²/dof widening where there is one: that share of the width is
lack of fit, which shots do not remove (``_fit_gains``).

Everything lives in the sinter CSV ``out``: each round decides from the file alone, so a killed
run resumes where it stopped, and the shards stay combinable with any other.
"""

from qec.adaptive.allocate import Batch, Plan, plan_round
from qec.adaptive.driver import AdaptiveResult, sample_adaptively
from qec.adaptive.target import DEFAULTS, STOPPED, AdaptiveTarget, Question
from qec.adaptive.widths import FitWidth, Row, RowWidth, judge

__all__ = [
    "DEFAULTS",
    "STOPPED",
    "AdaptiveResult",
    "AdaptiveTarget",
    "Batch",
    "FitWidth",
    "Plan",
    "Question",
    "Row",
    "RowWidth",
    "judge",
    "plan_round",
    "sample_adaptively",
]
