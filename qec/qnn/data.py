"""The QNN's data: built-in datasets and your own CSV/NPZ files, split and scaled to [0, π].

A file of your own is a CSV (header row; the label column is ``label`` or ``y`` if present,
else the last) or an NPZ (arrays ``x`` and ``y``), numeric features, binary labels (0/1 or ±1).
"""

from __future__ import annotations

import dataclasses
import math
import pathlib
from typing import TYPE_CHECKING

import numpy as np

from qec._check import check_int, parse_float
from qec.qnn.config import DATASETS, MAX_SAMPLES, SYNTHETIC, is_data_file

if TYPE_CHECKING:
    from qec.qnn.config import TrainConfig


@dataclasses.dataclass(frozen=True)
class Dataset:
    """A binary classification problem, features scaled to [0, π], labels in {−1, +1}.

    Attributes:
        name: Dataset name. x_train, y_train, x_test, y_test: The seeded split.
    """

    name: str
    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray


def load_dataset(
    name: str,
    *,
    num_features: int,
    samples: int = 100,
    test_fraction: float = 0.3,
    seed: int = 0,
    extra_test: int = 0,
    extra_seed: int = 0,
) -> Dataset:
    """A dataset that needs no download, reduced or tiled to ``num_features`` features.

    ``moons``, ``circles`` (2-D, scikit-learn generators, noise 0.1) and ``parity`` (random
    bit strings labelled by their parity) are synthetic; ``iris``, ``wine`` and
    ``breast_cancer`` ship with scikit-learn (the first two classes where there are more;
    ``samples`` drawn without replacement). Features are reduced with PCA when there are more
    than ``num_features`` and tiled when fewer, then min–max scaled to [0, π] on the training
    split.

    Example:
        >>> data = load_dataset("moons", num_features=4, samples=20, seed=1)
        >>> data.x_train.shape, data.x_test.shape, sorted(set(data.y_train.tolist()))
        ((14, 4), (6, 4), [-1, 1])
    """
    from sklearn import datasets as skd
    from sklearn.decomposition import PCA
    from sklearn.model_selection import train_test_split

    if name not in DATASETS and not is_data_file(name):
        raise ValueError(f"dataset={name!r} is not known; allowed: {DATASETS} or a .csv/.npz file")
    check_int("samples", samples, least=4, most=MAX_SAMPLES)
    if not 0 < test_fraction < 1:
        raise ValueError(f"test_fraction={test_fraction!r} must be in (0, 1)")
    check_int("extra_test", extra_test, least=0, most=MAX_SAMPLES,
              why="fresh test points, each evaluated at every noise spec")  # fmt: skip
    if extra_test and name not in SYNTHETIC:
        raise ValueError(f"extra_test={extra_test} needs a synthetic dataset {SYNTHETIC}; {name!r} has "
                         "no more points than it ships")  # fmt: skip
    rng = np.random.default_rng(seed)
    if is_data_file(name):
        x, y = load_table(name)
        if x.shape[1] != num_features:
            raise ValueError(f"data={name!r} has {x.shape[1]} feature columns; the circuit has "
                             f"{num_features} input parameters: they must agree")  # fmt: skip
        pick = rng.choice(len(y), size=min(samples, len(y)), replace=False)
        x, y = x[pick], y[pick]
        _check_split(name, y, test_fraction)
    elif name in SYNTHETIC:
        x, y = _synthetic(name, samples, num_features, seed)
    else:
        loader = {"iris": skd.load_iris, "wine": skd.load_wine, "breast_cancer": skd.load_breast_cancer}
        x, y = loader[name](return_X_y=True)
        keep = y < 2
        x, y = x[keep], y[keep]
        pick = rng.choice(len(y), size=min(samples, len(y)), replace=False)
        x, y = x[pick], y[pick]
    x_train, x_test, y_train, y_test = train_test_split(
        x, y, test_size=test_fraction, random_state=seed, stratify=y
    )
    if x.shape[1] > num_features:
        pca = PCA(n_components=num_features, random_state=seed).fit(x_train)
        x_train, x_test = pca.transform(x_train), pca.transform(x_test)
    elif x.shape[1] < num_features:
        reps = math.ceil(num_features / x.shape[1])
        x_train = np.tile(x_train, reps)[:, :num_features]
        x_test = np.tile(x_test, reps)[:, :num_features]
    if extra_test:
        fresh_seed = int(np.random.SeedSequence([seed, 2, extra_seed]).generate_state(1)[0])
        x_new, y_new = _synthetic(name, extra_test, x.shape[1], fresh_seed)
        if x.shape[1] < num_features:
            x_new = np.tile(x_new, math.ceil(num_features / x.shape[1]))[:, :num_features]
        x_test, y_test = np.concatenate([x_test, x_new]), np.concatenate([y_test, y_new])
    lo, hi = x_train.min(axis=0), x_train.max(axis=0)
    span = np.where(hi > lo, hi - lo, 1.0)
    scale = lambda a: np.clip((a - lo) / span, 0, 1) * np.pi  # noqa: E731
    to_pm = lambda labels: np.where(labels == 1, 1, -1)  # noqa: E731
    return Dataset(name, scale(x_train), to_pm(y_train), scale(x_test), to_pm(y_test))


