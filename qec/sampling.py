"""Memory experiments as sinter tasks, and resumable collection into a sinter CSV file."""

from __future__ import annotations

import dataclasses
import itertools
import os
import pathlib
import sys
import time
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import sinter
import stim

from qec._check import check_int
from qec._io import InputFileError, append_whole, check_room, exclusive, output_path
from qec._io import OutputBusyError as OutputBusyError  # raised by collect; its home is qec._io
from qec._workers import check_not_starting_a_worker, sigterm_as_interrupt, workers_die_with_parent
from qec.codes import BASES, EXPERIMENTS, Code
from qec.decoders import DEFAULT_DECODER, check_custom_names, check_decoder
from qec.device import DeviceNoise
from qec.noise import CIRCUIT_LEVEL, NoiseModel
from qec.stats import check_stats_file, is_stats_file, read_stats, write_stats

# tqec's CNOT is four blocks in time (preparation, merge, split, readout), each d measurement
# layers: 4d rounds (counted on its circuits at d = 3, 5; a test keeps it so).
CNOT_ROUNDS_PER_DISTANCE = 4
# Qubits × rounds of one experiment: 10⁷ is a detector error model of a few GB (d = 101 rotated
# surface code over 101 rounds is 2·10⁶); beyond it Stim runs out of memory or runs for days.
MAX_QUBIT_ROUNDS = 10**7
# Sinter worker processes per CPU: more only adds processes that wait for a core.
MAX_WORKERS_PER_CPU = 4


