# Names every rule shares: the study folder, shard and QNN file lists, the qec command.
import sys

STUDY = config["study"]
DATA = f"data/{STUDY}"
QEC = f"{sys.executable} -m qec"
S = config["sampling"]
Q = config["qnn"]
B = config["budget"]


# A number as it appears in file names and on the command line.
num = lambda x: f"{x:g}"


SHARDS = [
    f"{DATA}/stats/{code}/{S['noise']}/{basis}/d{d}_p{num(p)}.csv"
    for code in S["codes"]
    for basis in S["bases"]
    for d in S["distances"]
    for p in S["ps"]
]
QNN_SPECS = (
    ["none"]
    + [f"logical-{num(e)}" for e in Q["eps_grid"]]
    + [f"{S['noise']}-{num(p)}" for p in S["ps"]]
)
QNN_RUNS = [f"{DATA}/qnn/{spec}_s{seed}.json" for spec in QNN_SPECS for seed in Q["seeds"]]
PLOT_NAMES = ["threshold", "lambda", "accuracy", "budget"]
PLOTS = [f"{DATA}/plots/{name}.png" for name in PLOT_NAMES]

