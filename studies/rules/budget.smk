# ε*, d*(p), qubits and suppression; trains the d* and d*−2 checks into qnn/check/.


rule budget:
    input:
        fits=f"{DATA}/fits.json",
        qnn=QNN_RUNS,
    output:
        csv=f"{DATA}/budget.csv",
        json=f"{DATA}/budget.json",
        txt=f"{DATA}/budget.txt",
    log:
        f"{DATA}/logs/budget.log",
    params:
        qec=QEC,
        ps=" ".join(num(p) for p in S["ps"]),
        b=B,
        noise=S["noise"],
        check=f"{DATA}/qnn/check",
    threads: 1
    conda:
        "../envs/qec.yaml"
    shell:
        "{params.qec} budget --fits {input.fits} --results {input.qnn} --code {params.b[code]}"
        " --noise {params.noise} --basis {params.b[basis]} --p {params.ps}"
        " --delta {params.b[delta]} --cycles-per-gate {params.b[cycles_per_gate]}"
        " --check-dir {params.check} --jobs {threads} --out {output.csv} > {log} 2>&1"
