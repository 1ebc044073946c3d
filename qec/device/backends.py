"""The fake IBM backends of ``qiskit_ibm_runtime.fake_provider``: found by any spelling, read."""

from __future__ import annotations

import difflib
import functools
import json
import pathlib
import re
from typing import Any


def available_devices() -> list[str]:
    """The fake backends' names (``qiskit_ibm_runtime.fake_provider``), sorted.

    Example:
        >>> "fake_fez" in available_devices()
        True
    """
    return sorted(_fake_backends())


@functools.cache
def _fake_backends() -> dict[str, Any]:
    import warnings

    from qiskit_ibm_runtime.fake_provider import FakeProviderForBackendV2

    with warnings.catch_warnings():  # fake_nighthawk warns that its numbers are not typical
        warnings.simplefilter("ignore", UserWarning)
        return {b.name: b for b in FakeProviderForBackendV2().backends() if b.props_filename}


def _spelling(name: str) -> str:
    key = re.sub(r"[\s_-]", "", name.lower())
    for prefix in ("fake", "ibmq", "ibm"):
        if key.startswith(prefix) and len(key) > len(prefix):
            return key[len(prefix) :]
    return key


def _fake_backend(name: str) -> Any:
    backends = _fake_backends()
    by_key = {_spelling(n): b for n, b in backends.items()}
    if _spelling(name) in by_key:
        return by_key[_spelling(name)]
    close = difflib.get_close_matches(_spelling(name), list(by_key), n=4, cutoff=0.6)
    hint = (f"; close: {', '.join(by_key[k].name for k in close)}" if close
            else "; `qec devices` lists them")  # fmt: skip
    raise ValueError(f"device={name!r} is not a fake backend of qiskit_ibm_runtime (nor a .json file){hint}")


def _backend_properties(backend: Any) -> Any:
    """The fake backend's snapshot as a backend-properties dict (its ``props_*.json``)."""
    return json.loads(pathlib.Path(backend.dirname, backend.props_filename).read_text())
