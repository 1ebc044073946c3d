"""Checks a study config (studies/*.yaml) must pass before any job runs, beyond what JSON schema says.

The Snakefile validates a config against ``studies/schema.yaml`` and then calls ``check_study``,
so that a value every job would refuse is refused on a dry run, in the commands' own words:

- numbers as the commands read them: JSON schema's ``number`` admits NaN and infinity (every
  comparison with NaN is False, so ``minimum`` passes it) and its ``integer`` admits 4000.0,
  which the rules then write as ``--max-shots 4000.0``. The same schema is applied with a
  ``number`` that must be finite and an ``integer`` that must be an int.
- rules that tie several values together, checked by the code the commands run: p within
  the noise model's range, a threshold window low < high, a tolerance grid, the QNN's
  configuration (split sizes, sizes a run cannot finish, the observable) and COBYLA's minimum
  of weights + 2 iterations for the built-in ansatz, and decoders sinter knows when there are
  no custom ones.
"""

from __future__ import annotations

import math
import pathlib
from collections.abc import Mapping, Sequence
from typing import Any


def check_study(config: Mapping[str, Any], schema: str | pathlib.Path) -> None:
    """Raise ``ValueError`` naming the key and value a study's jobs would refuse.

    Args:
        config: The study config (already valid against ``schema`` as JSON schema reads it).
        schema: Path of ``studies/schema.yaml``.

    Raises:
        ValueError: a value the study's jobs would refuse (named with its key), or
            ``device_qnns`` without ``sampling.device``.

    Example:
        >>> import yaml
        >>> config = yaml.safe_load(open("studies/quick.yaml"))
        >>> check_study(config, "studies/schema.yaml")
        >>> config["budget"]["cycles_per_gate"] = float("nan")
        >>> check_study(config, "studies/schema.yaml")
        Traceback (most recent call last):
        ...
        ValueError: study config: budget.cycles_per_gate=nan must be a finite number
    """
    _check_types(config, schema)
    for section, check in (("sampling", _sampling), ("fit", _fit), ("qnn", _qnn), ("tolerance", _tolerance)):
        try:
            check(config[section], config)
        except ValueError as e:
            raise ValueError(f"study config: {section}: {e}") from None
    if config.get("device_qnns") and not config["sampling"].get("device"):
        raise ValueError("study config: device_qnns needs sampling.device (they are budgeted on devices "
                         "only)")  # fmt: skip
    for name, block in (config.get("device_qnns") or {}).items():
        try:
            _qnn(block, config)
        except ValueError as e:
            raise ValueError(f"study config: device_qnns.{name}: {e}") from None


def _check_types(config: Mapping[str, Any], schema: str | pathlib.Path) -> None:
    import jsonschema
    import yaml

    document = yaml.safe_load(pathlib.Path(schema).read_text())
    base = jsonschema.validators.validator_for(document)
    checker = base.TYPE_CHECKER.redefine_many({
        "number": lambda _c, x: _is_number(x) and math.isfinite(x),
        "integer": lambda _c, x: _is_number(x) and isinstance(x, int),
    })  # fmt: skip
    strict = jsonschema.validators.extend(base, type_checker=checker)(document)
    error = jsonschema.exceptions.best_match(strict.iter_errors(config))
    if error is None:
        return
    where = "".join(f"[{k}]" if isinstance(k, int) else f".{k}" for k in error.absolute_path).lstrip(".")
    value = error.instance
    if error.validator == "type" and isinstance(value, float):
        allowed = "an integer" if math.isfinite(value) else "a finite number"
        raise ValueError(f"study config: {where}={value!r} must be {allowed}")
    raise ValueError(f"study config: {where}: {error.message}")


def _is_number(x: Any) -> bool:
    return isinstance(x, int | float) and not isinstance(x, bool)


def _sampling(s: Mapping[str, Any], _config: Mapping[str, Any]) -> None:
    from qec.decoders import check_decoder
    from qec.noise import NoiseModel

    for p in [*s["ps"], *s.get("cnot", {}).get("ps", [])]:
        NoiseModel(s["noise"], p)
    if s.get("device") or "quantile" in s:
        _devices(s)
    if not s.get("custom_decoders"):  # custom ones are known once their module is imported, in the job
        for decoder in s.get("decoders") or [s["decoder"]]:
            check_decoder(decoder)
    if s.get("adaptive"):
        from qec.adaptive import DEFAULTS, AdaptiveTarget

        a = s["adaptive"]
        if "memory" not in s.get("experiments", ["memory"]):
            raise ValueError("adaptive: samples the memory experiment, which experiments does not list")
        settings = {**DEFAULTS, **a, "max_shots": s["max_shots"]}
        settings.pop("workers", None)  # the job's, not the target's
        settings["pilot_shots"] = min(settings["pilot_shots"], s["max_shots"])
        try:
            AdaptiveTarget(steps=settings.pop("target"), **settings)
        except ValueError as e:
            raise ValueError(f"adaptive.{str(e).replace('steps=', 'target=', 1)}") from None


def _devices(s: Mapping[str, Any]) -> None:
    """``sampling.device``: fake backends whose calibration makes a noise model (``qec.device``)."""
    from qec.device import Device, check_quantile

    if "quantile" in s and not s.get("device"):
        raise ValueError(f"quantile={s['quantile']!r} is not allowed without device")
    quantile = check_quantile(s.get("quantile", "median"))
    for name in s.get("device", []):
        Device.from_backend(name, quantile)


def _fit(f: Mapping[str, Any], _config: Mapping[str, Any]) -> None:
    from qec.fit import fit_all

    if f.get("threshold_window"):
        fit_all([], threshold_window=tuple(f["threshold_window"]))


