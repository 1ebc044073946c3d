import os

# Figures from data files only; each carries a caption into `snakemake --report`.


rule plot:
    input:
        f"{DATA}/fits.json",
        f"{DATA}/tolerance.json",
        f"{DATA}/budget.csv",
        f"{DATA}/budget.json",
        f"{DATA}/resources.json",
    output:
        [
            report(f"{DATA}/plots/{name}.png", caption=f"../report/{name}.rst", category="Figures")
            for name in PLOT_NAMES
        ],
    log:
        f"{DATA}/logs/plot.log",
    params:
        qec=QEC,
        data=lambda wildcards, input: os.path.dirname(input[0]),
    conda:
        "../envs/qec.yaml"
    shell:
        "{params.qec} plot {params.data} > {log} 2>&1"
