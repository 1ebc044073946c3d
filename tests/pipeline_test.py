"""End to end through Snakemake: a miniature study, no-op reruns, targeted recomputation."""

import json
import pathlib
import re
import shutil
import subprocess
import sys

import pytest
import yaml
from _helpers import MINI, REPO, planned_jobs, snakemake_cmd


def snakemake(workdir: pathlib.Path, config: pathlib.Path, *extra: str) -> subprocess.CompletedProcess:
    cmd = snakemake_cmd(workdir, config, *extra)
    return subprocess.run(cmd, capture_output=True, text=True, timeout=900)


@pytest.mark.slow
def test_miniature_study_end_to_end(tmp_path):
    config = tmp_path / "mini.yaml"
    config.write_text(yaml.safe_dump(MINI))
    run = snakemake(tmp_path, config)
    assert run.returncode == 0, run.stderr[-3000:]
    data = tmp_path / "data" / "mini"
    budget = (data / "budget.txt").read_text()
    assert "Assumptions" in budget and "δ = 0.05" in budget
    for name in ("threshold", "lambda", "accuracy", "budget", "resources"):
        assert (data / "plots" / f"{name}.png").read_bytes()[:4] == b"\x89PNG"
    assert (data / "logs" / "sample" / "repetition" / "circuit" / "z" / "pymatching" / "d3.log").exists()
    from qec.budget import BudgetReport

    report = BudgetReport.from_dict(json.loads((data / "budget.json").read_text()))
    # One row per (p, decoder), the decoders side by side, each with its own fitted model.
    decoders = MINI["sampling"]["decoders"]
    assert [(r.p, r.decoder) for r in report.rows] == [
        (p, d) for p in MINI["sampling"]["ps"] for d in decoders
    ]
    assert list(report.models) == decoders
    assert report.tolerance.test_points == 10 + 40 and report.tolerance.definition == "inference"
    from qec.resources import ResourcesReport

    resources = ResourcesReport.from_dict(json.loads((data / "resources.json").read_text()))
    # p = 0.01 and 0.03 are at or above QDK's default threshold (0.01): it refuses, and says so.
    for decoder in decoders:
        measured = {r.p for r in resources.rows if r.constants == "measured" and r.decoder == decoder}
        assert sorted(measured) == [0.01, 0.03]
    refused = [f for f in resources.failures if f["constants"] == "qdk-default"]
    assert refused and all("expected value between 0 and 0.01" in f["message"] for f in refused)
    stats = tmp_path / "data" / "mini" / "stats.csv"
    import sinter

    assert (
        len(sinter.read_stats_from_csv_files(stats)) == 12
    )  # 2 decoders x 2 distances x 3 p, summed per task
    fits = json.loads((data / "fits.json").read_text())["fits"]
    assert sorted(fits) == [f"repetition/circuit/z/{d}" for d in decoders]

    # Rerunning does nothing.
    again = snakemake(tmp_path, config, "-n")
    assert "Nothing to be done" in again.stdout + again.stderr
    # R6: nor does the same study written with every mapping's keys in another order.
    flipped = lambda x: {k: flipped(x[k]) for k in reversed(x)} if isinstance(x, dict) else x  # noqa: E731
    redumped = tmp_path / "mini-redumped.yaml"
    redumped.write_text(yaml.safe_dump(flipped(json.loads(json.dumps(MINI))), sort_keys=False))
    again = snakemake(tmp_path, redumped, "-n")
    assert "Nothing to be done" in again.stdout + again.stderr, again.stdout[-3000:]

    # One shard per (basis, decoder, d), holding every p.
    shards = sorted(str(p.relative_to(data / "stats")) for p in (data / "stats").rglob("*.csv"))
    assert shards == sorted(f"repetition/circuit/z/{dec}/d{d}.csv" for dec in decoders for d in (3, 5))
    # Deleting one shard recomputes that shard and what depends on it, and nothing else.
    (data / "stats" / "repetition" / "circuit" / "z" / "pymatching-correlated" / "d5.csv").unlink()
    plan = snakemake(tmp_path, config, "-n")
    jobs = planned_jobs(plan.stdout + plan.stderr)
    expected = {"sample": 1, "combine": 1, "fit": 1, "budget": 1, "resources": 1, "plot": 1, "all": 1}
    assert jobs == expected, jobs  # not the QNN runs, not the tolerance

    # The report docs/how-to/studies.md documents builds on a fresh install (it needs pygments).
    report = snakemake(tmp_path, config, "--report", str(tmp_path / "report.html"))
    assert report.returncode == 0, report.stderr[-2000:]
    assert (tmp_path / "report.html").stat().st_size > 10_000

    # Figures regenerate from the data folder alone.
    plot = subprocess.run([sys.executable, "-m", "qec", "plot", str(data)], capture_output=True, text=True)
    assert plot.returncode == 0, plot.stderr
    assert len(plot.stdout.split()) == 5


