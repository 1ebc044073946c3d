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
# Each setting is read by its path in the study file (Snakemake's lookup) where it is used; the
# lists of files below are derived from them once.
# A number as it appears in file names and on the command line.
num = lambda x: f"{x:g}"


DECODERS = lookup(dpath="sampling/decoders", within=config, default=None) or [
    lookup(dpath="sampling/decoder", within=config)
]
NOISE = lookup(dpath="sampling/noise", within=config)
PS = lookup(dpath="sampling/ps", within=config)
DISTANCES = lookup(dpath="sampling/distances", within=config)
BASES = lookup(dpath="sampling/bases", within=config)
CODES = lookup(dpath="sampling/codes", within=config)
EXPERIMENTS = lookup(dpath="sampling/experiments", within=config, default=["memory"])
# Adaptive sampling (sampling.adaptive): one file per (code, noise) holds every memory task, sampled in
# rounds until the budget's d* intervals meet the target (qec sample --target).
ADAPTIVE = lookup(dpath="sampling/adaptive", within=config, default=None) or {}
# Memory: one shard per (code, basis, decoder, d) holding every p, like the CNOT's and the devices':
# each `qec sample` process pays about 2 core-seconds to start Python and sinter's worker (which
# imports pymatching; benchmarks/shard_layout.py), more than many a point's sampling: paper ran 200
# such processes, one per p.
SHARDS = [
    f"{DATA}/stats/{code}/{NOISE}/{basis}/{decoder}/d{d}.csv"
    for code in CODES
    for basis in BASES
    for decoder in DECODERS
    for d in DISTANCES
] if "memory" in EXPERIMENTS and not ADAPTIVE else []
from qec.adaptive import DEFAULTS as ADAPTIVE_DEFAULTS
from qec.codes import CODE_NAMES
ADAPTIVE_SHARDS = (
    [f"{DATA}/stats/adaptive/{code}/{NOISE}.csv" for code in CODES]
    if ADAPTIVE and "memory" in EXPERIMENTS
    else []
)
# The lattice-surgery CNOT (sampling.experiments has cnot): one shard per (basis, d) holding every p
# and decoder, because tqec takes 10-70 core-seconds to build the circuit (d = 3-7), more than sampling
# most of its points, and one process builds it once for all decoders.
# Its grid: the memory grid's odd distances 3-15 (qec.surgery.MAX_CNOT_DISTANCE), unless sampling.cnot
# sets its own.
CNOT_GRID = {
    "distances": [d for d in DISTANCES if 3 <= d <= 15 and d % 2],
    "ps": PS,
    "max_shots": lookup(dpath="sampling/max_shots", within=config),
    "max_errors": lookup(dpath="sampling/max_errors", within=config),
    **lookup(dpath="sampling/cnot", within=config, default={}),
}
CNOT_SHARDS = (
    [
        f"{DATA}/stats/cnot/{NOISE}/{basis}/d{d}.csv"
        for basis in ("x", "z")
        for d in CNOT_GRID["distances"]
    ]
    if "cnot" in EXPERIMENTS
    else []
)


# Longest shards first (qec.study.shard_priority): only the order of jobs depends on it.
from qec.study import shard_priority as _shard_priority

shard_priority = lambda experiment: lambda wildcards: _shard_priority(  # noqa: E731
    int(wildcards.d), experiment=experiment, decoders=[wildcards.decoder] if experiment == "memory" else DECODERS,
    sampling=config["sampling"], cnot=CNOT_GRID,
)
# The QNN runs and the tolerance go before every shard (whose priority is at most 10**6): the
# budget needs them as much as the fits, and left for last they would add minutes after sampling.
QNN_PRIORITY = 10**7


# A qnn block as `qec train --settings` reads it (every key but the seeds, sorted: a re-dumped study
# file gives the same file); the study's own block and every device_qnns entry (rule qnn_settings).
from qec.study import qnn_settings, settings_digest

