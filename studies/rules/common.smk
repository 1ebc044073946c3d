# Names every rule shares: the study folder, shard and QNN file lists, the qec command.
import hashlib
import os
import pathlib
import shlex
import sys

from snakemake.exceptions import WorkflowError
from snakemake.settings.types import DeploymentMethod

STUDY = config["study"]
DATA = f"data/{STUDY}"
# Under --use-conda each job runs the `qec` of its rule's environment (studies/envs/qec.yaml);
# otherwise the qec of the Python that runs Snakemake.
USE_CONDA = DeploymentMethod.CONDA in workflow.deployment_settings.deployment_method
QEC = "qec" if USE_CONDA else f"{sys.executable} -m qec"
S = config["sampling"]
Q = config["qnn"]
T = config["tolerance"]
B = config["budget"]
R = config["resources"]
# A number as it appears in file names and on the command line.
num = lambda x: f"{x:g}"


DECODERS = S.get("decoders") or [S["decoder"]]
SHARDS = [
    f"{DATA}/stats/{code}/{S['noise']}/{basis}/{decoder}/d{d}_p{num(p)}.csv"
    for code in S["codes"]
    for basis in S["bases"]
    for decoder in DECODERS
    for d in S["distances"]
    for p in S["ps"]
] if "memory" in S.get("experiments", ["memory"]) and not S.get("adaptive") else []
# Adaptive sampling (sampling.adaptive): one file per (code, noise) holds every memory task, sampled in
# rounds until the budget's d* intervals meet the target (qec sample --target).
ADAPTIVE = S.get("adaptive") or {}
from qec.adaptive import DEFAULTS as ADAPTIVE_DEFAULTS
ADAPTIVE_SHARDS = (
    [f"{DATA}/stats/adaptive/{code}/{S['noise']}.csv" for code in S["codes"]]
    if ADAPTIVE and "memory" in S.get("experiments", ["memory"])
    else []
)
# The lattice-surgery CNOT (sampling.experiments has cnot): one shard per (basis, d, decoder)
# holding every p, because tqec takes 5–40 s to build the circuit and sampling a p takes seconds;
# one per decoder so that the two longest (d = 7, correlated matching, x and z) run side by side.
EXPERIMENTS = S.get("experiments", ["memory"])
C = {
    "distances": [d for d in S["distances"] if 3 <= d <= 15 and d % 2],  # qec.surgery.MAX_CNOT_DISTANCE
    "ps": S["ps"],
    "max_shots": S["max_shots"],
    "max_errors": S["max_errors"],
    **S.get("cnot", {}),
}
CNOT_SHARDS = (
    [
        f"{DATA}/stats/cnot/{S['noise']}/{basis}/{decoder}/d{d}.csv"
        for basis in ("x", "z")
        for decoder in DECODERS
        for d in C["distances"]
    ]
    if "cnot" in EXPERIMENTS
    else []
)
# Inference evaluates the noiseless runs at every ε; training needs a run trained at each.


# Longest shards first (qec.study.shard_priority): only the order of jobs depends on it.
from qec.study import shard_priority as _shard_priority

SHARD_PRIORITY = lambda wildcards: _shard_priority(  # noqa: E731
    int(wildcards.d), float(wildcards.p) if "p" in wildcards.keys() else None,
    decoder=wildcards.get("decoder", ""), sampling=S, cnot=C,
)