BUILT_IN_QNN = ("dataset", "qubits", "layers", "connectivity")


def test_study_decoders_and_your_own_qnn_reach_the_commands(tmp_path):
    # A study's decoders (with a custom one) and its own circuit and data become the flags of the
    # jobs that use them (a dry run prints every command).
    study = {
        **MINI,
        "study": "mini-own",
        "sampling": {**{k: v for k, v in MINI["sampling"].items() if k != "decoders"}, "decoder": "bposd",
                     "custom_decoders": ["stimbposd:sinter_decoders"]},
        "qnn": {**{k: v for k, v in MINI["qnn"].items() if k not in BUILT_IN_QNN},
                "circuit": "studies/byo/qnn.qpy", "data": "studies/byo/breast_cancer.csv",
                "observable": "-ZIIZ"},
    }  # fmt: skip
    config = tmp_path / "own.yaml"
    config.write_text(yaml.safe_dump(study))
    shutil.copytree(REPO / "studies" / "byo", tmp_path / "studies" / "byo")  # the study's paths are relative
    dry = snakemake_cmd(tmp_path, config, "-n", "-p")
    run = subprocess.run(dry, capture_output=True, text=True, timeout=300)
    out = run.stdout + run.stderr
    assert run.returncode == 0, out[-2000:]
    assert "--decoder bposd --custom-decoders stimbposd:sinter_decoders" in out
    # The qnn block reaches `qec train` as one settings file, written by its own rule.
    (settings,) = set(re.findall(r"train --settings (data/mini-own/qnn/settings-[0-9a-f]{12}\.json)", out))
    made = subprocess.run([*dry[:-2], settings], capture_output=True, text=True, timeout=300)
    assert made.returncode == 0, (made.stdout + made.stderr)[-2000:]
    from qec.cli._train import expand_argv

    flags = expand_argv(["train", "--settings", str(tmp_path / settings)])
    assert {"--circuit=studies/byo/qnn.qpy", "--data=studies/byo/breast_cancer.csv"} <= set(flags)
    assert "--observable=-ZIIZ" in flags  # V10r: '--observable -ZIIZ' would read -ZIIZ as a flag


@pytest.mark.parametrize("profile", ["local", "slurm"])
def test_an_adaptive_study_plans_one_sampling_job_after_its_tolerance(tmp_path, profile):
    # sampling.adaptive (#20): one qec sample --target job replaces the memory shards, reads the
    # study's tolerance, and plans without --cores under the SLURM profile (no rule may ask for
    # workflow.cores there).
    study = {**MINI, "study": "mini-adaptive",
             "sampling": {**MINI["sampling"], "adaptive": {"target": 2, "core_hours": 0.1}}}  # fmt: skip
    config = tmp_path / "adaptive.yaml"
    config.write_text(yaml.safe_dump(study))
    dry = [sys.executable, "-m", "snakemake", "--snakefile", str(REPO / "Snakefile"),
           "--directory", str(tmp_path), "--configfile", str(config),
           "--profile", str(REPO / f"studies/profiles/{profile}"), "-n", "-p"]  # fmt: skip
    run = subprocess.run(dry, capture_output=True, text=True, timeout=300)
    out = run.stdout + run.stderr
    assert run.returncode == 0, out[-2000:]
    jobs = planned_jobs(out)
    assert jobs.get("sample_adaptive") == 1 and "sample" not in jobs, jobs
    assert "--target 2 --core-hours 0.1" in out and "--tolerance data/mini-adaptive/tolerance.json" in out


