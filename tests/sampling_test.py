"""Tests of qec.sampling: sampled rates agree with exact formulas and published behaviour."""

import math
import os
import stat
import subprocess
import sys

import pytest
import scipy.stats
import sinter

import qec
from qec.stats import binomial_interval

# Assertions on sampled counts use 99.99% intervals: a correct implementation fails one of
# them about once in 10^4 runs; sinter takes no seed, so counts agree in distribution only.
CONFIDENCE = 0.9999


def majority_vote_failure(d: int, p: float) -> float:
    """Exact logical error of distance-d majority vote: sum_{k>d/2} C(d,k) p^k (1-p)^(d-k)."""
    return sum(math.comb(d, k) * p**k * (1 - p) ** (d - k) for k in range(d // 2 + 1, d + 1))


def interval(errors: int, shots: int) -> tuple[float, float]:
    ci = scipy.stats.binomtest(errors, shots).proportion_ci(CONFIDENCE, method="exact")
    return ci.low, ci.high


@pytest.mark.slow
def test_repetition_code_capacity_matches_majority_vote(tmp_path):
    p = 0.1
    experiments = qec.sweep(
        codes=["repetition"], noises=["code_capacity_bitflip"], distances=[3, 5, 7], ps=[p], rounds=1
    )
    stats = qec.collect(experiments, out=tmp_path / "s.csv", workers=2, max_shots=200_000, max_errors=None)
    assert len(stats) == 3
    for s in stats:
        d = s.json_metadata["d"]
        assert s.shots == 200_000
        low, high = interval(s.errors, s.shots)
        exact = majority_vote_failure(d, p)  # 0.028, 0.00856, 0.002728
        assert low <= exact <= high, (d, s.errors / s.shots, exact)


def z_score(a: sinter.TaskStats, b: sinter.TaskStats) -> float:
    """Two-proportion z statistic for rate(a) - rate(b)."""
    pa, pb = a.errors / a.shots, b.errors / b.shots
    pooled = (a.errors + b.errors) / (a.shots + b.shots)
    return (pa - pb) / math.sqrt(pooled * (1 - pooled) * (1 / a.shots + 1 / b.shots))


@pytest.mark.slow
def test_rotated_surface_code_threshold_behaviour(tmp_path):
    # Circuit-level depolarizing noise has a threshold near 0.5-0.7% (e.g. Fowler et al.
    # 2012, PRA 86 032324): at p=0.1% distance helps, at p=1.5% it hurts.
    experiments = qec.sweep(
        codes=["surface_rotated"],
        noises=["circuit"],
        distances=[3, 5],
        ps=[0.001, 0.015],
        rounds_per_distance=1,
    )
    stats = qec.collect(experiments, out=tmp_path / "s.csv", workers=2, max_shots=100_000, max_errors=3000)
    by = {(s.json_metadata["d"], s.json_metadata["p"]): s for s in stats}
    z_crit = scipy.stats.norm.ppf(CONFIDENCE)
    assert z_score(by[3, 0.001], by[5, 0.001]) > z_crit  # below threshold: d=5 better
    assert z_score(by[5, 0.015], by[3, 0.015]) > z_crit  # above threshold: d=5 worse


def test_csv_is_sinter_readable_and_carries_the_metadata(tmp_path):
    out = tmp_path / "stats.csv"
    experiments = qec.sweep(
        codes=["repetition", "surface_unrotated"],
        noises=["si1000"],
        distances=[3],
        ps=[0.002],
        bases=["x", "z"],
        rounds=2,
    )
    qec.collect(experiments, out=out, workers=1, max_shots=500, max_errors=None)
    stats = sinter.read_stats_from_csv_files(out)
    assert len(stats) == 4
    for s in stats:
        assert s.shots == 500
        assert s.decoder == "pymatching"
        assert set(s.json_metadata) >= {"code", "noise", "d", "p", "rounds", "basis"}
    assert sorted((s.json_metadata["code"], s.json_metadata["basis"]) for s in stats) == [
        ("repetition", "x"),
        ("repetition", "z"),
        ("surface_unrotated", "x"),
        ("surface_unrotated", "z"),
    ]


def test_resume_tops_up_instead_of_starting_over(tmp_path):
    out = tmp_path / "stats.csv"
    experiments = qec.sweep(codes=["repetition"], noises=["circuit"], distances=[3], ps=[0.01], rounds=3)
    first = qec.collect(experiments, out=out, max_shots=1000, max_errors=None)
    assert [s.shots for s in first] == [1000]
    again = qec.collect(experiments, out=out, max_shots=1000, max_errors=None)
    assert [(s.shots, s.errors) for s in again] == [(s.shots, s.errors) for s in first]  # nothing new
    more = qec.collect(experiments, out=out, max_shots=3000, max_errors=None)
    assert [s.shots for s in more] == [3000]
    assert more[0].errors >= first[0].errors
    assert len(out.read_text().splitlines()) == 2  # compacted: header + one row per task


def test_each_task_can_have_its_own_shot_total(tmp_path):
    # Adaptive sampling's batches: one call, every task to its own total, existing shots counted.
    out = tmp_path / "stats.csv"
    a, b = qec.sweep(codes=["repetition"], noises=["circuit"], distances=[3, 5], ps=[0.01], rounds=3)
    qec.collect([a], out=out, max_shots=500, max_errors=None)
    stats = qec.collect([a, b], out=out, max_shots=None, max_errors=None,
                        task_max_shots={(a, "pymatching"): 1500, (b, "pymatching"): 700})  # fmt: skip
    assert sorted((s.json_metadata["d"], s.shots) for s in stats) == [(3, 1500), (5, 700)]
    with pytest.raises(ValueError, match="would never stop"):  # a task without a total: unbounded
        qec.collect([a, b], out=out, max_shots=None, max_errors=None, task_max_shots={(a, "pymatching"): 9})


def test_rows_of_other_tasks_in_the_file_are_kept(tmp_path):
    out = tmp_path / "stats.csv"
    other = sinter.TaskStats(
        strong_id="f" * 64, decoder="pymatching", json_metadata={"code": "elsewhere"}, shots=7, errors=1
    )
    qec.write_stats(out, [other])
    experiments = qec.sweep(codes=["repetition"], noises=["circuit"], distances=[3], ps=[0.01], rounds=1)
    qec.collect(experiments, out=out, max_shots=200, max_errors=None)
    shots = {s.strong_id: s.shots for s in qec.read_stats(out)}
    assert shots.pop("f" * 64) == 7
    assert list(shots.values()) == [200]


def test_unterminated_last_line_is_repaired_on_resume(tmp_path):
    out = tmp_path / "stats.csv"
    experiments = qec.sweep(codes=["repetition"], noises=["circuit"], distances=[3], ps=[0.01], rounds=1)
    qec.collect(experiments, out=out, max_shots=300, max_errors=None)
    with open(out, "a") as f:
        f.write("       100,         3,         0,   0.0")  # a write cut short
    with pytest.raises(qec.StatsFileError, match="unterminated"):
        qec.read_stats(out)
    stats = qec.collect(experiments, out=out, max_shots=300, max_errors=None)
    assert [s.shots for s in stats] == [300]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"workers": 0}, "workers=0"),
        ({"max_shots": 0}, "max_shots=0 must be an integer >= 1"),
        ({"max_errors": -5}, "max_errors=-5"),
        ({"max_shots": None, "max_errors": None}, "would never stop"),
        ({"decoder": "magic"}, "decoder='magic' is not a sinter decoder"),
        ({"decoder": ["pymatching", "pymatching"]}, "must name one or more distinct decoders"),
        # M_override2: sinter's vacuous decoder stored as 'pymatching' merged with genuine rows.
        ({"custom_decoders": {"pymatching": sinter.BUILT_IN_DECODERS["vacuous"]}}, "names 'pymatching', a"),
        ({"custom_decoders": {"perfectionist": sinter.BUILT_IN_DECODERS["vacuous"]}}, "a built-in decoder"),
        ({"repeat": 2}, "is given twice; give each experiment once"),  # A6c through the library
    ],
)
def test_bad_collect_arguments_write_nothing(tmp_path, kwargs, message):
    out = tmp_path / "s.csv"
    experiments = qec.sweep(codes=["repetition"], noises=["circuit"], distances=[3], ps=[0.01], rounds=1)
    experiments *= kwargs.pop("repeat", 1)
    with pytest.raises(ValueError, match=message):
        qec.collect(experiments, out=out, **kwargs)
    assert not out.exists()


