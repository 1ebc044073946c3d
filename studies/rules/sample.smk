# One shard per (code, noise, basis, decoder, d) holding every p: an independent sinter CSV; combine
# sums rows per task and decoder, and qec fit fits each decoder on its own.


rule sample:
    # A code's name only: the pattern must never claim another rule's shard (stats/cnot/..., devices).
    wildcard_constraints:
        code="|".join(CODE_NAMES),
    output:
        "data/{study}/stats/{code}/{noise}/{basis}/{decoder}/d{d}.csv",
    log:
        "data/{study}/logs/sample/{code}/{noise}/{basis}/{decoder}/d{d}.log",
    params:
        qec=QEC,
        ps=" ".join(num(p) for p in PS),
        rpd=lookup(dpath="sampling/rounds_per_distance", within=config),
        max_shots=lookup(dpath="sampling/max_shots", within=config),
        max_errors=lookup(dpath="sampling/max_errors", within=config),
        custom=CUSTOM_FLAG,
    threads: 1
    priority: shard_priority("memory")
    conda:
        "../envs/qec.yaml"
    shell:
        "{params.qec} sample --code {wildcards.code} --noise {wildcards.noise} --basis {wildcards.basis}"
        " --distance {wildcards.d} --p {params.ps} --rounds-per-distance {params.rpd}"
        " --max-shots {params.max_shots} --max-errors {params.max_errors}"
        " --decoder {wildcards.decoder} {params.custom} --workers {threads} --quiet --out {output} > {log} 2>&1"


rule sample_cnot:
    output:
        "data/{study}/stats/cnot/{noise}/{basis}/d{d}.csv",
    log:
        "data/{study}/logs/sample/cnot/{noise}/{basis}/d{d}.log",
    params:
        qec=QEC,
        decoders=" ".join(DECODERS),
        ps=" ".join(num(p) for p in CNOT_GRID["ps"]),
        max_shots=CNOT_GRID["max_shots"],
        max_errors=CNOT_GRID["max_errors"],
        custom=CUSTOM_FLAG,
    threads: 1
    priority: shard_priority("cnot")
    conda:
        "../envs/qec.yaml"
    shell:
        "{params.qec} sample --experiment cnot --code surface_rotated --noise {wildcards.noise}"
        " --basis {wildcards.basis} --distance {wildcards.d} --p {params.ps}"
        " --max-shots {params.max_shots} --max-errors {params.max_errors}"
        " --decoder {params.decoders} {params.custom} --workers {threads} --quiet --out {output} > {log} 2>&1"


rule sample_device:
    output:
        "data/{study}/stats/{code}/device/{device}/{basis}/{decoder}/d{d}.csv",
    log:
        "data/{study}/logs/sample/{code}/device/{device}/{basis}/{decoder}/d{d}.log",
    params:
        qec=QEC,
        quantile=QUANTILE,
        rpd=lookup(dpath="sampling/rounds_per_distance", within=config),
        max_shots=lookup(dpath="sampling/max_shots", within=config),
        max_errors=lookup(dpath="sampling/max_errors", within=config),
        custom=CUSTOM_FLAG,
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
        rpd=lookup(dpath="sampling/rounds_per_distance", within=config),
        max_shots=lookup(dpath="sampling/max_shots", within=config),
        ps=" ".join(num(p) for p in PS),
        distances=" ".join(map(str, DISTANCES)),
        bases=" ".join(BASES),
        decoders=" ".join(DECODERS),
        adaptive=dict(sorted({**ADAPTIVE_DEFAULTS, **ADAPTIVE}.items())),  # sorted: key order is not a change
        window=THRESHOLD_WINDOW_FLAG,
        cycles=lookup(dpath="budget/cycles_per_gate", within=config),
        custom=CUSTOM_FLAG,
    # The rounds are sequential and each batch uses every worker (sampling.adaptive.workers, default 2;
    # Snakemake lowers it to --cores on one machine).
    threads: ADAPTIVE.get("workers", 2)
    conda:
        "../envs/qec.yaml"
    shell:
        "{params.qec} sample --code {wildcards.code} --noise {wildcards.noise} --basis {params.bases}"
        " --distance {params.distances} --p {params.ps} --rounds-per-distance {params.rpd}"
        " --max-shots {params.max_shots} --decoder {params.decoders} {params.custom}"
        " --target {params.adaptive[target]} --core-hours {params.adaptive[core_hours]}"
        " --batch-seconds {params.adaptive[batch_seconds]}"
        " --pilot-errors {params.adaptive[pilot_errors]} --pilot-shots {params.adaptive[pilot_shots]}"
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
