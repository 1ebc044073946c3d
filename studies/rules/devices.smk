import os

# sampling.device: per device, the budget (verdict from the QNN transpiled to the device under Aer's
# NoiseModel.from_backend; d* from the fits of its own shards) and the QDK resources from its
# calibration; then one table and one figure with the devices side by side.


rule budget_device:
    input:
        fits=f"{DATA}/fits.json",
        tolerance=f"{DATA}/tolerance.json",
        qnn=QNN_RUNS,
    output:
        csv=f"{DATA}/devices/{{device}}/budget.csv",
        json=f"{DATA}/devices/{{device}}/budget.json",
        txt=f"{DATA}/devices/{{device}}/budget.txt",
        train=train_dirs(f"{DATA}/devices/{{device}}/qnn"),
    log:
        f"{DATA}/logs/devices/{{device}}/budget.log",
    params:
        qec=QEC,
        code=lookup(dpath="budget/code", within=config),
        basis=lookup(dpath="budget/basis", within=config),
        cycles=lookup(dpath="budget/cycles_per_gate", within=config),
        quantile=QUANTILE,
        mkdir=lambda wc: make_dirs(f"{DATA}/devices/{wc.device}/qnn"),
        train=lambda wc: train_flag(f"{DATA}/devices/{wc.device}/qnn"),
    threads: 1
    conda:
        "../envs/qec.yaml"
    shell:
        "{params.mkdir}{params.qec} budget --device {wildcards.device} --quantile {params.quantile}"
        " --fits {input.fits} --tolerance {input.tolerance} --results {input.qnn} --code {params.code}"
        " --basis {params.basis} --cycles-per-gate {params.cycles}{params.train} --jobs {threads}"
        " --out {output.csv} > {log} 2>&1"


rule resources_device:
    input:
        fits=f"{DATA}/fits.json",
        tolerance=f"{DATA}/tolerance.json",
        qnn=f"{DATA}/qnn/none_s{QNN_SEEDS[0]}.json",
    output:
        json=f"{DATA}/devices/{{device}}/resources.json",
        txt=f"{DATA}/devices/{{device}}/resources.txt",
    log:
        f"{DATA}/logs/devices/{{device}}/resources.log",
    params:
        qec=QEC,
        code=lookup(dpath="budget/code", within=config),
        basis=lookup(dpath="budget/basis", within=config),
        cycles=lookup(dpath="budget/cycles_per_gate", within=config),
        quantile=QUANTILE,
        maxd=MAX_D_FLAG,
    conda:
        "../envs/qec.yaml"
    shell:
        "{params.qec} resources --qnn {input.qnn} --device {wildcards.device} --quantile {params.quantile}"
        " --only-below-threshold --fits {input.fits} --basis {params.basis} --code {params.code}"
        " --tolerance {input.tolerance} {params.maxd} --out {output.json} > {log} 2>&1"


# device_qnns: each further QNN trained (noiseless, one run per seed), its inference tolerance,
# and its budget and resources on every device.


rule qnn_other:
    input:
        settings=lambda wc: ancient(settings_file(f"qnns/{wc.qnn}", DEVICE_QNNS[wc.qnn])),
    output:
        f"{DATA}/qnns/{{qnn}}/none_s{{seed}}.json",
    log:
        f"{DATA}/logs/qnns/{{qnn}}/none_s{{seed}}.log",
    params:
        qec=QEC,
        settings=lambda wc: qnn_settings(DEVICE_QNNS[wc.qnn]),
    threads: 1
    conda:
        "../envs/qec.yaml"
    shell:
        "{params.qec} train --settings {input.settings} --noise none --seed {wildcards.seed}"
        " --out {output} > {log} 2>&1"


