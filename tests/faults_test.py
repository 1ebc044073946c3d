"""Faults, done rather than described: kills at several points, a killed study, a failing shard."""

import contextlib
import os
import pathlib
import re
import shutil
import signal
import subprocess
import sys
import time

import pytest
import sinter
import yaml
from _helpers import MINI, snakemake_cmd

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
    [(signal.SIGINT, 2), (signal.SIGTERM, 2), (signal.SIGKILL, 1), (signal.SIGKILL, 4), (signal.SIGKILL, 12)],
    ids=["ctrl-c", "KS-TERM", "kill-after-1", "kill-after-4", "kill-after-12"],
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
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    wait_for(lambda: rows(out) >= after_rows)
    if sig == signal.SIGTERM:  # KS-TERM: qec alone, as a scheduler or Snakemake stops a job
        os.kill(proc.pid, sig)
    else:
        os.killpg(proc.pid, sig)  # the whole group, as a terminal's Ctrl-C or a dying node would
    _, err = proc.communicate(timeout=60)
    if sig in (signal.SIGINT, signal.SIGTERM):  # stopped, said so, batches kept
        assert proc.returncode == {signal.SIGINT: 130, signal.SIGTERM: 143}[sig], err
        assert f"finished batches are in {out}; rerun the same command" in err
        assert "leaked" not in err and "Traceback" not in err, err
        assert ("terminated (SIGTERM)" in err) == (sig == signal.SIGTERM)
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
    # A decoder of your own that refuses models with an error probability above 0.1: its shards
    # (each holds p = 0.01 and 0.2) pass every check a dry run makes (what fails is your code, at
    # run time) and fail in `qec sample`; PyMatching's shards beside them finish.
    (tmp_path / "picky.py").write_text(
        "import sinter\n\n\n"
        "class Picky(sinter.Decoder):\n"
        "    def compile_decoder_for_dem(self, *, dem):\n"
        "        if max(i.args_copy()[0] for i in dem.flattened() if i.type == 'error') > 0.1:\n"
        "            raise ValueError('picky: an error probability above 0.1')\n"
        "        return sinter.BUILT_IN_DECODERS['pymatching'].compile_decoder_for_dem(dem=dem)\n\n\n"
        "def decoders():\n"
        "    return {'picky': Picky()}\n"
    )
    sampling = {**MINI["sampling"], "ps": [0.01, 0.2], "decoders": ["picky", "pymatching"],
                "custom_decoders": ["picky:decoders"]}  # fmt: skip
    study = {**MINI, "study": "failing", "sampling": sampling}
    config = tmp_path / "failing.yaml"
    config.write_text(yaml.safe_dump(study))
    run = subprocess.run(
        [*snakemake_args(tmp_path, config), "--keep-going", "--until", "sample"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode != 0
    stats = tmp_path / "data" / "failing" / "stats" / "repetition" / "circuit" / "z"
    logs = tmp_path / "data" / "failing" / "logs" / "sample" / "repetition" / "circuit" / "z"
    for d in (3, 5):
        assert not (stats / "picky" / f"d{d}.csv").exists()
        assert "picky: an error probability above 0.1" in (logs / "picky" / f"d{d}.log").read_text()
        good = sinter.read_stats_from_csv_files(stats / "pymatching" / f"d{d}.csv")
        assert sorted(s.json_metadata["p"] for s in good) == sampling["ps"]
        assert all(s.shots == sampling["max_shots"] or s.errors >= sampling["max_errors"] for s in good)


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


def _qec(argv: list[str], *, preexec=None, tmp: pathlib.Path) -> subprocess.CompletedProcess:
    """``python -m qec`` in ``tmp``, as a user without root's right to write anywhere (setpriv
    drops it when the tests run as root)."""
    prefix = []
    if os.geteuid() == 0:
        prefix = ["setpriv", "--bounding-set=-dac_override,-dac_read_search,-fowner", "--inh-caps=-all", "--"]
    return subprocess.run([*prefix, sys.executable, "-m", "qec", *argv], cwd=tmp, capture_output=True,
                          text=True, timeout=120, preexec_fn=preexec)  # fmt: skip


def _one_stats_file(path: pathlib.Path) -> None:
    import qec

    meta = {"code": "repetition", "noise": "circuit", "d": 3, "p": 0.01}
    qec.write_stats(path, [sinter.TaskStats(strong_id="a" * 64, decoder="pymatching", shots=10, errors=1,
                                            json_metadata=meta)])  # fmt: skip


@pytest.mark.skipif(os.geteuid() == 0 and not shutil.which("setpriv"), reason="root writes anywhere")
def test_a_folder_that_cannot_be_written_is_refused_before_anything_runs(tmp_path):
    # A5l–A5p, A5r (issue #21): a PermissionError traceback after the work, before; now one line first.
    _one_stats_file(tmp_path / "in.csv")
    (tmp_path / "ro").mkdir()
    _one_stats_file(tmp_path / "ro" / "w.csv")  # a writable file in a folder that is not
    (tmp_path / "ro").chmod(0o555)
    sample = ["sample", "--code", "repetition", "--noise", "circuit", "--distance", "3", "--p", "0.01",
              "--max-shots", "100", "--workers", "1", "--quiet"]  # fmt: skip
    for argv, flag in (
        ([*sample, "--out", "ro/w.csv"], "--out"),  # the lock beside it could not be made (A5m)
        (["combine", "in.csv", "--out", "ro/c.csv"], "--out"),  # A5n
        (["fit", "in.csv", "--out", "f.json", "--plot", "ro/p.png", "--bootstrap", "0"], "--plot"),  # A5r
    ):
        run = _qec(argv, tmp=tmp_path)
        assert run.returncode == 2, run.stderr
        assert run.stderr.strip() == f"qec {argv[0]}: error: {flag}='{argv[argv.index(flag) + 1]}': " \
                                     "folder 'ro' is not writable"  # fmt: skip
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["in.csv", "ro", "w.csv"]  # nothing written


def test_a_full_disk_is_one_line_and_leaves_whole_rows_and_old_files(tmp_path):
    # DF1–DF4 (issue #21): a disk that fills mid-run was a traceback, and qec sample left half a row.
    # A file-size limit fails writes past it as a full disk does (EFBIG instead of ENOSPC).
    import resource

    def limit(size: int):
        return lambda: resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))

    _one_stats_file(tmp_path / "in.csv")
    _one_stats_file(tmp_path / "old.csv")
    old = (tmp_path / "old.csv").read_bytes()
    run = _qec(["combine", "in.csv", "--out", "old.csv"], tmp=tmp_path, preexec=limit(len(old) - 10))
    assert (run.returncode, run.stderr) == (1, "qec combine: error: File too large: 'old.csv'\n")
    assert (tmp_path / "old.csv").read_bytes() == old  # the old file is kept, no temporary left
    assert sorted(p.name for p in tmp_path.iterdir()) == [".old.csv.lock", "in.csv", "old.csv"]

    sample = ["sample", "--code", "repetition", "--noise", "circuit", "--distance", "3", "5", "7", "--p",
              "0.01", "0.02", "--basis", "x", "z", "--max-shots", "200", "--workers", "1", "--quiet",
              "--out", "s.csv"]  # fmt: skip
    run = _qec(sample, tmp=tmp_path, preexec=limit(1500))
    assert (run.returncode, run.stderr) == (1, "qec sample: error: File too large: 's.csv'\n")
    text = (tmp_path / "s.csv").read_text()
    assert text.endswith("\n") and len(sinter.read_stats_from_csv_files(tmp_path / "s.csv")) < 12


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux") or os.geteuid() != 0, reason="mounts a noexec tmpfs")
def test_sample_runs_when_the_temporary_folder_cannot_run_programs(tmp_path):
    # Issue #21: with TMPDIR mounted noexec (many HPC nodes) qec sample hung for ever: sinter's
    # workers were to start through a shim written there. Now it samples without that guard, and says so.
    noexec = tmp_path / "noexec"
    noexec.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "noexec,size=16m", "tmpfs", str(noexec)]).returncode:
        pytest.skip("this machine does not let the test mount a tmpfs")
    try:
        out = tmp_path / "s.csv"
        run = subprocess.run(
            [sys.executable, "-m", "qec", "sample", "--code", "repetition", "--noise", "circuit",
             "--distance", "3", "--p", "0.01", "--max-shots", "1000", "--workers", "1", "--quiet",
             "--out", str(out)],
            env={**os.environ, "TMPDIR": str(noexec)}, capture_output=True, text=True, timeout=120,
        )  # fmt: skip
    finally:
        subprocess.run(["umount", str(noexec)])
    assert run.returncode == 0, run.stderr
    assert "cannot run programs (mounted noexec?)" in run.stderr
    assert sum(s.shots for s in sinter.read_stats_from_csv_files(out)) == 1000


