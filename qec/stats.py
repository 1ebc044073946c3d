"""sinter CSV files: strict reading with file:line errors, merging, atomic writing (``qec._io``)."""

from __future__ import annotations

import collections
import csv
import hashlib
import io
import json
import math
import os
import pathlib
import sys
from collections.abc import Iterable

import sinter

from qec._check import parse_int
from qec._io import atomic_write_text
from qec.interval import Interval  # the project's one interval type, read here as qec.stats.Interval too

REQUIRED_COLUMNS = ("shots", "errors", "discards", "seconds", "decoder", "strong_id", "json_metadata")
# Likelihood-ratio factor of a 95% binomial interval: exp(χ²₁(0.95) / 2) (Wilks), with
# χ²₁(0.95) = 3.841458820694124 written out so that this module needs no scipy.
LR_FACTOR_95 = math.exp(3.841458820694124 / 2)


def binomial_interval(shots: int, errors: int) -> Interval:
    """Rate and 95% likelihood-ratio interval of ``errors`` in ``shots``: every table, file and
    plot of the project uses this one.

    Example:
        >>> binomial_interval(10_000, 100)
        Interval(0.01, low=0.008173, high=0.01208)
    """
    fit = sinter.fit_binomial(num_shots=shots, num_hits=errors, max_likelihood_factor=LR_FACTOR_95)
    best, low, high = (min(max(v, 0.0), 1.0) for v in (fit.best, fit.low, fit.high))
    return Interval(best, low=low, high=high)


# The largest count a row may hold: 2⁶³ − 1, numpy's and sinter's int64 (at 10⁹ shots a second,
# three centuries of sampling).
MAX_COUNT = 2**63 - 1


class StatsFileError(ValueError):
    """A file that is not valid sinter CSV; the message names the file and line."""


def read_stats(*paths: str | os.PathLike[str], repair: bool = False) -> list[sinter.TaskStats]:
    """Read sinter CSV files, merging rows that share a task (same ``strong_id``).

    Unlike ``sinter.read_stats_from_csv_files`` every problem is reported with the file
    and line it is on.

    Args:
        *paths: sinter CSV files (header ``sinter.CSV_HEADER``).
        repair: Ignore an unterminated last line (what a power cut mid-write leaves)
            instead of refusing the file. A warning is printed to stderr.

    Returns:
        One ``sinter.TaskStats`` per task, in order of first appearance.

    Example:
        >>> import pathlib, tempfile
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "stats.csv"
        >>> row = sinter.TaskStats(strong_id="a1", decoder="pymatching",
        ...                        json_metadata={"d": 3}, shots=100, errors=7)
        >>> write_stats(path, [row, row])
        >>> [(s.shots, s.errors) for s in read_stats(path)]
        [(200, 14)]
    """
    return read_stats_with_origin(*paths, repair=repair)[0]


def read_stats_with_origin(
    *paths: str | os.PathLike[str], repair: bool = False
) -> tuple[list[sinter.TaskStats], dict[str, str]]:
    """``read_stats``, plus where each task was first seen: ``strong_id`` → ``"file:line"``.

    The same data given twice is never counted twice; this is the one place that guards it
    for every reader of sinter CSV (``qec fit``, ``qec combine``, ``read_stats``):

    - a file given twice (the same path, a link to it, or a byte-identical copy) is read once,
      with a note on stderr;
    - a task (``strong_id``, decoder, metadata) whose totals (shots, errors, discards, seconds
      as sinter writes them, custom counts) in one file equal its totals in another is the same
      data given twice, e.g. a combined ``stats.csv`` next to its own shards: refused
      (``StatsFileError`` naming both files). Different runs of a task in different files (what
      ``qec combine`` is for) differ at least in their seconds, and add up.

    Example:
        >>> import pathlib, tempfile
        >>> folder = pathlib.Path(tempfile.mkdtemp())
        >>> row = sinter.TaskStats(strong_id="a1", decoder="pymatching",
        ...                        json_metadata={"d": 3}, shots=100, errors=7, seconds=1.5)
        >>> other = sinter.TaskStats(strong_id="b2", decoder="pymatching",
        ...                          json_metadata={"d": 5}, shots=100, errors=1, seconds=2.5)
        >>> write_stats(folder / "shard.csv", [row])
        >>> write_stats(folder / "combined.csv", [row, other])
        >>> read_stats_with_origin(folder / "shard.csv", folder / "combined.csv")
        Traceback (most recent call last):
        ...
        qec.stats.StatsFileError: .../combined.csv:2: task a1… ('pymatching', {"d": 3}) has the same ...
    """
    merged: dict[str, sinter.TaskStats] = {}
    origin: dict[str, str] = {}
    files: dict[tuple, pathlib.Path] = {}  # identity (inode, content) → the file first read as it
    totals: dict[str, list[tuple[str, tuple]]] = {}  # strong_id → (file:line, totals) per file
    for path in map(pathlib.Path, paths):
        text = _read_text(path, repair=repair)
        identity = _identities(path, text)
        match = next((key for key in identity if key in files), None)
        if match is not None:
            same = "the same file as" if match[0] == "inode" else "identical to"
            print(f"qec: {path} is {same} {files[match]}; reading it once", file=sys.stderr)
            continue
        files.update(dict.fromkeys(identity, path))
        here: dict[str, sinter.TaskStats] = {}
        first_line: dict[str, str] = {}
        for where, stat in _parse_text(path, text):
            if stat.strong_id in here:
                here[stat.strong_id] = _add(here[stat.strong_id], stat, where)
            else:
                here[stat.strong_id], first_line[stat.strong_id] = stat, where
        for strong_id, stat in here.items():
            where, key = first_line[strong_id], _totals(stat)
            for seen_at, seen_key in totals.get(strong_id, ()):
                if key == seen_key:
                    raise StatsFileError(
                        f"{where}: task {strong_id[:12]}… ({stat.decoder!r}, "
                        f"{json.dumps(stat.json_metadata)}) has the same totals ({_describe(key)}) as "
                        f"{seen_at}: the same data given twice (a combined file next to its own "
                        "shards?); give each once"
                    )
            totals.setdefault(strong_id, []).append((where, key))
            if strong_id in merged:
                merged[strong_id] = _add(merged[strong_id], stat, where)
            else:
                merged[strong_id], origin[strong_id] = stat, where
    return list(merged.values()), origin


