"""Memory experiments as sinter tasks, and resumable collection into a sinter CSV file."""

from __future__ import annotations

import dataclasses
import itertools
import os
import pathlib
from collections.abc import Iterable, Sequence
from typing import Any

import sinter
import stim

from qec.codes import BASES, Code
from qec.noise import NoiseModel
from qec.stats import is_stats_file, read_stats, write_stats

DEFAULT_DECODER = "pymatching"


@dataclasses.dataclass(frozen=True)
class Experiment:
    """One memory experiment: a code at a distance, under a noise model, for some rounds.

    Attributes:
        code: Code family name (see ``qec.CODE_NAMES``).
        distance: Code distance.
        rounds: Number of stabilizer measurement rounds, ≥ 1.
        basis: ``"x"`` or ``"z"``: which logical observable is protected.
        noise: The noise model, with its physical error rate.

    Example:
        >>> e = qec.Experiment("surface_rotated", distance=3, rounds=3, basis="z",
        ...                    noise=qec.NoiseModel("circuit", 0.001))
        >>> e.metadata
        {'code': 'surface_rotated', 'noise': 'circuit', 'd': 3, 'p': 0.001, 'rounds': 3, 'basis': 'z'}
        >>> e.circuit().num_detectors
        24
    """

    code: str
    distance: int
    rounds: int
    basis: str
    noise: NoiseModel

    def __post_init__(self) -> None:
        Code(self.code, self.distance)  # validates code and distance
        if isinstance(self.rounds, bool) or not isinstance(self.rounds, int) or self.rounds < 1:
            raise ValueError(f"rounds={self.rounds!r} is not allowed: need an integer >= 1")
        if self.basis not in BASES:
            raise ValueError(f"basis={self.basis!r} is not allowed; allowed: {BASES}")
        if not isinstance(self.noise, NoiseModel):
            raise ValueError(f"noise={self.noise!r} must be a qec.NoiseModel")

    @property
    def metadata(self) -> dict[str, Any]:
        """The ``json_metadata`` written with every CSV row of this experiment."""
        return {
            "code": self.code,
            "noise": self.noise.name,
            "d": self.distance,
            "p": self.noise.p,
            "rounds": self.rounds,
            "basis": self.basis,
        }

    def circuit(self) -> stim.Circuit:
        """The noisy Stim circuit."""
        noiseless = Code(self.code, self.distance).memory_circuit(rounds=self.rounds, basis=self.basis)
        return self.noise.apply(noiseless)

    def task(self, *, decoder: str = DEFAULT_DECODER) -> sinter.Task:
        """A ``sinter.Task`` for this experiment, decoded by ``decoder``."""
        return sinter.Task(circuit=self.circuit(), decoder=decoder, json_metadata=self.metadata)


def sweep(
    *,
    codes: Sequence[str],
    noises: Sequence[str],
    distances: Sequence[int],
    ps: Sequence[float],
    bases: Sequence[str] = ("z",),
    rounds: int | None = None,
    rounds_per_distance: int | None = None,
) -> list[Experiment]:
    """The product of the argument lists, as experiments.

    Give exactly one of ``rounds`` (fixed) and ``rounds_per_distance`` (rounds = K·d).

    Example:
        >>> len(qec.sweep(codes=["repetition"], noises=["circuit"], distances=[3, 5],
        ...               ps=[0.01, 0.02], bases=["x", "z"], rounds_per_distance=1))
        8
    """
    if (rounds is None) == (rounds_per_distance is None):
        raise ValueError("give exactly one of rounds and rounds_per_distance")
    if rounds_per_distance is not None and (
        isinstance(rounds_per_distance, bool)
        or not isinstance(rounds_per_distance, int)
        or rounds_per_distance < 1
    ):
        raise ValueError(f"rounds_per_distance={rounds_per_distance!r} must be an integer >= 1")
    out = []
    for code, noise, d, p, basis in itertools.product(codes, noises, distances, ps, bases):
        r = rounds if rounds is not None else rounds_per_distance * d  # type: ignore[operator]
        out.append(Experiment(code, distance=d, rounds=r, basis=basis, noise=NoiseModel(noise, p)))
    return out