@pytest.mark.skipif(not sys.platform.startswith("linux") or os.geteuid() != 0, reason="mounts a small tmpfs")
@pytest.mark.parametrize(
    "command",
    [
        "train --dataset moons --samples 20 --maxiter 12 --chunk 12 --shots 10 --qubits 2 --layers 1 "
        "--out {full}/t.json",
        "sample --code repetition --noise circuit --distance 3 --p 0.01 --max-shots 100 --quiet "
        "--out {full}/s.csv",
    ],
    ids=["DF4_train", "DF1_sample"],
)
def test_a_full_disk_is_refused_before_the_work(tmp_path, command):
    # DF4 (issue #21): `qec train` on a full disk trained, then failed to write; the probe's setup,
    # a 64 KiB tmpfs filled to the last byte, now stops every command before it starts.
    full = tmp_path / "full"
    full.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(full)]).returncode:
        pytest.skip("this machine does not let the test mount a tmpfs")
    try:
        fd = os.open(full / "filler", os.O_WRONLY | os.O_CREAT)
        with contextlib.suppress(OSError):  # to the last byte
            while os.write(fd, b"\0" * 512):
                pass
        os.close(fd)
        run = _qec(command.replace("{full}", str(full)).split(), tmp=tmp_path)
        left = sorted(p.name for p in full.iterdir())
    finally:
        subprocess.run(["umount", str(full)])
    assert run.returncode == 2 and len(run.stderr.splitlines()) == 1, run.stderr
    assert "bytes free; qec wants at least 1 MiB free before it starts" in run.stderr
    assert "step" not in run.stdout and left == ["filler"]  # no training step ran, nothing written
