"""The catalog of bad inputs: every one gets a clear message, a non-zero exit, and leaves no file.

Add a row when a new way to get it wrong turns up. CLI rows run `qec` in-process; study rows
run `snakemake -n` on a broken copy of the miniature study config.
"""

import json
import os
import pathlib
import shutil
import subprocess

import numpy as np
import pytest
import sinter
import yaml
from _helpers import MINI, snakemake_cmd

import qec
from qec.cli import main

SAMPLE = [
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
    "1",
    "--max-shots",
    "100",
    "--quiet",
    "--out",
    "{tmp}/out.csv",
]
REPO = pathlib.Path(__file__).resolve().parents[1]
META = {"code": "repetition", "noise": "circuit", "d": 3, "p": 0.01, "rounds": 1, "basis": "z"}


def changed(base: list[str], *changes: str) -> list[str]:
    """``base`` with each FLAG VALUE pair of ``changes`` replacing that flag's value (or added)."""
    args = list(base)
    for flag, value in zip(changes[::2], changes[1::2], strict=True):
        if flag in args:
            args[args.index(flag) + 1] = value
        else:
            args += [flag, value]
    return args


def sample(*changes: str) -> list[str]:
    return changed(SAMPLE, *changes)


def byo(*changes: str) -> list[str]:
    """A valid `qec train` on your own circuit and data (``byo_files``) with flags replaced."""
    args = ["train", "--circuit", "{tmp}/qnn.qpy", "--data", "{tmp}/d.csv", "--observable", "ZZZZ",
            "--samples", "20", "--maxiter", "20", "--out", "{tmp}/r.json"]  # fmt: skip
    return changed(args, *changes)


def byo_files(tmp: pathlib.Path) -> None:
    """The example study's QNN and data, and broken variants of each."""
    from qiskit import QuantumCircuit, qpy
    from qiskit.circuit import ParameterVector

    shutil.copy(REPO / "studies" / "byo" / "qnn.qpy", tmp / "qnn.qpy")
    (tmp / "bad.qpy").write_text("not a qpy file")
    (tmp / "bad.npz").write_text("not an npz file")
    for name, vector in (("inputs_only", "x"), ("weights_only", "w")):
        qc = QuantumCircuit(4)
        for q, v in enumerate(ParameterVector(vector, 4)):
            qc.ry(v, q)
        with open(tmp / f"{name}.qpy", "wb") as f:
            qpy.dump(qc, f)
    rows = [f"{i % 7},{i % 5},{i % 3},{i % 2},{i % 2}" for i in range(40)]
    header = "a,b,c,d,label"
    tables = {
        "d.csv": [header, *rows],
        "d.txt": [header, *rows],
        "three.csv": ["a,b,c,label", *(r.split(",", 1)[1] for r in rows)],
        "nan.csv": [header, rows[0], "1,,2,3,1", *rows[2:]],
        "one.csv": [header, *(r[:-1] + "1" for r in rows)],
        "three_labels.csv": [header, *(r[:-1] + str(i % 3) for i, r in enumerate(rows))],
        "few.csv": [header, *rows[:3]],
        "ragged.csv": [header, rows[0], "1,2,3,1", *rows[2:]],
        "two_labels.csv": ["a,b,label,y", *(f"{r.split(',', 2)[2]},{1 - int(r[-1])}" for r in rows)],
    }
    for name, lines in tables.items():
        (tmp / name).write_text("\n".join(lines) + "\n")


def budget(fits: str) -> list[str]:
    """A `qec budget` call on the fits file ``fits`` (all else valid in form)."""
    return ["budget", "--fits", fits, "--tolerance", "{tmp}/t.json", "--results", "{tmp}/r.json", "--code",
            "surface_rotated", "--out", "{tmp}/b.csv"]  # fmt: skip


def tolerance(*changes: str) -> list[str]:
    """A valid `qec tolerance` call (on a run written by ``noiseless_run``) with flags replaced."""
    args = ["tolerance", "--results", "{tmp}/r.json", "--eps-grid", "0.001", "0.01", "0.1", "--noise",
            "circuit", "--p", "0.001", "--out", "{tmp}/t.json"]  # fmt: skip
    return changed(args, *changes)


def noiseless_run(tmp: pathlib.Path, **changes) -> None:
    config = {"dataset": "moons", "qubits": 2, "layers": 1, "connectivity": "line", "observable": "parity",
              "samples": 20, "test_fraction": 0.5, "maxiter": 8, "chunk": 8, "shots": 100, "noise": "none",
              "seed": 0}  # fmt: skip
    (tmp / "r.json").write_text(json.dumps({"config": config, "weights": [0.1] * 4}))
    (tmp / "r2.json").write_text(
        json.dumps({"config": {**config, **changes, "seed": 1}, "weights": [0.1] * 4})
    )


def budget_inputs(tmp: pathlib.Path, fits: dict | None = None) -> None:
    """A valid tolerance.json and its run, and ``fits`` (if given) as f.json."""
    from qec.qnn import qnn_shape
    from qec.tolerance import Tolerance

    noiseless_run(tmp)
    config = json.loads((tmp / "r.json").read_text())["config"]
    t = Tolerance.given(eps_star=0.01, physical=[(0.001, -0.1)]).to_dict()
    (tmp / "t.json").write_text(json.dumps({**t, "qnn": qnn_shape(config)}))
    if fits is not None:
        (tmp / "f.json").write_text(json.dumps(fits))


GROUP = "surface_rotated/circuit/z/pymatching"
# One group as qec fit writes it (a fits.json is read whole before it is used), with no points.
GOOD_GROUP = {
    "code": "surface_rotated", "noise": "circuit", "basis": "z", "decoder": "pymatching",
    "threshold": None, "threshold_note": "", "lambda": [], "points": [],
    "model": qec.fit.SuppressionModel.power(A=0.1, p_th=0.01).to_dict(), "model_note": "",
}  # fmt: skip
GOOD_FITS = {"fits": {GROUP: GOOD_GROUP}}


def group_with(*deleted: str, **changes) -> dict:
    """GOOD_FITS with ``changes`` to its group and the keys ``deleted`` from it."""
    group = {**GOOD_GROUP, **changes}
    for key in deleted:
        del group[key]
    return {"fits": {GROUP: group}}


def edit_json(path: pathlib.Path, change) -> None:
    """Rewrite the JSON file ``path`` with ``change`` applied to its document (in place)."""
    document = json.loads(path.read_text())
    change(document)
    path.write_text(json.dumps(document))


def tolerance_with(**changes):
    """A prepare step: valid budget inputs, then ``changes`` to t.json's fields."""
    return lambda t: budget_inputs(t, GOOD_FITS) or edit_json(t / "t.json", lambda d: d.update(changes))


def run_with(change):
    """A prepare step: the noiseless run r.json with ``change`` applied to its document."""
    return lambda t: noiseless_run(t) or edit_json(t / "r.json", change)


def train_dir_with(text: str):
    """A prepare step: the noiseless run and a folder td holding ``text`` as the cached run the
    training definition reads first (logical:0.001, seed 0)."""

    def prepare(t: pathlib.Path) -> None:
        noiseless_run(t)
        (t / "td").mkdir()
        (t / "td" / "logical-0.001_s0.json").write_text(text)

    return prepare


def study_folder(t: pathlib.Path, budget_change=None, resources: object = None) -> None:
    """A study folder ``t`` for qec plot: GOOD_FITS, and the paper study's budget.json with
    ``budget_change`` applied, or a resources.json holding ``resources``."""
    (t / "fits.json").write_text(json.dumps(GOOD_FITS))
    if budget_change is not None:
        shutil.copy(REPO / "data" / "paper" / "budget.json", t / "budget.json")
        edit_json(t / "budget.json", budget_change)
    if resources is not None:
        (t / "resources.json").write_text(json.dumps(resources))


RESOURCES = ["resources", "--p", "0.001", "--noise", "circuit", "--constants", "0.03", "0.01"]
RESOURCES += ["--error-budget", "0.001", "--out", "{tmp}/r.json"]


def write_unbound_qpy(tmp: pathlib.Path) -> None:
    from qiskit import QuantumCircuit, qpy
    from qiskit.circuit import Parameter

    qc = QuantumCircuit(1)
    qc.ry(Parameter("theta"), 0)
    with (tmp / "u.qpy").open("wb") as f:
        qpy.dump(qc, f)


def read_only_stats(tmp: pathlib.Path) -> None:
    (tmp / "ro.csv").write_text(sinter.CSV_HEADER + "\n")
    (tmp / "ro.csv").chmod(0o444)


def write_qasm(tmp: pathlib.Path) -> None:
    (tmp / "c.qasm").write_text(
        'OPENQASM 2.0;\ninclude "qelib1.inc";\nqreg q[2];\nry(0.3) q[0];\ncz q[0],q[1];\n'
    )


def stats_file(tmp: pathlib.Path, rows: list[tuple[str, dict, int, int]], name: str = "in.csv") -> None:
    qec.write_stats(
        tmp / name,
        [
            sinter.TaskStats(
                strong_id=f"{i + 1000 * (name != 'in.csv'):064x}",
                decoder=dec,
                json_metadata=m,
                shots=shots,
                errors=err,
            )
            for i, (dec, m, shots, err) in enumerate(rows)
        ],
    )


def good_stats(tmp):
    stats_file(tmp, [("pymatching", META, 10, 1)])


def fifo(tmp: pathlib.Path) -> None:
    """``pipe.csv``, a named pipe nobody writes to: reading it would block for ever (catalog FIFO1)."""
    os.mkfifo(tmp / "pipe.csv")


def combined_and_shard(tmp: pathlib.Path) -> None:
    """A shard and the stats.csv combined from it and another (catalog A6f)."""
    shard = sinter.TaskStats(strong_id="a" * 64, decoder="pymatching", json_metadata=META, shots=10, errors=1,
                             seconds=0.25)  # fmt: skip
    other = sinter.TaskStats(strong_id="b" * 64, decoder="pymatching", json_metadata={**META, "d": 5},
                             shots=10, errors=0, seconds=0.5)  # fmt: skip
    qec.write_stats(tmp / "shard.csv", [shard])
    qec.write_stats(tmp / "stats.csv", [shard, other])


def link_stats(tmp: pathlib.Path) -> None:
    """``in.csv``, and two more names of it: ``sym.csv`` (a symlink) and ``hard.csv`` (a hard link)."""
    good_stats(tmp)
    (tmp / "sym.csv").symlink_to("in.csv")
    (tmp / "hard.csv").hardlink_to(tmp / "in.csv")


def run_on_own_data(tmp: pathlib.Path) -> None:
    """A noiseless run (r.json) that names its own data file d.csv."""
    byo_files(tmp)
    noiseless_run(tmp)
    result = json.loads((tmp / "r.json").read_text())
    result["config"]["dataset"] = str(tmp / "d.csv")
    (tmp / "r.json").write_text(json.dumps(result))


def write_qnn_qpy(path: pathlib.Path, *, initialize: bool = False, phase: bool = False) -> None:
    """A two-qubit QNN as QPY (inputs x, weights θ), first initialized to |01⟩ or with a global
    phase that is a parameter of its own (catalog K_init, K_gphase)."""
    from qiskit import QuantumCircuit, qpy
    from qiskit.circuit import Parameter, ParameterVector

    qc = QuantumCircuit(2)
    if initialize:
        qc.initialize([0, 1, 0, 0])
    for q, x in enumerate(ParameterVector("x", 2)):
        qc.ry(x, q)
    qc.cz(0, 1)
    for q, w in enumerate(ParameterVector("θ", 2)):
        qc.ry(w, q)
    if phase:
        qc.global_phase = Parameter("g")
    with path.open("wb") as f:
        qpy.dump(qc, f)


