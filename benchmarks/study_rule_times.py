"""Job time by rule of a Snakemake run, from its log (the table docs/reference/performance.md gives).

Snakemake logs a job's start (``[date]`` then ``rule NAME:`` and ``jobid: N``) and its end
(``[date]`` then ``Finished jobid: N (Rule: NAME)``). This sums, per rule, the time from start to
end of each job: wall time of the job while other jobs ran beside it, so on a shared machine each
job's time is inflated by the others (two jobs at once on two cores that deliver one CPU take about
twice as long each). The run's own wall time is the first start to the last end.

Usage:
    python benchmarks/study_rule_times.py .snakemake/log/<run>.snakemake.log
"""

from __future__ import annotations

import argparse
import collections
import datetime
import pathlib
import re

_DATE = re.compile(r"^\[(\w{3} \w{3} +\d+ \d\d:\d\d:\d\d \d{4})\]$")
_START = re.compile(r"^(?:local)?(?:checkpoint|rule) (\w+):$")
_JOBID = re.compile(r"^\s+jobid: (\d+)$")
_END = re.compile(r"^Finished jobid: (\d+) \(Rule: (\w+)\)$")


def rule_times(text: str) -> tuple[dict[str, list[float]], float]:
    """Per rule, the seconds each of its jobs took; and the run's wall seconds.

    Example:
        >>> log = '''[Wed Dec  2 14:32:53 2026]
        ... localrule fit:
        ...     jobid: 3
        ... [Wed Dec  2 14:33:01 2026]
        ... Finished jobid: 3 (Rule: fit)'''
        >>> rule_times(log)
        ({'fit': [8.0]}, 8.0)
    """
    now: datetime.datetime | None = None
    rule: str | None = None
    started: dict[str, datetime.datetime] = {}
    times: dict[str, list[float]] = collections.defaultdict(list)
    first = last = None
    for line in text.splitlines():
        if m := _DATE.match(line):
            now = datetime.datetime.strptime(" ".join(m.group(1).split()), "%a %b %d %H:%M:%S %Y")
            first = first or now
            last = now
        elif m := _START.match(line):
            rule = m.group(1)
        elif (m := _JOBID.match(line)) and rule is not None and now is not None:
            started[m.group(1)] = now
            rule = None
        elif (m := _END.match(line)) and now is not None and m.group(1) in started:
            times[m.group(2)].append((now - started.pop(m.group(1))).total_seconds())
    wall = (last - first).total_seconds() if first and last else 0.0
    return dict(times), wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("log", type=pathlib.Path, help="a .snakemake/log/*.snakemake.log file")
    args = parser.parse_args()
    times, wall = rule_times(args.log.read_text())
    print(f"{'rule':<16} {'jobs':>5} {'job time':>10} {'longest job':>12}")
    for rule, seconds in sorted(times.items(), key=lambda kv: -sum(kv[1])):
        print(f"{rule:<16} {len(seconds):>5} {sum(seconds):>9,.0f}s {max(seconds):>11,.0f}s")
    print(f"run wall time, first start to last end: {wall / 60:.1f} min")


if __name__ == "__main__":
    main()
