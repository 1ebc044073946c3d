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
    log:
        f"{DATA}/logs/devices/{{device}}/budget.log",
    params:
        qec=QEC,
        b=B,
        quantile=QUANTILE,
        train=f"{DATA}/qnn/refine",
    threads: 1
    conda:
        "../envs/qec.yaml"
    shell:
        "{params.qec} budget --device {wildcards.device} --quantile {params.quantile} --fits {input.fits}"
        " --tolerance {input.tolerance} --results {input.qnn} --code {params.b[code]} --basis {params.b[basis]}"
        " --cycles-per-gate {params.b[cycles_per_gate]} --train-dir {params.train} --jobs {threads}"
        " --out {output.csv} > {log} 2>&1"


rule resources_device:
    input:
        fits=f"{DATA}/fits.json",
        tolerance=f"{DATA}/tolerance.json",
        qnn=f"{DATA}/qnn/none_s{Q['seeds'][0]}.json",
    output:
        json=f"{DATA}/devices/{{device}}/resources.json",
        txt=f"{DATA}/devices/{{device}}/resources.txt",
    log:
        f"{DATA}/logs/devices/{{device}}/resources.log",
    params:
        qec=QEC,
        b=B,
        quantile=QUANTILE,
        maxd=f"--max-code-distance {R['max_code_distance']}" if R.get("max_code_distance") else "",
    conda:
        "../envs/qec.yaml"
    shell:
        "{params.qec} resources --qnn {input.qnn} --device {wildcards.device} --quantile {params.quantile}"
        " --only-below-threshold --fits {input.fits} --basis {params.b[basis]} --code {params.b[code]}"
        " --tolerance {input.tolerance} {params.maxd} --out {output.json} > {log} 2>&1"


rule devices_table:
    input:
        [f"{DATA}/devices/{device}/budget.json" for device in DEVICES],
        [f"{DATA}/devices/{device}/resources.json" for device in DEVICES],
    output:
        csv=f"{DATA}/devices.csv",
        txt=f"{DATA}/devices.txt",
        png=report(f"{DATA}/plots/devices.png", caption="../report/devices.rst", category="Figures"),
    log:
        f"{DATA}/logs/devices/table.log",
    params:
        qec=QEC,
    conda:
        "../envs/qec.yaml"
    shell:
        "{params.qec} devices --study {DATA} > {log} 2>&1"
