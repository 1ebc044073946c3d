# qec studies: sample → combine → fit → QNN runs → budget → plots (see docs/how-to/studies.md).
# Default study: quick. Another: snakemake --profile studies/profiles/local --configfile studies/paper.yaml
import os

import yaml
from snakemake.utils import min_version, validate

min_version("8.20")

# The default study is quick; a --configfile replaces it whole (no keys inherited from quick).
if not config:
    with open(os.path.join(workflow.basedir, "studies/quick.yaml")) as f:
        config.update(yaml.safe_load(f))


validate(config, os.path.join(workflow.basedir, "studies/schema.yaml"))
# What the schema cannot say (NaN, 4000.0 for an integer, values that must agree), in the
# commands' own words, before any job runs.
from qec.study import check_study

check_study(config, os.path.join(workflow.basedir, "studies/schema.yaml"))


wildcard_constraints:
    study=r"[A-Za-z0-9_-]+",
    code=r"[a-z_]+",
    noise=r"[a-z0-9_]+",
    basis=r"[xz]",
    d=r"\d+",
    p=r"[0-9.e-]+",
    seed=r"\d+",
    decoder=r"[A-Za-z0-9_.-]+",
    device=r"[A-Za-z0-9_-]+",
    qnn=r"[A-Za-z0-9_-]+",
    spec=r"none|(logical|circuit|si1000)-[0-9.e-]+",


include: "studies/rules/common.smk"
include: "studies/rules/sample.smk"
include: "studies/rules/fit.smk"
include: "studies/rules/qnn.smk"
include: "studies/rules/budget.smk"
include: "studies/rules/plot.smk"
include: "studies/rules/devices.smk"


# Shards and QNN runs are listed too, so that a deleted one is recomputed (with what
# depends on it) rather than treated as a finished intermediate.
rule all:
    input:
        SHARDS,
        CNOT_SHARDS,
        QNN_RUNS,
        f"{DATA}/budget.csv",
        PLOTS,
        DEVICE_SHARDS,
        DEVICE_OUTPUTS,
    default_target: True
