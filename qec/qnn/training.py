"""Training a QNN: COBYLA through qiskit-machine-learning, in chunks with checkpoints."""

from __future__ import annotations

import dataclasses
import json
import math
import os
import pathlib
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from qec._check import record_fields
from qec._io import atomic_write_text
from qec.qnn.circuit import load_circuit, qnn_parts
from qec.qnn.config import TrainConfig, is_data_file
from qec.qnn.data import config_dataset, load_table
from qec.qnn.simulate import build_qnn, simulation
from qec.qnn.sources import KEY as SOURCES_KEY
from qec.qnn.sources import Sources
from qec.tolerance import plus_probability


@dataclasses.dataclass(frozen=True)
class TrainResult:
    """The outcome of a training run.

    Attributes:
        config: The configuration. train_accuracy, test_accuracy: Fractions correct.
        final_loss: Last objective value (mean squared error on the training set).
        loss_history: Objective value at every evaluation. iterations: Evaluations made.
        wall_seconds: Training wall time (summed over resumed pieces).
        weights: Trained weights.
        method: The simulation that ran (``statevector`` exact when noiseless,
            ``density_matrix`` or ``trajectories``). precision: Its statistical precision
            on each expectation value (0: exact; trajectories: 1/√trajectories, one σ bound).
        sources: What the run was made from: your circuit itself and the SHA-256 of the files
            it read (``qec.qnn.sources``); readers rebuild the circuit from it.
    """

    config: TrainConfig
    train_accuracy: float
    test_accuracy: float
    final_loss: float
    loss_history: tuple[float, ...]
    iterations: int
    wall_seconds: float
    weights: tuple[float, ...]
    method: str = "density_matrix"
    precision: float = 0.0
    sources: Sources = dataclasses.field(default_factory=Sources)

    def to_dict(self) -> dict[str, Any]:
        out = dataclasses.asdict(self)
        out["config"] = dataclasses.asdict(self.config)
        out["loss_history"] = list(self.loss_history)
        out["weights"] = list(self.weights)
        out[SOURCES_KEY] = self.sources.to_dict()
        return out


def read_weights(values: Any, *, source: str, count: int | None = None) -> tuple[float, ...]:
    """Trained weights read from a file (a result, a cached run, a checkpoint): a list of
    ``count`` finite real numbers, else a ``ValueError`` naming ``source``.

    Every place that reads weights goes through here: a NaN weight makes every expectation NaN,
    which downstream turned into ε* = the grid's end or weights of −1.8e308 (Q10, CK3).

    Example:
        >>> read_weights([0.5, -1], source="r.json")
        (0.5, -1.0)
        >>> read_weights([0.5, float("nan")], source="r.json")
        Traceback (most recent call last):
        ...
        ValueError: r.json: weights must be finite real numbers; weight 1 is nan
    """
    if not isinstance(values, list | tuple) or not values:
        raise ValueError(f"{source}: weights must be a non-empty list of numbers; got {values!r:.60}")
    for i, w in enumerate(values):
        if isinstance(w, bool) or not isinstance(w, int | float) or not np.isfinite(w):
            raise ValueError(f"{source}: weights must be finite real numbers; weight {i} is {w!r:.40}")
    if count is not None and len(values) != count:
        raise ValueError(f"{source}: has {len(values)} weights; the QNN has {count}")
    return tuple(float(w) for w in values)


def read_result(data: Any, *, name: str = "QNN result") -> dict[str, Any]:
    """A parsed ``qec train`` result (a file given, a run cached by the training definition),
    read field by field before anything uses it (``qec._check.record_fields``): its ``config``
    (a ``TrainConfig``; ``noise`` and ``seed``, which name the run, must be there, other keys
    a file predates take their defaults) and its ``weights`` (``read_weights``) are required;
    every other field present must have its ``TrainResult`` type. Returns ``data``.

    Raises:
        ValueError: naming ``name``, the field and what is allowed.

    Example:
        >>> read_result({"config": {"seed": 0}, "weights": [0.5]}, name="r.json")
        Traceback (most recent call last):
        ...
        ValueError: r.json: QNN result config lacks noise
    """
    try:
        values = record_fields(TrainResult, data, what="QNN result", required=("config", "weights"))
        record_fields(TrainConfig, values["config"], what="QNN result config", required=("noise", "seed"))
        TrainConfig.from_dict(values["config"])  # an unknown key too (catalog Q11: dropped unread)
    except ValueError as e:
        raise ValueError(f"{name}: {e}") from None
    read_weights(values["weights"], source=name)
    return data