def _qnn(q: Mapping[str, Any], _config: Mapping[str, Any]) -> None:
    from qec.qnn import TrainConfig, parse_observable
    from qec.qnn.config import OBSERVABLES, _terms
    from qec.qnn.training import check_iterations

    settings = {k: q[k] for k in ("observable", "samples", "test_fraction", "maxiter", "chunk", "shots",
                                  "method", "trajectories") if k in q}  # fmt: skip
    dataset = q.get("data") or q["dataset"]
    if q.get("circuit"):  # its qubits and weights are known once it is loaded, in the job
        ansatz = [k for k in ("qubits", "layers", "connectivity") if k in q]
        if ansatz:  # catalog V17: qubits 7 beside a 4-qubit circuit was ignored silently
            raise ValueError(f"{', '.join(f'{k}={q[k]!r}' for k in ansatz)} describe the built-in ansatz; "
                             f"circuit={q['circuit']!r} is your own, whose qubits are its own: remove "
                             f"{' and '.join(ansatz)}")  # fmt: skip
        config = TrainConfig(dataset=dataset, circuit=q["circuit"], qubits=1, layers=0, **settings)
        if config.observable not in OBSERVABLES:
            parse_observable(config.observable, len(_terms(config.observable)[0][1]))
        return
    config = TrainConfig(dataset=dataset, qubits=q["qubits"], layers=q["layers"],
                         connectivity=q["connectivity"], **settings)  # fmt: skip
    parse_observable(config.observable, config.qubits)
    check_iterations(config, config.ansatz_weights or 0)


def _tolerance(t: Mapping[str, Any], _config: Mapping[str, Any]) -> None:
    from qec.tolerance import check_delta, check_eps_grid

    check_delta(t["delta"])
    check_eps_grid(t["eps_grid"])


def _shots(p: float, d: int, max_shots: int, max_errors: int, scale: float = 1.0) -> float:
    return min(max_shots, max_errors / max(1e-12, scale * 0.1 * (p / 0.01) ** ((d + 1) / 2)))


def shard_priority(
    d: int,
    *,
    experiment: str,
    decoders: Sequence[str],
    sampling: Mapping[str, Any],
    cnot: Mapping[str, Any],
) -> int:
    """A study's scheduling priority for a sampling shard: its rough cost in core-seconds.

    With two cores, a long shard started last ends the study alone (paper's memory at d = 11
    with correlated matching takes about fifteen minutes, most shards seconds), so Snakemake
    starts the longest first. Only the order of jobs depends on this, so a rough model does. A
    shard holds every p of one basis and d, for each of its ``decoders`` (a memory shard has
    one, a CNOT shard all of the study's): for each p, shots until
    ``max_errors`` or ``max_shots`` at a logical error 0.1·(p/1%)^((d+1)/2) per shot, times the
    detectors (d rounds of d²), ×3 for correlated matching; the CNOT's (``experiment="cnot"``)
    are three patches' worth for 4d rounds at ten times memory's error.

    Example:
        >>> s = {"ps": [0.001, 0.005], "max_shots": 2_000_000, "max_errors": 500}
        >>> c = {"ps": [0.001, 0.005], "max_shots": 400_000, "max_errors": 500}
        >>> grid = dict(sampling=s, cnot=c)
        >>> small = shard_priority(3, experiment="memory", decoders=["pymatching"], **grid)
        >>> large = shard_priority(11, experiment="memory", decoders=["pymatching"], **grid)
        >>> both = ["pymatching", "pymatching-correlated"]
        >>> cnot = shard_priority(7, experiment="cnot", decoders=both, **grid)
        >>> small, large, cnot  # core-seconds, roughly: the order is what matters
        (0, 77, 167)
    """
    if experiment not in ("memory", "cnot"):
        raise ValueError(f"experiment={experiment!r}: expected 'memory' or 'cnot'")
    cost = sum(3 if "correlated" in decoder else 1 for decoder in decoders)
    if experiment == "memory":
        shots = sum(_shots(x, d, sampling["max_shots"], sampling["max_errors"]) for x in sampling["ps"])
        cost *= shots * d**3
    else:
        shots = sum(_shots(x, d, cnot["max_shots"], cnot["max_errors"], scale=10) for x in cnot["ps"])
        cost *= shots * 12 * d**3
    return int(min(cost * 2.5e-8, 1e6))


def qnn_settings(block: Mapping[str, Any]) -> str:
    """A study's qnn block (or a ``device_qnns`` entry) as the ``qec train --settings`` file's
    text: every key but the seeds, sorted, so that a re-dumped study file gives the same text.

    Example:
        >>> print(qnn_settings({"qubits": 2, "seeds": [0, 1], "dataset": "moons"}), end="")
        {
         "dataset": "moons",
         "qubits": 2
        }
    """
    import json

    return json.dumps({k: v for k, v in sorted(block.items()) if k != "seeds"}, indent=1) + "\n"


def settings_digest(text: str) -> str:
    """The 12 hex digits a settings file is named by (``settings-<digest>.json``): a changed block
    is a new file, so a training never reads a stale one.

    Example:
        >>> settings_digest("{}\\n")
        'ca3d163bab05'
    """
    import hashlib

    return hashlib.sha256(text.encode()).hexdigest()[:12]


def write_qnn_settings(path: str | pathlib.Path, text: str, digest: str) -> None:
    """Write the settings file ``path`` atomically, refusing ``text`` whose digest is not ``digest``.

    Raises:
        ValueError: the name and the content disagree.
    """
    from qec._io import atomic_write_text

    if settings_digest(text) != digest:
        raise ValueError(f"{path}: the study's settings have digest {settings_digest(text)}, not {digest}")
    atomic_write_text(path, text)
