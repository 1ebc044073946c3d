"""Tests of qec.stats: strict sinter CSV reading with file:line errors, merging, atomic writes."""

import dataclasses
import re

import pytest
import sinter

import qec

ROW = sinter.TaskStats(
    strong_id="ab" * 32,
    decoder="pymatching",
    json_metadata={"code": "repetition", "d": 3},
    shots=100,
    errors=7,
    seconds=0.5,
)


def test_round_trip_through_sinter(tmp_path):
    path = tmp_path / "s.csv"
    qec.write_stats(path, [ROW, ROW])
    assert sinter.read_stats_from_csv_files(path) == qec.read_stats(path)
    (merged,) = qec.read_stats(path)
    assert (merged.shots, merged.errors, merged.seconds) == (200, 14, 1.0)


def test_merges_across_files(tmp_path):
    # Two runs of one task in two files (what `qec combine` is for) add up; a second run never
    # has the same totals to the millisecond (else it is the same data: see below).
    qec.write_stats(tmp_path / "a.csv", [ROW])
    qec.write_stats(tmp_path / "b.csv", [dataclasses.replace(ROW, seconds=0.7)])
    (merged,) = qec.read_stats(tmp_path / "a.csv", tmp_path / "b.csv")
    assert (merged.shots, merged.errors) == (200, 14)


OTHER = dataclasses.replace(ROW, strong_id="cd" * 32, json_metadata={"code": "repetition", "d": 5}, seconds=2)


def test_the_same_file_twice_is_read_once(tmp_path, capsys):
    # Catalog A6a/A6b (`fit a a`, `combine a a`), A3c (`combine a a --out a`) and DUP (the study
    # that handed combine the same shard path several times): the same file, a link to it or a
    # byte-identical copy is read once, with a note.
    a = tmp_path / "a.csv"
    qec.write_stats(a, [ROW, OTHER])
    (tmp_path / "link.csv").symlink_to(a)
    (tmp_path / "copy.csv").write_bytes(a.read_bytes())
    stats = qec.read_stats(a, a, tmp_path / "link.csv", tmp_path / "copy.csv", tmp_path / "." / "a.csv")
    assert [(s.shots, s.errors) for s in stats] == [(100, 7), (100, 7)]
    err = capsys.readouterr().err
    assert err.count("reading it once") == 4 and "copy.csv is identical to" in err


def test_a_combined_file_next_to_its_shards_is_refused(tmp_path):
    # Catalog A6f: `qec fit stats.csv shards/*.csv` counted every shot twice; a task whose totals
    # in two files are the same is the same data given twice, refused naming both files.
    # A shard with two runs appended (5.55 s + 5.56 s; the combined row says 11.1 s)...
    rows = [dataclasses.replace(ROW, seconds=t).to_csv_line() for t in (5.55, 5.56)]
    (tmp_path / "shard.csv").write_text("\n".join([sinter.CSV_HEADER, *rows, ""]))
    qec.write_stats(tmp_path / "other.csv", [OTHER])
    qec.write_stats(tmp_path / "stats.csv", qec.read_stats(tmp_path / "shard.csv", tmp_path / "other.csv"))
    for order in ((0, 1), (1, 0)):
        paths = [tmp_path / "stats.csv", tmp_path / "shard.csv"]
        with pytest.raises(qec.StatsFileError, match="the same data given twice") as info:
            qec.read_stats(*(paths[i] for i in order))
        assert all(f"{p}:2" in str(info.value) for p in paths)
    # ...and a different run of the same task still adds up.
    qec.write_stats(tmp_path / "rerun.csv", [dataclasses.replace(ROW, errors=9, seconds=0.6)])
    (merged, _) = qec.read_stats(tmp_path / "stats.csv", tmp_path / "rerun.csv")
    assert (merged.shots, merged.errors) == (300, 23)


GOOD_LINE = ROW.to_csv_line()
BAD_FILES = [
    ("", "not a sinter CSV file"),
    ("a,b,c\n1,2,3\n", ":1: not a sinter CSV file"),
    (
        sinter.CSV_HEADER + "\n" + GOOD_LINE.replace("       100", "       abc", 1) + "\n",
        ":2: shots='abc' is not an integer",
    ),
    (
        sinter.CSV_HEADER + "\n" + GOOD_LINE + "\n" + GOOD_LINE.replace("       100", "         5", 1) + "\n",
        ":3: shots=5 < errors + discards = 7",
    ),
    (sinter.CSV_HEADER + "\n" + GOOD_LINE.replace('"{', '"{{', 1) + "\n", ":2: json_metadata is not JSON"),
    (
        sinter.CSV_HEADER
        + "\n"
        + GOOD_LINE.replace(",pymatching,", ",fusion_blossom,")
        + "\n"
        + GOOD_LINE
        + "\n",
        "appears with different decoder or metadata",
    ),
    (sinter.CSV_HEADER + "\n" + "1,2\n", ":2: expected 8 columns"),
    (sinter.CSV_HEADER + "\n" + GOOD_LINE, "last line is unterminated"),
]


@pytest.mark.parametrize(("text", "message"), BAD_FILES)
def test_bad_files_name_the_file_and_line(tmp_path, text, message):
    path = tmp_path / "bad.csv"
    path.write_text(text)
    with pytest.raises(qec.StatsFileError, match=re.escape(message)) as info:
        qec.read_stats(path)
    assert str(path) in str(info.value)


