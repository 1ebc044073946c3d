# ε* with its interval (paired evaluations), then the verdict, d* [interval] and qubits per p.


rule tolerance:
    input:
        QNN_RUNS,
    output:
        f"{DATA}/tolerance.json",
    log:
        f"{DATA}/logs/tolerance.log",
    params:
        qec=QEC,
        t=T,
        grid=" ".join(num(e) for e in T["eps_grid"]),
        ps=" ".join(num(p) for p in S["ps"]),
        noise=S["noise"],
        train=f"{DATA}/qnn/refine",
    threads: 2
    conda:
        "../envs/qec.yaml"
    shell:
        "{params.qec} tolerance --results {input} --definition {params.t[definition]}"
        " --eps-grid {params.grid} --delta {params.t[delta]} --noise {params.noise} --p {params.ps}"
        " --confidence {params.t[confidence]} --bootstrap {params.t[bootstrap]} --refine {params.t[refine]}"
        " --extra-test {params.t[extra_test]} --train-dir {params.train} --jobs {threads}"
        " --out {output} > {log} 2>&1"


rule budget:
    input:
        fits=f"{DATA}/fits.json",
        tolerance=f"{DATA}/tolerance.json",
        qnn=QNN_RUNS,
    output:
        csv=f"{DATA}/budget.csv",
        json=f"{DATA}/budget.json",
        txt=f"{DATA}/budget.txt",
    log:
        f"{DATA}/logs/budget.log",
    params:
        qec=QEC,
        b=B,
        train=f"{DATA}/qnn/refine",
    threads: 2
    conda:
        "../envs/qec.yaml"
    shell:
        "{params.qec} budget --fits {input.fits} --tolerance {input.tolerance} --results {input.qnn}"
        " --code {params.b[code]} --basis {params.b[basis]} --cycles-per-gate {params.b[cycles_per_gate]}"
        " --train-dir {params.train} --jobs {threads} --out {output.csv} > {log} 2>&1"


# The fault-tolerant footprint of one QNN execution: QDK Resource Estimator with measured inputs.
rule resources:
    input:
        fits=f"{DATA}/fits.json",
        tolerance=f"{DATA}/tolerance.json",
        qnn=f"{DATA}/qnn/none_s{Q['seeds'][0]}.json",
    output:
        json=f"{DATA}/resources.json",
        txt=f"{DATA}/resources.txt",
    log:
        f"{DATA}/logs/resources.log",
    params:
        qec=QEC,
        ps=" ".join(num(p) for p in S["ps"]),
        noise=S["noise"],
        r=R,
        b=B,
        maxd=f"--max-code-distance {R['max_code_distance']}" if R.get("max_code_distance") else "",
    conda:
        "../envs/qec.yaml"
    shell:
        "{params.qec} resources --qnn {input.qnn} --p {params.ps} --only-below-threshold --noise {params.noise}"
        " --fits {input.fits}"
        " --basis {params.b[basis]} --code {params.b[code]} --tolerance {input.tolerance}"
        " --preset {params.r[preset]} {params.maxd} --out {output.json} > {log} 2>&1"