def test_snakemake_lint_is_clean():
    cmd = [sys.executable, "-m", "snakemake", "--lint", "--snakefile", str(REPO / "Snakefile")]
    run = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=300)
    assert "your workflow is in a good condition!" in run.stdout + run.stderr, run.stdout[-2000:]


def test_schema_enums_and_limits_agree_with_the_code():
    from qec.codes import BASES, CODE_NAMES
    from qec.fit import MIN_BOOTSTRAP
    from qec.qnn import (
        CONNECTIVITIES,
        DATASETS,
        MAX_QUBITS,
        MAX_SAMPLES,
        MAX_TRAJECTORIES,
        METHODS,
        OBSERVABLES,
    )
    from qec.resources import PRESETS
    from qec.tolerance import DEFINITIONS

    props = yaml.safe_load((REPO / "studies/schema.yaml").read_text())["properties"]
    q, t = props["qnn"]["properties"], props["tolerance"]["properties"]
    assert props["sampling"]["properties"]["codes"]["items"]["enum"] == list(CODE_NAMES)
    assert props["budget"]["properties"]["code"]["enum"] == list(CODE_NAMES)
    assert props["sampling"]["properties"]["bases"]["items"]["enum"] == list(BASES)
    assert props["budget"]["properties"]["basis"]["enum"] == list(BASES)
    assert q["dataset"]["enum"] == list(DATASETS)
    assert q["connectivity"]["enum"] == list(CONNECTIVITIES)
    assert q["observable"]["pattern"].startswith("^(" + "|".join(OBSERVABLES) + "|")
    assert q["qubits"]["maximum"] == MAX_QUBITS  # beyond it no method here holds the state
    # E4, NUM12, P18: sizes a run cannot finish beyond, the same bound in the schema and the code
    assert q["samples"]["maximum"] == MAX_SAMPLES and t["extra_test"]["maximum"] == MAX_SAMPLES
    assert q["trajectories"]["maximum"] == MAX_TRAJECTORIES
    assert q["method"]["enum"] == list(METHODS)
    assert t["definition"]["enum"] == list(DEFINITIONS)
    assert props["resources"]["properties"]["preset"]["enum"] == list(PRESETS)
    assert props["fit"]["properties"]["bootstrap"]["anyOf"] == [{"const": 0}, {"minimum": MIN_BOOTSTRAP}]
    # The circuit-level models: the ones the QNN's physical runs and the estimator both take.
    assert props["sampling"]["properties"]["noise"]["enum"] == ["circuit", "si1000"]


def test_schema_refuses_duplicates_in_every_list():
    # Catalog DUP: a study with distances [3, 3, 5], ps, bases and seeds given twice passed the
    # schema; combine was handed 30 paths for 8 shards and counted the shots 4.1 times over.
    import jsonschema

    schema = yaml.safe_load((REPO / "studies/schema.yaml").read_text())
    jsonschema.validate(MINI, schema)
    s, q = MINI["sampling"], MINI["qnn"]
    dup = {**MINI, "sampling": {**s, "distances": [3, 3, 5], "ps": [0.01, 0.01, 0.03], "bases": ["z", "z"],
                                "codes": ["repetition"] * 2, "decoders": ["pymatching"] * 2,
                                "custom_decoders": ["m:f", "m:f"], "experiments": ["memory"] * 2,
                                "cnot": {"distances": [3, 3], "ps": [0.01, 0.01]}},
           "qnn": {**q, "seeds": [0, 0]},
           "tolerance": {**MINI["tolerance"], "eps_grid": [0.01, 0.01, 0.1, 0.5]}}  # fmt: skip
    errors = jsonschema.Draft202012Validator(schema).iter_errors(dup)
    refused = sorted("/".join(map(str, e.absolute_path)) for e in errors if e.validator == "uniqueItems")
    assert refused == sorted(["sampling/distances", "sampling/ps", "sampling/bases", "sampling/codes",
                              "sampling/decoders", "sampling/custom_decoders", "sampling/experiments",
                              "sampling/cnot/distances", "sampling/cnot/ps", "qnn/seeds",
                              "tolerance/eps_grid"])  # fmt: skip


