"""What a lower per-task shot cap would cost a study's answer: its sinter-seconds, and its d*.

A study samples each task until ``max_errors`` errors or ``max_shots`` shots. The tasks that stop
on the shot cap are the low-p, large-d ones: few errors each, and most of the sampling time. This
script replays a committed study at a lower cap without sampling anything: a run that had stopped
after ``cap`` shots would have seen a uniformly random ``cap`` of the shots that were taken, so each
task above the cap is thinned by drawing ``cap`` shots without replacement from its counts
(multivariate hypergeometric over its outcome classes: no error and, for gate rows, each
per-observable failure mask), its seconds scaled by ``cap / shots``. The thinned stats are then fitted
and budgeted with the study's own ``qec fit`` and ``qec budget`` settings, against the committed
tolerance and QNN runs, and each budget row's d* [interval] is printed beside the committed one.
A task that had stopped on its error count is thinned the same way, which is exact up to one
error: the shot that ended it was always an error.

    python benchmarks/shot_cap.py --memory-cap 500000 --cnot-cap 100000
    python benchmarks/shot_cap.py --study data/paper --config studies/paper.yaml --memory-cap 1000000

It answers "which tasks does the cap cut, how many seconds does that save, and does the answer move
beyond its interval": a design check before changing a study's caps, not a substitute for rerunning
the study.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

import numpy as np
import sinter
import yaml

from qec.budget import BudgetReport
from qec.fit.points import MASK_PREFIX as MASK


def thin(stat: sinter.TaskStats, cap: int, rng: np.random.Generator) -> sinter.TaskStats:
    """``stat`` as if sampling had stopped after ``cap`` of its shots (unchanged if it took fewer)."""
    if stat.shots <= cap:
        return stat
    masks = {k: v for k, v in stat.custom_counts.items() if k.startswith(MASK)}
    classes = masks if masks else {"errors": stat.errors}
    names = list(classes)
    rest = [stat.discards, stat.shots - stat.errors - stat.discards]
    draw = rng.multivariate_hypergeometric(np.array([classes[n] for n in names] + rest, dtype=np.int64), cap)
    kept = dict(zip(names, draw[:-2].tolist(), strict=True))
    custom = Counter({k: v for k, v in stat.custom_counts.items() if not k.startswith(MASK)})
    if masks:
        custom.update({k: v for k, v in kept.items() if v})
    return sinter.TaskStats(
        strong_id=stat.strong_id, decoder=stat.decoder, json_metadata=stat.json_metadata, shots=cap,
        errors=sum(kept.values()), discards=int(draw[-2]), seconds=stat.seconds * cap / stat.shots,
        custom_counts=custom,
    )  # fmt: skip


def _rows(path: Path) -> dict[tuple[str, float, str], str]:
    """d* [low, high] (or the verdict) per (route, p, decoder) of a budget.json."""
    report = BudgetReport.from_dict(json.loads(path.read_text()))
    out = {}
    for route, rows in (("scalar", report.rows), ("channel", report.channel_rows)):
        for r in rows:
            cell = r.verdict
            if r.d_star is not None:
                cell = f"{r.d_star} [{r.d_star_low}, {'?' if r.d_star_high is None else r.d_star_high}]"
            out[(route, r.p, r.decoder)] = cell
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--study", type=Path, default=Path("data/paper"), help="the committed study folder")
    parser.add_argument("--config", type=Path, default=Path("studies/paper.yaml"), help="its study file")
    parser.add_argument("--memory-cap", type=int, required=True, help="max shots per memory task")
    parser.add_argument("--cnot-cap", type=int, required=True, help="max shots per CNOT task")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--keep", type=Path, help="write the thinned stats, fits and budget here")
    a = parser.parse_args()
    if a.memory_cap < 1 or a.cnot_cap < 1:
        parser.error(f"caps must be >= 1; got --memory-cap {a.memory_cap} --cnot-cap {a.cnot_cap}")
    missing = [n for n in ("stats.csv", "budget.json", "tolerance.json") if not (a.study / n).is_file()]
    if missing:
        parser.error(f"--study {str(a.study)!r} has no {', '.join(missing)}: give a study's data folder")
    if a.keep is not None and a.keep.exists() and any(a.keep.iterdir()):
        # It would receive stats.csv, fits.json and budget.*: never a study's own folder.
        parser.error(f"--keep {str(a.keep)!r} exists and is not empty; give a new folder")
    config = yaml.safe_load(a.config.read_text())
    rng = np.random.default_rng(a.seed)
    stats = sinter.read_stats_from_csv_files(a.study / "stats.csv")
    before = after = 0.0
    cut = []
    thinned = []
    for s in stats:
        experiment = s.json_metadata.get("experiment", "memory")
        t = thin(s, a.cnot_cap if experiment == "cnot" else a.memory_cap, rng)
        before, after = before + s.seconds, after + t.seconds
        if t is not s:
            m = s.json_metadata
            cut.append((experiment, s.decoder, m["basis"], m["d"], m["p"], s.shots, s.errors, t.errors))
        thinned.append(t)
    print(f"{len(cut)} of {len(stats)} tasks above the caps; sinter-seconds {before:,.0f} -> {after:,.0f} "
          f"(ratio {after / before:.3f})")  # fmt: skip
    for c in sorted(cut):
        print("  {} {} {} d={} p={}: {:,} shots {} errors -> {} errors".format(*c))

    with tempfile.TemporaryDirectory() as tmp:
        out = a.keep or Path(tmp)
        out.mkdir(parents=True, exist_ok=True)
        lines = [sinter.CSV_HEADER, *(t.to_csv_line() for t in thinned)]
        (out / "stats.csv").write_text("\n".join(lines) + "\n")
        fit = config.get("fit", {})
        window = fit.get("threshold_window")
        qec = [sys.executable, "-m", "qec"]
        subprocess.run([*qec, "fit", str(out / "stats.csv"), "--out", str(out / "fits.json"),
                        "--bootstrap", str(fit.get("bootstrap", 200)),
                        *(["--threshold-window", *map(str, window)] if window else [])],
                       check=True, stdout=subprocess.DEVNULL)  # fmt: skip
        budget = config["budget"]
        runs = sorted(str(f) for f in (a.study / "qnn").glob("none_s*.json"))
        subprocess.run([*qec, "budget", "--fits", str(out / "fits.json"), "--tolerance",
                        str(a.study / "tolerance.json"), "--results", *runs,
                        "--code", budget["code"], "--basis", budget["basis"], "--cycles-per-gate",
                        str(budget["cycles_per_gate"]), "--jobs", "2", "--out", str(out / "budget.csv")],
                       check=True, stdout=subprocess.DEVNULL)  # fmt: skip
        old = _rows(a.study / "budget.json")
        new = _rows(out / "budget.json")
    print(f"\n{'route':8} {'p':>7} {'decoder':22} {'committed':>18} {'at the caps':>18}")
    for key in sorted(old, key=lambda k: (k[0] != "scalar", k[1], k[2])):
        if old[key] != "hardware" or new.get(key) != "hardware":
            print(f"{key[0]:8} {key[1]:>7} {key[2]:22} {old[key]:>18} {new.get(key, '-'):>18}")


if __name__ == "__main__":
    main()