def with_samples_held(config: TrainConfig) -> TrainConfig:
    """``config`` with ``samples`` at most the rows its data file holds: the draw takes every row
    then, and the result records what was used (catalog N_samples_gt: ``samples: 1000`` for a
    file of 40 rows). The same points are drawn either way.

    Example:
        >>> with_samples_held(TrainConfig(samples=1000)).samples  # a built-in dataset: as given
        1000
    """
    if not is_data_file(config.dataset):
        return config
    rows = len(load_table(config.dataset)[1])
    return dataclasses.replace(config, samples=rows) if config.samples > rows else config


def check_iterations(config: TrainConfig, num_weights: int) -> None:
    """Raise ``ValueError`` unless ``config``'s chunk and maxiter give COBYLA its minimum of
    ``num_weights`` + 2 evaluations per start (a short tail joins the chunk before it rather
    than being silently stretched by SciPy).

    Example:
        >>> check_iterations(TrainConfig(qubits=2, layers=1, maxiter=12, chunk=5), 4)
        Traceback (most recent call last):
        ...
        ValueError: chunk=5 and maxiter=12 must be >= number of weights + 2 = 6 (COBYLA's minimum per start)
    """
    least = num_weights + 2
    if config.chunk < least or config.maxiter < least:
        raise ValueError(f"chunk={config.chunk} and maxiter={config.maxiter} must be >= number of "
                         f"weights + 2 = {least} (COBYLA's minimum per start)")  # fmt: skip


def train(
    config: TrainConfig,
    *,
    circuit: tuple[Any, Any, Any] | None = None,
    checkpoint: str | os.PathLike[str] | None = None,
    progress: Callable[[int, float], None] | None = None,
) -> TrainResult:
    """Train the QNN of ``config`` with COBYLA through qiskit-machine-learning.

    Training runs in chunks of ``config.chunk`` iterations, each restarting COBYLA from the
    last weights; after each chunk the weights and loss history go to ``checkpoint``
    (atomically). A run that finds a checkpoint of the same config resumes from it, and
    because chunk boundaries are the only restart points, a resumed run gives the same
    result as an uninterrupted one.

    Args:
        config: What to train.
        circuit: Your own circuit, prepared (``load_circuit``; a result's stored one:
            ``qec.qnn.sources.run_circuit``). Without it ``config.circuit`` is loaded here: a
            ``MODULE:FUNCTION`` you give is your own code, and is called.
        checkpoint: Checkpoint file (None: no checkpointing).
        progress: Called with (iterations so far, current loss) after each chunk.

    Example:
        >>> r = train(TrainConfig(qubits=2, layers=1, samples=12, maxiter=8, chunk=6))
        >>> r.iterations, 0 <= r.test_accuracy <= 1
        (8, True)
    """
    from qiskit_machine_learning.algorithms import NeuralNetworkClassifier
    from qiskit_machine_learning.optimizers import COBYLA

    config = with_samples_held(config)
    if config.circuit and circuit is None:
        circuit = load_circuit(config.circuit)
    sources = Sources.record(config, circuit)
    parts = qnn_parts(config, circuit=circuit)
    sim = simulation(config, circuit=parts.circuit)
    qnn = build_qnn(config, qnn=parts)
    data = config_dataset(config, qnn.num_inputs)
    rng = np.random.default_rng(config.seed)
    weights = rng.uniform(-np.pi, np.pi, qnn.num_weights)
    history: list[float] = []
    done, wall = 0, 0.0
    state = _load_checkpoint(checkpoint, config, sources)
    if state is not None:
        weights = np.array(read_weights(state.get("weights"), source=f"checkpoint {str(checkpoint)!r}",
                                        count=qnn.num_weights))  # fmt: skip
        history, done, wall = list(state["loss_history"]), state["done"], state["wall_seconds"]

    check_iterations(config, qnn.num_weights)
    least = qnn.num_weights + 2
    while done < config.maxiter:
        remaining = config.maxiter - done
        step = remaining if remaining - config.chunk < least else config.chunk
        start = time.perf_counter()
        classifier = NeuralNetworkClassifier(
            qnn, loss="squared_error", optimizer=COBYLA(maxiter=step), initial_point=weights,
            callback=lambda _w, value: history.append(float(value)),
        )  # fmt: skip
        classifier.fit(data.x_train, data.y_train)
        weights = np.asarray(classifier.weights, dtype=float)
        done += step
        wall += time.perf_counter() - start
        if checkpoint is not None:
            _save_checkpoint(checkpoint, config, sources, weights=weights, history=history, done=done,
                             wall=wall)  # fmt: skip
        if progress is not None:
            progress(done, history[-1] if history else float("nan"))

    score_rng = np.random.default_rng([config.seed, 1])  # its own stream: training draws none
    splits = ((data.x_train, data.y_train), (data.x_test, data.y_test))
    train_acc, test_acc = (
        _accuracy(qnn, weights, x, y, shots=config.shots, rng=score_rng) for x, y in splits
    )
    return TrainResult(config=config, train_accuracy=train_acc, test_accuracy=test_acc,
                       final_loss=history[-1] if history else float("nan"),
                       loss_history=tuple(history), iterations=len(history), wall_seconds=wall,
                       weights=tuple(weights.tolist()), method=sim.method,
                       precision=sim.precision, sources=sources)  # fmt: skip