def edit_lines(source: pathlib.Path, target: pathlib.Path, index: int, line: str | None) -> None:
    """``target``: ``source`` with line ``index`` replaced by ``line`` (removed when None)."""
    lines = source.read_text().splitlines()
    if line is None:
        del lines[index]
    else:
        lines[index] = line
    target.write_text("\n".join(lines) + "\n")


def checkpoint_with_weights(path: pathlib.Path, count: int) -> None:
    """A checkpoint of the CK1 run (2 qubits, 1 layer: 4 weights) holding ``count`` weights."""
    import dataclasses

    from qec.qnn import TrainConfig

    config = TrainConfig(qubits=2, layers=1, samples=20, maxiter=16, chunk=8)
    state = {"config": dataclasses.asdict(config), "weights": [0.1] * count, "loss_history": [0.5] * 8,
             "done": 8, "wall_seconds": 1.0}  # fmt: skip
    path.write_text(json.dumps(state))


NAN = float("nan")
SAME = "is the same file as"
INPUT = "refusing to overwrite an input"
# resources on a circuit file, with fits f.json
RESOURCES_FITS = ["resources", "--p", "0.001", "--noise", "circuit", "--fits", "{tmp}/f.json", "--circuit",
                  "{tmp}/c.qasm", "--error-budget", "0.001", "--out", "{tmp}/r.json"]  # fmt: skip


