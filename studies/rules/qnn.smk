# One QNN training per (noise spec, seed): noiseless, the logical ε grid, physical noise at each p.


rule qnn:
    input:
        # ancient: a fresh clone gives every file its checkout time, so a timestamp would retrain
        # the committed runs at random; a missing file still fails (common.smk), a changed one
        # changes params.sources, and a run whose data changed is refused by the readers.
        [ancient(f) for f in QNN_FILES],
    output:
        "data/{study}/qnn/{spec}_s{seed}.json",
    log:
        "data/{study}/logs/qnn/{spec}_s{seed}.log",
    params:
        qec=QEC,
        noise=lambda wc: wc.spec.replace("-", ":", 1),
        shape=QNN_ARGS,
        samples=lookup(dpath="qnn/samples", within=config),
        test_fraction=lookup(dpath="qnn/test_fraction", within=config),
        maxiter=lookup(dpath="qnn/maxiter", within=config),
        chunk=lookup(dpath="qnn/chunk", within=config),
        shots=lookup(dpath="qnn/shots", within=config),
        sources=QNN_SOURCES,
    threads: 1
    priority: QNN_PRIORITY
    conda:
        "../envs/qec.yaml"
    shell:
        "{params.qec} train {params.shape} --samples {params.samples}"
        " --test-fraction {params.test_fraction} --maxiter {params.maxiter}"
        " --chunk {params.chunk} --shots {params.shots}"
        " --noise {params.noise} --seed {wildcards.seed} --out {output} > {log} 2>&1"
