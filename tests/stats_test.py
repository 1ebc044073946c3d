"""Tests of qec.stats: strict sinter CSV reading with file:line errors, merging, atomic writes."""

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
    qec.write_stats(tmp_path / "a.csv", [ROW])
    qec.write_stats(tmp_path / "b.csv", [ROW])
    (merged,) = qec.read_stats(tmp_path / "a.csv", tmp_path / "b.csv")
    assert merged.shots == 200


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

    monkeypatch.setattr("qec.stats.os.replace", disk_full)
    with pytest.raises(OSError, match="No space left"):
        qec.write_stats(path, [ROW, ROW])
    assert path.read_text() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.csv"]