def _check_split(name: str, y: np.ndarray, test_fraction: float) -> None:
    """Raise unless a stratified split leaves both classes in both parts."""
    n = len(y)
    n_test = math.ceil(n * test_fraction)
    smallest = int(min(np.sum(y == 0), np.sum(y == 1)))
    if smallest < 2 or n_test < 2 or n - n_test < 2:
        raise ValueError(f"data={name!r}: {n} rows ({smallest} in the smaller class) are too few for a "
                         f"stratified split with test_fraction={test_fraction}: each part needs both classes "
                         "(at least 2 rows per class, 2 per part)")  # fmt: skip


def _synthetic(name: str, samples: int, num_features: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    from sklearn import datasets as skd

    if name == "moons":
        return skd.make_moons(n_samples=samples, noise=0.1, random_state=seed)
    if name == "circles":
        return skd.make_circles(n_samples=samples, noise=0.1, factor=0.5, random_state=seed)
    x = np.random.default_rng(seed).integers(0, 2, size=(samples, num_features)).astype(float)
    return x, x.sum(axis=1).astype(int) % 2


def config_dataset(
    config: TrainConfig, num_features: int, *, extra_test: int = 0, extra_seed: int = 0
) -> Dataset:
    """The dataset of ``config`` (its seed's split) with ``num_features`` features (the circuit's inputs)."""
    return load_dataset(config.dataset, num_features=num_features, samples=config.samples,
                        test_fraction=config.test_fraction, seed=config.seed, extra_test=extra_test,
                        extra_seed=extra_seed)  # fmt: skip


def load_table(path: str | pathlib.Path) -> tuple[np.ndarray, np.ndarray]:
    """Features and 0/1 labels from a CSV or NPZ file, checked.

    Raises:
        ValueError: unreadable, not numeric (or complex), NaN or infinite values, labels that
            are not two values 0/1 or ±1, or one class only.
    """
    path = pathlib.Path(path)
    name = str(path)
    if path.suffix.lower() not in (".csv", ".npz"):
        raise ValueError(f"data={name!r} must be a .csv or .npz file")
    if path.suffix.lower() == ".npz":
        import zipfile

        # An NPZ is a zip archive of .npy arrays; numpy's own message for anything else was about
        # pickled data and how to load it unsafely (catalog N_text.npz).
        if not zipfile.is_zipfile(path):
            raise ValueError(f"data={name!r} is not an NPZ file (not a zip archive of arrays: numpy.savez)")
        try:
            with np.load(path, allow_pickle=False) as archive:
                arrays = {k: np.asarray(archive[k]) for k in archive.files}
        except ValueError as e:
            if "pickle" not in str(e):
                raise ValueError(f"data={name!r} is not an NPZ file ({type(e).__name__}: {e})") from None
            raise ValueError(f"data={name!r} holds object arrays (pickled Python objects), which qec "
                             "does not load; save numeric arrays x and y") from None  # fmt: skip
        except Exception as e:  # OSError, zipfile.BadZipFile: not a plain NPZ
            raise ValueError(f"data={name!r} is not an NPZ file ({type(e).__name__}: {e})") from None
        if "x" not in arrays or "y" not in arrays:
            raise ValueError(f"data={name!r} must hold arrays 'x' and 'y'; it holds {sorted(arrays)}")
        x, y = arrays["x"], arrays["y"]
    else:
        x, y = _read_csv(path)
    if x.ndim != 2 or y.ndim != 1 or len(x) != len(y):
        raise ValueError(f"data={name!r}: x must be rows × features and y one label per row; got shapes "
                         f"{x.shape} and {y.shape}")  # fmt: skip
    if len(y) == 0:  # catalog N_empty.npz: "labels must be two values ...; got []"
        raise ValueError(f"data={name!r} holds no rows")
    for label, array in (("x", x), ("y", y)):  # catalog N_complex: astype dropped the imaginary parts
        if np.iscomplexobj(array):
            raise ValueError(f"data={name!r}: features and labels must be real numbers; {label} is complex")
    try:
        x, y = x.astype(float), y.astype(float)
    except (TypeError, ValueError):
        raise ValueError(f"data={name!r}: features and labels must be numbers") from None
    if not np.isfinite(x).all() or not np.isfinite(y).all():
        rows = sorted(
            set(np.argwhere(~np.isfinite(x))[:, 0].tolist()) | set(np.flatnonzero(~np.isfinite(y)).tolist())
        )
        raise ValueError(f"data={name!r}: NaN or infinite values in rows {rows[:5]} (first row is 0)")
    values = sorted(set(y.tolist()))
    if len(values) == 1:
        raise ValueError(f"data={name!r}: every label is {values[0]:g}; a classifier needs two classes")
    if values not in ([0.0, 1.0], [-1.0, 1.0]):
        shown = [f"{v:g}" for v in values[:6]]
        raise ValueError(f"data={name!r}: labels must be two values, 0/1 or -1/+1; got {shown}"
                         f"{' ...' if len(values) > 6 else ''}")  # fmt: skip
    return x, (y == 1).astype(int)


def _read_csv(path: pathlib.Path) -> tuple[np.ndarray, np.ndarray]:
    import csv

    name = str(path)
    try:
        with open(path, newline="") as f:
            rows = [r for r in csv.reader(f) if r and any(c.strip() for c in r)]
    except (OSError, UnicodeDecodeError) as e:
        raise ValueError(f"data={name!r} is not a readable CSV file ({e})") from None
    if len(rows) < 2:
        raise ValueError(f"data={name!r} needs a header row and data rows; it has {len(rows)} row(s)")
    header = [h.strip() for h in rows[0]]
    labels = [i for i, h in enumerate(header) if h.lower() in ("label", "y")]
    if len(labels) > 1:  # the other would be read as a feature: the label leaks into the input
        raise ValueError(f"data={name!r} has two label columns, {[header[i] for i in labels]}; keep one "
                         "(label or y), or rename the other if it is a feature")  # fmt: skip
    label = labels[0] if labels else len(header) - 1
    if len(header) < 2:
        raise ValueError(f"data={name!r} needs at least one feature column and a label column")
    body = rows[1:]
    for i, r in enumerate(body, start=2):
        if len(r) != len(header):
            raise ValueError(f"data={name!r}, line {i}: {len(r)} fields, the header has {len(header)}")
    if all(_is_number(h) for h in header):  # catalog N_noheader: a data row was read as the header
        raise ValueError(f"data={name!r}: its first line {','.join(rows[0])!r} is numbers, not column names; "
                         "the first line must be a header (e.g. a,b,label)")  # fmt: skip
    try:  # ASCII numbers only (catalog N_fullwidth, N_underscore: float() read "１" and "1_000")
        table = np.array([[parse_float(c) if c.strip() else np.nan for c in r] for r in body])
    except ValueError as e:
        raise ValueError(f"data={name!r}: every field must be a number ({e})") from None
    return np.delete(table, label, axis=1), table[:, label]


def _is_number(text: str) -> bool:
    try:
        parse_float(text)
    except ValueError:
        return False
    return True
