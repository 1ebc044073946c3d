# qec studies: sample → combine → fit → QNN runs → budget → plots.
# Default study: quick. Another: snakemake --cores 2 --configfile studies/paper.yaml
from snakemake.utils import min_version, validate

min_version("8.20")


import os

configfile: os.path.join(workflow.basedir, "studies/quick.yaml")


validate(config, os.path.join(workflow.basedir, "studies/schema.yaml"))


include: "studies/rules/common.smk"
wildcard_constraints:
    study=r"[A-Za-z0-9_-]+",
    code=r"[a-z_]+",
    noise=r"[a-z0-9_]+",
    basis=r"[xz]",
    d=r"\d+",
    p=r"[0-9.e-]+",
    seed=r"\d+",
    spec=r"none|(logical|circuit|si1000)-[0-9.e-]+",


include: "studies/rules/sample.smk"
include: "studies/rules/fit.smk"
include: "studies/rules/qnn.smk"
include: "studies/rules/budget.smk"
include: "studies/rules/plot.smk"


rule all:
    input:
        f"{DATA}/budget.csv",
        PLOTS,
    default_target: True