def _identities(path: pathlib.Path, text: str) -> list[tuple]:
    """What makes two names the same data: the file itself (device and inode, which symlinks
    and hard links share) and its content."""
    st = path.stat()
    return [("inode", st.st_dev, st.st_ino), ("content", hashlib.sha256(text.encode()).hexdigest())]


def _totals(stat: sinter.TaskStats) -> tuple:
    """A task's totals as a file holds them: seconds rounded as sinter writes them, so that a
    combined file's one row equals the rows of the shard it was made from."""
    seconds = stat.seconds
    text = f"{seconds:.3f}" if seconds < 1 else f"{seconds:.2f}" if seconds < 10 else f"{seconds:.1f}"
    return stat.shots, stat.errors, stat.discards, text, tuple(sorted(stat.custom_counts.items()))


def _describe(key: tuple) -> str:
    shots, errors, discards, seconds, _ = key
    return f"shots={shots}, errors={errors}, discards={discards}, seconds={seconds}"


def check_stats_file(path: str | os.PathLike[str]) -> None:
    """Raise unless every complete row of the sinter CSV ``path`` reads as ``read_stats`` reads
    it (each row's fields; rows of one task agreeing on decoder and metadata). An unterminated
    last line is not refused: the writer that appends to the file repairs it.

    Raises:
        StatsFileError: naming the file and line (catalog B4, Z1: an existing ``qec sample
            --out`` with a corrupt row was a traceback once sampling had been set up).
    """
    path = pathlib.Path(path)
    try:
        text = path.read_text()
    except (OSError, UnicodeDecodeError) as e:
        raise StatsFileError(f"{path}: cannot read: {e}") from None
    text = text[: text.rfind("\n") + 1]  # whole lines
    here: dict[str, sinter.TaskStats] = {}
    for where, stat in _parse_text(path, text):
        here[stat.strong_id] = _add(here[stat.strong_id], stat, where) if stat.strong_id in here else stat


def is_stats_file(path: str | os.PathLike[str]) -> bool:
    """True if ``path`` starts with a sinter CSV header (an empty file counts as not)."""
    try:
        with open(path, newline="") as f:
            first = f.readline()
    except (OSError, UnicodeDecodeError):
        return False
    return _header_ok(first)


def merge_stats(stats: Iterable[sinter.TaskStats]) -> list[sinter.TaskStats]:
    """Sum the rows of each task (same ``strong_id``), keeping first-appearance order.

    Example:
        >>> row = sinter.TaskStats(strong_id="a1", decoder="pymatching",
        ...                        json_metadata={"d": 3}, shots=10, errors=1)
        >>> merge_stats([row, row, row])[0].shots
        30
    """
    merged: dict[str, sinter.TaskStats] = {}
    for stat in stats:
        merged[stat.strong_id] = merged[stat.strong_id] + stat if stat.strong_id in merged else stat
    return list(merged.values())