@pytest.mark.slow
def test_training_definition_runs_through_the_pipeline(tmp_path):
    # The study config chooses the tolerance's definition; with `training` the QNN is trained at
    # every ε of the grid and every p, and the refined grid and checks train what is missing.
    study = {**MINI, "study": "mini-train", "tolerance": {**MINI["tolerance"], "definition": "training"}}
    config = tmp_path / "train.yaml"
    config.write_text(yaml.safe_dump(study))
    run = snakemake(tmp_path, config)
    assert run.returncode == 0, run.stderr[-3000:]
    data = tmp_path / "data" / "mini-train"
    trained = {p.name for p in (data / "qnn").glob("*.json")}
    grid = [f"logical-{e:g}_s0.json" for e in MINI["tolerance"]["eps_grid"]]
    physical = [f"circuit-{p:g}_s0.json" for p in MINI["sampling"]["ps"]]
    assert {"none_s0.json", *grid, *physical} <= trained
    from qec.budget import BudgetReport

    report = BudgetReport.from_dict(json.loads((data / "budget.json").read_text()))
    assert report.tolerance.definition == "training"
    refined = [c.eps_op for c in report.tolerance.curve if c.refined]
    assert refined and all((data / "qnn" / "refine" / f"logical-{e:.6g}_s0.json").exists() for e in refined)


@pytest.mark.slow
def test_study_with_the_cnot_experiment_gives_the_measured_route(tmp_path):
    # experiments: [memory, cnot]: one cnot shard per (basis, d) with every p and decoder, fits per
    # flow, the measured-channel row beside every scalar row, and the CNOT figure.
    budget = {"code": "surface_rotated", "basis": "z", "cycles_per_gate": 1}
    study = {**MINI, "study": "gates", "budget": budget}
    study["sampling"] = {**MINI["sampling"], "codes": ["surface_rotated"], "ps": [0.002, 0.004],
                         "decoders": ["pymatching"], "experiments": ["memory", "cnot"], "max_shots": 3000,
                         "bases": ["x", "z"]}  # fmt: skip
    config = tmp_path / "gates.yaml"
    config.write_text(yaml.safe_dump(study))
    run = snakemake(tmp_path, config)
    assert run.returncode == 0, run.stderr[-3000:]
    data = tmp_path / "data" / "gates"
    cnot = data / "stats" / "cnot"
    shards = sorted(str(p.relative_to(cnot)) for p in cnot.rglob("*.csv"))
    assert shards == [f"circuit/{b}/d{d}.csv" for b in "xz" for d in (3, 5)]
    fits = json.loads((data / "fits.json").read_text())["fits"]
    flows = {"XXXI", "XIXX", "IXIX", "ZIZI", "ZZIZ", "IZZZ"}
    assert {k.split("/")[0] for k in fits if k.startswith("cnot:")} == {f"cnot:{f}" for f in flows}
    from qec.budget import BudgetReport

    report = BudgetReport.from_dict(json.loads((data / "budget.json").read_text()))
    assert [(r.p, r.decoder) for r in report.channel_rows] == [(r.p, r.decoder) for r in report.rows]
    assert "The measured route" in (data / "budget.txt").read_text()
    assert (data / "plots" / "cnot.png").read_bytes()[:4] == b"\x89PNG"
