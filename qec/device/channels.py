"""From a calibration's numbers to Stim channel probabilities: RB error to depolarizing p, T1/T2 to idling."""

from __future__ import annotations

import math


def depolarizing_probability(error: float, qubits: int) -> float:
    """The Stim ``DEPOLARIZE1``/``DEPOLARIZE2`` probability whose average gate infidelity is
    ``error`` (RB error per gate): p = r·(2ⁿ + 1)/2ⁿ (see ``qec.device``).

    Example:
        >>> depolarizing_probability(0.004, 2), depolarizing_probability(0.001, 1)
        (0.005, 0.0015)
    """
    dim = 2**qubits
    return error * (dim + 1) / dim


def idle_pauli(duration: float, t1: float, t2: float) -> tuple[float, float, float]:
    """(px, py, pz) of amplitude and phase damping for ``duration``, Pauli-twirled.

    The twirl keeps the diagonal of the channel's Pauli transfer matrix: λx = λy = e^(−t/T2),
    λz = e^(−t/T1). A Pauli channel has λx = 1 − 2(py + pz), λy = 1 − 2(px + pz),
    λz = 1 − 2(px + py); solving gives px = py = (1 − e^(−t/T1))/4 and
    pz = (1 − e^(−t/T2))/2 − (1 − e^(−t/T1))/4 (Ghosh, Fowler and Geller, PRA 86, 062318 (2012)).
    Needs T2 ≤ 2·T1 (else pz < 0).

    Raises:
        ValueError: T1, T2 and ``duration`` outside T1 > 0, 0 < T2 ≤ 2·T1 and duration ≥ 0.

    Example:
        >>> [round(x, 6) for x in idle_pauli(1e-6, 100e-6, 100e-6)]
        [0.002488, 0.002488, 0.002488]
    """
    if not (t1 > 0 and 0 < t2 <= 2 * t1 and duration >= 0):
        raise ValueError(f"idle: need T1 > 0, 0 < T2 <= 2*T1 and a duration >= 0; got T1={t1}, T2={t2}, "
                         f"t={duration}")  # fmt: skip
    relax = (1 - math.exp(-duration / t1)) / 4
    return (relax, relax, max((1 - math.exp(-duration / t2)) / 2 - relax, 0.0))