def test_a_custom_decoder_may_not_shadow_a_built_in_one(tmp_path, monkeypatch, capsys):
    # Catalog M_override2: --custom-decoders returning {'pymatching': vacuous} was sampled and stored
    # as 'pymatching' under the genuine task's strong id, merging with (and corrupting) real rows.
    from qec.cli import main

    (tmp_path / "shadow.py").write_text(
        "import sinter\n"
        "def override():\n    return {'pymatching': sinter.BUILT_IN_DECODERS['vacuous']}\n"
        "def mine():\n    return {'mine': sinter.BUILT_IN_DECODERS['pymatching']}\n"
        "def mine2():\n    return {'mine': sinter.BUILT_IN_DECODERS['vacuous']}\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    out = tmp_path / "s.csv"
    argv = ["sample", "--code", "repetition", "--noise", "circuit", "--distance", "3", "--p", "0.01",
            "--max-shots", "100", "--quiet", "--out", str(out), "--custom-decoders"]  # fmt: skip
    assert main([*argv, "shadow:override", "--decoder", "pymatching"]) == 2
    assert "override() names 'pymatching', a built-in decoder" in capsys.readouterr().err
    with pytest.raises(SystemExit, match="2"):  # a usage error of argparse's (qec.cli._common._Distinct)
        main([*argv, "shadow:mine", "shadow:mine", "--decoder", "mine"])
    assert main([*argv, "shadow:mine", "shadow:mine2", "--decoder", "mine"]) == 2  # one name, two specs
    assert "which an earlier MODULE:FUNCTION names too" in capsys.readouterr().err
    assert not out.exists()


def test_sweep_rounds():
    exps = qec.sweep(
        codes=["repetition"], noises=["circuit"], distances=[3, 5], ps=[0.01], rounds_per_distance=2
    )
    assert [e.rounds for e in exps] == [6, 10]
    with pytest.raises(ValueError, match="exactly one of rounds"):
        qec.sweep(codes=["repetition"], noises=["circuit"], distances=[3], ps=[0.01])


def _one_task(tmp_path, out, **kwargs):
    exps = qec.sweep(codes=["repetition"], noises=["code_capacity_bitflip"], distances=[3], ps=[0.1],
                     rounds=1)  # fmt: skip
    return qec.collect(exps, out=out, max_shots=500, max_errors=None, **kwargs)


def test_a_symlinked_output_is_written_through(tmp_path):
    target = tmp_path / "real.csv"
    link = tmp_path / "link.csv"
    link.symlink_to(target)
    _one_task(tmp_path, link)
    assert link.is_symlink() and link.resolve() == target
    assert sum(s.shots for s in qec.read_stats(target)) == 500


@pytest.mark.parametrize("umask", [0o022, 0o002])
def test_new_files_respect_the_umask(tmp_path, umask):
    old = os.umask(umask)
    try:
        _one_task(tmp_path, tmp_path / "s.csv")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "s.csv").stat().st_mode) == 0o666 & ~umask