settings_file = lambda folder, q: f"{DATA}/{folder}/settings-{settings_digest(qnn_settings(q))}.json"
# Inference evaluates the noiseless runs at every ε; training needs a run trained at each.
QNN_SPECS = ["none"] + (
    [f"logical-{num(e)}" for e in lookup(dpath="tolerance/eps_grid", within=config)]
    + [f"{NOISE}-{num(p)}" for p in PS]
    if lookup(dpath="tolerance/definition", within=config) == "training"
    else []
)
QNN_SEEDS = lookup(dpath="qnn/seeds", within=config)
# The training definition trains the runs it misses (the tolerance its refined grid, each budget its
# checks), each rule into a folder of its own that it declares as an output; inference trains nothing.
TRAINING = lookup(dpath="tolerance/definition", within=config) == "training"
train_dirs = lambda folder: [directory(folder)] if TRAINING else []
train_flag = lambda folder: f" --train-dir {folder}" if TRAINING else ""
make_dirs = lambda folder: f"mkdir -p {folder} && " if TRAINING else ""
# Your own circuit and data files are inputs of every QNN run: change one and the runs rerun.
QNN_FILES = [
    f
    for f in (lookup(dpath=f"qnn/{key}", within=config, default="") for key in ("circuit", "data"))
    if f.endswith((".qpy", ".csv", ".npz"))
]
# Snakemake skips a missing input of a job whose output exists (and its changed params with it):
# a mistyped circuit or data path would leave the old runs standing. Refuse it here.
for _f in QNN_FILES:
    if not os.path.isfile(_f):
        raise WorkflowError(f"qnn: {_f!r} does not exist (or is not a file) in {os.getcwd()!r}")
# Their contents as the QNN runs' params: a changed file reruns them where Snakemake recorded the
# runs (timestamps are not trusted: a fresh clone stamps files in checkout order).
QNN_SOURCES = {f: hashlib.sha256(pathlib.Path(f).read_bytes()).hexdigest() for f in QNN_FILES}
QNN_RUNS = [f"{DATA}/qnn/{spec}_s{seed}.json" for spec in QNN_SPECS for seed in QNN_SEEDS]
PLOT_NAMES = ["threshold", "lambda", "accuracy", "budget", "resources"] + (["cnot"] if CNOT_SHARDS else [])
PLOTS = [f"{DATA}/plots/{name}.png" for name in PLOT_NAMES]


# sampling.device: fake IBM backends sampled beside the noise/ps grid, each at its calibration
# (`qec sample --device`), each budgeted and estimated on its own under data/<study>/devices/<device>/.
DEVICES = lookup(dpath="sampling/device", within=config, default=[])
QUANTILE = lookup(dpath="sampling/quantile", within=config, default="median")
DEVICE_SHARDS = [
    f"{DATA}/stats/{code}/device/{device}/{basis}/{decoder}/d{d}.csv"
    for code in CODES
    for basis in BASES
    for decoder in DECODERS
    for d in DISTANCES
    for device in DEVICES
]
# device_qnns: more QNNs budgeted on every device (inference tolerance each), under qnns/<name>/.
DEVICE_QNNS = lookup(dpath="device_qnns", within=config, default=None) or {}
# The flags every rule that runs on a study's fits passes through.
MAX_CODE_DISTANCE = lookup(dpath="resources/max_code_distance", within=config, default=None)
MAX_D_FLAG = f"--max-code-distance {MAX_CODE_DISTANCE}" if MAX_CODE_DISTANCE else ""
CUSTOM_DECODERS = lookup(dpath="sampling/custom_decoders", within=config, default=None)
THRESHOLD_WINDOW = lookup(dpath="fit/threshold_window", within=config, default=None)
THRESHOLD_WINDOW_FLAG = "--threshold-window {} {}".format(*THRESHOLD_WINDOW) if THRESHOLD_WINDOW else ""
CUSTOM_FLAG = "--custom-decoders " + " ".join(map(shlex.quote, CUSTOM_DECODERS)) if CUSTOM_DECODERS else ""


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