# (id, argv with {tmp}, prepare(tmp) or None, message)
CLI = [
    (
        "C1-inspect-at-p-0",
        ["inspect", "--code", "surface_rotated", "--noise", "circuit", "--distance", "3", "--p", "0"],
        None,
        "p=0.0: the noisy circuit has no error mechanisms",
    ),
    (
        "E14-none-with-a-strength",
        ["train", "--noise", "none:0.5", "--out", "{tmp}/r.json"],
        None,
        "noise 'none' takes no strength (got none:0.5)",
    ),
    ("p-too-big", sample("--p", "0.7"), None, "p=0.7 must be in [0, 0.5]"),
    ("p-negative", sample("--p", "-0.1"), None, "p=-0.1 must be in [0, 0.5]"),
    ("p-not-number", sample("--p", "lots"), None, "argument --p: 'lots' is not a number"),
    ("distance-1", sample("--distance", "1"), None, "distance=1 is not allowed for code 'repetition'"),
    ("distance-not-int", sample("--distance", "3.5"), None, "argument --distance: '3.5' is not an integer"),
    ("rounds-0", sample("--rounds", "0"), None, "--rounds=0 is not allowed"),
    (
        "cnot-rounds",
        sample("--experiment", "cnot", "--code", "surface_rotated"),
        None,
        "--rounds=1 does not apply to --experiment cnot",
    ),
    ("unknown-code", sample("--code", "toric"), None, "argument --code: invalid choice: 'toric'"),
    ("unknown-noise", sample("--noise", "thermal"), None, "argument --noise: invalid choice: 'thermal'"),
    ("unknown-decoder", sample("--decoder", "magic"), None, "decoder='magic' is not a sinter decoder"),
    # A6c, A6d, A6e: a value given twice named one task twice; sinter refused it mid-run with a
    # traceback, after a header-only file was written. Every list flag refuses repeats (_Distinct).
    ("A6c-distance-twice", [*SAMPLE, "--distance", "3", "3"], None, "argument --distance: 3 is given twice"),
    ("A6d-p-twice", [*SAMPLE, "--p", "0.01", "0.010"], None, "argument --p: 0.01 is given twice"),
    ("A6d-basis-twice", [*SAMPLE, "--basis", "z", "x", "z"], None, "argument --basis: 'z' is given twice"),
    (
        "A6e-decoder-twice",
        [*SAMPLE, "--decoder", "pymatching", "pymatching"],
        None,
        "argument --decoder: 'pymatching' is given twice; give each value once",
    ),
    (
        "tolerance-eps-twice",
        [*tolerance(), "--eps-grid", "0.001", "0.01", "0.001"],
        None,
        "argument --eps-grid: 0.001 is given twice",
    ),
    (
        "I12-resources-p-twice",  # every row and estimate was repeated
        [*RESOURCES, "--p", "0.001", "0.001"],
        None,
        "argument --p: 0.001 is given twice",
    ),
    (
        "custom-decoders-malformed",
        sample("--custom-decoders", "nocolon"),
        None,
        "custom decoders 'nocolon' must look like MODULE:FUNCTION",
    ),
    (
        "L_dots-custom-decoders-relative-module",  # a TypeError traceback from importlib
        sample("--custom-decoders", "..:x"),
        None,
        "custom decoders '..:x' must look like MODULE:FUNCTION (an absolute module name",
    ),
    (
        "L_dots-circuit-relative-module",
        ["train", "--circuit", "..:x", "--out", "{tmp}/r.json"],
        None,
        "circuit='..:x' must look like MODULE:FUNCTION",
    ),
    (
        "custom-decoders-missing-module",
        sample("--custom-decoders", "no_such_module:f"),
        None,
        "custom decoders 'no_such_module:f': ModuleNotFoundError",
    ),
    (
        "custom-decoders-not-a-dict",
        sample("--custom-decoders", "os:getcwd"),
        None,
        "getcwd() must return a dict of name → sinter.Decoder; got str",
    ),
    ("max-shots-0", sample("--max-shots", "0"), None, "argument --max-shots: 0 must be a positive integer"),
    ("workers-0", sample("--workers", "0"), None, "argument --workers: 0 must be a positive integer"),
    ("si1000-p", sample("--noise", "si1000", "--p", "0.2"), None, "p=0.2 must be in [0, 0.1] for si1000"),
    ("missing-folder", sample("--out", "{tmp}/nope/out.csv"), None, "does not exist"),
    ("out-device", sample("--out", "/dev/full"), None, "out='/dev/full' is not a regular file"),
    (
        "out-read-only",
        sample("--out", "{tmp}/ro.csv"),
        read_only_stats,
        "is read-only; refusing to overwrite it",
    ),
    ("rounds-absurd", sample("--rounds", "100000000"), None, "qubit-rounds; at most 1e+07"),
    (
        "distance-absurd",
        sample("--code", "surface_rotated", "--distance", "10001", "--rounds", "1"),
        None,
        "qubit-rounds; at most 1e+07",
    ),
    ("workers-absurd", sample("--workers", "10000"), None, "workers=10000 is more than 4 × the"),
    (
        "out-not-sinter",
        sample("--out", "{tmp}/notes.csv"),
        lambda t: (t / "notes.csv").write_text("a,b\n1,2\n"),
        "is not a sinter CSV file",
    ),
    (
        "fit-not-sinter",
        ["fit", "{tmp}/notes.csv", "--out", "{tmp}/f.json"],
        lambda t: (t / "notes.csv").write_text("hello\n"),
        "notes.csv:1: not a sinter CSV file",
    ),
    ("fit-missing-file", ["fit", "{tmp}/missing.csv", "--out", "{tmp}/f.json"], None, "no such file"),
    (
        "fit-corrupt-row",
        ["fit", "{tmp}/bad.csv", "--out", "{tmp}/f.json"],
        lambda t: (t / "bad.csv").write_text(sinter.CSV_HEADER + "\n1,2\n"),
        "bad.csv:2: expected 8 columns",
    ),
    (
        "fit-zero-shots",
        ["fit", "{tmp}/in.csv", "--out", "{tmp}/f.json"],
        lambda t: stats_file(t, [("pymatching", META, 0, 0)]),
        "in.csv:2: zero shots",
    ),
    (
        "fit-missing-metadata",
        ["fit", "{tmp}/in.csv", "--out", "{tmp}/f.json"],
        lambda t: stats_file(t, [("pymatching", {"code": "x"}, 5, 1)]),
        "json_metadata lacks noise, d, p",
    ),
    (
        "fit-same-task-twice",  # one file, one task and decoder in two rows: combine merges them
        ["fit", "{tmp}/in.csv", "--out", "{tmp}/f.json"],
        lambda t: stats_file(t, [("pymatching", META, 5, 1), ("pymatching", META, 5, 1)]),
        "decoded by 'pymatching' appears twice; merge rows first (qec combine)",
    ),
    (
        "fit-reads-a-pipe",  # FIFO1: blocked for ever
        ["fit", "{tmp}/pipe.csv", "--out", "{tmp}/f.json"],
        fifo,
        "the input '{tmp}/pipe.csv' is not a regular file (a pipe, device or folder); give a file",
    ),
    (
        "train-reads-a-device",  # E27: a zero-producing device as data ate all memory
        ["train", "--data", "/dev/zero", "--out", "{tmp}/r.json"],
        None,
        "--data='/dev/zero' is not a regular file (a pipe, device or folder); give a file",
    ),
    (
        "fit-combined-next-to-its-shards",  # A6f: every shot of the shard counted twice
        ["fit", "{tmp}/stats.csv", "{tmp}/shard.csv", "--out", "{tmp}/f.json"],
        combined_and_shard,
        '{tmp}/shard.csv:2: task aaaaaaaaaaaa… (\'pymatching\', {"basis": "z", "code": "repetition", '
        '"d": 3, "noise": "circuit", "p": 0.01, "rounds": 1}) has the same totals (shots=10, '
        "errors=1, discards=0, seconds=0.250) as {tmp}/stats.csv:2: the same data given twice",
    ),
    (
        "combine-combined-next-to-its-shards",  # A6f, through combine
        ["combine", "{tmp}/shard.csv", "{tmp}/stats.csv", "--out", "{tmp}/c.csv"],
        combined_and_shard,
        "as {tmp}/shard.csv:2: the same data given twice (a combined file next to its own shards?)",
    ),
    (
        "fit-plot-suffix",
        ["fit", "{tmp}/in.csv", "--out", "{tmp}/f.json", "--plot", "{tmp}/f.gif"],
        good_stats,
        "--plot='{tmp}/f.gif' must end in .png, .pdf or .svg",
    ),
    ("fit-out-folder", ["fit", "{tmp}/in.csv", "--out", "{tmp}/no/f.json"], good_stats, "does not exist"),
    (
        "fit-bootstrap",
        ["fit", "{tmp}/in.csv", "--out", "{tmp}/f.json", "--bootstrap", "-1"],
        good_stats,
        "--bootstrap=-1 is too few resamples",
    ),
    (
        "B26-fit-bootstrap-1",  # a "95% interval" of one refit excluded its own estimate
        ["fit", "{tmp}/in.csv", "--out", "{tmp}/f.json", "--bootstrap", "1"],
        good_stats,
        "--bootstrap=1 is too few resamples for a 95% percentile interval: give 0 (no bootstrap "
        "interval) or at least 40",
    ),
    (
        "B26-fit-bootstrap-39",
        ["fit", "{tmp}/in.csv", "--out", "{tmp}/f.json", "--bootstrap", "39"],
        good_stats,
        "--bootstrap=39 is too few resamples",
    ),
    (
        "train-dataset",
        ["train", "--dataset", "mnist", "--out", "{tmp}/r.json"],
        None,
        "argument --dataset: invalid choice: 'mnist'",
    ),
    ("train-qubits-0", ["train", "--qubits", "0", "--out", "{tmp}/r.json"], None, "qubits=0 must be"),
    (
        "train-qubits-huge",
        ["train", "--qubits", "30", "--out", "{tmp}/r.json"],
        None,
        "qubits=30 does not fit this machine: even a statevector needs 16·2^n bytes",  # 24 GiB: 28 fit
    ),
    (
        "train-qubits-dm-huge",
        [
            "train",
            "--qubits",
            "16",
            "--noise",
            "logical:0.01",
            "--method",
            "density_matrix",
            "--out",
            "{tmp}/r.json",
        ],
        None,
        "qubits=16 does not fit this machine as a density matrix (16·4^n bytes; 14 qubits fit",
    ),
    (
        "byo-not-qpy",
        byo("--circuit", "{tmp}/bad.qpy"),
        byo_files,
        "circuit='{tmp}/bad.qpy' is not a QPY file",
    ),
    (
        "byo-circuit-spec",
        byo("--circuit", "nosuchmodule:f"),
        byo_files,
        "circuit='nosuchmodule:f': ModuleNotFoundError",
    ),
    (
        "byo-data-suffix",
        byo("--data", "{tmp}/d.txt"),
        byo_files,
        "data='{tmp}/d.txt' must be a .csv or .npz file",
    ),
    (
        "N_complex-data-complex-features",  # the imaginary parts were silently dropped
        ["train", "--data", "{tmp}/c.npz", "--qubits", "2", "--layers", "1", "--out", "{tmp}/r.json"],
        lambda t: np.savez(t / "c.npz", x=np.ones((20, 2)) + 1j, y=np.arange(20) % 2),
        "data='{tmp}/c.npz': features and labels must be real numbers; x is complex",
    ),
    (
        "byo-data-not-npz",
        byo("--data", "{tmp}/bad.npz"),
        byo_files,
        "data='{tmp}/bad.npz' is not an NPZ file",
    ),
    (
        "byo-inputs-vs-features",
        byo("--data", "{tmp}/three.csv"),
        byo_files,
        "has 3 feature columns; the circuit has 4 input parameters: they must agree",
    ),
    ("byo-no-weights", byo("--circuit", "{tmp}/inputs_only.qpy"), byo_files, "no weight parameters"),
    (
        "byo-no-inputs",
        byo("--circuit", "{tmp}/weights_only.qpy"),
        byo_files,
        "no input parameters; name them",
    ),
    (
        "byo-observable-size",
        byo("--observable", "ZZ"),
        byo_files,
        "observable='ZZ': term 'ZZ' has 2 letters; the circuit has 4 qubits",
    ),
    ("byo-observable-letters", byo("--observable", "ZZQZ"), byo_files, "letters ['Q'] are not Paulis"),
    (
        "byo-observable-two-settings",
        byo("--observable", "ZZZZ + XXXX"),
        byo_files,
        "observable reads qubit 0 in both Z and X",
    ),
    ("byo-nan", byo("--data", "{tmp}/nan.csv"), byo_files, "NaN or infinite values in rows [1]"),
    (
        "byo-one-class",
        byo("--data", "{tmp}/one.csv"),
        byo_files,
        "every label is 1; a classifier needs two classes",
    ),
    (
        "byo-labels",
        byo("--data", "{tmp}/three_labels.csv"),
        byo_files,
        "labels must be two values, 0/1 or -1/+1; got ['0', '1', '2']",
    ),
    ("byo-few-rows", byo("--data", "{tmp}/few.csv"), byo_files, "too few for a stratified split"),
    ("byo-ragged", byo("--data", "{tmp}/ragged.csv"), byo_files, "line 3: 4 fields, the header has 5"),
    (
        "byo-two-label-columns",  # N_twolabels: y = 1 - label was taken as a feature, accuracy 1.000
        byo("--data", "{tmp}/two_labels.csv"),
        byo_files,
        "has two label columns, ['label', 'y']; keep one",
    ),
    (
        "train-noise-malformed",
        ["train", "--noise", "circuit", "--out", "{tmp}/r.json"],
        None,
        "noise spec 'circuit' must look like none, circuit:<p>",
    ),
    (
        "train-eps-above-1",
        ["train", "--noise", "logical:1.5", "--out", "{tmp}/r.json"],
        None,
        "logical eps=1.5 must be in [0, 1]",
    ),
    ("train-layers", ["train", "--layers", "-1", "--out", "{tmp}/r.json"], None, "layers=-1 must be"),
    ("train-seed", ["train", "--seed", "-1", "--out", "{tmp}/r.json"], None, "argument --seed: -1 must be"),
    # E1, E4, NUM12, P18: sizes a run cannot finish beyond are refused at once, the bound stated.
    (
        "train-layers-absurd",
        ["train", "--qubits", "2", "--layers", "1000000", "--out", "{tmp}/r.json"],
        None,
        "layers=1000000 with qubits=2 is 2000002 weights (qubits × (layers + 1)); at most 10000",
    ),
    (
        "train-trajectories-absurd",
        ["train", "--noise", "logical:0.01", "--trajectories", "1000000000", "--out", "{tmp}/r.json"],
        None,
        "trajectories=1000000000 must be an integer in [1, 100000]",
    ),
    (
        "train-samples-absurd",
        ["train", "--samples", "100000000", "--out", "{tmp}/r.json"],
        None,
        "samples=100000000 must be an integer in [4, 100000]",
    ),
    (
        "tolerance-extra-test-absurd",
        tolerance("--extra-test", "100000000"),
        noiseless_run,
        "extra_test=100000000 must be an integer in [0, 100000]",
    ),
    (
        "E10-train-split-too-small",  # and V4r: was scikit-learn's "test_size = 1 should be greater or equal"
        ["train", "--samples", "20", "--test-fraction", "0.01", "--out", "{tmp}/r.json"],
        None,
        "samples=20 with test_fraction=0.01 leaves 1 test and 19 training points",
    ),
    ("budget-fits-missing", budget("{tmp}/none.json"), budget_inputs, "--fits: cannot read"),
    (
        "budget-no-model",
        budget("{tmp}/f.json"),
        lambda t: budget_inputs(t, {"fits": {}}),
        "no fit for code='surface_rotated', noise='circuit', basis='z'",
    ),
    (
        "budget-unknown-decoder",
        [*budget("{tmp}/f.json"), "--decoder", "magic"],
        lambda t: budget_inputs(t, GOOD_FITS),
        "no fit for 'surface_rotated/circuit/z/magic'; the document has ['surface_rotated/circuit/z/pymat",
    ),
    (
        "resources-decoder-with-constants",
        [*RESOURCES, "--circuit", "{tmp}/c.qasm", "--decoder", "pymatching"],
        None,
        "--decoder chooses among the fitted models of --fits; --constants gives one model",
    ),
    (
        "budget-corrupt-model",
        budget("{tmp}/f.json"),
        lambda t: budget_inputs(t, group_with(model={"A": 0.1})),
        "suppression model lacks form, coef, cov",
    ),
    (
        "budget-tolerance-corrupt",
        budget("{tmp}/f.json"),
        lambda t: (t / "t.json").write_text(json.dumps({"eps_star": 0.01})),
        "tolerance lacks definition, delta",
    ),
    ("tolerance-delta-0", tolerance("--delta", "0"), noiseless_run, "delta=0.0 must be a number in (0, 1)"),
    ("tolerance-delta-1", tolerance("--delta", "1.5"), noiseless_run, "delta=1.5 must be a number in (0, 1)"),
    (
        "tolerance-grid-short",
        [
            "tolerance",
            "--results",
            "{tmp}/r.json",
            "--eps-grid",
            "0.001",
            "0.01",
            "--noise",
            "circuit",
            "--p",
            "0.001",
            "--out",
            "{tmp}/t.json",
        ],
        noiseless_run,
        "must have at least 3 points to bracket",
    ),
    (
        "tolerance-mixed-runs",
        ["tolerance", "--results", "{tmp}/r.json", "{tmp}/r2.json", *tolerance()[3:]],
        lambda t: noiseless_run(t, layers=2),
        "QNN results mix configurations: {'layers': (1, 2)}",
    ),
    (
        "tolerance-extra-test-shipped-data",
        tolerance("--extra-test", "10"),
        lambda t: (
            noiseless_run(t)
            or (t / "r.json").write_text((t / "r.json").read_text().replace('"moons"', '"iris"'))
        ),
        "extra_test=10 needs a synthetic dataset",
    ),
    (
        "tolerance-nan-weights",  # Q10: NaN weights gave ε* = the grid's end, exit 0
        tolerance(),
        lambda t: (
            noiseless_run(t)
            or (t / "r.json").write_text(
                (t / "r.json").read_text().replace("[0.1, 0.1, 0.1, 0.1]", "[NaN, 0.1, 0.1, 0.1]")
            )
        ),
        "weights must be finite real numbers; weight 0 is nan",
    ),
    (
        "resources-inf-weights",  # the same one reader of weights for every command
        [*RESOURCES[:-2], "--qnn", "{tmp}/r.json", "--out", "{tmp}/res.json"],
        lambda t: (
            noiseless_run(t)
            or (t / "r.json").write_text(
                (t / "r.json").read_text().replace("[0.1, 0.1, 0.1, 0.1]", "[0.1, Infinity, 0.1, 0.1]")
            )
        ),
        "weights must be finite real numbers; weight 1 is inf",
    ),
    (
        "tolerance-training-no-dir",
        tolerance("--definition", "training"),
        noiseless_run,
        "--definition training needs --train-dir",
    ),
    ("tolerance-p-too-big", tolerance("--p", "0.7"), noiseless_run, "p=0.7 must be in [0, 0.5]"),
    (
        "resources-not-a-circuit",
        [*RESOURCES, "--circuit", "{tmp}/c.qasm"],
        lambda t: (t / "c.qasm").write_text("hello\n"),
        "is not a QPY or OpenQASM circuit",
    ),
    (
        "RC7-resources-classical-control",  # estimated as d = 1 with 0 T states, exit 0
        [*RESOURCES, "--circuit", "{tmp}/c.qasm"],
        lambda t: (t / "c.qasm").write_text(
            'OPENQASM 2.0;\ninclude "qelib1.inc";\nqreg q[1];\ncreg c[1];\n'
            "h q[0];\nmeasure q[0] -> c[0];\nif(c==1) x q[0];\n"
        ),
        "{tmp}/c.qasm has classical control flow (if_else)",
    ),
    (
        "resources-unbound",
        [*RESOURCES, "--circuit", "{tmp}/u.qpy"],
        write_unbound_qpy,
        "1 unbound parameters",
    ),
    (
        "resources-budget-1",
        [*RESOURCES, "--circuit", "{tmp}/c.qasm", "--error-budget", "1.5"],
        write_qasm,
        "error budget=1.5 must be in (0, 1)",
    ),
    (
        "resources-p-above-threshold",
        [*RESOURCES, "--circuit", "{tmp}/c.qasm", "--p", "0.02"],
        write_qasm,
        "p=0.02 cannot be estimated for 'given': p is at or above the model's p_th",
    ),
    (
        "resources-constants-negative",
        [*RESOURCES, "--circuit", "{tmp}/c.qasm", "--constants", "-0.03", "0.01"],
        write_qasm,
        "A=-0.03 must be a number > 0",
    ),
    # F5, F6: a non-finite number anywhere on the command line (every float flag shares one type).
    (
        "budget-cycles-nan",
        [*budget("{tmp}/f.json"), "--cycles-per-gate", "nan"],
        lambda t: budget_inputs(t, GOOD_FITS),
        "argument --cycles-per-gate: 'nan' is not a finite number",
    ),
    (
        "budget-cycles-inf",
        [*budget("{tmp}/f.json"), "--cycles-per-gate", "inf"],
        lambda t: budget_inputs(t, GOOD_FITS),
        "argument --cycles-per-gate: 'inf' is not a finite number",
    ),
    (
        "fit-window-inf",
        ["fit", "{tmp}/in.csv", "--out", "{tmp}/f.json", "--threshold-window", "0.001", "inf"],
        good_stats,
        "argument --threshold-window: 'inf' is not a finite number",
    ),
    # O5, O9, O17, O21, O22: the shot model reads ±1 outcomes; a scaled or summed observable has others.
    *(
        (
            f"train-observable-{i}",
            ["train", "--qubits", "2", "--layers", "1", "--observable", spec, "--out", "{tmp}/r.json"],
            None,
            "must have eigenvalues ±1",
        )
        for i, spec in enumerate(["2*ZZ", "XX + XX", "1e-3*ZZ - 2E+1*IZ", ".5*ZZ", "5.*ZZ", "0.5*ZI+0.5*IZ"])
    ),
    (
        "train-observable-constant",  # O18
        ["train", "--qubits", "2", "--layers", "1", "--observable", "II", "--out", "{tmp}/r.json"],
        None,
        "observable='II' reads no qubit",
    ),
    (
        "resources-p-empty",  # I8: '--p' with no values wrote an empty table, exit 0
        ["resources", "--p", *RESOURCES[3:-2], "--circuit", "{tmp}/c.qasm", "--out", "{tmp}/r.json"],
        write_qasm,
        "argument --p: expected at least one argument",
    ),
    ("plot-not-a-study", ["plot", "{tmp}"], None, "has no fits.json"),
    (
        "plot-corrupt-fits",
        ["plot", "{tmp}"],
        lambda t: (t / "fits.json").write_text('{"fits": {"k": {}}}'),
        "not a fits.json written by qec fit",
    ),
    # Outputs that are inputs, or each other (issue #21; catalog ids in the names): refused by the
    # one check of qec.cli (qec.cli._common.Files, qec._io.check_writes) before anything runs.
    (
        "A3a-fit-out-is-input",
        ["fit", "{tmp}/in.csv", "--out", "{tmp}/in.csv"],
        good_stats,
        f"--out='{{tmp}}/in.csv' {SAME} the input '{{tmp}}/in.csv'; {INPUT}",
    ),
    (
        "A3b-combine-out-not-sinter",
        ["combine", "{tmp}/in.csv", "--out", "{tmp}/notes.txt"],
        lambda t: good_stats(t) or (t / "notes.txt").write_text("important notes\n"),
        "out='{tmp}/notes.txt' exists and is not a sinter CSV file; refusing to overwrite it",
    ),
    (
        "A2c-combine-over-a-finished-sample",  # the sample's shots were replaced by the inputs'
        ["combine", "{tmp}/in.csv", "--out", "{tmp}/sampled.csv"],
        lambda t: (
            good_stats(t) or stats_file(t, [("pymatching", {**META, "d": 5}, 10, 1)], name="sampled.csv")
        ),
        "--out='{tmp}/sampled.csv' already holds 10 shots of a task the inputs have 0 of",
    ),
    (
        "A3c-combine-into-one-of-several-inputs",
        ["combine", "{tmp}/in.csv", "{tmp}/in.csv", "--out", "{tmp}/in.csv"],
        good_stats,
        f"--out='{{tmp}}/in.csv' {SAME} the input '{{tmp}}/in.csv'; {INPUT}",
    ),
    (
        "X1-train-out-is-data",
        byo("--out", "{tmp}/d.csv"),
        byo_files,
        f"{SAME} --data='{{tmp}}/d.csv'; {INPUT}",
    ),
    (
        "X2-train-out-is-circuit",
        byo("--out", "{tmp}/qnn.qpy"),
        byo_files,
        f"{SAME} --circuit='{{tmp}}/qnn.qpy'; {INPUT}",
    ),
    (
        "X3-fit-plot-is-out",
        ["fit", "{tmp}/in.csv", "--out", "{tmp}/f.png", "--plot", "{tmp}/f.png"],
        good_stats,
        f"--plot='{{tmp}}/f.png' {SAME} --out='{{tmp}}/f.png'; one output would overwrite the other",
    ),
    (
        "X5-fit-out-is-input-through-a-symlink",
        ["fit", "{tmp}/sym.csv", "--out", "{tmp}/in.csv"],
        link_stats,
        f"--out='{{tmp}}/in.csv' {SAME} the input '{{tmp}}/sym.csv'; {INPUT}",
    ),
    (
        "X5-fit-out-is-input-through-a-hard-link",
        ["fit", "{tmp}/hard.csv", "--out", "{tmp}/in.csv"],
        link_stats,
        f"--out='{{tmp}}/in.csv' {SAME} the input '{{tmp}}/hard.csv'; {INPUT}",
    ),
    (
        "X6-resources-txt-beside-is-out",
        [*RESOURCES, "--circuit", "{tmp}/c.qasm", "--out", "{tmp}/r.txt"],
        write_qasm,
        f"'{{tmp}}/r.txt' (written beside --out='{{tmp}}/r.txt') {SAME} --out='{{tmp}}/r.txt'",
    ),
    (
        "F1-budget-json-beside-is-fits",
        [*budget("{tmp}/f.json"), "--out", "{tmp}/f.csv"],
        lambda t: budget_inputs(t, GOOD_FITS),
        f"'{{tmp}}/f.json' (written beside --out='{{tmp}}/f.csv') {SAME} --fits='{{tmp}}/f.json'; {INPUT}",
    ),
    (
        "F2-budget-json-beside-is-tolerance",
        [*budget("{tmp}/f.json"), "--out", "{tmp}/t.csv"],
        lambda t: budget_inputs(t, GOOD_FITS),
        f"{SAME} --tolerance='{{tmp}}/t.json'; {INPUT}",
    ),
    (
        "F3-budget-json-beside-is-a-run",
        [*budget("{tmp}/f.json"), "--out", "{tmp}/r.csv"],
        lambda t: budget_inputs(t, GOOD_FITS),
        f"{SAME} --results='{{tmp}}/r.json'; {INPUT}",
    ),
    (
        "F4-budget-json-beside-is-out",
        [*budget("{tmp}/f.json"), "--out", "{tmp}/b.json"],
        lambda t: budget_inputs(t, GOOD_FITS),
        f"{SAME} --out='{{tmp}}/b.json'; one output would overwrite the other",
    ),
    ("Q5-tolerance-out-is-run", tolerance("--out", "{tmp}/r.json"), noiseless_run, f"{SAME} --results="),
    (
        "Q5-tolerance-out-is-the-data-a-run-names",
        tolerance("--out", "{tmp}/d.csv"),
        run_on_own_data,
        f"{SAME} '{{tmp}}/d.csv' (named in --results='{{tmp}}/r.json'); {INPUT}",
    ),
    (
        "I19-resources-out-is-qnn",
        [*RESOURCES, "--qnn", "{tmp}/r.json"],
        noiseless_run,
        f"--out='{{tmp}}/r.json' {SAME} --qnn='{{tmp}}/r.json'; {INPUT}",
    ),
    (
        "I20-resources-out-is-fits",
        changed(RESOURCES_FITS, "--out", "{tmp}/f.json"),
        lambda t: write_qasm(t) or (t / "f.json").write_text(json.dumps(GOOD_FITS)),
        f"--out='{{tmp}}/f.json' {SAME} --fits='{{tmp}}/f.json'; {INPUT}",
    ),
    # Malformed JSON records (issue #21, catalog ids in the names): every record is read field by
    # field through qec._check.record_fields, nested ones through their own from_dict; the file,
    # the field and what is allowed in one line, exit 2 (these were KeyError/TypeError tracebacks).
    (
        "G3-tolerance-seeds-not-a-list",
        budget("{tmp}/f.json"),
        tolerance_with(seeds=5),
        "--tolerance='{tmp}/t.json': tolerance seeds=5 must be a list of integers",
    ),
    (
        "G11-tolerance-curve-a-string",
        budget("{tmp}/f.json"),
        tolerance_with(curve="abc"),
        "--tolerance='{tmp}/t.json': tolerance curve='abc' must be a list of JSON objects",
    ),
    (
        "G12-tolerance-qnn-a-list",
        budget("{tmp}/f.json"),
        tolerance_with(qnn=[]),
        "--tolerance='{tmp}/t.json': tolerance qnn=[] must be a JSON object",
    ),
    (
        "H1-fits-group-without-model",
        budget("{tmp}/f.json"),
        lambda t: budget_inputs(t, group_with("model")),
        f"--fits='{{tmp}}/f.json': not a fits.json written by qec fit: fits group '{GROUP}' lacks model",
    ),
    (
        "H4-fits-a-list",
        budget("{tmp}/f.json"),
        lambda t: budget_inputs(t, {"fits": []}),
        "--fits='{tmp}/f.json': not a fits.json written by qec fit: the document fits=[] must be a JSON "
        "object",
    ),
    (
        "H6-fits-no-model-no-note",
        budget("{tmp}/f.json"),
        lambda t: budget_inputs(t, group_with("model_note", model=None)),
        f"group '{GROUP}' lacks model_note",
    ),
    (
        "H6-fits-lambda-wrong",
        budget("{tmp}/f.json"),
        lambda t: budget_inputs(t, group_with(**{"lambda": [5]})),
        f"group '{GROUP}' lambda=[5] must be a list of JSON objects",
    ),
    (
        "H11-fits-a-number",
        budget("{tmp}/f.json"),
        lambda t: budget_inputs(t, {"fits": 5}),
        "the document fits=5 must be a JSON object",
    ),
    (
        "H12-fits-a-string",
        budget("{tmp}/f.json"),
        lambda t: budget_inputs(t, "str"),
        "--fits='{tmp}/f.json': not a fits.json written by qec fit: the document must be a JSON object; "
        "got string",
    ),
    (
        "Q6-tolerance-given-as-a-run",
        tolerance("--results", "{tmp}/t.json", "--out", "{tmp}/o.json"),
        lambda t: budget_inputs(t, GOOD_FITS),
        "--results '{tmp}/t.json': QNN result lacks config, weights",
    ),
    (
        "Q7-run-an-empty-object",
        tolerance(),
        lambda t: (t / "r.json").write_text("{}"),
        "--results '{tmp}/r.json': QNN result lacks config, weights",
    ),
    (
        "Q8-run-without-seed",
        tolerance(),
        run_with(lambda d: d["config"].pop("seed")),
        "--results '{tmp}/r.json': QNN result config lacks seed",
    ),
    (
        "Q13-run-config-null",
        tolerance(),
        run_with(lambda d: d.update(config=None)),
        "--results '{tmp}/r.json': QNN result config=None must be a JSON object",
    ),
    (
        "Q13-run-config-wrong-type",
        tolerance(),
        run_with(lambda d: d["config"].update(qubits="2")),
        "--results '{tmp}/r.json': QNN result config qubits='2' must be an integer",
    ),
    (
        "I21-resources-run-without-config",
        [*RESOURCES[:-2], "--qnn", "{tmp}/q.json", "--out", "{tmp}/r.json"],
        lambda t: (t / "q.json").write_text('{"weights": [1]}'),
        "--qnn '{tmp}/q.json': QNN result lacks config",
    ),
    (
        "TD3-train-dir-a-file",
        tolerance("--definition", "training", "--train-dir", "{tmp}/r2.json"),
        noiseless_run,
        "--train-dir='{tmp}/r2.json' is not a folder",
    ),
    (
        "PL7-plot-plots-a-file",
        ["plot", "{tmp}"],
        lambda t: study_folder(t) or (t / "plots").write_text(""),
        "'{tmp}/plots' exists and is not a folder",
    ),
    (
        "PL13-plot-budget-p-a-string",
        ["plot", "{tmp}"],
        lambda t: study_folder(t, budget_change=lambda d: d["rows"][0].update(p="abc")),
        "{tmp}/budget.json: budget row p='abc' must be a number",
    ),
    (
        "PL14-plot-resources-row-unknown",
        ["plot", "{tmp}"],
        lambda t: study_folder(
            t,
            resources={
                **json.loads((REPO / "data" / "paper" / "resources.json").read_text()),
                "rows": [{"x": 1}],
            },
        ),
        "{tmp}/resources.json: resources row lacks p, constants",
    ),
    # Corrupt sinter rows (issue #21): a row's fields are checked where sinter CSV is read
    # (qec.stats: read_stats, and check_output for an existing --out before sampling), a row's
    # d, p and rounds where points are made (qec.fit.points.check_metadata); file:line named.
    (
        "B4-sample-out-with-a-corrupt-row",  # a StatsFileError traceback once sampling was set up
        sample("--out", "{tmp}/bad.csv"),
        lambda t: (t / "bad.csv").write_text(sinter.CSV_HEADER + '\n20000,abc,0,0.008,pymatching,xx,"{}",\n'),
        "{tmp}/bad.csv:2: errors='abc' is not an integer",
    ),
    (
        "Z1-sample-out-one-task-two-metadata",
        sample("--out", "{tmp}/bad.csv"),
        lambda t: (t / "bad.csv").write_text(
            sinter.CSV_HEADER + '\n10,1,0,0.5,pymatching,aa,"{""d"": 3}",\n'
            '10,1,0,0.5,pymatching,aa,"{""d"": 33}",\n'
        ),
        "{tmp}/bad.csv:3: task aa… appears with different decoder or metadata",
    ),
    (
        "B6-combine-seconds-nan",  # sinter's assertion, a traceback
        ["combine", "{tmp}/bad.csv", "--out", "{tmp}/c.csv"],
        lambda t: (t / "bad.csv").write_text(sinter.CSV_HEADER + '\n10,1,0,nan,pymatching,aa,"{}",\n'),
        "{tmp}/bad.csv:2: seconds='nan' must be a finite number",
    ),
    (
        "B12-fit-p-nan",  # fitted, and written to fits.json as a bare NaN (B12b)
        ["fit", "{tmp}/in.csv", "--out", "{tmp}/f.json"],
        lambda t: stats_file(t, [("pymatching", {**META, "p": float("nan")}, 10, 1)]),
        "{tmp}/in.csv:2: json_metadata p=nan must be a number in (0, 0.5]",
    ),
    (
        "B13-fit-d-negative",
        ["fit", "{tmp}/in.csv", "--out", "{tmp}/f.json"],
        lambda t: stats_file(t, [("pymatching", {**META, "d": -3}, 10, 1)]),
        "{tmp}/in.csv:2: json_metadata d=-3 must be an integer >= 2",
    ),
    (
        "B17-fit-d-fractional",  # silently truncated to 3 and merged with the d = 3 points
        ["fit", "{tmp}/in.csv", "--out", "{tmp}/f.json"],
        lambda t: stats_file(t, [("pymatching", {**META, "d": 3.5}, 10, 1)]),
        "{tmp}/in.csv:2: json_metadata d=3.5 must be an integer >= 2",
    ),
    (
        "B14-fit-rounds-0",  # sinter's "need pieces > 0"
        ["fit", "{tmp}/in.csv", "--out", "{tmp}/f.json"],
        lambda t: stats_file(t, [("pymatching", {**META, "rounds": 0}, 10, 1)]),
        "{tmp}/in.csv:2: json_metadata rounds=0 must be an integer >= 1",
    ),
    # C16, C17: qec inspect well under the sampler's qubit-round cap searched for minutes.
    (
        "C16-inspect-rounds-huge",
        [
            "inspect",
            "--code",
            "repetition",
            "--noise",
            "circuit",
            "--distance",
            "3",
            "--p",
            "0.01",
            "--rounds",
            "1900000",
        ],
        None,
        "distance=3 with rounds=1900000 is 9.5e+06 qubit-rounds; qec inspect searches its decoding graph",
    ),
    (
        "C17-inspect-distance-51",
        ["inspect", "--code", "surface_rotated", "--noise", "circuit", "--distance", "51", "--p", "0.001"],
        None,
        "distance=51 with rounds=51 is 2.65e+05 qubit-rounds; qec inspect searches",
    ),
    (
        "V15r-resources-max-code-distance-huge",  # the estimator searched distances for minutes
        [*RESOURCES, "--circuit", "{tmp}/c.qasm", "--max-code-distance", "1000000000"],
        write_qasm,
        "max_code_distance=1000000000 must be an integer in [3, 101]",
    ),
    ("W7-train-out-empty", ["train", "--out", ""], None, "--out='' names no file"),
    (
        "W11-out-name-too-long",
        ["combine", "{tmp}/in.csv", "--out", "{tmp}/" + "a" * 300 + ".csv"],
        good_stats,
        "File name too long: '{tmp}/aaa",
    ),
    (
        "inspect-distance",
        ["inspect", "--code", "surface_rotated", "--noise", "circuit", "--distance", "0", "--p", "0.001"],
        None,
        "distance=0 is not allowed",
    ),
    # The catalog's lows (docs/reference/hostile-inputs.md has every one's status).
    ("NUM8-distance-fullwidth", sample("--distance", "３"), None, "argument --distance: '３' is not an"),
    ("NUM9-p-fullwidth", sample("--p", "０.０１"), None, "argument --p: '０.０１' is not a number"),
    (
        "NUM10-distance-underscore",  # Python's int() read it as 11
        sample("--distance", "1_1"),
        None,
        "argument --distance: '1_1' is not an integer",
    ),
    (
        "NUM11-train-seed-huge",  # scikit-learn's message about make_moons' random_state
        ["train", "--seed", "18446744073709551616", "--out", "{tmp}/r.json"],
        None,
        "seed=18446744073709551616 must be an integer in [0, 4294967295] (scikit-learn's random_state range)",
    ),
    (
        "B7-combine-seconds-inf",  # accepted, and inf written to the output
        ["combine", "{tmp}/bad.csv", "--out", "{tmp}/c.csv"],
        lambda t: (t / "bad.csv").write_text(sinter.CSV_HEADER + '\n10,1,0,inf,pymatching,aa,"{}",\n'),
        "{tmp}/bad.csv:2: seconds='inf' must be a finite number",
    ),
    (
        "B11-combine-shots-huge",  # accepted and written
        ["combine", "{tmp}/bad.csv", "--out", "{tmp}/c.csv"],
        lambda t: (t / "bad.csv").write_text(
            sinter.CSV_HEADER + '\n99999999999999999999999999,1,0,0.5,pymatching,aa,"{}",\n'
        ),
        "{tmp}/bad.csv:2: shots=99999999999999999999999999 must be in [0, 9223372036854775807]",
    ),
    (
        "B16-fit-p-negative",  # a RuntimeWarning and "coef=(nan, nan, 1.0, 0.0) must be 4 finite numbers"
        ["fit", "{tmp}/in.csv", "--out", "{tmp}/f.json"],
        lambda t: stats_file(t, [("pymatching", {**META, "p": -1}, 10, 1)]),
        "{tmp}/in.csv:2: json_metadata p=-1 must be a number in (0, 0.5]",
    ),
    (
        "E20-fit-header-only",  # exit 0 and a fits.json with no groups
        ["fit", "{tmp}/h.csv", "--out", "{tmp}/f.json"],
        lambda t: (t / "h.csv").write_text(sinter.CSV_HEADER + "\n"),
        "{tmp}/h.csv: no rows, nothing to fit",
    ),
    (
        "G4-tolerance-eps-star-negative",  # was "eps_op=-1 must be in (0, 1)": no file, no field
        budget("{tmp}/f.json"),
        tolerance_with(eps_star=-1, eps_star_low=-2, eps_star_high=0),
        "--tolerance='{tmp}/t.json': tolerance eps_star=-1 must be a number in (0, 1]",
    ),
    (
        "G5-tolerance-eps-star-0",
        budget("{tmp}/f.json"),
        tolerance_with(eps_star=0, eps_star_low=0, eps_star_high=0),
        "--tolerance='{tmp}/t.json': tolerance eps_star=0 must be a number in (0, 1]",
    ),
    (
        "G6-tolerance-eps-star-5",
        budget("{tmp}/f.json"),
        tolerance_with(eps_star=5, eps_star_low=4, eps_star_high=6),
        "--tolerance='{tmp}/t.json': tolerance eps_star=5 must be a number in (0, 1]",
    ),
    (
        "H9-fits-model-cov-nan",  # was "eps_round=nan must be in [0, 1]": neither file nor cov
        budget("{tmp}/f.json"),
        lambda t: budget_inputs(t, group_with(model={**GOOD_GROUP["model"], "cov": [[NAN] * 4] * 4})),
        "model cov must hold finite numbers (the fit's covariance)",
    ),
    (
        "H10-fits-model-no-distances",  # "extrapolated 44 distance steps beyond d = 0"
        budget("{tmp}/f.json"),
        lambda t: budget_inputs(t, group_with(model={**GOOD_GROUP["model"], "n_points": 6, "distances": []})),
        "model distances=[] names no distance, but the model was fitted on 6 points",
    ),
    (
        "Q9-run-weights-empty",  # was "no trained run for noise 'none', seed 0"
        tolerance(),
        run_with(lambda d: d.update(weights=[])),
        "--results '{tmp}/r.json': weights must be a non-empty list of numbers; got []",
    ),
    (
        "Q11-run-config-unknown-key",  # accepted, the key dropped unread
        tolerance(),
        run_with(lambda d: d["config"].update(bogus=1)),
        "--results '{tmp}/r.json': QNN config has unknown keys ['bogus']",
    ),
    (
        "Q12-run-seed-a-string",
        tolerance(),
        run_with(lambda d: d["config"].update(seed="0")),
        "--results '{tmp}/r.json': QNN result config seed='0' must be an integer",
    ),
    (
        "I15-resources-constant-a-above-qdk-range",  # QDK's 'crossingPrefactor' message per row, exit 0
        [
            "resources",
            "--p",
            "0.001",
            "--noise",
            "circuit",
            "--constants",
            "5",
            "0.01",
            "--error-budget",
            "0.001",
            "--circuit",
            "{tmp}/c.qasm",
            "--out",
            "{tmp}/r.json",
        ],
        write_qasm,
        "--constants A=5 must be at most 0.5: the QDK estimator's crossing prefactor is in (0, 0.5]",
    ),
    (
        "I17-resources-max-code-distance-1",  # every estimate failed, exit 0
        [*RESOURCES, "--circuit", "{tmp}/c.qasm", "--max-code-distance", "1"],
        write_qasm,
        "max_code_distance=1 must be an integer in [3, 101]",
    ),
    (
        "I22-resources-run-too-few-weights",  # was zip()'s "argument 2 is shorter than argument 1"
        [*RESOURCES[:-2], "--qnn", "{tmp}/r.json", "--out", "{tmp}/o.json"],
        run_with(lambda d: d.update(weights=[0.1, 0.1])),
        "--qnn '{tmp}/r.json': has 2 weights; the QNN has 4",
    ),
    (
        "RC5-resources-qasm-includes-a-system-file",  # read /etc/passwd, echoed its first word
        [*RESOURCES, "--circuit", "{tmp}/incl.qasm"],
        lambda t: (t / "incl.qasm").write_text('OPENQASM 2.0;\ninclude "/etc/passwd";\nqreg q[1];\n'),
        "'{tmp}/incl.qasm' includes '/etc/passwd'; a circuit file may include only qelib1.inc or "
        "stdgates.inc",
    ),
    (
        "RC5-resources-qasm-include-after-a-statement",  # statements may share a line
        [*RESOURCES, "--circuit", "{tmp}/incl.qasm"],
        lambda t: (t / "incl.qasm").write_text('OPENQASM 2.0; include "../x.inc";\nqreg q[1];\n'),
        "'{tmp}/incl.qasm' includes '../x.inc'",
    ),
    (
        "RC12-resources-random-bytes-qpy",  # "upgrade your version of Qiskit"
        [*RESOURCES, "--circuit", "{tmp}/rand.qpy"],
        lambda t: (t / "rand.qpy").write_bytes(bytes(range(7, 250))),
        "'{tmp}/rand.qpy' is not a QPY file (it does not begin with QPY's header b'QISKIT')",
    ),
    (
        "RC13-resources-truncated-qpy",  # a Rust backtrace in terminal escapes
        [*RESOURCES, "--circuit", "{tmp}/trunc.qpy"],
        lambda t: (t / "trunc.qpy").write_bytes((REPO / "studies" / "byo" / "qnn.qpy").read_bytes()[:100]),
        "'{tmp}/trunc.qpy': Qiskit cannot read this QPY file (truncated, corrupt, or from a newer",
    ),
    (
        "K_rand-train-random-bytes-qpy",
        byo("--circuit", "{tmp}/rand.qpy"),
        lambda t: byo_files(t) or (t / "rand.qpy").write_bytes(bytes(range(7, 250))),
        "circuit='{tmp}/rand.qpy' is not a QPY file (it does not begin with QPY's header b'QISKIT')",
    ),
    (
        "K_trunc-train-truncated-qpy",
        byo("--circuit", "{tmp}/trunc.qpy"),
        lambda t: byo_files(t) or (t / "trunc.qpy").write_bytes((t / "qnn.qpy").read_bytes()[:100]),
        "circuit='{tmp}/trunc.qpy': Qiskit cannot read this QPY file (truncated, corrupt, or from a newer",
    ),
    (
        "K_text-train-text-qpy",  # "unpack requires a buffer of 7 bytes"
        byo("--circuit", "{tmp}/text.qpy"),
        lambda t: byo_files(t) or (t / "text.qpy").write_text("hello\n"),
        "circuit='{tmp}/text.qpy' is not a QPY file (it does not begin with QPY's header b'QISKIT')",
    ),
    (
        "K_empty-train-empty-qpy",
        byo("--circuit", "{tmp}/empty.qpy"),
        lambda t: byo_files(t) or (t / "empty.qpy").write_bytes(b""),
        "circuit='{tmp}/empty.qpy' is not a QPY file (it is empty)",
    ),
    (
        "K_init-train-initialize-is-a-reset",  # the no-resets rule was bypassed
        byo("--circuit", "{tmp}/init.qpy", "--observable", "ZZ"),
        lambda t: byo_files(t) or write_qnn_qpy(t / "init.qpy", initialize=True),
        "{tmp}/init.qpy: mid-circuit measurements and resets are not supported in a QNN (an initialize",
    ),
    (
        "K_gphase-train-parameter-in-global-phase-only",  # a trainable weight with no effect
        byo("--circuit", "{tmp}/gphase.qpy", "--observable", "ZZ"),
        lambda t: byo_files(t) or write_qnn_qpy(t / "gphase.qpy", phase=True),
        "{tmp}/gphase.qpy: parameters ['g'] appear only in the global phase",
    ),
    (
        "L_main-train-circuit-is-qecs-command-line",  # re-entered main(), recursed, many lines
        ["train", "--circuit", "qec.cli:main", "--observable", "ZZ", "--out", "{tmp}/r.json"],
        None,
        "circuit='qec.cli:main' is qec's own command line, which would run again inside this command",
    ),
    (
        "N_empty.npz-train-no-rows",  # "labels must be two values, 0/1 or -1/+1; got []"
        byo("--data", "{tmp}/empty.npz"),
        lambda t: byo_files(t) or np.savez(t / "empty.npz", x=np.zeros((0, 4)), y=np.zeros(0)),
        "data='{tmp}/empty.npz' holds no rows",
    ),
    (
        "N_text.npz-train-text-npz",  # numpy's words: "load it unsafely using allow_pickle="
        byo("--data", "{tmp}/text.npz"),
        lambda t: byo_files(t) or (t / "text.npz").write_text("hello\n"),
        "data='{tmp}/text.npz' is not an NPZ file (not a zip archive of arrays: numpy.savez)",
    ),
    (
        "N_fullwidth.csv-train-fullwidth-digit",  # parsed as 1
        byo("--data", "{tmp}/fw.csv"),
        lambda t: byo_files(t) or edit_lines(t / "d.csv", t / "fw.csv", 1, "１,0,0,0,1"),
        "data='{tmp}/fw.csv': every field must be a number ('１' is not a number)",
    ),
    (
        "N_underscore.csv-train-underscore",  # parsed as 1000
        byo("--data", "{tmp}/us.csv"),
        lambda t: byo_files(t) or edit_lines(t / "d.csv", t / "us.csv", 1, "1_000,0,0,0,1"),
        "data='{tmp}/us.csv': every field must be a number ('1_000' is not a number)",
    ),
    (
        "N_noheader-train-first-row-is-data",  # the first row became the header, silently
        byo("--data", "{tmp}/nh.csv"),
        lambda t: byo_files(t) or edit_lines(t / "d.csv", t / "nh.csv", 0, None),
        "data='{tmp}/nh.csv': its first line '0,0,0,0,0' is numbers, not column names",
    ),
    (
        "O10-train-observable-zero",  # qiskit-machine-learning's "Empty observable was detected."
        ["train", "--qubits", "2", "--layers", "1", "--observable", "0*ZZ", "--out", "{tmp}/r.json"],
        None,
        "observable='0*ZZ' reads no qubit",
    ),
    (
        "O11-train-observable-infinite-coefficient",  # qiskit's "Non-Hermitian input observable"
        ["train", "--qubits", "2", "--layers", "1", "--observable", "1e400*ZZ", "--out", "{tmp}/r.json"],
        None,
        "observable='1e400*ZZ': coefficient '1e400' is not a finite number",
    ),
    (
        "O26-train-observable-trailing-space",  # "letters ['a', 'i', 'p', 'r', 't', 'y'] are not Paulis"
        ["train", "--qubits", "2", "--layers", "1", "--observable", "parity ", "--out", "{tmp}/r.json"],
        None,
        "observable='parity ' is neither a named observable (parity, z0) nor a Pauli sum: letters ['a', 'i', "
        "'p', 'r', 't', 'y'] are not Paulis (I, X, Y, Z) (the named observable is 'parity': lower case, no "
        "spaces)",
    ),
    (
        "O27-train-observable-upper-case",
        ["train", "--qubits", "2", "--layers", "1", "--observable", "PARITY", "--out", "{tmp}/r.json"],
        None,
        "(the named observable is 'parity': lower case, no spaces)",
    ),
    (
        "V17-train-qubits-beside-own-circuit",  # --qubits 7 was ignored silently
        byo("--qubits", "7"),
        byo_files,
        "--qubits describe the built-in ansatz; --circuit='{tmp}/qnn.qpy' is your own",
    ),
    (
        "CK1-train-checkpoint-too-few-weights",  # numpy's "cannot reshape array of size 3"
        [
            "train",
            "--qubits",
            "2",
            "--layers",
            "1",
            "--samples",
            "20",
            "--maxiter",
            "16",
            "--chunk",
            "8",
            "--out",
            "{tmp}/r.json",
        ],
        lambda t: checkpoint_with_weights(t / ".r.json.checkpoint.json", 3),
        "checkpoint '{tmp}/.r.json.checkpoint.json': has 3 weights; the QNN has 4",
    ),
    # --settings: a study's qnn block as one file (studies/rules/qnn.smk); its values go through
    # the same parsing as typed flags, so a bad value is the flag's own message.
    (
        "train-settings-unknown-key",
        ["train", "--settings", "{tmp}/s.json", "--out", "{tmp}/r.json"],
        lambda t: (t / "s.json").write_text('{"qubits": 2, "seeds": [0, 1]}'),
        "--settings='{tmp}/s.json': unknown key 'seeds'; allowed: dataset, data, circuit",
    ),
    (
        "train-settings-list-value",
        ["train", "--settings", "{tmp}/s.json", "--out", "{tmp}/r.json"],
        lambda t: (t / "s.json").write_text('{"qubits": [2]}'),
        "--settings='{tmp}/s.json': qubits=[2] must be a string or a number",
    ),
    (
        "train-settings-bad-value",
        ["train", "--settings", "{tmp}/s.json", "--out", "{tmp}/r.json"],
        lambda t: (t / "s.json").write_text('{"qubits": 0}'),
        "qubits=0 must be",
    ),
    (
        "train-settings-not-json",
        ["train", "--settings", "{tmp}/s.json", "--out", "{tmp}/r.json"],
        lambda t: (t / "s.json").write_text("qubits: 2\n"),
        "--settings: cannot read '{tmp}/s.json'",
    ),
    (
        "train-settings-twice",
        ["train", "--settings", "{tmp}/s.json", "--settings={tmp}/s.json", "--out", "{tmp}/r.json"],
        lambda t: (t / "s.json").write_text('{"qubits": 2}'),
        "--settings is given more than once",
    ),
    (
        "train-settings-fifo",  # read before the common input check: it hung on the pipe
        ["train", "--settings", "{tmp}/fifo", "--out", "{tmp}/r.json"],
        lambda t: os.mkfifo(t / "fifo"),
        "--settings='{tmp}/fifo' is not a regular file",
    ),
    (
        "train-settings-empty",
        ["train", "--settings=", "--out", "{tmp}/r.json"],
        None,
        "--settings='' names no file",
    ),
    (
        "train-settings-is-out",
        ["train", "--settings", "{tmp}/s.json", "--out", "{tmp}/s.json"],
        lambda t: (t / "s.json").write_text('{"qubits": 2}'),
        "is the same file as",
    ),
]