def test_a_second_writer_is_refused_and_the_first_loses_nothing(tmp_path):
    from qec._io import exclusive
    from qec.sampling import OutputBusyError

    out = tmp_path / "s.csv"
    _one_task(tmp_path, out)
    with exclusive(out), pytest.raises(OutputBusyError, match="being written by another qec sample"):
        _one_task(tmp_path, out)
    assert sum(s.shots for s in qec.read_stats(out)) == 500  # untouched by the refused writer


@pytest.mark.slow
def test_several_decoders_share_one_file_and_correlated_matching_is_better(tmp_path):
    # Rotated surface code, circuit noise, d = 5, p = 0.004 (issue #12 measured 2.73% per shot
    # for pymatching and 2.08% for pymatching-correlated at 200,000 shots each).
    out = tmp_path / "s.csv"
    exps = qec.sweep(codes=["surface_rotated"], noises=["circuit"], distances=[5], ps=[0.004],
                     rounds_per_distance=1)  # fmt: skip
    stats = qec.collect(exps, out=out, decoder=["pymatching", "pymatching-correlated"], workers=2,
                        max_shots=60_000, max_errors=None)  # fmt: skip
    by = {s.decoder: s for s in stats}
    assert set(by) == {"pymatching", "pymatching-correlated"} and len(qec.read_stats(out)) == 2
    plain = binomial_interval(by["pymatching"].shots, by["pymatching"].errors)
    correlated = binomial_interval(by["pymatching-correlated"].shots, by["pymatching-correlated"].errors)
    assert correlated.high < plain.low  # the 95% intervals do not overlap: correlated matching wins
    # qec fit keeps the decoders apart: one group each, whose per-round intervals do not overlap.
    from qec.cli import main

    assert main(["fit", str(out), "--out", str(tmp_path / "fits.json"), "--bootstrap", "0"]) == 0
    groups = {g.decoder: g for g in qec.fit.read_fits(tmp_path / "fits.json")}
    assert sorted(groups) == ["pymatching", "pymatching-correlated"]
    ((pm,), (pmc,)) = groups["pymatching"].points, groups["pymatching-correlated"].points
    assert (pm.shots, pm.errors) == (by["pymatching"].shots, by["pymatching"].errors)
    assert pmc.round_high < pm.round_low