def _save_checkpoint(
    path: str | os.PathLike[str], config: TrainConfig, sources: Sources, *, weights: np.ndarray,
    history: list[float], done: int, wall: float,
) -> None:  # fmt: skip
    """Where a run stands after a chunk of iterations, written atomically (``_load_checkpoint``)."""
    atomic_write_text(path, json.dumps({
        "config": dataclasses.asdict(config), "weights": weights.tolist(), "loss_history": history,
        "done": done, "wall_seconds": wall, SOURCES_KEY: sources.to_dict(),
    }))  # fmt: skip


def _accuracy(
    qnn: Any, weights: np.ndarray, x: np.ndarray, y: np.ndarray, *, shots: int, rng: np.random.Generator
) -> float:
    """Fraction of correct signs; with ``shots``, of the mean of ``shots`` ±1 outcomes."""
    ev = np.asarray(qnn.forward(x, weights)).reshape(-1)
    if shots:
        plus = rng.binomial(shots, plus_probability(ev))
        ev = 2 * plus / shots - 1
        ev = np.where(ev == 0, rng.choice([-1.0, 1.0], size=ev.shape), ev)  # a tie is a coin flip
    return float(np.mean(np.where(ev >= 0, 1, -1) == y))


def _load_checkpoint(
    path: str | os.PathLike[str] | None, config: TrainConfig, sources: Sources
) -> dict | None:
    if path is None or not pathlib.Path(path).exists():
        return None
    try:
        state = json.loads(pathlib.Path(path).read_text())
    except (OSError, json.JSONDecodeError) as e:
        raise ValueError(f"checkpoint {str(path)!r} is unreadable ({e}); delete it to start over") from None
    if not isinstance(state, dict):  # catalog CK6
        raise ValueError(f"checkpoint {str(path)!r} is not a checkpoint (a JSON object); delete it to "
                         "start over")  # fmt: skip
    if state.get("config") != dataclasses.asdict(config):
        raise ValueError(f"checkpoint {str(path)!r} belongs to another configuration "
                         f"({state.get('config')}); delete it or choose another --out")  # fmt: skip
    if SOURCES_KEY in state and Sources.from_result(state).identity() != sources.identity():
        raise ValueError(f"checkpoint {str(path)!r} was trained on other contents of the circuit or data "
                         "files (their SHA-256 differ); delete it to start over")  # fmt: skip
    _check_progress(state, config, where=f"checkpoint {str(path)!r}")
    return state


def _check_progress(state: dict, config: TrainConfig, *, where: str) -> None:
    """A checkpoint's progress must be what training writes (catalog CK2: done = 10⁹ skipped all
    training and wrote a 'trained' result; CK4: a missing key was a traceback)."""
    done, history, wall = state.get("done"), state.get("loss_history"), state.get("wall_seconds")
    number = lambda x: isinstance(x, int | float) and not isinstance(x, bool) and math.isfinite(x)  # noqa: E731
    if not (isinstance(done, int) and not isinstance(done, bool) and 0 <= done <= config.maxiter):
        raise ValueError(f"{where}: done={done!r} must be an integer in [0, maxiter={config.maxiter}]; "
                         "delete it to start over")  # fmt: skip
    if not (isinstance(history, list) and all(number(x) for x in history)):
        raise ValueError(f"{where}: loss_history must be a list of finite numbers; delete it to start over")
    if not (number(wall) and wall >= 0):
        raise ValueError(f"{where}: wall_seconds={wall!r} must be a finite number >= 0; delete it to "
                         "start over")  # fmt: skip