@pytest.mark.parametrize(("argv", "prepare", "message"), [c[1:] for c in CLI], ids=[c[0] for c in CLI])
def test_cli_bad_input(tmp_path, capsys, argv, prepare, message):
    if prepare is not None:
        prepare(tmp_path)
    before = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    argv = [a.replace("{tmp}", str(tmp_path)) for a in argv]
    with pytest.raises(SystemExit) as info:
        raise SystemExit(main(argv))
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert message.replace("{tmp}", str(tmp_path)) in err
    assert len(err.strip().splitlines()) == 1, err  # one clear line
    after = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    assert after == before  # nothing written, nothing half-written, nothing overwritten


_NO_DATASET = {k: v for k, v in MINI["qnn"].items() if k != "dataset"}
_OWN_CIRCUIT = {k: v for k, v in MINI["qnn"].items() if k not in ("qubits", "layers", "connectivity")}
_OWN_CIRCUIT["observable"] = "ZZZZ"
STUDY = [
    ("p-above-half", {"sampling": {**MINI["sampling"], "ps": [0.7]}}, "0.7"),
    ("unknown-code", {"sampling": {**MINI["sampling"], "codes": ["toric"]}}, "toric"),
    ("distances-wrong-type", {"sampling": {**MINI["sampling"], "distances": "3 5"}}, "'3 5' is not of type"),
    (
        "decoder-and-decoders",
        {"sampling": {**MINI["sampling"], "decoder": "pymatching"}},
        "is valid under each of",
    ),
    (
        "custom-decoder-spec",
        {"sampling": {**MINI["sampling"], "custom_decoders": ["stimbposd"]}},
        "'stimbposd' does not match",
    ),
    (
        "qnn-circuit-and-dataset-clash",
        {"qnn": {**MINI["qnn"], "data": "d.csv"}},
        "is not valid under any of the given schemas",
    ),
    ("qubits-too-many", {"qnn": {**MINI["qnn"], "qubits": 40}}, "40 is greater than the maximum of 30"),
    (
        "missing-delta",
        {"tolerance": {k: v for k, v in MINI["tolerance"].items() if k != "delta"}},
        "'delta' is a required property",
    ),
    (
        "delta-1",
        {"tolerance": {**MINI["tolerance"], "delta": 1}},
        "1 is greater than or equal to the maximum",
    ),
    ("eps-grid-short", {"tolerance": {**MINI["tolerance"], "eps_grid": [0.01, 0.1]}}, "is too short"),
    ("definition", {"tolerance": {**MINI["tolerance"], "definition": "vibes"}}, "'vibes' is not one of"),
    ("extra-key", {"extra_key": 1}, "extra_key"),
    ("B26-fit-bootstrap", {"fit": {**MINI["fit"], "bootstrap": 10}}, "10 is not valid under any of"),
    (
        "DUP",  # catalog DUP: combine was handed 30 paths for 8 shards and claimed 4.1x the shots
        {"sampling": {**MINI["sampling"], "distances": [3, 3, 5]}},
        "[3, 3, 5] has non-unique elements",
    ),
    (
        "noise-not-circuit-level",
        {"sampling": {**MINI["sampling"], "noise": "phenomenological"}},
        "phenomenological",
    ),
    # Values every job would refuse reach the Snakefile's check_study (the rest: STUDY_VALUES).
    (
        "cycles-per-gate-nan",
        {"budget": {**MINI["budget"], "cycles_per_gate": float("nan")}},
        "budget.cycles_per_gate=nan must be a finite number",
    ),
    ("chunk-below-weights", {"qnn": {**MINI["qnn"], "chunk": 1}}, "chunk=1 and maxiter=8 must be >= number"),
    # S5-S7: a trailing newline passed patterns ending in $ and split the rules' shell commands.
    (
        "custom-decoder-newline",
        {"sampling": {**MINI["sampling"], "custom_decoders": ["os:getcwd\n", "touch:x\n"]}},
        "'os:getcwd\\n' does not match",
    ),
    ("S6-study-newline", {"study": "mini\n"}, "'mini\\n' does not match"),
    (
        "S7-decoder-newline",  # a MissingInputException listing paths split across lines
        {"sampling": {**MINI["sampling"], "decoders": ["pymatching\n"]}},
        "does not match",
    ),
    ("data-newline", {"qnn": {**_NO_DATASET, "data": "d.csv\n"}}, "'d.csv\\n' does not match"),
    # R4run: a missing circuit file is a missing input, even where old runs exist (see below).
    ("circuit-missing", {"qnn": {**_OWN_CIRCUIT, "circuit": "studies/byo/qnn_typo.qpy"}}, "does not exist"),
]