def test_custom_decoders_from_real_packages_through_the_cli(tmp_path, capsys):
    pytest.importorskip("stimbposd")  # the test extra installs it; a bare install may not have it
    pytest.importorskip("tesseract_decoder")
    from qec.cli import main

    out = tmp_path / "s.csv"
    argv = ["sample", "--code", "surface_rotated", "--noise", "circuit", "--distance", "3", "--p", "0.005",
            "--max-shots", "2000", "--decoder", "bposd", "tesseract", "--custom-decoders",
            "stimbposd:sinter_decoders", "tesseract_decoder:make_tesseract_sinter_decoders_dict", "--quiet",
            "--out", str(out)]  # fmt: skip
    assert main(argv) == 0
    stats = qec.read_stats(out)
    assert sorted(s.decoder for s in stats) == ["bposd", "tesseract"]
    # Both decode this d = 3 circuit far better than chance: per-shot error well below 1/2.
    assert all(s.errors < 0.2 * s.shots for s in stats)
    assert "tesseract" in capsys.readouterr().out


@pytest.mark.slow
def test_a_script_without_the_main_guard_is_told_so_instead_of_hanging(tmp_path):
    # Issue #21: sinter's workers re-import the script (spawn); without the guard each ran collect
    # again and waited for ever on the first one's lock, saying only "being written by another
    # qec sample". Now the script stops at once with the fix; guarded, the same lines sample.
    body = ('exps = qec.sweep(codes=["repetition"], noises=["circuit"], distances=[3], ps=[0.01], rounds=1)\n'
            'qec.collect(exps, out="s.csv", workers=2, max_shots=1000)\n')  # fmt: skip
    (tmp_path / "unguarded.py").write_text("import qec\n" + body)
    guarded = "import qec\n\n\ndef main():\n" + "".join(f"    {line}\n" for line in body.splitlines())
    (tmp_path / "guarded.py").write_text(guarded + '\n\nif __name__ == "__main__":\n    main()\n')
    run = subprocess.run([sys.executable, "unguarded.py"], cwd=tmp_path, capture_output=True, text=True,
                         timeout=120)  # fmt: skip
    assert run.returncode != 0
    assert "qec.collect is called at the top level of" in run.stderr and "unguarded.py:3" in run.stderr
    assert 'if __name__ == "__main__":' in run.stderr
    assert not (tmp_path / "s.csv").exists() and not (tmp_path / ".s.csv.lock").exists()
    run = subprocess.run([sys.executable, "guarded.py"], cwd=tmp_path, capture_output=True, text=True,
                         timeout=120)  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert sum(s.shots for s in sinter.read_stats_from_csv_files(tmp_path / "s.csv")) == 1000