@dataclasses.dataclass(frozen=True)
class Experiment:
    """One experiment: a code at a distance, under a noise model, for some rounds.

    Attributes:
        code: Code family name (see ``qec.CODE_NAMES``).
        distance: Code distance.
        rounds: Number of stabilizer measurement rounds, ≥ 1 (memory). The ``cnot`` circuit has
            its own and sets it: ``CNOT_ROUNDS_PER_DISTANCE`` · d.
        basis: ``"x"`` or ``"z"``: which logical observable is protected (memory), or which
            type of stabilizer flow is measured (``cnot``, see ``qec.surgery``).
        noise: The noise model, with its physical error rate, or a device's calibration
            (``qec.device.DeviceNoise``: its rows name the device, calibration and quantile).
        experiment: ``memory`` (one patch, Stim's generator) or ``cnot`` (a lattice-surgery
            CNOT between two rotated patches, built with tqec; circuit-level noise only).

    Example:
        >>> import qec
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
    experiment: str = "memory"

    def __post_init__(self) -> None:
        code = Code(self.code, self.distance)  # validates code and distance
        if self.experiment not in EXPERIMENTS:
            raise ValueError(f"experiment={self.experiment!r} is not known; allowed: {EXPERIMENTS}")
        if self.experiment == "cnot":
            from qec.surgery import check_cnot_distance

            if self.code != "surface_rotated":
                raise ValueError(f"code={self.code!r} is not allowed for the cnot experiment: tqec's "
                                 "lattice surgery joins rotated patches (surface_rotated)")  # fmt: skip
            check_cnot_distance(self.distance)
            object.__setattr__(self, "rounds", CNOT_ROUNDS_PER_DISTANCE * self.distance)
            if isinstance(self.noise, NoiseModel) and self.noise.name not in CIRCUIT_LEVEL:
                raise ValueError(f"noise={self.noise.name!r} is not allowed for the cnot experiment: it "
                                 "needs gate-level noise (circuit, si1000)")  # fmt: skip
        check_int("rounds", self.rounds, least=1)
        size = code.physical_qubits * self.rounds
        if size > MAX_QUBIT_ROUNDS:
            raise ValueError(
                f"distance={self.distance} with rounds={self.rounds} is {size:.3g} qubit-rounds; at most "
                f"{MAX_QUBIT_ROUNDS:.0e} fit this machine's memory (the circuit and its detector error "
                "model grow with it): lower the distance or the rounds"
            )
        if self.basis not in BASES:
            raise ValueError(f"basis={self.basis!r} is not allowed; allowed: {BASES}")
        if not isinstance(self.noise, NoiseModel | DeviceNoise):
            raise ValueError(f"noise={self.noise!r} must be a qec.NoiseModel or a qec.device.DeviceNoise")

    @property
    def metadata(self) -> dict[str, Any]:
        """The ``json_metadata`` written with every CSV row of this experiment.

        A memory row without an ``experiment`` key is a memory experiment (rows written before
        the key existed read the same); every other experiment names itself, and ``cnot`` rows
        name the stabilizer flows of their two observables (``qec.surgery.cnot_flows``). Under a
        device's noise, ``noise`` is the device's label and ``p`` its two-qubit depolarizing
        probability, and the row also names the device, its calibration date and the quantile.
        """
        meta: dict[str, Any] = {
            "code": self.code,
            "noise": self.noise.name,
            "d": self.distance,
            "p": self.noise.p,
            "rounds": self.rounds,
            "basis": self.basis,
        }
        if isinstance(self.noise, DeviceNoise):
            meta.update(self.noise.metadata)
        if self.experiment != "memory":
            from qec.surgery import cnot_flows

            meta["experiment"] = self.experiment
            meta["flows"] = list(cnot_flows(self.basis)[:2])
        return meta

    def circuit(self) -> stim.Circuit:
        """The noisy Stim circuit."""
        if self.experiment == "cnot":
            from qec.surgery import cnot_circuit

            return self.noise.apply(cnot_circuit(self.distance, self.basis))
        noiseless = Code(self.code, self.distance).memory_circuit(rounds=self.rounds, basis=self.basis)
        return self.noise.apply(noiseless)

    def task(self, *, decoder: str = DEFAULT_DECODER) -> sinter.Task:
        """A ``sinter.Task`` for this experiment, decoded by ``decoder``."""
        return self.tasks([decoder])[0]

    def tasks(self, decoders: Sequence[str]) -> list[sinter.Task]:
        """One ``sinter.Task`` per decoder, all on one noisy circuit (built once)."""
        circuit = self.circuit()
        return [sinter.Task(circuit=circuit, decoder=name, json_metadata=self.metadata) for name in decoders]


def sweep(
    *,
    codes: Sequence[str],
    noises: Sequence[str] = (),
    distances: Sequence[int],
    ps: Sequence[float] = (),
    bases: Sequence[str] = ("z",),
    rounds: int | None = None,
    rounds_per_distance: int | None = None,
    experiments: Sequence[str] = ("memory",),
    devices: Sequence[DeviceNoise] = (),
) -> list[Experiment]:
    """The product of the argument lists, as experiments.

    Give exactly one of ``rounds`` (fixed) and ``rounds_per_distance`` (rounds = K·d), and
    either ``noises`` with ``ps`` or ``devices`` (each device's noise in place of a noise at a p).

    Example:
        >>> import qec
        >>> len(qec.sweep(codes=["repetition"], noises=["circuit"], distances=[3, 5],
        ...               ps=[0.01, 0.02], bases=["x", "z"], rounds_per_distance=1))
        8
    """
    if (rounds is None) == (rounds_per_distance is None):
        raise ValueError("give exactly one of rounds and rounds_per_distance")
    if rounds_per_distance is not None:
        check_int("rounds_per_distance", rounds_per_distance, least=1)
    if bool(devices) == bool(noises or ps):
        raise ValueError("give noises and ps, or devices (not both)")
    out = []
    for kind, code, device, d, basis in itertools.product(experiments, codes, devices, distances, bases):
        r = rounds if rounds is not None else rounds_per_distance * d  # type: ignore[operator]
        out.append(Experiment(code, distance=d, rounds=r, basis=basis, noise=device, experiment=kind))
    for kind, code, noise, d, p, basis in itertools.product(experiments, codes, noises, distances, ps, bases):
        r = rounds if rounds is not None else rounds_per_distance * d  # type: ignore[operator]
        out.append(Experiment(code, distance=d, rounds=r, basis=basis, noise=NoiseModel(noise, p),
                              experiment=kind))  # fmt: skip
    return out


def check_output(out: str | os.PathLike[str]) -> pathlib.Path:
    """Check that ``out`` can be written: its folder exists and, if the file exists, it is
    a sinter CSV we may add to, every row of it readable (``qec.stats.check_stats_file``; a
    corrupt row was a traceback once sampling had been set up: B4, Z1). Returns it as a path.

    Raises:
        ValueError: the folder is missing or full (``qec._io.check_room``), or the file is not a
            sinter CSV or has a corrupt row.
    """
    path = output_path(out)
    check_room(path, given=str(out))
    if path.exists() and path.stat().st_size > 0:
        if not is_stats_file(path):
            raise ValueError(f"out={str(out)!r} exists and is not a sinter CSV file; refusing to "
                             "overwrite it")  # fmt: skip
        check_stats_file(path)
    return path


def collect(
    experiments: Iterable[Experiment],
    *,
    out: str | os.PathLike[str],
    decoder: str | Sequence[str] = DEFAULT_DECODER,
    custom_decoders: dict[str, Any] | None = None,
    workers: int = 1,
    max_shots: int | None = 1_000_000,
    max_errors: int | None = 1000,
    print_progress: bool = False,
    task_max_shots: Mapping[tuple[Experiment, str], int] | None = None,
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
        decoder: A sinter decoder name (``pymatching`` by default), or several: every
            experiment is sampled with each, as its own task.
        custom_decoders: Extra decoders by name (``load_custom_decoders``).
        workers: Worker processes.
        max_shots: Stop a task once it has this many shots in total (None: no limit).
        max_errors: Stop a task once it has this many errors in total (None: no limit).
        print_progress: Print sinter's progress report to stderr.
        task_max_shots: Per-task shot totals, (experiment, decoder) → shots, for tasks that
            need their own (adaptive sampling's batches); the lower of it and ``max_shots`` holds.

    Returns:
        The merged statistics of the requested experiments (including earlier runs).

    Example:
        >>> import qec
        >>> import pathlib, tempfile
        >>> out = pathlib.Path(tempfile.mkdtemp()) / "stats.csv"
        >>> exps = qec.sweep(codes=["repetition"], noises=["code_capacity_bitflip"],
        ...                  distances=[3], ps=[0.1], rounds=1)
        >>> [s.shots for s in qec.collect(exps, out=out, max_shots=2000, max_errors=None)]
        [2000]
    """
    check_not_starting_a_worker()
    experiments = list(experiments)
    limits = dict(task_max_shots or {})
    decoders = _check_collect(experiments, decoder, custom_decoders, workers, max_shots, max_errors, limits)
    path = check_output(out)
    tasks = [task for e in experiments for task in e.tasks(decoders)]
    if limits:
        per_experiment = [e for e in experiments for _ in decoders]
        tasks = [
            t if (e, t.decoder) not in limits else sinter.Task(
                circuit=t.circuit, decoder=t.decoder, json_metadata=t.json_metadata,
                collection_options=sinter.CollectionOptions(max_shots=limits[(e, t.decoder)]))
            for e, t in zip(per_experiment, tasks, strict=True)
        ]  # fmt: skip
    with exclusive(path), workers_die_with_parent():
        return _collect_locked(
            experiments,
            tasks,
            path,
            decoders=decoders,
            custom_decoders=custom_decoders,
            workers=workers,
            max_shots=max_shots,
            max_errors=max_errors,
            print_progress=print_progress,
        )


def _check_collect(
    experiments: list[Experiment],
    decoder: str | Sequence[str],
    custom_decoders: dict[str, Any] | None,
    workers: int,
    max_shots: int | None,
    max_errors: int | None,
    limits: dict[tuple[Experiment, str], int],
) -> list[str]:
    """``collect``'s arguments checked before anything runs; returns the decoder names."""
    check_workers(workers)
    for name, value in (("max_shots", max_shots), ("max_errors", max_errors)):
        if value is not None:
            check_int(name, value, least=1, why="or None for no limit")
    for (e, name), shots in limits.items():
        check_int(f"task_max_shots[d={e.distance}, p={e.noise.p}, {name}]", shots, least=1)
    decoders = [decoder] if isinstance(decoder, str) else list(decoder)
    every_task_limited = bool(limits) and all((e, name) in limits for e in experiments for name in decoders)
    if max_shots is None and max_errors is None and not every_task_limited:
        raise ValueError("max_shots and max_errors are both None: sampling would never stop")
    if not decoders or len(set(decoders)) != len(decoders):
        raise ValueError(f"decoder={decoders!r} must name one or more distinct decoders")
    check_custom_names(custom_decoders or {})
    for name in decoders:
        check_decoder(name, custom_decoders)
    seen: list[dict[str, Any]] = []
    for e in experiments:  # sinter would refuse the repeated task mid-run, with a traceback
        if e.metadata in seen:
            raise ValueError(f"experiment {e.metadata} is given twice; give each experiment once")
        seen.append(e.metadata)
    return decoders


def check_workers(workers: int) -> None:
    """Refuse a worker count that is not a positive integer or that the machine cannot run."""
    check_int("workers", workers, least=1)
    cpus = os.cpu_count() or 1
    if workers > MAX_WORKERS_PER_CPU * cpus:
        raise ValueError(
            f"workers={workers} is more than {MAX_WORKERS_PER_CPU} × the {cpus} CPUs of this machine"
        )


def _check_same_task(
    path: pathlib.Path, known: dict[str, sinter.TaskStats], new: Iterable[sinter.TaskStats]
) -> None:
    """Refuse a task's first batch if ``path`` already holds its strong id under another decoder
    or metadata (catalog Z4: a relabelled row). sinter learns each task's strong id in its
    workers, so its first batch is the first moment the main process can compare (sinter's own
    ``collect`` raised a traceback there, and the batch was lost).

    Raises:
        InputFileError: naming the file, the task and both labels; nothing of the batch is
            written (the command line reports it as a usage error, exit 2).
    """
    for stat in new:
        old = known.get(stat.strong_id)
        if old is not None and (old.decoder, old.json_metadata) != (stat.decoder, stat.json_metadata):
            raise InputFileError(
                f"{path}: its rows of task {stat.strong_id[:12]}… say decoder {old.decoder!r} and "
                f"metadata {old.json_metadata}, but that task is decoder {stat.decoder!r} with metadata "
                f"{stat.json_metadata}: the rows were relabelled or came from another task; remove "
                "them or choose another --out (nothing was added to the file)"
            )


def _sample_into(
    fd: int,
    path: pathlib.Path,
    known: dict[str, sinter.TaskStats],
    tasks: list[sinter.Task],
    experiments: list[Experiment],
    *,
    workers: int,
    max_shots: int | None,
    max_errors: int | None,
    custom_decoders: dict[str, Any] | None,
    print_progress: bool,
) -> None:
    """Run sinter on ``tasks`` (counting ``known`` rows), appending each batch to ``fd``."""
    shown, latest = 0.0, ""
    for progress in sinter.iter_collect(
        num_workers=workers,
        tasks=tasks,
        additional_existing_data=list(known.values()),
        max_shots=max_shots,
        max_errors=max_errors,
        custom_decoders=custom_decoders,
        # Gate experiments read several observables: which of them failed, per shot, is what
        # their logical channel is made of (custom counts "obs_mistake_mask=E_", ...).
        count_observable_error_combos=any(e.experiment != "memory" for e in experiments),
    ):
        if progress.new_stats:
            _check_same_task(path, known, progress.new_stats)
            # One write() per batch: a killed process leaves whole lines only.
            append_whole(fd, path, "".join(s.to_csv_line() + "\n" for s in progress.new_stats).encode())
        latest = progress.status_message
        if print_progress and time.monotonic() - shown > 1:  # sinter's report, at most once a second
            shown, latest = time.monotonic(), ""
            print(progress.status_message, file=sys.stderr, flush=True)
    if print_progress and latest:  # and the last one, as sinter's own printer ends
        print(latest, file=sys.stderr, flush=True)


def _collect_locked(
    experiments: list[Experiment],
    tasks: list[sinter.Task],
    path: pathlib.Path,
    *,
    decoders: list[str],
    custom_decoders: dict[str, Any] | None,
    workers: int,
    max_shots: int | None,
    max_errors: int | None,
    print_progress: bool,
) -> list[sinter.TaskStats]:
    """``collect`` once the output is checked and locked."""
    if path.exists() and path.stat().st_size > 0:
        # Drop an unterminated last line (a write cut off by a crash) before sinter reads it.
        existing = read_stats(path, repair=True)
        write_stats(path, existing)
    else:
        existing = []
        write_stats(path, [])
    known = {s.strong_id: s for s in existing}

    fd = os.open(path, os.O_WRONLY | os.O_APPEND)
    try:  # iter_collect, not collect: collect merges each batch into the file's rows before we see it
        with sigterm_as_interrupt():
            _sample_into(fd, path, known, tasks, experiments, workers=workers, max_shots=max_shots,
                         max_errors=max_errors, custom_decoders=custom_decoders,
                         print_progress=print_progress)  # fmt: skip
    finally:
        os.close(fd)
    every = read_stats(path)
    write_stats(path, every)
    # Match on what identifies a task to the user; strong ids would need every task's
    # detector error model in this process, which sinter computes in its workers.
    wanted = [e.metadata for e in experiments]
    return [s for s in every if s.decoder in decoders and s.json_metadata in wanted]
