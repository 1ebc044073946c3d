"""The default study on a real SLURM cluster (tests/slurm/start_cluster.sh), through the profile."""

import json
import os
import pathlib
import re
import shutil
import subprocess
import sys

import pytest
import sinter
import yaml
from _helpers import REPO

from qec.budget import BudgetReport


def cluster_reason() -> str | None:
    """Why the SLURM test cannot run here, or None if it can."""
    if not sys.platform.startswith("linux") or os.geteuid() != 0:
        return "needs root on Linux to start a SLURM cluster (tests/slurm/start_cluster.sh)"
    if shutil.which("sinfo") is None:
        return "no SLURM here: run tests/slurm/start_cluster.sh first (.ci/run does)"
    state = subprocess.run(["sinfo", "-h", "-o", "%T"], capture_output=True, text=True)
    if state.returncode != 0 or not re.search(r"idle|mixed|alloc", state.stdout):
        return f"SLURM is installed but no node is up: {state.stdout.strip() or state.stderr.strip()}"
    try:
        import snakemake_executor_plugin_slurm  # noqa: F401
    except ImportError:
        return "snakemake-executor-plugin-slurm is not installed (pip install -e '.[slurm]')"
    return None


@pytest.mark.slow
@pytest.mark.skipif(cluster_reason() is not None, reason=str(cluster_reason()))
def test_default_quick_study_runs_through_slurm(tmp_path):
    # The README's main study, unchanged, through the profile on the project's own 2-CPU
    # cluster: every job must fit its node (a 4-CPU request once pended forever).
    quick = yaml.safe_load((REPO / "studies/quick.yaml").read_text())
    run = subprocess.run(
        [sys.executable, "-m", "snakemake", "--snakefile", str(REPO / "Snakefile"),
         "--directory", str(tmp_path), "--profile", str(REPO / "studies/profiles/slurm"),
         # A test cluster answers at once: poll it often and keep the job logs to inspect.
         "--slurm-init-seconds-before-status-checks", "1", "--seconds-between-status-checks", "2",
         "--slurm-keep-successful-logs"],
        capture_output=True, text=True, timeout=2400,
    )  # fmt: skip
    output = run.stdout + run.stderr
    assert run.returncode == 0, output[-4000:]
    # Every job but the local `all` went through SLURM: sbatch job ids in the log, and
    # SLURM's own per-job logs on disk.
    s = quick["sampling"]
    shards = len(s["codes"]) * len(s["bases"]) * len(s["distances"])  # each holds every p
    tasks = shards * len(s["ps"])
    jobs = shards + len(quick["qnn"]["seeds"]) + 6  # + combine/fit/tolerance/budget/resources/plot
    submitted = re.findall(r"has been submitted with SLURM jobid (\d+)", output)
    assert len(submitted) == jobs and len(set(submitted)) == jobs
    slurm_logs = list((tmp_path / ".snakemake" / "slurm_logs").rglob("*.log"))
    assert {p.stem for p in slurm_logs} >= set(submitted)
    # The results are what a local run produces, in kind.
    data = tmp_path / "data" / "quick"
    assert len(sinter.read_stats_from_csv_files(data / "stats.csv")) == tasks
    report = BudgetReport.from_dict(json.loads((data / "budget.json").read_text()))
    assert [r.p for r in report.rows] == s["ps"]
    assert {"hardware", "qec", "above_threshold", "no_distance"} >= {r.verdict for r in report.rows}
    assert sorted(p.name for p in (data / "plots").iterdir()) == [
        "accuracy.png", "budget.png", "lambda.png", "resources.png", "threshold.png",
    ]  # fmt: skip


def test_slurm_profile_declares_resources_per_rule():
    profile = yaml.safe_load((REPO / "studies/profiles/slurm/config.yaml").read_text())
    assert profile["executor"] == "slurm"
    assert profile["slurm-status-command"] == "squeue"
    assert profile["set-resources"]["sample"] != profile["set-resources"]["qnn"]
    assert pathlib.Path(REPO / "tests/slurm/start_cluster.sh").stat().st_mode & 0o111
