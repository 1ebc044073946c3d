"""Tests of the qec command line: sweeps, bad input (exit 2, nothing written), interrupts."""

import os
import signal
import subprocess
import sys
import time

import pytest
import sinter

from qec.cli import main

BASE = [
    "sample",
    "--code",
    "repetition",
    "--noise",
    "circuit",
    "--distance",
    "3",
    "--p",
    "0.01",
    "--rounds",
    "2",
    "--max-shots",
    "400",
    "--quiet",
]


def test_sample_sweep_writes_the_product(tmp_path, capsys):
    out = tmp_path / "stats.csv"
    code = main(
        [
            "sample",
            "--code",
            "surface_rotated",
            "--noise",
            "circuit",
            "--distance",
            "3",
            "5",
            "--p",
            "0.001",
            "0.002",
            "--basis",
            "x",
            "z",
            "--rounds-per-distance",
            "1",
            "--max-shots",
            "300",
            "--max-errors",
            "50",
            "--workers",
            "2",
            "--out",
            str(out),
            "--quiet",
        ]
    )
    assert code == 0
    stats = sinter.read_stats_from_csv_files(out)
    keys = sorted(
        (s.json_metadata["d"], s.json_metadata["p"], s.json_metadata["basis"], s.json_metadata["rounds"])
        for s in stats
    )
    assert keys == sorted((d, p, b, d) for d in (3, 5) for p in (0.001, 0.002) for b in "xz")
    assert "per-shot error" in capsys.readouterr().out


def test_python_dash_m_prints_progress_to_stderr(tmp_path):
    out = tmp_path / "stats.csv"
    args = [a for a in BASE if a != "--quiet"]
    proc = subprocess.run(
        [sys.executable, "-m", "qec", *args, "--out", str(out)], capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stderr
    assert "tasks left" in proc.stderr
    assert sinter.read_stats_from_csv_files(out)[0].shots == 400


def test_missing_output_folder_is_a_usage_error(tmp_path, capsys):
    assert main([*BASE, "--out", str(tmp_path / "nope" / "s.csv")]) == 2
    assert "does not exist" in capsys.readouterr().err


def test_existing_non_sinter_file_is_refused_not_overwritten(tmp_path, capsys):
    out = tmp_path / "notes.csv"
    out.write_text("a,b,c\n1,2,3\n")
    assert main([*BASE, "--out", str(out)]) == 2
    assert "is not a sinter CSV file" in capsys.readouterr().err
    assert out.read_text() == "a,b,c\n1,2,3\n"


@pytest.mark.slow
def test_ctrl_c_keeps_finished_batches_exits_130_and_resumes(tmp_path):
    # SIGKILL at several points: tests/faults_test.py.
    sig = signal.SIGINT
    out = tmp_path / "stats.csv"
    args = [
        sys.executable,
        "-m",
        "qec",
        "sample",
        "--code",
        "surface_rotated",
        "--noise",
        "circuit",
        "--distance",
        "5",
        "--p",
        "0.002",
        "--max-shots",
        "100000000",
        "--max-errors",
        "100000000",
        "--workers",
        "2",
        "--quiet",
        "--out",
        str(out),
    ]
    proc = subprocess.Popen(
        args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and (not out.exists() or len(out.read_text().splitlines()) < 3):
        time.sleep(0.2)
    os.killpg(proc.pid, sig)  # the whole group, as a terminal's Ctrl-C would
    proc.communicate(timeout=60)
    assert proc.returncode == 130
    kept = sinter.read_stats_from_csv_files(out)  # still parses
    assert len(kept) == 1 and kept[0].shots > 0
    # Resuming: the target counts what is on disk, nothing is lost or counted twice.
    target = kept[0].shots + 5000
    code = main(
        [
            "sample",
            "--code",
            "surface_rotated",
            "--noise",
            "circuit",
            "--distance",
            "5",
            "--p",
            "0.002",
            "--max-shots",
            str(target),
            "--max-errors",
            "100000000",
            "--workers",
            "1",
            "--quiet",
            "--out",
            str(out),
        ]
    )
    assert code == 0
    after = sinter.read_stats_from_csv_files(out)
    assert after[0].shots == target
    assert after[0].errors >= kept[0].errors


def test_inspect_prints_distances(capsys):
    assert (
        main(
            [
                "inspect",
                "--code",
                "surface_rotated",
                "--noise",
                "si1000",
                "--distance",
                "3",
                "--p",
                "0.001",
                "--rounds",
                "3",
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert "graphlike distance 3 (matching graph), 3 (stim shortest_graphlike_error)" in out


def test_inspect_bad_input(capsys):
    assert (
        main(["inspect", "--code", "repetition", "--noise", "circuit", "--distance", "0", "--p", "0.001"])
        == 2
    )
    assert "distance=0" in capsys.readouterr().err