def study(section: str, **values) -> dict:
    """MINI with ``values`` replacing keys of ``section``."""
    return {**MINI, section: {**MINI[section], **values}}


INF = float("inf")
# (id, config, message): values the schema's JSON types admit but a job refuses (section 13).
STUDY_VALUES = [
    (
        "V1r-si1000-p",
        study("sampling", noise="si1000", ps=[0.002, 0.2]),
        "p=0.2 must be in [0, 0.1] for si1000",
    ),
    (
        "V2r-window-reversed",
        study("fit", threshold_window=[0.01, 0.003]),
        "threshold_window=(0.01, 0.003) must",
    ),
    (
        "V3r-chunk",
        study("qnn", chunk=1),
        "chunk=1 and maxiter=8 must be >= number of weights + 2 = 6",
    ),
    (
        "V4r-split",
        study("qnn", samples=4, test_fraction=0.1),
        "samples=4 with test_fraction=0.1 leaves 1 test",
    ),
    (
        "V5r-delta-nan",
        study("tolerance", delta=NAN),
        "tolerance.delta=nan must be a finite number",
    ),
    (
        "V6r-max-shots-float",
        study("sampling", max_shots=4000.0),
        "sampling.max_shots=4000.0 must be an integer",
    ),
    (
        "V7-p-nan",
        study("sampling", ps=[0.002, NAN]),
        "sampling.ps[1]=nan must be a finite number",
    ),
    (
        "V8-cycles-inf",
        study("budget", cycles_per_gate=INF),
        "budget.cycles_per_gate=inf must be a finite number",
    ),
    (
        "V9r-cycles-nan",
        study("budget", cycles_per_gate=NAN),
        "budget.cycles_per_gate=nan must be a finite number",
    ),
    (
        "V10-observable-scaled",
        study("qnn", observable="2*ZZ"),
        "observable='2*ZZ' must have eigenvalues ±1",
    ),
    (
        "V12r-window-nan",
        study("fit", threshold_window=[NAN, INF]),
        "fit.threshold_window[0]=nan must be a finite",
    ),
    (
        "V13r-grid-nan",
        study("tolerance", eps_grid=[0.001, NAN, 0.1]),
        "tolerance.eps_grid[1]=nan must be a finite",
    ),
    (
        "V14r-test-fraction-nan",
        study("qnn", test_fraction=NAN),
        "qnn.test_fraction=nan must be a finite number",
    ),
    (
        "V20-unknown-decoder",
        study("sampling", decoders=["mydec"]),
        "decoder='mydec' is not a sinter decoder",
    ),
    (
        "E1-layers",
        study("qnn", layers=10**6),
        "layers=1000000 with qubits=2 is 2000002 weights",
    ),
    (
        "seeds-float",
        study("qnn", seeds=[0, 1.0]),
        "qnn.seeds[1]=1.0 must be an integer",
    ),
    (
        "V17-circuit-and-qubits",  # qubits 7 beside a 4-qubit circuit: ignored silently
        {**MINI, "qnn": {**MINI["qnn"], "circuit": "studies/byo/qnn.qpy", "observable": "ZZZZ"}},
        "qnn: qubits=2, layers=1, connectivity='line' describe the built-in ansatz; "
        "circuit='studies/byo/qnn.qpy' is your own",
    ),
    (
        "NUM11-seed-huge",  # scikit-learn's message, in the job
        study("qnn", seeds=[0, 2**32]),
        "qnn.seeds[1]: 4294967296 is greater than the maximum of 4294967295",
    ),
    (
        "V15r-max-code-distance-huge",  # qec resources ran past minutes; now the schema's maximum
        study("resources", max_code_distance=10**9),
        "1000000000 is greater than the maximum of 101",
    ),
]