def check_decoder(decoder: str) -> None:
    """Raise ``ValueError`` unless sinter knows ``decoder`` and its package imports.

    Example:
        >>> check_decoder("pymatching")
        >>> check_decoder("magic")
        Traceback (most recent call last):
        ...
        ValueError: decoder='magic' is not a sinter decoder; allowed: [...]
    """
    if decoder not in sinter.BUILT_IN_DECODERS:
        raise ValueError(
            f"decoder={decoder!r} is not a sinter decoder; allowed: {sorted(sinter.BUILT_IN_DECODERS)}"
        )
    # Compiling for a one-detector model imports the decoder's package now rather than
    # in a worker process after sampling has started.
    dem = stim.DetectorErrorModel("error(0.1) D0 L0")
    try:
        sinter.BUILT_IN_DECODERS[decoder].compile_decoder_for_dem(dem=dem)
    except ImportError as e:
        raise ValueError(f"decoder={decoder!r} is not installed here: {e}") from None
    except Exception:  # some decoders refuse a toy model; that is not what we check
        pass


def check_output(out: str | os.PathLike[str]) -> pathlib.Path:
    """Check that ``out`` can be written: its folder exists and, if the file exists, it is
    a sinter CSV we may add to. Returns it as a path."""
    path = pathlib.Path(out)
    if not path.parent.is_dir():
        raise ValueError(f"out={str(out)!r}: folder {str(path.parent)!r} does not exist")
    if path.is_dir():
        raise ValueError(f"out={str(out)!r} is a folder, not a file")
    if path.exists() and path.stat().st_size > 0 and not is_stats_file(path):
        raise ValueError(f"out={str(out)!r} exists and is not a sinter CSV file; refusing to overwrite it")
    return path


def collect(
    experiments: Iterable[Experiment],
    *,
    out: str | os.PathLike[str],
    decoder: str = DEFAULT_DECODER,
    workers: int = 1,
    max_shots: int | None = 1_000_000,
    max_errors: int | None = 1000,
    print_progress: bool = False,
) -> list[sinter.TaskStats]:
    """Sample and decode ``experiments`` with sinter, keeping results in the CSV ``out``.

    Resumable: counts already in ``out`` (from an earlier or interrupted run) count toward
    ``max_shots`` and ``max_errors``, so rerunning the same call only tops up what is
    missing. Every finished batch is appended to ``out`` as soon as sinter reports it,
    each in a single write, so an interrupted run keeps all of them; at the end the file
    is rewritten atomically with one row per task.

    Args:
        experiments: What to sample.
        out: sinter CSV file to create or extend. Rows of other tasks in it are kept.
        decoder: A sinter decoder name (``pymatching`` by default).
        workers: Worker processes.
        max_shots: Stop a task once it has this many shots in total (None: no limit).
        max_errors: Stop a task once it has this many errors in total (None: no limit).
        print_progress: Print sinter's progress report to stderr.

    Returns:
        The merged statistics of the requested experiments (including earlier runs).

    Example:
        >>> import pathlib, tempfile
        >>> out = pathlib.Path(tempfile.mkdtemp()) / "stats.csv"
        >>> exps = qec.sweep(codes=["repetition"], noises=["code_capacity_bitflip"],
        ...                  distances=[3], ps=[0.1], rounds=1)
        >>> [s.shots for s in qec.collect(exps, out=out, max_shots=2000, max_errors=None)]
        [2000]
    """
    experiments = list(experiments)
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise ValueError(f"workers={workers!r} must be an integer >= 1")
    for name, value in (("max_shots", max_shots), ("max_errors", max_errors)):
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value <= 0):
            raise ValueError(f"{name}={value!r} must be a positive integer (or None for no limit)")
    if max_shots is None and max_errors is None:
        raise ValueError("max_shots and max_errors are both None: sampling would never stop")
    check_decoder(decoder)
    path = check_output(out)
    tasks = [e.task(decoder=decoder) for e in experiments]

    if path.exists() and path.stat().st_size > 0:
        # Drop an unterminated last line (a write cut off by a crash) before sinter reads it.
        write_stats(path, read_stats(path, repair=True))
    else:
        write_stats(path, [])

    fd = os.open(path, os.O_WRONLY | os.O_APPEND)
    try:

        def append(progress: sinter.Progress) -> None:
            if progress.new_stats:
                # One write() per batch: a killed process leaves whole lines only.
                os.write(fd, "".join(s.to_csv_line() + "\n" for s in progress.new_stats).encode())

        sinter.collect(
            num_workers=workers,
            tasks=tasks,
            existing_data_filepaths=[path],
            max_shots=max_shots,
            max_errors=max_errors,
            progress_callback=append,
            print_progress=print_progress,
        )
    finally:
        os.close(fd)
    every = read_stats(path)
    write_stats(path, every)
    # Match on what identifies a task to the user; strong ids would need every task's
    # detector error model in this process, which sinter computes in its workers.
    wanted = [e.metadata for e in experiments]
    return [s for s in every if s.decoder == decoder and s.json_metadata in wanted]
