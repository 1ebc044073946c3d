"""Trained QNN runs of one configuration, evaluated at any noise spec or measured channel."""

from __future__ import annotations

import concurrent.futures
import dataclasses
import functools
import json
import pathlib
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from qec._io import InputFileError, atomic_write_text
from qec.qnn.circuit import QNN, qnn_parts
from qec.qnn.config import QNNNoise, TrainConfig
from qec.qnn.data import Dataset, config_dataset
from qec.qnn.simulate import build_qnn, simulation
from qec.qnn.sources import Sources, read_runs, run_circuit
from qec.qnn.training import read_result, read_weights, train
from qec.tolerance import Evaluations, check_definition, shot_accuracy

if TYPE_CHECKING:
    from qec.channel import LogicalChannel

# TrainConfig fields that every run of one workload shares (all but noise and seed).
SHAPE_KEYS: tuple[str, ...] = (
    "dataset",
    "qubits",
    "layers",
    "connectivity",
    "observable",
    "samples",
    "test_fraction",
    "maxiter",
    "chunk",
    "shots",
    "circuit",
    "method",
    "trajectories",
)


NOISELESS = QNNNoise("none")


def evaluated_noise(spec: str | QNNNoise) -> QNNNoise:
    """``spec`` parsed, at the precision the workload evaluates it: the QNN is built from the
    spec's string, which ``QNNNoise`` writes with 6 significant digits, so ``logical:0.0012345678``
    runs as ``logical:0.00123457``. Runs are keyed by it, so that a run serves exactly the specs
    it is evaluated at.

    Example:
        >>> evaluated_noise("logical:0.0012345678") == evaluated_noise("logical:0.00123457")
        True
        >>> evaluated_noise("logical:0.001")
        QNNNoise(kind='logical', value=0.001)
    """
    noise = spec if isinstance(spec, QNNNoise) else QNNNoise.parse(spec)
    return QNNNoise.parse(str(noise))


def qnn_shape(config: Mapping[str, Any]) -> dict[str, Any]:
    """The ``SHAPE_KEYS`` of a ``qec train`` config; keys older files lack take their defaults.

    Example:
        >>> qnn_shape({"dataset": "moons", "qubits": 2})["method"]
        'auto'
    """
    defaults = TrainConfig()
    return {k: config.get(k, getattr(defaults, k)) for k in SHAPE_KEYS}


