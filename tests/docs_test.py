"""Tests of the documentation: the site builds with no warning, and the tutorial script runs."""

import os
import pathlib
import subprocess
import sys

import pytest

REPO = pathlib.Path(__file__).parents[1]


def _mkdocs_missing() -> str | None:
    try:
        import mkdocs  # noqa: F401
        import mkdocstrings  # noqa: F401
    except ImportError as e:
        return f"mkdocs is not installed ({e}); pip install -e '.[docs]' (the test extra has it too)"
    return None


@pytest.mark.skipif(_mkdocs_missing() is not None, reason=str(_mkdocs_missing()))
def test_docs_build_strict(tmp_path):
    # --strict turns every warning into a failure: a broken link, a page missing from the nav,
    # a docstring griffe cannot parse, an API name that no longer exists.
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}  # material's end-of-life banner, not a warning
    run = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path / "site")],
        cwd=REPO, capture_output=True, text=True, timeout=600, env=env,
    )  # fmt: skip
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    site = tmp_path / "site"
    assert (site / "index.html").is_file() and (site / "concepts" / "index.html").is_file()
    # The study figures come from data/ through the hook, and the API pages from the docstrings.
    assert (site / "data" / "paper" / "plots" / "budget.png").is_file()
    assert "measure_tolerance" in (site / "reference" / "api" / "tolerance" / "index.html").read_text()


@pytest.mark.slow
def test_tutorial_script_runs_and_gives_a_budget():
    # The tutorial's script, as a reader runs it (sinter's spawned workers re-import it).
    run = subprocess.run(
        [sys.executable, str(REPO / "docs" / "examples" / "budget_from_python.py")],
        cwd=REPO, capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr[-3000:]
    assert "# QML error budget" in run.stdout
    rows = [line.split() for line in run.stdout.splitlines() if line.strip().startswith("0.00")]
    assert [row[0] for row in rows] == ["0.001", "0.003", "0.005", "0.008"], run.stdout[-3000:]
