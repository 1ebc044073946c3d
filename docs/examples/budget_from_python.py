"""Sample → fit → tolerance → budget from Python: the steps of a study, in one script.

The sizes are tiny so that it runs in about ten seconds on 2 cores, and its numbers are only as
good as those sizes (two distances, 20,000 shots per point, one 4-qubit QNN trained for 60
iterations); sinter takes no seed, so they also move a little from run to run. Scale them up
before quoting one.
"""

import json
import pathlib
import tempfile

import qec
from qec.budget import check_eps, with_checks

PS = [0.001, 0.003, 0.005, 0.008]  # physical error rates of the budget: Stim's probability per operation
# Sampled more densely below threshold, where the model is fitted: with two distances it needs three
# points with errors at both, and at 0.1% d = 5 often has none in 20,000 shots.
SAMPLE_PS = [0.002, 0.003, 0.004, 0.005, 0.006, 0.008]
EXTRA_TEST = 200  # fresh test points beside the held-out split: a tighter ε* for no training


def main() -> None:
    folder = pathlib.Path(tempfile.mkdtemp(prefix="qec-tutorial-"))

    # 1. Sample: rotated surface-code memory under circuit noise, rounds = d, decoded by PyMatching.
    #    sinter starts its worker processes here; they re-import this file, hence the __main__ guard.
    experiments = qec.sweep(
        codes=["surface_rotated"], noises=["circuit"], distances=[3, 5], ps=SAMPLE_PS, rounds_per_distance=1
    )
    stats = qec.collect(experiments, out=folder / "stats.csv", workers=2, max_shots=20_000, max_errors=200)

    # 2. Fit: threshold (where the data bracket one), Λ per p, and the suppression model ε_round(d, p).
    (group,) = qec.fit_all(qec.points_from_stats(stats), bootstrap=0)
    if group.model is None:  # too few points with errors: the fit says why
        raise SystemExit(f"{group.key}: no suppression model: {group.model_note}")
    print(f"{group.key}: ε_round = {group.model.describe()}")

    # 3. Train a QNN noiselessly; its tolerance ε* comes from paired evaluations of the trained
    #    weights under logical noise ε, and under the physical noise model at each p (no QEC).
    config = qec.TrainConfig(dataset="circles", qubits=4, layers=2, connectivity="ring", samples=100,
                             test_fraction=0.5, maxiter=60, chunk=60, shots=100)  # fmt: skip
    result = qec.train(config)
    workload = qec.Workload.from_results([result.to_dict()], definition="inference", extra_test=EXTRA_TEST)
    tolerance = qec.measure_tolerance(
        workload.evaluate,
        eps_grid=[1e-3, 1e-2, 1e-1],
        physical=[("circuit", p) for p in PS],
        delta=0.01,
        bootstrap=200,
        refine=2,
        qnn=workload.shape,
        simulation=workload.simulation(),
        extra_test=EXTRA_TEST,
    )
    print(tolerance.describe())

    # 4. Budget: one verdict per p, d* with its interval; then the QNN is evaluated at the logical
    #    error of d* (it should stay within δ) and of d* − 2 (it should not).
    rows = qec.budget_rows(
        model=group.model, tolerance=tolerance, code="surface_rotated", n_logical=config.qubits
    )
    changes = qec.measure_changes(workload.evaluate, check_eps(rows), bootstrap=200)
    report = qec.BudgetReport(
        code="surface_rotated",
        basis="z",
        noise="circuit",
        cycles_per_gate=1.0,
        n_logical=config.qubits,
        models={group.decoder: group.model},
        tolerance=tolerance,
        rows=tuple(with_checks(rows, changes)),
    )
    print(report.format())
    # The same file `qec budget` writes: qec.BudgetReport.from_dict reads it back.
    (folder / "budget.json").write_text(json.dumps(report.to_dict(), indent=1))
    print(f"stats.csv and budget.json are in {folder}")


if __name__ == "__main__":
    main()
