"""A study from nothing in two checkouts of qec, alternating: wall and CPU seconds, medians and ratios.

Each run deletes the study's data folder (named by the study file's `study`) and Snakemake's metadata
in its checkout and runs the study
with the local profile; `python -m qec` in a checkout imports that checkout's qec. The first checkout
is the baseline. Example (the shard layout change, against the commit before it):

    git clone -q . /tmp/ab_old && git -C /tmp/ab_old checkout -q 8f66ce8
    git clone -q . /tmp/ab_new
    python benchmarks/study_ab.py /tmp/ab_old /tmp/ab_new --repeats 3      # the default study, quick
"""

from __future__ import annotations

import argparse
import re
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import yaml


def study_name(checkout: Path, configfile: str) -> str:
    """The study's name from its file in ``checkout``: the data folder each run deletes."""
    if not (checkout / "Snakefile").is_file():
        raise SystemExit(f"{checkout}: not a qec checkout (no Snakefile)")
    if not (checkout / configfile).is_file():
        raise SystemExit(f"{checkout / configfile}: no such study file")
    study = yaml.safe_load((checkout / configfile).read_text(encoding="utf-8")).get("study")
    if not isinstance(study, str) or not re.fullmatch(r"[A-Za-z0-9_-]+", study):
        raise SystemExit(f"{checkout / configfile}: study={study!r} is not a study name ([A-Za-z0-9_-]+)")
    return study


def run_study(checkout: Path, configfile: str) -> tuple[float, float]:
    """Wall and CPU seconds (Snakemake and every job) of one run from nothing."""
    shutil.rmtree(checkout / "data" / study_name(checkout, configfile), ignore_errors=True)
    shutil.rmtree(checkout / ".snakemake", ignore_errors=True)
    cmd = [sys.executable, "-m", "snakemake", "--profile", "studies/profiles/local", "-q"]
    cmd += ["--configfile", configfile]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(cmd, cwd=checkout, capture_output=True, text=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode:
        raise SystemExit(f"{checkout}: the study failed:\n{(done.stdout + done.stderr)[-2000:]}")
    return wall, after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("baseline", type=Path)
    parser.add_argument("candidate", type=Path)
    parser.add_argument("--configfile", default="studies/quick.yaml", help="relative to each checkout")
    parser.add_argument("--repeats", type=int, default=3)
    a = parser.parse_args()
    if a.repeats < 1:
        parser.error(f"--repeats: {a.repeats} is not allowed: at least 1")
    runs: dict[str, list[tuple[float, float]]] = {"baseline": [], "candidate": []}
    for r in range(a.repeats):
        for name, checkout in (("baseline", a.baseline), ("candidate", a.candidate)):
            runs[name].append(run_study(checkout, a.configfile))
            wall, cpu = runs[name][-1]
            print(f"repeat {r}: {name} wall {wall:.1f} s, CPU {cpu:.1f} s", flush=True)
    print(f"\n{a.configfile} from nothing, medians of {a.repeats}, alternating")
    print(f"{'':<12}{'wall s':>9}{'CPU s':>9}")
    for name in runs:
        print(f"{name:<12}{statistics.median(w for w, _ in runs[name]):>9.1f}"
              f"{statistics.median(c for _, c in runs[name]):>9.1f}")  # fmt: skip
    for i, what in enumerate(("wall", "CPU")):
        ratios = [c[i] / b[i] for b, c in zip(runs["baseline"], runs["candidate"], strict=True)]
        print(f"candidate/baseline {what}: median of paired ratios {statistics.median(ratios):.3f} "
              f"({', '.join(f'{x:.3f}' for x in ratios)})")  # fmt: skip


if __name__ == "__main__":
    main()
