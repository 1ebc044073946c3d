"""Tests of the qec command line: sweeps, bad input (exit 2, nothing written), interrupts."""

import subprocess
import sys

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


def _split_task(path) -> None:
    """One task in two rows of 100 shots (what qec combine merges)."""
    import qec

    meta = {"code": "repetition", "noise": "circuit", "d": 3, "p": 0.01}
    row = sinter.TaskStats(strong_id="a" * 64, decoder="pymatching", shots=100, errors=3, json_metadata=meta)
    qec.write_stats(path, [])
    with open(path, "a") as f:
        f.write(row.to_csv_line() + "\n" + row.to_csv_line() + "\n")


def test_combine_merges_one_file_into_itself(tmp_path, capsys):
    # X4 (issue #21): the one input as --out, under another spelling, is a merge in place.
    _split_task(tmp_path / "s.csv")
    assert main(["combine", str(tmp_path / "s.csv"), "--out", f"{tmp_path}/./s.csv"]) == 0
    [stat] = sinter.read_stats_from_csv_files(tmp_path / "s.csv")
    assert (stat.shots, stat.errors) == (200, 6)
    assert len((tmp_path / "s.csv").read_text().splitlines()) == 2  # header and one merged row


@pytest.mark.parametrize("command", [["combine"], ["fit", "--bootstrap", "0"]])
def test_no_command_writes_over_a_file_qec_sample_is_writing(tmp_path, capsys, command):
    # A2c (issue #21): combine (and any command's output) honours qec sample's lock on the file,
    # so a running sample's shots stay.
    from qec._io import exclusive

    _split_task(tmp_path / "in.csv")
    _split_task(tmp_path / "busy.csv")
    before = (tmp_path / "busy.csv").read_bytes()
    with exclusive(tmp_path / "busy.csv"):  # as a running qec sample holds it
        code = main([*command, str(tmp_path / "in.csv"), "--out", str(tmp_path / "busy.csv")])
    assert code == 2
    assert "is being written by another qec sample" in capsys.readouterr().err
    assert (tmp_path / "busy.csv").read_bytes() == before


def test_python_dash_m_prints_progress_to_stderr(tmp_path):
    out = tmp_path / "stats.csv"
    args = [a for a in BASE if a != "--quiet"]
    proc = subprocess.run(
        [sys.executable, "-m", "qec", *args, "--out", str(out)], capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stderr
    assert "tasks left" in proc.stderr
    assert sinter.read_stats_from_csv_files(out)[0].shots == 400


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
    assert "graphlike distance 3 (decoding graph), 3 (stim shortest_graphlike_error)" in out


def test_every_help_works():
    # A help text with a bare "%" once made `qec --help` a traceback (argparse %-formats it).
    from qec.cli import _parser

    parser = _parser()
    commands = parser._subparsers._group_actions[0].choices
    for argv in [["--help"], *([name, "--help"] for name in commands)]:
        run = subprocess.run([sys.executable, "-m", "qec", *argv], capture_output=True, text=True)
        assert run.returncode == 0 and run.stdout.startswith("usage: qec"), (argv, run.stderr[-500:])
    assert {"sample", "fit", "train", "tolerance", "budget", "resources", "plot", "inspect"} <= set(commands)


def test_starting_qec_imports_no_heavy_modules():
    # Snakemake starts one `qec` process per shard: its start must cost what sinter's does.
    heavy = ("scipy", "qiskit", "qdk", "networkx", "matplotlib")
    # qec sample (one process per shard) builds its parser from qec.cli._sample and qec.adaptive.
    code = "import sys, qec.cli, qec.cli._sample, qec.adaptive; "
    code += f"print(sorted(m for m in {heavy} if m in sys.modules))"
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert run.stdout.strip() == "[]"


def test_version_prints_the_project_version_and_exits_0():
    # The version is the installed distribution's (importlib.metadata), which is pyproject's.
    import pathlib
    import tomllib

    project = tomllib.loads((pathlib.Path(__file__).parents[1] / "pyproject.toml").read_text())["project"]
    run = subprocess.run([sys.executable, "-m", "qec", "--version"], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert run.stdout == f"qec {project['version']}\n"


def test_the_distribution_name_is_not_the_unrelated_pypi_qec():
    import pathlib
    import tomllib

    project = tomllib.loads((pathlib.Path(__file__).parents[1] / "pyproject.toml").read_text())["project"]
    assert project["name"] != "qec"  # pip install qec brings someone else's package
    assert project["scripts"]["qec"] == "qec.cli:main"
    assert any(d.startswith("pygments") for d in project["dependencies"])


def test_modules_import_each_other_without_a_cycle():
    # noise ↔ aer ↔ fit once imported each other (inside functions, to dodge the cycle).
    import ast
    import pathlib

    # Modules are named below qec: "fit", "qnn" (qec/qnn/__init__.py), "qnn.config". Importing
    # qec.qnn.config from outside the package first runs the package's __init__, which imports
    # all of it: that is a dependency on "qnn" as well.
    package = pathlib.Path(__file__).parents[1] / "qec"
    deps = {}
    for path in package.rglob("*.py"):
        parts = path.relative_to(package).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" and len(parts) > 1 else parts)
        tree = ast.parse(path.read_text())
        names = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
        mine = set()
        for m in (m.removeprefix("qec.") for m in names if m.startswith("qec.")):
            mine.add(m)
            if "." in m and not name.startswith(m.split(".")[0] + "."):
                mine.add(m.split(".")[0])
        deps[name] = mine - {name}
    assert "qnn.workload" in deps and "qnn" in deps["resources.estimate"]
    state: dict[str, int] = {}

    def visit(module: str, trail: tuple[str, ...]) -> None:
        assert state.get(module) != 1, f"import cycle: {' → '.join((*trail, module))}"
        if state.get(module) == 2:
            return
        state[module] = 1
        for dep in deps.get(module, ()):
            if dep != "cli" and module != "__init__":
                visit(dep, (*trail, module))
        state[module] = 2

    for module in deps:
        if module not in ("__init__", "__main__", "cli", "conftest"):
            visit(module, ())


def test_the_same_file_given_twice_is_counted_once(tmp_path, capsys):
    # Catalog A6a (`qec fit a a`), A6b (`qec combine a a`), A3c (`qec combine a a --out a`): every
    # count was doubled; the file is read once (qec.stats.read_stats_with_origin).
    import json
    import pathlib
    import shutil

    a = tmp_path / "a.csv"
    shutil.copy(pathlib.Path(__file__).parent / "data" / "surface_circuit_near_threshold.csv", a)
    shots = {s.strong_id: s.shots for s in sinter.read_stats_from_csv_files(a)}
    for args in ([a, a], [a, tmp_path / "." / a.name]):
        assert main(["combine", *map(str, args), "--out", str(tmp_path / "c.csv")]) == 0
        assert {s.strong_id: s.shots for s in sinter.read_stats_from_csv_files(tmp_path / "c.csv")} == shots
    before = a.read_bytes()  # an --out that is one of several inputs is refused (A3c), not doubled
    assert main(["combine", str(a), str(a), "--out", str(a)]) == 2
    assert a.read_bytes() == before
    assert main(["fit", str(a), str(a), "--out", str(tmp_path / "f.json"), "--bootstrap", "0"]) == 0
    (group,) = json.loads((tmp_path / "f.json").read_text())["fits"].values()
    assert sorted(pt["shots"] for pt in group["points"]) == sorted(shots.values())
    assert "reading it once" in capsys.readouterr().err
