# One shard per (code, noise, basis, decoder, d, p): an independent sinter CSV; combine sums rows
# per task and decoder, and qec fit fits each decoder on its own.


rule sample:
    output:
        "data/{study}/stats/{code}/{noise}/{basis}/{decoder}/d{d}_p{p}.csv",
    log:
        "data/{study}/logs/sample/{code}/{noise}/{basis}/{decoder}/d{d}_p{p}.log",
    params:
        qec=QEC,
        rpd=S["rounds_per_distance"],
        max_shots=S["max_shots"],
        max_errors=S["max_errors"],
        custom=(
            "--custom-decoders " + " ".join(map(shlex.quote, S["custom_decoders"]))
            if S.get("custom_decoders")
            else ""
        ),
    threads: 1
    priority: SHARD_PRIORITY
    conda:
        "../envs/qec.yaml"
    shell:
        "{params.qec} sample --code {wildcards.code} --noise {wildcards.noise} --basis {wildcards.basis}"
        " --distance {wildcards.d} --p {wildcards.p} --rounds-per-distance {params.rpd}"
        " --max-shots {params.max_shots} --max-errors {params.max_errors}"
        " --decoder {wildcards.decoder} {params.custom} --workers {threads} --quiet --out {output} > {log} 2>&1"


rule sample_cnot:
    output:
        "data/{study}/stats/cnot/{noise}/{basis}/{decoder}/d{d}.csv",
    log:
        "data/{study}/logs/sample/cnot/{noise}/{basis}/{decoder}/d{d}.log",
    params:
        qec=QEC,
        ps=" ".join(num(p) for p in C["ps"]),
        max_shots=C["max_shots"],
        max_errors=C["max_errors"],
        custom=(
            "--custom-decoders " + " ".join(map(shlex.quote, S["custom_decoders"]))
            if S.get("custom_decoders")
            else ""
        ),
    threads: 1
    priority: SHARD_PRIORITY
    conda:
        "../envs/qec.yaml"
    shell:
        "{params.qec} sample --experiment cnot --code surface_rotated --noise {wildcards.noise}"
        " --basis {wildcards.basis} --distance {wildcards.d} --p {params.ps}"
        " --max-shots {params.max_shots} --max-errors {params.max_errors}"
        " --decoder {wildcards.decoder} {params.custom} --workers {threads} --quiet --out {output} > {log} 2>&1"


rule sample_device:
    output:
        "data/{study}/stats/{code}/device/{device}/{basis}/{decoder}/d{d}.csv",
    log:
        "data/{study}/logs/sample/{code}/device/{device}/{basis}/{decoder}/d{d}.log",
    params:
        qec=QEC,
        quantile=QUANTILE,
        rpd=S["rounds_per_distance"],
        max_shots=S["max_shots"],
        max_errors=S["max_errors"],
        custom=(
            "--custom-decoders " + " ".join(S["custom_decoders"]) if S.get("custom_decoders") else ""
        ),
    threads: 1
    conda:
        "../envs/qec.yaml"
    shell:
        "{params.qec} sample --code {wildcards.code} --device {wildcards.device} --quantile {params.quantile}"
        " --basis {wildcards.basis} --distance {wildcards.d} --rounds-per-distance {params.rpd}"
        " --max-shots {params.max_shots} --max-errors {params.max_errors}"
        " --decoder {wildcards.decoder} {params.custom} --workers {threads} --quiet --out {output} > {log} 2>&1"


rule sample_adaptive:
    input:
        tolerance=f"{DATA}/tolerance.json",
    output:
        "data/{study}/stats/adaptive/{code}/{noise}.csv",
    log:
        "data/{study}/logs/sample/adaptive/{code}/{noise}.log",
    params:
        qec=QEC,
        rpd=S["rounds_per_distance"],
        max_shots=S["max_shots"],
        ps=" ".join(num(p) for p in S["ps"]),
        distances=" ".join(map(str, S["distances"])),
        bases=" ".join(S["bases"]),
        decoders=" ".join(DECODERS),
        a={**ADAPTIVE_DEFAULTS, **ADAPTIVE},
        window=(
            "--threshold-window " + " ".join(num(x) for x in config["fit"]["threshold_window"])
            if config["fit"].get("threshold_window")
            else ""
        ),
        cycles=B["cycles_per_gate"],
        custom=(
            "--custom-decoders " + " ".join(map(shlex.quote, S["custom_decoders"]))
            if S.get("custom_decoders")
            else ""
        ),
    # The rounds are sequential and each batch uses every worker (sampling.adaptive.workers, default 2;
    # Snakemake lowers it to --cores on one machine).
    threads: ADAPTIVE.get("workers", 2)
    conda:
        "../envs/qec.yaml"
    shell:
        "{params.qec} sample --code {wildcards.code} --noise {wildcards.noise} --basis {params.bases}"
        " --distance {params.distances} --p {params.ps} --rounds-per-distance {params.rpd}"
        " --max-shots {params.max_shots} --decoder {params.decoders} {params.custom}"
        " --target {params.a[target]} --core-hours {params.a[core_hours]} --batch-seconds {params.a[batch_seconds]}"
        " --pilot-errors {params.a[pilot_errors]} --pilot-shots {params.a[pilot_shots]}"
        " --tolerance {input.tolerance} --cycles-per-gate {params.cycles} {params.window}"
        " --workers {threads} --out {output} > {log} 2>&1"


rule combine:
    input:
        SHARDS,
        ADAPTIVE_SHARDS,
        CNOT_SHARDS,
        DEVICE_SHARDS,
    output:
        f"{DATA}/stats.csv",
    log:
        f"{DATA}/logs/combine.log",
    params:
        qec=QEC,
    conda:
        "../envs/qec.yaml"
    shell:
        "{params.qec} combine {input} --out {output} > {log} 2>&1"