rule tolerance_other:
    input:
        other_runs,
    output:
        f"{DATA}/qnns/{{qnn}}/tolerance.json",
    log:
        f"{DATA}/logs/qnns/{{qnn}}/tolerance.log",
    params:
        qec=QEC,
        delta=lookup(dpath="tolerance/delta", within=config),
        confidence=lookup(dpath="tolerance/confidence", within=config),
        bootstrap=lookup(dpath="tolerance/bootstrap", within=config),
        refine=lookup(dpath="tolerance/refine", within=config),
        extra_test=lookup(dpath="tolerance/extra_test", within=config),
        grid=" ".join(num(e) for e in lookup(dpath="tolerance/eps_grid", within=config)),
        ps=" ".join(num(p) for p in PS),
        noise=NOISE,
    threads: 2
    conda:
        "../envs/qec.yaml"
    shell:
        "{params.qec} tolerance --results {input} --definition inference"
        " --eps-grid {params.grid} --delta {params.delta} --noise {params.noise} --p {params.ps}"
        " --confidence {params.confidence} --bootstrap {params.bootstrap} --refine {params.refine}"
        " --extra-test {params.extra_test} --jobs {threads} --out {output} > {log} 2>&1"


rule budget_device_other:
    input:
        fits=f"{DATA}/fits.json",
        tolerance=f"{DATA}/qnns/{{qnn}}/tolerance.json",
        qnn=other_runs,
    output:
        csv=f"{DATA}/devices/{{device}}/{{qnn}}/budget.csv",
        json=f"{DATA}/devices/{{device}}/{{qnn}}/budget.json",
        txt=f"{DATA}/devices/{{device}}/{{qnn}}/budget.txt",
    log:
        f"{DATA}/logs/devices/{{device}}/{{qnn}}/budget.log",
    params:
        qec=QEC,
        code=lookup(dpath="budget/code", within=config),
        basis=lookup(dpath="budget/basis", within=config),
        cycles=lookup(dpath="budget/cycles_per_gate", within=config),
        quantile=QUANTILE,
    threads: 1
    conda:
        "../envs/qec.yaml"
    shell:
        "{params.qec} budget --device {wildcards.device} --quantile {params.quantile} --fits {input.fits}"
        " --tolerance {input.tolerance} --results {input.qnn} --code {params.code} --basis {params.basis}"
        " --cycles-per-gate {params.cycles} --jobs {threads} --out {output.csv} > {log} 2>&1"


rule resources_device_other:
    input:
        fits=f"{DATA}/fits.json",
        tolerance=f"{DATA}/qnns/{{qnn}}/tolerance.json",
        qnn=lambda wc: f"{DATA}/qnns/{wc.qnn}/none_s{DEVICE_QNNS[wc.qnn]['seeds'][0]}.json",
    output:
        json=f"{DATA}/devices/{{device}}/{{qnn}}/resources.json",
        txt=f"{DATA}/devices/{{device}}/{{qnn}}/resources.txt",
    log:
        f"{DATA}/logs/devices/{{device}}/{{qnn}}/resources.log",
    params:
        qec=QEC,
        code=lookup(dpath="budget/code", within=config),
        basis=lookup(dpath="budget/basis", within=config),
        cycles=lookup(dpath="budget/cycles_per_gate", within=config),
        quantile=QUANTILE,
        maxd=MAX_D_FLAG,
    conda:
        "../envs/qec.yaml"
    shell:
        "{params.qec} resources --qnn {input.qnn} --device {wildcards.device} --quantile {params.quantile}"
        " --only-below-threshold --fits {input.fits} --basis {params.basis} --code {params.code}"
        " --tolerance {input.tolerance} {params.maxd} --out {output.json} > {log} 2>&1"


rule devices_table:
    input:
        [f"{DATA}/devices/{device}/budget.json" for device in DEVICES],
        [f"{DATA}/devices/{device}/resources.json" for device in DEVICES],
        [f"{DATA}/devices/{device}/{name}/budget.json" for device in DEVICES for name in DEVICE_QNNS],
        [f"{DATA}/devices/{device}/{name}/resources.json" for device in DEVICES for name in DEVICE_QNNS],
    output:
        csv=f"{DATA}/devices.csv",
        txt=f"{DATA}/devices.txt",
        png=report(f"{DATA}/plots/devices.png", caption="../report/devices.rst", category="Figures"),
    log:
        f"{DATA}/logs/devices/table.log",
    params:
        qec=QEC,
        data=lambda wildcards, output: os.path.dirname(output.csv),
    conda:
        "../envs/qec.yaml"
    shell:
        "{params.qec} devices --study {params.data} > {log} 2>&1"
