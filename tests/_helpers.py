"""What several test files share and pytest fixtures cannot give: constants and plain helpers.

Test files import from here (or take conftest's fixtures), never from each other: importing one
test module from another ties them together and hides where a helper lives.
"""

import pathlib
import re
import sys

from qec.fit import Point

REPO = pathlib.Path(__file__).resolve().parents[1]

# The miniature study: small enough for a test, every step of the real one.
MINI = {
    "study": "mini",
    "sampling": {
        "codes": ["repetition"],
        "noise": "circuit",
        "distances": [3, 5],
        "ps": [0.01, 0.03, 0.2],
        "bases": ["z"],
        "rounds_per_distance": 1,
        "max_shots": 4000,
        "max_errors": 200,
        "decoders": ["pymatching", "pymatching-correlated"],
    },
    "fit": {"bootstrap": 40, "threshold_window": None},
    "qnn": {
        "dataset": "moons",
        "qubits": 2,
        "layers": 1,
        "connectivity": "line",
        "observable": "parity",
        "samples": 20,
        "test_fraction": 0.5,
        "maxiter": 8,
        "chunk": 8,
        "shots": 100,
        "seeds": [0],
    },
    "tolerance": {
        "definition": "inference",
        "delta": 0.05,
        "eps_grid": [0.001, 0.01, 0.1, 0.5],
        "extra_test": 40,
        "bootstrap": 50,
        "confidence": 0.95,
        "refine": 2,
    },
    "budget": {"code": "repetition", "basis": "z", "cycles_per_gate": 1},
    "resources": {"preset": "gate_ns"},
}


def snakemake_cmd(workdir: pathlib.Path, config: pathlib.Path, *extra: str) -> list[str]:
    """The repository's Snakefile, run in ``workdir`` on the study ``config``."""
    return [sys.executable, "-m", "snakemake", "--snakefile", str(REPO / "Snakefile"), "--directory",
            str(workdir), "--configfile", str(config), "--cores", "2", *extra]  # fmt: skip


def planned_jobs(dry_run_output: str) -> dict[str, int]:
    """The job-count table of a dry run: rule -> count."""
    return {
        m.group(1): int(m.group(2))
        for m in re.finditer(r"^(\w+)\s+(\d+)$", dry_run_output, re.MULTILINE)
        if m.group(1) != "total"
    }


def synthetic_model_points(rng, *, A=0.08, p_th=0.012, alpha=1.0, shots=10**6):
    """Counts drawn from eps_round = A (p/p_th)^(alpha (d+1)/2) over rounds = d."""
    points = []
    for d in (3, 5, 7):
        for p in (0.001, 0.002, 0.004):
            eps = A * (p / p_th) ** (alpha * (d + 1) / 2)
            shot_rate = (1 - (1 - 2 * eps) ** d) / 2
            points.append(
                Point.from_counts(
                    code="c",
                    noise="circuit",
                    basis="z",
                    d=d,
                    p=p,
                    rounds=d,
                    shots=shots,
                    errors=int(rng.binomial(shots, shot_rate)),
                )
            )
    return points
