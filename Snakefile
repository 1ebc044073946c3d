# qec studies: sample → combine → fit → QNN runs → budget → plots (see docs/how-to/studies.md).
# Default study: quick. Another: snakemake --profile studies/profiles/local --configfile studies/paper.yaml
import os

import yaml
from snakemake.exceptions import WorkflowError
from snakemake.utils import min_version, validate

min_version("8.20")

# A study file is data: plain YAML. Snakemake renders a --configfile through YTE templating when
# it says `__use_yte__: true`, which runs the Python in it before this file is read; nothing here
# can prevent that, but such a file is refused before any job runs (docs/how-to/studies.md).
for _path in workflow.configfiles:
    with open(_path, encoding="utf-8") as _f:
        _text = _f.read()
    try:
        _doc = yaml.safe_load(_text)
    except yaml.YAMLError as _e:
        raise WorkflowError(f"study file {_path}: not plain YAML ({str(_e).splitlines()[0]})") from None
    if "__use_yte__" in _text or (isinstance(_doc, dict) and "__use_yte__" in _doc):
        raise WorkflowError(
            f"study file {_path}: __use_yte__ (YTE templating) is not allowed: a study file is plain "
            "YAML data, and YTE runs the Python it holds (docs/how-to/studies.md)"
        )

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
        ADAPTIVE_SHARDS,
        CNOT_SHARDS,
        QNN_RUNS,
        f"{DATA}/budget.csv",
        PLOTS,
        DEVICE_SHARDS,
        DEVICE_OUTPUTS,
    default_target: True