def write_stats(path: str | os.PathLike[str], stats: Iterable[sinter.TaskStats]) -> None:
    """Write ``stats`` (merged per task) as sinter CSV, atomically: temp file, then rename."""
    text = sinter.CSV_HEADER + "\n" + "".join(s.to_csv_line() + "\n" for s in merge_stats(stats))
    atomic_write_text(path, text)


def _header_ok(line: str) -> bool:
    columns = [c.strip() for c in next(csv.reader([line]), [])]
    return set(REQUIRED_COLUMNS) <= set(columns)


def _read_text(path: pathlib.Path, *, repair: bool) -> str:
    try:
        text = path.read_text()
    except FileNotFoundError:
        raise StatsFileError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as e:
        raise StatsFileError(f"{path}: cannot read: {e}") from None
    if text and not text.endswith("\n"):
        if not repair:
            raise StatsFileError(f"{path}: last line is unterminated (an interrupted write?)")
        print(f"qec: {path}: ignoring an unterminated last line", file=sys.stderr)
        text = text[: text.rfind("\n") + 1]
    return text


def _parse_text(path: pathlib.Path, text: str) -> list[tuple[str, sinter.TaskStats]]:
    lines = text.splitlines(keepends=True)
    if not lines or not _header_ok(lines[0]):
        raise StatsFileError(
            f"{path}:1: not a sinter CSV file: the header must have the columns {', '.join(REQUIRED_COLUMNS)}"
        )
    reader = csv.DictReader(io.StringIO(text))
    reader.fieldnames = [c.strip() for c in reader.fieldnames or []]
    out = []
    for row in reader:
        line = reader.line_num
        if None in row or any(row.get(c) is None for c in REQUIRED_COLUMNS):
            raise StatsFileError(f"{path}:{line}: expected {len(reader.fieldnames)} columns")
        out.append((f"{path}:{line}", _parse_row(row, where=f"{path}:{line}")))
    return out


def _parse_row(row: dict[str, str], *, where: str) -> sinter.TaskStats:
    counts: dict[str, int] = {}
    for column in ("shots", "errors", "discards"):
        try:
            counts[column] = parse_int(row[column])
        except ValueError:
            raise StatsFileError(f"{where}: {column}={row[column].strip()!r} is not an integer") from None
        if not 0 <= counts[column] <= MAX_COUNT:  # catalog B11: 10²⁶ shots were summed and written
            raise StatsFileError(f"{where}: {column}={counts[column]} must be in [0, {MAX_COUNT}] (2⁶³ − 1, "
                                 "more than any machine samples)")  # fmt: skip
    if counts["shots"] < counts["errors"] + counts["discards"]:
        raise StatsFileError(
            f"{where}: shots={counts['shots']} < errors + discards = {counts['errors'] + counts['discards']}"
        )
    try:
        seconds = float(row["seconds"])
    except ValueError:
        raise StatsFileError(f"{where}: seconds={row['seconds'].strip()!r} is not a number") from None
    if not math.isfinite(seconds):  # catalog B6: sinter's own assertion, a traceback
        raise StatsFileError(f"{where}: seconds={row['seconds'].strip()!r} must be a finite number")
    try:
        metadata = json.loads(row["json_metadata"])
    except json.JSONDecodeError as e:
        raise StatsFileError(f"{where}: json_metadata is not JSON: {e}") from None
    custom: collections.Counter[str] = collections.Counter()
    text = (row.get("custom_counts") or "").strip()
    if text:
        try:
            parsed = json.loads(text)
        except json.JSONDecodeError as e:
            raise StatsFileError(f"{where}: custom_counts is not JSON: {e}") from None
        if not isinstance(parsed, dict) or not all(isinstance(v, int) for v in parsed.values()):
            raise StatsFileError(f"{where}: custom_counts must map names to integers")
        custom.update(parsed)
    strong_id = row["strong_id"].strip()
    if not strong_id:
        raise StatsFileError(f"{where}: strong_id is empty")
    return sinter.TaskStats(
        strong_id=strong_id,
        decoder=row["decoder"].strip(),
        json_metadata=metadata,
        shots=counts["shots"],
        errors=counts["errors"],
        discards=counts["discards"],
        seconds=max(seconds, 0.0),
        custom_counts=custom,
    )


def _add(a: sinter.TaskStats, b: sinter.TaskStats, where: str) -> sinter.TaskStats:
    if a.decoder != b.decoder or a.json_metadata != b.json_metadata:
        raise StatsFileError(
            f"{where}: task {a.strong_id[:12]}… appears with different decoder or metadata "
            f"({a.decoder!r} {a.json_metadata} vs {b.decoder!r} {b.json_metadata})"
        )
    return a + b
