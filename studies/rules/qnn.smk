# A QNN's settings, as one file its trainings read (`qec train --settings`): the study's qnn block
# (folder qnn) or a device_qnns entry (folder qnns/<name>), named by its content (common.smk).


rule qnn_settings:
    output:
        "data/{study}/{folder}/settings-{digest}.json",
    log:
        "data/{study}/logs/{folder}/settings-{digest}.log",
    params:
        text=lambda wc: qnn_settings(config["qnn"] if wc.folder == "qnn" else DEVICE_QNNS[wc.folder[5:]]),
    wildcard_constraints:
        folder=r"qnn|qnns/[A-Za-z0-9_-]+",
        digest=r"[0-9a-f]{12}",
    priority: QNN_PRIORITY  # before every shard, as the trainings that wait for it
    localrule: True
    run:
        from qec.study import write_qnn_settings

        write_qnn_settings(output[0], params.text, wildcards.digest)


# One QNN training per (noise spec, seed): noiseless, the logical ε grid, physical noise at each p.


rule qnn:
    input:
        # ancient: a fresh clone gives every file its checkout time, so a timestamp would retrain
        # the committed runs at random; a missing file still fails (common.smk), a changed one
        # changes params.sources, and a run whose data changed is refused by the readers.
        [ancient(f) for f in QNN_FILES],
        # ancient: a committed file's checkout time says nothing; its name says what it holds.
        settings=ancient(settings_file("qnn", config["qnn"])),
    output:
        "data/{study}/qnn/{spec}_s{seed}.json",
    log:
        "data/{study}/logs/qnn/{spec}_s{seed}.log",
    params:
        qec=QEC,
        noise=lambda wc: wc.spec.replace("-", ":", 1),
        settings=qnn_settings(config["qnn"]),
        sources=QNN_SOURCES,
    threads: 1
    priority: QNN_PRIORITY
    conda:
        "../envs/qec.yaml"
    shell:
        "{params.qec} train --settings {input.settings} --noise {params.noise} --seed {wildcards.seed}"
        " --out {output} > {log} 2>&1"