@dataclasses.dataclass(frozen=True)
class Workload:
    """Trained QNN runs of one configuration, ready to be evaluated at any noise spec.

    Attributes:
        shape: The configuration every run shares (``SHAPE_KEYS``).
        definition: ``inference`` or ``training``.
        runs: ``(noise, seed) → weights`` of the runs given, keyed by the parsed noise
            (``evaluated_noise``), not by its string.
        seeds: Seeds of the noiseless runs.
        extra_test: Fresh test points per seed beside the held-out split (synthetic datasets).
        train_dir: Where the training definition trains runs that are missing (reused).
        jobs: Processes for those trainings.
        sources: What the runs were made from (``qec.qnn.sources``): the circuit is rebuilt
            from it, never imported by the name in ``shape``.
    """

    shape: dict[str, Any]
    definition: str
    runs: dict[tuple[QNNNoise, int], tuple[float, ...]]
    seeds: tuple[int, ...]
    extra_test: int = 0
    extra_seed: int = 0
    train_dir: str | None = None
    jobs: int = 1
    sources: Sources = dataclasses.field(default_factory=Sources)

    @classmethod
    def from_results(
        cls,
        results: Sequence[Mapping[str, Any]],
        *,
        definition: str,
        names: Sequence[str] | None = None,
        **kwargs: Any,
    ) -> Workload:
        """Index ``qec train`` results; they must share one QNN configuration, circuit and data
        (``qec.qnn.sources.read_runs``: the circuit they store, data unchanged since training).
        ``names``: the results' files, for messages.

        Example:
            >>> r = {"config": {**qnn_shape({}), "noise": "none", "seed": 0}, "weights": [0.5]}
            >>> Workload.from_results([r], definition="inference").seeds
            (0,)
        """
        check_definition(definition)
        if not results:
            raise ValueError("no QNN results given")
        names = list(names) if names is not None else [f"result {i + 1}" for i in range(len(results))]
        for r, name in zip(results, names, strict=True):
            read_result(r, name=name)
        shape = qnn_shape(results[0]["config"])
        runs: dict[tuple[QNNNoise, int], tuple[float, ...]] = {}
        for r in results:
            config = r["config"]
            other = qnn_shape(config)
            if other != shape:
                diff = {k: (shape[k], other[k]) for k in SHAPE_KEYS if shape[k] != other[k]}
                raise ValueError(f"QNN results mix configurations: {diff} (one workload per budget)")
            where = f"QNN result (noise {config.get('noise')}, seed {config.get('seed')})"
            runs[(evaluated_noise(config["noise"]), int(config["seed"]))] = read_weights(
                r.get("weights"), source=where
            )
        seeds = tuple(sorted(s for noise, s in runs if noise == NOISELESS))
        if not seeds:
            raise ValueError("the tolerance needs noiselessly trained runs (noise none); none were given")
        sources, _ = read_runs(results, names)
        return cls(shape=shape, definition=definition, runs=runs, seeds=seeds, sources=sources, **kwargs)

    def simulation(self) -> str:
        """How this machine computes the workload's noisy expectations, in words."""
        return simulation(TrainConfig(**self.shape), noisy=True, circuit=self._qnn.circuit).describe()

    def weights(self, noise: QNNNoise | str, seed: int) -> tuple[float, ...] | None:
        """The weights of ``seed`` that are evaluated under ``noise``: the noiseless run's for
        the inference definition, the run trained under ``noise`` for the training definition
        (given, or cached in ``train_dir``); None when there is none."""
        key = NOISELESS if self.definition == "inference" else evaluated_noise(noise)
        return self.runs.get((key, seed)) or self._trained(key, seed)

    def evaluate(self, specs: Sequence[str]) -> Evaluations:
        """Per-point accuracy and loss of every seed's QNN at each spec (``Evaluator``); the
        columns are named by each spec's canonical string (``str(QNNNoise)``)."""
        noises = [evaluated_noise(s) for s in specs]
        self._train_missing(noises)
        acc, loss = [], []
        for seed in self.seeds:
            data = self._data(seed)
            a_row, l_row = [], []
            for noise in noises:
                ev = self._expectations(noise, seed, data.x_test)
                a_row.append(shot_accuracy(ev, data.y_test, shots=int(self.shape["shots"])))
                l_row.append((ev - data.y_test) ** 2)
            acc.append(a_row)
            loss.append(l_row)
        return Evaluations(tuple(str(n) for n in noises), self.seeds, np.array(acc), np.array(loss))

    def evaluate_channels(self, channels: Sequence[LogicalChannel]) -> np.ndarray:
        """Per-point accuracy of every seed's noiseless QNN under each measured logical channel:
        shape (seeds, channels, points), the points ``evaluate`` scores (paired with its ``none``)."""
        if self.definition != "inference":
            raise ValueError("the measured channel is evaluated with the inference definition only "
                             "(noiselessly trained weights under the channel)")  # fmt: skip
        acc = []
        for seed in self.seeds:
            data = self._data(seed)
            weights = np.asarray(self.weights(NOISELESS, seed))
            row = []
            for channel in channels:
                config = TrainConfig(**self.shape, noise="none", seed=seed)
                qnn = build_qnn(config, channel=channel, qnn=self._qnn)
                ev = np.asarray(qnn.forward(data.x_test, weights)).reshape(-1)
                row.append(shot_accuracy(ev, data.y_test, shots=int(self.shape["shots"])))
            acc.append(row)
        return np.array(acc)

    @functools.cached_property
    def _qnn(self) -> QNN:
        """The QNN every run shares, built (and its circuit transpiled) once: it depends on the
        shape alone, not on the noise or the seed. Its circuit is the runs' stored one."""
        config = TrainConfig(**self.shape)
        return qnn_parts(config, circuit=run_circuit(config, self.sources))

    def _data(self, seed: int) -> Dataset:
        config = TrainConfig(**self.shape, seed=seed)
        return config_dataset(config, len(self._qnn.inputs), extra_test=self.extra_test,
                              extra_seed=self.extra_seed)  # fmt: skip

    def _expectations(self, noise: QNNNoise, seed: int, x: np.ndarray) -> np.ndarray:
        weights = self.weights(noise, seed)
        if weights is None:
            raise ValueError(f"no trained run for noise {str(noise)!r}, seed {seed}")
        qnn = build_qnn(TrainConfig(**self.shape, noise=str(noise), seed=seed), qnn=self._qnn)
        return np.asarray(qnn.forward(x, np.asarray(weights))).reshape(-1)

    def _train_path(self, noise: QNNNoise, seed: int) -> pathlib.Path:
        if self.train_dir is None:
            raise ValueError(
                f"the training definition needs a run trained under {str(noise)!r} (seed {seed}); "
                "give its result or a train_dir to train it in"
            )
        return pathlib.Path(self.train_dir) / f"{str(noise).replace(':', '-')}_s{seed}.json"

    def _trained(self, noise: QNNNoise, seed: int) -> tuple[float, ...] | None:
        """The weights of the run cached in ``train_dir`` for ``(noise, seed)``, if one of this
        workload is there (another configuration's, or one trained on other files, is not it).

        Raises:
            InputFileError: the cached file is unreadable or not a run (one line naming it).
        """
        if self.train_dir is None:
            return None
        path = self._train_path(noise, seed)
        if not path.exists():
            return None
        cached_here = "a run the training definition cached in --train-dir: delete it to train the run again"
        identity = self._identity  # this workload's own: its errors are not the cached file's
        try:
            cached = read_result(json.loads(path.read_text()), name=str(path))
            mine = {**self.shape, "noise": str(noise), "seed": seed}
            theirs = {**qnn_shape(cached["config"]), "noise": cached["config"].get("noise"),
                      "seed": cached["config"].get("seed")}  # fmt: skip
            same_sources = Sources.from_result(cached, name=str(path)).identity() == identity
            if theirs != mine or not same_sources:
                return None
            return read_weights(cached.get("weights"), source=str(path))
        except (OSError, UnicodeDecodeError) as e:
            raise InputFileError(f"{path}: cannot read ({e}); {cached_here}") from None
        except json.JSONDecodeError as e:
            raise InputFileError(f"{path}: not JSON ({e}); {cached_here}") from None
        except InputFileError:
            raise
        except ValueError as e:
            raise InputFileError(f"{e}; {cached_here}") from None

    @functools.cached_property
    def _identity(self) -> tuple[str, tuple[tuple[str, str], ...]]:
        """The circuit and files a run trained here records (``Sources.identity``)."""
        config = TrainConfig(**self.shape)
        return Sources.record(config, run_circuit(config, self.sources)).identity()

    def _train_missing(self, noises: Sequence[QNNNoise]) -> None:
        if self.definition != "training":
            return
        missing = [(n, seed) for n in noises for seed in self.seeds if self.weights(n, seed) is None]
        if not missing:
            return
        paths = [str(self._train_path(n, seed)) for n, seed in missing]
        pathlib.Path(self.train_dir or ".").mkdir(parents=True, exist_ok=True)
        with concurrent.futures.ProcessPoolExecutor(max_workers=max(1, self.jobs)) as pool:
            futures = [
                pool.submit(_train_into, self.shape, self.sources, str(n), seed, path)
                for (n, seed), path in zip(missing, paths, strict=True)
            ]
            for future in futures:
                future.result()


def _train_into(shape: Mapping[str, Any], sources: Sources, spec: str, seed: int, path: str) -> None:
    """Train one run into ``path`` (a worker process's job), on the given runs' stored circuit."""
    config = TrainConfig(**shape, noise=spec, seed=seed)
    result = train(config, circuit=run_circuit(config, sources)).to_dict()
    atomic_write_text(path, json.dumps(result, indent=1) + "\n")