def test_missing_file(tmp_path):
    with pytest.raises(qec.StatsFileError, match="no such file"):
        qec.read_stats(tmp_path / "missing.csv")


def test_atomic_write_leaves_old_file_on_failure(tmp_path, monkeypatch):
    path = tmp_path / "s.csv"
    qec.write_stats(path, [ROW])
    before = path.read_text()

    def disk_full(*args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("qec._io.os.replace", disk_full)
    with pytest.raises(OSError, match="No space left"):
        qec.write_stats(path, [ROW, ROW])
    assert path.read_text() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.csv"]


def test_one_interval_function_is_the_95_percent_likelihood_ratio_interval():
    import math

    import scipy.stats

    from qec.stats import LR_FACTOR_95, binomial_interval

    assert pytest.approx(math.exp(scipy.stats.chi2.ppf(0.95, 1) / 2), rel=1e-12) == LR_FACTOR_95
    # Wilks: the interval is where 2·(log L(best) − log L(rate)) ≤ χ²₁(0.95) = 3.841.
    rate = binomial_interval(10_000, 100)
    loglik = lambda q: 100 * math.log(q) + 9_900 * math.log(1 - q)  # noqa: E731
    for end in (rate.low, rate.high):
        assert 2 * (loglik(rate.best) - loglik(end)) == pytest.approx(3.841458820694124, rel=1e-3)
    assert (round(rate.low, 4), round(rate.high, 4)) == (0.0082, 0.0121)


def test_the_sample_table_prints_that_interval(tmp_path, capsys):
    from qec.cli._sample import _table

    meta = {"code": "c", "noise": "n", "d": 3, "p": 0.01, "rounds": 3, "basis": "z"}
    stat = sinter.TaskStats(strong_id="0" * 64, decoder="pymatching", shots=10_000, errors=100,
                            json_metadata=meta)  # fmt: skip
    # Not sinter's factor 1000 (±3.7σ: [6.7e-03, 1.42e-02]), the 95% interval the fits use.
    assert "[8.17e-03, 1.21e-02]" in _table([stat]) and "95% CI" in _table([stat])


def test_an_interval_keeps_its_ends_on_either_side_of_the_best_value():
    from qec.stats import Interval

    assert repr(Interval(0.5, low=0.25, high=None)) == "Interval(0.5, low=0.25, high=None)"
    with pytest.raises(ValueError, match="needs low <= best <= high"):
        Interval(0.5, low=0.6, high=0.7)
    with pytest.raises(ValueError, match="needs low <= best <= high"):
        Interval(0.5, low=0.1, high=0.4)
    with pytest.raises(dataclasses.FrozenInstanceError):
        Interval(0.5, low=0.1, high=0.7).best = 0.2  # type: ignore[misc]


def test_a_record_writes_an_interval_as_its_flat_keys_and_reads_them_back_checked():
    # Records hold one Interval per value; their files keep the flat keys scripts read
    # (eps_star, eps_star_low, eps_star_high), in the place the three fields had.
    from qec._check import record_fields
    from qec.interval import Interval, flat_attributes, flat_dict, json_keys

    @flat_attributes
    @dataclasses.dataclass(frozen=True)
    class Row:
        p: float
        change: Interval
        d_star_interval: Interval[int] | None = dataclasses.field(
            default=None, metadata=json_keys("d_star", "d_star_low", "d_star_high")
        )
        note: str = ""

    row = Row(0.01, Interval(-0.02, low=-0.03, high=-0.01), Interval(7, low=5, high=None))
    flat = flat_dict(row)
    assert list(flat) == ["p", "change", "change_low", "change_high", "d_star", "d_star_low", "d_star_high",
                          "note"]  # fmt: skip
    assert Row(**record_fields(Row, flat, what="row")) == row
    assert (row.change_low, row.d_star, row.d_star_high) == (-0.03, 7, None)  # the old names still read
    assert flat_dict(Row(0.01, row.change))["d_star_low"] is None
    # Where a field says its ends may be open, a null end reads as one; its best value is still required.
    @dataclasses.dataclass(frozen=True)
    class Open:
        value: Interval = dataclasses.field(metadata=json_keys("v", "v_low", "v_high", open_ends=True))

    assert record_fields(Open, {"v": 1.0, "v_low": None, "v_high": 2.0}, what="o") == {
        "value": Interval(1.0, low=None, high=2.0)
    }
    with pytest.raises(ValueError, match="o v=None must be a number"):
        record_fields(Open, {"v": None, "v_low": None, "v_high": None}, what="o")
    for change, message in (
        ({"change_low": None}, "row change_low=None must be a number"),
        ({"d_star": 7.5}, "row d_star=7.5 must be an integer or null"),
        ({"change_high": -0.05}, r"change=-0.02 with \[change_low, change_high\] = \[-0.03, -0.05\] needs"),
        ({"d_star": None}, "row d_star=None has an interval"),
    ):
        with pytest.raises(ValueError, match=message):
            record_fields(Row, {**flat, **change}, what="row")
    with pytest.raises(ValueError, match="row lacks change_high"):
        record_fields(Row, {k: v for k, v in flat.items() if k != "change_high"}, what="row")
