# Threshold, Λ and the suppression model, with 95% intervals.


rule fit:
    input:
        f"{DATA}/stats.csv",
    output:
        f"{DATA}/fits.json",
    log:
        f"{DATA}/logs/fit.log",
    params:
        qec=QEC,
        bootstrap=lookup(dpath="fit/bootstrap", within=config),
        window=THRESHOLD_WINDOW_FLAG,
    conda:
        "../envs/qec.yaml"
    shell:
        "{params.qec} fit {input} --out {output} --bootstrap {params.bootstrap} {params.window} > {log} 2>&1"