QNN_SPECS = ["none"] + (
    [f"logical-{num(e)}" for e in T["eps_grid"]] + [f"{S['noise']}-{num(p)}" for p in S["ps"]]
    if T["definition"] == "training"
    else []
)
# The QNN of every run: the built-in ansatz or your own circuit, a built-in dataset or your own file.
QNN_ARGS = " ".join(
    [
        f"--circuit {shlex.quote(Q['circuit'])}"
        if Q.get("circuit")
        else f"--qubits {Q['qubits']} --layers {Q['layers']} --connectivity {Q['connectivity']}",
        f"--data {shlex.quote(Q['data'])}" if Q.get("data") else f"--dataset {Q['dataset']}",
        f"--observable={shlex.quote(Q['observable'])}",  # '=': a leading '-' (-ZZ) is no flag
        f"--method {Q.get('method', 'auto')} --trajectories {Q.get('trajectories', 1000)}",
    ]
)
# Your own circuit and data files are inputs of every QNN run: change one and the runs rerun.
QNN_FILES = [f for f in (Q.get("circuit", ""), Q.get("data", "")) if f.endswith((".qpy", ".csv", ".npz"))]
# Snakemake skips a missing input of a job whose output exists (and its changed params with it):
# a mistyped circuit or data path would leave the old runs standing. Refuse it here.
for _f in QNN_FILES:
    if not os.path.isfile(_f):
        raise WorkflowError(f"qnn: {_f!r} does not exist (or is not a file) in {os.getcwd()!r}")
# Their contents as the QNN runs' params: a changed file reruns them where Snakemake recorded the
# runs (timestamps are not trusted: a fresh clone stamps files in checkout order).
QNN_SOURCES = {f: hashlib.sha256(pathlib.Path(f).read_bytes()).hexdigest() for f in QNN_FILES}
QNN_RUNS = [f"{DATA}/qnn/{spec}_s{seed}.json" for spec in QNN_SPECS for seed in Q["seeds"]]
PLOT_NAMES = ["threshold", "lambda", "accuracy", "budget", "resources"] + (["cnot"] if CNOT_SHARDS else [])
PLOTS = [f"{DATA}/plots/{name}.png" for name in PLOT_NAMES]


# sampling.device: fake IBM backends sampled beside the noise/ps grid, each at its calibration
# (`qec sample --device`), each budgeted and estimated on its own under data/<study>/devices/<device>/.
DEVICES = S.get("device", [])
QUANTILE = S.get("quantile", "median")
DEVICE_SHARDS = [
    f"{DATA}/stats/{code}/device/{device}/{basis}/{decoder}/d{d}.csv"
    for code in S["codes"]
    for basis in S["bases"]
    for decoder in DECODERS
    for d in S["distances"]
    for device in DEVICES
]
# device_qnns: more QNNs budgeted on every device (inference tolerance each), under qnns/<name>/.
DEVICE_QNNS = config.get("device_qnns") or {}


# The `qec train` flags of a qnn block (as QNN_ARGS for the study's own).
qnn_args = lambda q: " ".join(
    [
        f"--circuit {shlex.quote(q['circuit'])}"
        if q.get("circuit")
        else f"--qubits {q['qubits']} --layers {q['layers']} --connectivity {q['connectivity']}",
        f"--data {shlex.quote(q['data'])}" if q.get("data") else f"--dataset {q['dataset']}",
        f"--observable={shlex.quote(q['observable'])}",
        f"--method {q.get('method', 'auto')} --trajectories {q.get('trajectories', 1000)}",
    ]
)
# The noiseless runs of a device_qnns entry (wildcard qnn).
other_runs = lambda wc: [f"{DATA}/qnns/{wc.qnn}/none_s{seed}.json" for seed in DEVICE_QNNS[wc.qnn]["seeds"]]
DEVICE_OUTPUTS = (
    [f"{DATA}/devices/{device}/budget.csv" for device in DEVICES]
    + [f"{DATA}/devices/{device}/resources.json" for device in DEVICES]
    + [f"{DATA}/devices/{device}/{name}/budget.csv" for device in DEVICES for name in DEVICE_QNNS]
    + [f"{DATA}/devices/{device}/{name}/resources.json" for device in DEVICES for name in DEVICE_QNNS]
    + [f"{DATA}/devices.csv", f"{DATA}/plots/devices.png"]
    if DEVICES
    else []
)