def test_the_schema_caps_seeds_where_train_does():
    """NUM11: one limit for --seed, TrainConfig and a study's qnn.seeds (studies/schema.yaml)."""
    from qec.qnn.config import MAX_SEED

    schema = yaml.safe_load((REPO / "studies" / "schema.yaml").read_text())
    assert schema["properties"]["qnn"]["properties"]["seeds"]["items"]["maximum"] == MAX_SEED


def test_the_schema_caps_max_code_distance_where_qec_resources_does():
    """V15r: one limit for the flag, the library and a study's dry run (studies/schema.yaml)."""
    from qec.resources import MAX_CODE_DISTANCE

    schema = yaml.safe_load((REPO / "studies" / "schema.yaml").read_text())
    resources = schema["properties"]["resources"]["properties"]
    assert resources["max_code_distance"]["maximum"] == MAX_CODE_DISTANCE


@pytest.mark.parametrize(
    ("config", "message"), [c[1:] for c in STUDY_VALUES], ids=[c[0] for c in STUDY_VALUES]
)
def test_study_values_a_job_would_refuse_are_refused_up_front(config, message):
    from qec.study import check_study

    with pytest.raises(ValueError) as info:
        check_study(config, REPO / "studies" / "schema.yaml")
    assert message in str(info.value) and str(info.value).startswith("study config: ")


