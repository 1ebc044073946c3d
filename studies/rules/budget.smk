# ε* with its interval (paired evaluations), then the verdict, d* [interval] and qubits per p.


rule tolerance:
    input:
        QNN_RUNS,
    output:
        json=f"{DATA}/tolerance.json",
        train=train_dirs(f"{DATA}/qnn/refine"),
    log:
        f"{DATA}/logs/tolerance.log",
    params:
        qec=QEC,
        definition=lookup(dpath="tolerance/definition", within=config),
        delta=lookup(dpath="tolerance/delta", within=config),
        confidence=lookup(dpath="tolerance/confidence", within=config),
        bootstrap=lookup(dpath="tolerance/bootstrap", within=config),
        refine=lookup(dpath="tolerance/refine", within=config),
        extra_test=lookup(dpath="tolerance/extra_test", within=config),
        grid=" ".join(num(e) for e in lookup(dpath="tolerance/eps_grid", within=config)),
        ps=" ".join(num(p) for p in PS),
        noise=NOISE,
        mkdir=make_dirs(f"{DATA}/qnn/refine"),
        train=train_flag(f"{DATA}/qnn/refine"),
    # Two for the trainings the training definition runs side by side (--jobs); inference runs in
    # one process. Two cores for it would wait for both to be free at once, which a study whose
    # shards take one core each never gives: it ran after the last shard, in series.
    threads: 2 if TRAINING else 1
    priority: QNN_PRIORITY
    conda:
        "../envs/qec.yaml"
    shell:
        "{params.mkdir}{params.qec} tolerance --results {input} --definition {params.definition}"
        " --eps-grid {params.grid} --delta {params.delta} --noise {params.noise} --p {params.ps}"
        " --confidence {params.confidence} --bootstrap {params.bootstrap} --refine {params.refine}"
        " --extra-test {params.extra_test}{params.train} --jobs {threads}"
        " --out {output.json} > {log} 2>&1"


rule budget:
    input:
        fits=f"{DATA}/fits.json",
        tolerance=f"{DATA}/tolerance.json",
        qnn=QNN_RUNS,
    output:
        csv=f"{DATA}/budget.csv",
        json=f"{DATA}/budget.json",
        txt=f"{DATA}/budget.txt",
        train=train_dirs(f"{DATA}/qnn/budget"),
    log:
        f"{DATA}/logs/budget.log",
    params:
        qec=QEC,
        code=lookup(dpath="budget/code", within=config),
        basis=lookup(dpath="budget/basis", within=config),
        cycles=lookup(dpath="budget/cycles_per_gate", within=config),
        mkdir=make_dirs(f"{DATA}/qnn/budget"),
        train=train_flag(f"{DATA}/qnn/budget"),
    threads: 2
    conda:
        "../envs/qec.yaml"
    shell:
        "{params.mkdir}{params.qec} budget --fits {input.fits} --tolerance {input.tolerance} --results {input.qnn}"
        " --code {params.code} --basis {params.basis} --cycles-per-gate {params.cycles}{params.train}"
        " --jobs {threads} --out {output.csv} > {log} 2>&1"


# The fault-tolerant footprint of one QNN execution: QDK Resource Estimator with measured inputs.
rule resources:
    input:
        fits=f"{DATA}/fits.json",
        tolerance=f"{DATA}/tolerance.json",
        qnn=f"{DATA}/qnn/none_s{QNN_SEEDS[0]}.json",
    output:
        json=f"{DATA}/resources.json",
        txt=f"{DATA}/resources.txt",
    log:
        f"{DATA}/logs/resources.log",
    params:
        qec=QEC,
        ps=" ".join(num(p) for p in PS),
        noise=NOISE,
        preset=lookup(dpath="resources/preset", within=config),
        code=lookup(dpath="budget/code", within=config),
        basis=lookup(dpath="budget/basis", within=config),
        cycles=lookup(dpath="budget/cycles_per_gate", within=config),
        maxd=MAX_D_FLAG,
    conda:
        "../envs/qec.yaml"
    shell:
        "{params.qec} resources --qnn {input.qnn} --p {params.ps} --only-below-threshold --noise {params.noise}"
        " --fits {input.fits}"
        " --basis {params.basis} --code {params.code} --tolerance {input.tolerance}"
        " --preset {params.preset} {params.maxd} --out {output.json} > {log} 2>&1"
