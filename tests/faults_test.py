"""Faults, done rather than described: kills at several points, a killed study, a failing shard."""

import os
import pathlib
import re
import signal
import subprocess
import sys
import time

import pytest
import sinter
import yaml
from pipeline_test import MINI, snakemake_cmd

from qec.cli import main


def wait_for(predicate, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError("condition not reached")
        time.sleep(0.1)


def rows(path: pathlib.Path) -> int:
    return max(0, len(path.read_text().splitlines()) - 1) if path.exists() else 0


@pytest.mark.slow
@pytest.mark.parametrize(
    ("sig", "after_rows"),
    [(signal.SIGINT, 2), (signal.SIGKILL, 1), (signal.SIGKILL, 4), (signal.SIGKILL, 12)],
    ids=["ctrl-c", "kill-after-1", "kill-after-4", "kill-after-12"],
)
def test_interrupted_sample_loses_and_doubles_nothing(tmp_path, sig, after_rows):
    out = tmp_path / "s.csv"
    args = [
        "sample",
        "--code",
        "surface_rotated",
        "--noise",
        "circuit",
        "--distance",
        "3",
        "--p",
        "0.003",
        "--max-errors",
        "100000000",
        "--workers",
        "2",
        "--quiet",
        "--out",
        str(out),
    ]
    proc = subprocess.Popen(
        [sys.executable, "-m", "qec", *args, "--max-shots", "1000000000"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    wait_for(lambda: rows(out) >= after_rows)
    os.killpg(proc.pid, sig)  # the whole group, as a terminal's Ctrl-C or a dying node would
    proc.wait(timeout=60)
    if sig == signal.SIGINT:
        assert proc.returncode == 130  # interrupted, said so, batches kept
    kept = sinter.read_stats_from_csv_files(out)  # parses: whole lines only
    assert len(kept) == 1 and kept[0].shots > 0
    # Resume to a target just above what survived: it must land exactly on the target, which
    # it would miss if a kept batch were lost (more sampled) or counted twice (less sampled).
    target = kept[0].shots + 20_000
    assert main([*args, "--max-shots", str(target)]) == 0
    (final,) = sinter.read_stats_from_csv_files(out)
    assert final.shots == target
    assert final.errors >= kept[0].errors


def finished_outputs(log: str) -> set[str]:
    """Outputs of the sample jobs Snakemake reported finished in its log."""
    outputs = dict(re.findall(r"rule sample:\n\s+output: (\S+)\n(?:\s+.*\n)*?\s+jobid: (\d+)", log))
    by_job = {job: out for out, job in outputs.items()}
    done = set(re.findall(r"Finished jobid: (\d+) \(Rule: sample\)", log))
    return {by_job[j] for j in done if j in by_job}


def snakemake_args(workdir: pathlib.Path, config: pathlib.Path) -> list[str]:
    return snakemake_cmd(workdir, config, "--rerun-incomplete")


@pytest.mark.slow
def test_killed_study_continues_from_finished_shards_only(tmp_path):
    study = {
        **MINI,
        "study": "killed",
        "sampling": {**MINI["sampling"], "max_shots": 400_000, "max_errors": 100_000},
    }
    config = tmp_path / "killed.yaml"
    config.write_text(yaml.safe_dump(study))
    log = tmp_path / "first.log"
    with open(log, "w") as f:
        proc = subprocess.Popen(
            snakemake_args(tmp_path, config), stdout=f, stderr=subprocess.STDOUT, start_new_session=True
        )
        wait_for(lambda: len(finished_outputs(log.read_text())) >= 2, timeout=300)
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=60)
    finished = finished_outputs(log.read_text())
    stamps = {out: (tmp_path / out).stat().st_mtime_ns for out in finished}
    plan = subprocess.run([*snakemake_args(tmp_path, config), "-n"], capture_output=True, text=True)
    planned = set(re.findall(r"rule sample:\n\s+output: (\S+)", plan.stdout + plan.stderr))
    assert planned and not (planned & finished)  # finished shards are not redone
    # A SIGKILL (the node died) leaves Snakemake's lock behind: --unlock, then the same command.
    subprocess.run([*snakemake_args(tmp_path, config), "--unlock"], capture_output=True, check=True)
    rerun = subprocess.run(snakemake_args(tmp_path, config), capture_output=True, text=True, timeout=900)
    assert rerun.returncode == 0, (rerun.stdout + rerun.stderr)[-3000:]
    assert {out: (tmp_path / out).stat().st_mtime_ns for out in finished} == stamps
    assert (tmp_path / "data" / "killed" / "budget.csv").exists()


@pytest.mark.slow
def test_a_failing_shard_fails_alone_with_its_cause_in_the_log(tmp_path):
    # si1000 allows p <= 0.1 (its measurements flip with 5p); the schema allows up to 0.5,
    # so the p = 0.2 shards pass validation and fail in `qec sample`.
    study = {
        **MINI,
        "study": "failing",
        "sampling": {**MINI["sampling"], "noise": "si1000", "ps": [0.01, 0.2]},
    }
    config = tmp_path / "failing.yaml"
    config.write_text(yaml.safe_dump(study))
    run = subprocess.run(
        [*snakemake_args(tmp_path, config), "--keep-going", "--until", "sample"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode != 0
    shards = tmp_path / "data" / "failing" / "stats" / "repetition" / "si1000" / "z" / "pymatching"
    logs = tmp_path / "data" / "failing" / "logs" / "sample" / "repetition" / "si1000" / "z" / "pymatching"
    for d in (3, 5):
        assert not (shards / f"d{d}_p0.2.csv").exists()
        assert "p=0.2 must be in [0, 0.1] for si1000" in (logs / f"d{d}_p0.2.log").read_text()
        (good,) = sinter.read_stats_from_csv_files(shards / f"d{d}_p0.01.csv")
        assert good.shots == study["sampling"]["max_shots"] or good.errors >= study["sampling"]["max_errors"]


def _alive(pid: str) -> bool:
    try:
        state = pathlib.Path(f"/proc/{pid}/status").read_text().split("State:")[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
def test_kill_9_leaves_no_orphaned_sinter_workers(tmp_path):
    out = tmp_path / "s.csv"
    argv = [sys.executable, "-m", "qec", "sample", "--code", "surface_rotated", "--noise", "circuit"]
    argv += ["--distance", "5", "--p", "0.001", "--max-shots", "100000000", "--max-errors", "100000000"]
    argv += ["--workers", "2", "--quiet", "--out", str(out)]
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    proc = subprocess.Popen(argv, start_new_session=True, **quiet)
    try:
        wait_for(lambda: rows(out) >= 1, timeout=120)
        pgrep = subprocess.run(["pgrep", "-P", str(proc.pid)], capture_output=True, text=True)
        children = pgrep.stdout.split()
        assert len(children) >= 2  # the two workers (and multiprocessing's resource tracker)
        os.kill(proc.pid, signal.SIGKILL)  # the parent only, as a dead node or the OOM killer would
        proc.wait(timeout=30)
        deadline = time.monotonic() + 10
        while any(_alive(c) for c in children) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not [c for c in children if _alive(c)]
    finally:
        os.killpg(proc.pid, signal.SIGKILL) if proc.poll() is None else None