def test_the_shipped_studies_pass_the_checks():
    from qec.study import check_study

    for name in ("quick", "paper", "byo"):
        config = yaml.safe_load((REPO / "studies" / f"{name}.yaml").read_text())
        check_study(config, REPO / "studies" / "schema.yaml")


@pytest.mark.slow  # one `snakemake -n` per case: 2 s each
@pytest.mark.parametrize(("change", "message"), [c[1:] for c in STUDY], ids=[c[0] for c in STUDY])
def test_bad_study_config_is_refused_before_any_job(tmp_path, change, message):
    config = tmp_path / "bad.yaml"
    config.write_text(yaml.safe_dump({**MINI, **change}))
    run = subprocess.run(snakemake_cmd(tmp_path, config, "-n"), capture_output=True, text=True, timeout=300)
    assert run.returncode != 0
    assert message in run.stdout + run.stderr  # snakemake 9 prints errors on stdout
    assert not (tmp_path / "data").exists()


def test_a_missing_circuit_file_stops_a_study_whose_runs_exist(tmp_path):
    """R4run: Snakemake skips a missing input of a job whose output exists; the old QNN runs stood."""
    config = tmp_path / "r4.yaml"
    config.write_text(yaml.safe_dump({**MINI, "qnn": {**_OWN_CIRCUIT, "circuit": "qnn_typo.qpy"}}))
    old = tmp_path / "data" / "mini" / "qnn" / "none_s0.json"
    old.parent.mkdir(parents=True)
    old.write_text("{}")
    run = subprocess.run(snakemake_cmd(tmp_path, config, "-n"), capture_output=True, text=True, timeout=300)
    assert run.returncode != 0
    assert "qnn: 'qnn_typo.qpy' does not exist" in run.stdout + run.stderr


def test_a_study_file_using_yte_templating_is_refused(tmp_path):
    """YTE: Snakemake renders a --configfile with `__use_yte__: true` through YTE, running the Python
    in it, before the Snakefile is read. That cannot be stopped from here (docs/how-to/studies.md);
    the Snakefile refuses the file before any job runs."""
    config = tmp_path / "yte.yaml"
    text = yaml.safe_dump({**MINI, "study": "STUDY"}).replace("study: STUDY", "study: ?'mi' + 'ni'")
    config.write_text("__use_yte__: true\n" + text)
    run = subprocess.run(snakemake_cmd(tmp_path, config, "-n"), capture_output=True, text=True, timeout=300)
    assert run.returncode != 0
    assert "__use_yte__ (YTE templating) is not allowed" in run.stdout + run.stderr
    assert not (tmp_path / "data").exists()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "garbage",
            "td/logical-0.001_s0.json: not JSON (Expecting value: line 1 column 1 (char 0)); a run "
            "the training definition cached in --train-dir: delete it to train the run again",
        ),
        ("{}", "td/logical-0.001_s0.json: QNN result lacks config, weights; a run the training definition"),
    ],
    ids=["TD1-garbage", "TD2-empty-object"],
)
def test_a_corrupt_run_in_the_train_dir_is_one_line_naming_it(tmp_path, capsys, text, message):
    """TD1, TD2: a cached run that is not JSON, or not a run, was a KeyError traceback. It is read
    once the tolerance starts (after its progress line): the error is the last line, exit 2."""
    train_dir_with(text)(tmp_path)
    argv = [a.replace("{tmp}", str(tmp_path)) for a in tolerance("--definition", "training", "--train-dir",
                                                                 "{tmp}/td")]  # fmt: skip
    before = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    assert main(argv) == 2
    last = capsys.readouterr().err.strip().splitlines()[-1]
    assert last.startswith("qec tolerance: error: ") and message in last
    assert {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()} == before


def test_a_custom_decoder_that_is_not_a_decoder_is_refused_before_sampling(tmp_path, capsys, monkeypatch):
    """M_badvalue: {'mine': 42} was accepted; a sinter worker raised NotImplementedError mid-run,
    exit 1, and a header-only CSV was left behind."""
    (tmp_path / "baddec.py").write_text("def badvalue():\n    return {'mine': 42}\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    argv = [a.replace("{tmp}", str(tmp_path)) for a in sample("--custom-decoders", "baddec:badvalue",
                                                              "--decoder", "mine")]  # fmt: skip
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert (
        "custom decoders 'baddec:badvalue': badvalue() gives 'mine' the value 42, which is not a "
        "sinter.Decoder or sinter.Sampler"
        in err
        and len(err.strip().splitlines()) == 1
    )
    assert not (tmp_path / "out.csv").exists()


def test_the_library_reads_a_fits_document_whole_before_using_it():
    """H1, H6 through the library: budget_plan and models_from_fits indexed the document's groups
    directly (KeyError: 'model'); they read it whole first, as the CLI does."""
    from qec.budget import budget_plan
    from qec.resources import models_from_fits
    from qec.tolerance import Tolerance

    broken = group_with("model")
    t = Tolerance.given(eps_star=1e-3, physical=[(0.001, -0.02)])
    with pytest.raises(ValueError, match=f"fits group '{GROUP}' lacks model$"):
        budget_plan(broken, t, lambda: None, code="surface_rotated")
    with pytest.raises(ValueError, match=f"fits group '{GROUP}' lacks model$"):
        models_from_fits(broken, code="surface_rotated", noise="circuit")


@pytest.mark.parametrize("text", ["garbage", "{}"], ids=["not-json", "not-a-run"])
def test_a_corrupt_run_in_the_train_dir_stops_qec_budget_in_one_line(tmp_path, capsys, text):
    """The budget's training definition reads the runs it cached in --train-dir while it measures
    its rows (``measure_budget``, past the command's own checks): a corrupt one was a traceback.
    It is a usage error now wherever it is found (``qec._io.InputFileError``), and nothing is
    written."""
    budget_inputs(tmp_path, GOOD_FITS)
    edit_json(tmp_path / "t.json", lambda d: d.update(definition="training"))
    argv = [a.replace("{tmp}", str(tmp_path)) for a in [*budget("{tmp}/f.json"), "--train-dir", "{tmp}/td"]]
    assert main(argv) == 0  # trains the runs it needs into td
    cached = sorted((tmp_path / "td").glob("*.json"))
    assert cached
    for path in cached:
        path.write_text(text)
    capsys.readouterr()
    before = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    assert main(argv) == 2
    last = capsys.readouterr().err.strip().splitlines()[-1]
    assert last.startswith(f"qec budget: error: {cached[0].parent}") and "cached in --train-dir" in last
    assert {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()} == before


def _user_module(tmp_path: pathlib.Path, monkeypatch, text: str) -> None:
    """``usermod.py`` holding ``text``, importable as ``usermod``."""
    (tmp_path / "usermod.py").write_text(text)
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(__import__("sys").modules, "usermod", raising=False)


def test_L_sysexit_a_circuit_function_that_exits_is_an_error_not_qecs_exit(tmp_path, capsys, monkeypatch):
    """L_sysexit: user code calling sys.exit(3) made qec exit 3, silently."""
    _user_module(tmp_path, monkeypatch, "import sys\ndef sysexit():\n    sys.exit(3)\n")
    argv = ["train", "--circuit", "usermod:sysexit", "--observable", "ZZ", "--out", str(tmp_path / "r.json")]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err == (
        "qec train: error: circuit='usermod:sysexit': calling sysexit() failed (it called sys.exit(3))\n"
    )
    assert not (tmp_path / "r.json").exists()


def test_M_badname2_a_custom_decoder_name_that_is_no_csv_field_is_refused(tmp_path, capsys, monkeypatch):
    """M_badname2: 'bad name,with comma\\n' was sampled, stored, and read back cut at the newline."""
    name = "bad name,with comma\n"
    _user_module(tmp_path, monkeypatch, f"import sinter\ndef badname():\n    return {{{name!r}: "
                                        "sinter.BUILT_IN_DECODERS['pymatching']}\n")  # fmt: skip
    flags = sample("--custom-decoders", "usermod:badname", "--decoder", name)
    argv = [a.replace("{tmp}", str(tmp_path)) for a in flags]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "badname() names 'bad name,with comma\\n'; a decoder name is letters, digits" in err
    assert len(err.strip().splitlines()) == 1 and not (tmp_path / "out.csv").exists()


def test_LK1_a_symlink_in_place_of_the_lock_is_not_followed(tmp_path, capsys):
    """LK1: the lock's O_CREAT followed a planted symlink and created its target."""
    (tmp_path / ".out.csv.lock").symlink_to(tmp_path / "victim")
    argv = [a.replace("{tmp}", str(tmp_path)) for a in SAMPLE]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "its lock file" in err and "is a symbolic link, which qec never makes; remove it" in err
    assert not (tmp_path / "victim").exists() and not (tmp_path / "out.csv").exists()


def test_RC3_an_openqasm_3_circuit_is_read():
    """RC3: the help promises OpenQASM 2 and 3; the importer OpenQASM 3 needs was not a dependency."""
    from qec.qnn.execution import load_circuit

    path = REPO / "tests" / "data" / "rc3.qasm"
    circuit = load_circuit(path)
    assert circuit.count_ops() == {"h": 1, "t": 1, "cx": 1}


def test_N_samples_gt_a_data_file_records_the_rows_it_has(tmp_path, capsys):
    """N_samples_gt: --samples 1000 on a 40-row file recorded samples: 1000 in the result."""
    byo_files(tmp_path)
    argv = [a.replace("{tmp}", str(tmp_path)) for a in byo("--samples", "1000", "--maxiter", "14", "--chunk",
                                                           "14")]  # fmt: skip
    assert main(argv) == 0
    assert json.loads((tmp_path / "r.json").read_text())["config"]["samples"] == 40
    assert "d.csv has 40 rows: samples=40 used and recorded (not 1000)" in capsys.readouterr().err


def test_O13_an_observable_with_a_leading_minus_is_a_value_not_an_option(tmp_path):
    """O13: `--observable -ZZ` (README: -XXII) was argparse's "expected one argument"."""
    argv = ["train", "--qubits", "2", "--layers", "1", "--observable", "-ZZ", "--samples", "20", "--maxiter",
            "8", "--chunk", "8", "--out", str(tmp_path / "r.json")]  # fmt: skip
    assert main(argv) == 0
    assert json.loads((tmp_path / "r.json").read_text())["config"]["observable"] == "-ZZ"


def test_BP1_a_closed_pipe_ends_qec_quietly(tmp_path):
    """BP1: `qec inspect ... | head -1` was a BrokenPipeError traceback. Here the reader closes
    the pipe before qec writes (head does once it has its line; how soon depends on timing)."""
    inspect = [__import__("sys").executable, "-m", "qec", "inspect", "--code", "repetition", "--noise",
               "circuit", "--distance", "3", "--p", "0.01"]  # fmt: skip
    qec_run = subprocess.Popen(inspect, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=tmp_path,
                               env={**os.environ, "PYTHONPATH": str(REPO)})  # fmt: skip
    qec_run.stdout.close()
    err = qec_run.stderr.read().decode()
    assert (qec_run.wait(timeout=120), err) == (141, "")  # 128 + SIGPIPE, as `yes | head` ends


def test_L_counted_your_circuit_function_is_called_once_per_train(tmp_path, monkeypatch):
    """L_counted: `qec train --circuit MODULE:FUNCTION` called the function 3 times, repeating
    whatever else it does."""
    calls = tmp_path / "calls.txt"
    _user_module(tmp_path, monkeypatch, "import qec.qnn\ndef counted():\n"
                                        f"    open({str(calls)!r}, 'a').write('call\\n')\n"
                                        "    return qec.qnn.example_circuit()\n")  # fmt: skip
    argv = ["train", "--circuit", "usermod:counted", "--observable", "ZZ", "--samples", "20", "--maxiter",
            "8", "--chunk", "8", "--out", str(tmp_path / "r.json")]  # fmt: skip
    assert main(argv) == 0
    assert calls.read_text() == "call\n"


def test_Z4_a_row_relabelled_with_another_decoder_is_refused_at_the_first_batch(tmp_path, capsys):
    """Z4: a row relabelled 'vacuous' under pymatching's strong id was found by sinter only when
    merging at the end: every shot sampled, then a traceback and a file no reader accepts."""
    argv = [a.replace("{tmp}", str(tmp_path)) for a in SAMPLE]
    assert main(argv) == 0
    out = tmp_path / "out.csv"
    (row,) = sinter.read_stats_from_csv_files(out)
    relabelled = sinter.TaskStats(strong_id=row.strong_id, decoder="vacuous", json_metadata=row.json_metadata,
                                  shots=row.shots, errors=row.errors, seconds=row.seconds)  # fmt: skip
    out.write_text(sinter.CSV_HEADER + "\n" + relabelled.to_csv_line() + "\n")
    before = out.read_bytes()
    capsys.readouterr()
    assert main(changed(argv, "--max-shots", "1000000", "--max-errors", "1000000")) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1, err
    assert f"its rows of task {row.strong_id[:12]}… say decoder 'vacuous'" in err
    assert "but that task is decoder 'pymatching'" in err and "nothing was added to the file" in err
    assert out.read_bytes() == before


def test_train_settings_file_is_the_same_training_as_its_flags(tmp_path):
    """A study passes its qnn block to `qec train` as --settings FILE (issue #19); the run must be
    the one its flags give, and a typed flag replaces the file's value (and the one it excludes)."""
    from qec.cli._train import expand_argv

    settings = {"dataset": "circles", "qubits": 2, "layers": 1, "connectivity": "ring", "observable": "-ZZ",
                "samples": 20, "test_fraction": 0.5, "maxiter": 12, "chunk": 6, "shots": 10}  # fmt: skip
    (tmp_path / "s.json").write_text(json.dumps(settings))
    flags = ["--dataset", "circles", "--qubits", "2", "--layers", "1", "--connectivity", "ring",
             "--observable", "-ZZ", "--samples", "20", "--test-fraction", "0.5", "--maxiter", "12",
             "--chunk", "6", "--shots", "10"]  # fmt: skip
    assert main(["train", *flags, "--out", str(tmp_path / "a.json")]) == 0
    assert main(["train", "--settings", str(tmp_path / "s.json"), "--out", str(tmp_path / "b.json")]) == 0
    a, b = (json.loads((tmp_path / f"{n}.json").read_text()) for n in "ab")
    a.pop("wall_seconds"), b.pop("wall_seconds")
    assert a == b
    typed = expand_argv(["train", "--settings", str(tmp_path / "s.json"), "--data", "d.csv"])
    assert "--dataset=circles" not in typed and "--qubits=2" in typed  # --data replaces the file's dataset
    typed = expand_argv(["train", "--settings", str(tmp_path / "s.json"), "--circuit", "c.qpy"])
    assert not any(t.startswith(("--qubits=", "--layers=", "--connectivity=")) for t in typed)
