"""A device's calibration summarised for QEC: its error rates and times, and the Stim noise they make.

A ``Device`` is one quantile (the median, or a named one such as ``q90``) of a real device's
calibration: two-qubit, single-qubit and readout errors, T1, T2 and the gate and readout
durations. It comes from one of ``qiskit_ibm_runtime.fake_provider``'s snapshots of IBM devices
(``available_devices()``; they load offline) or from a backend-properties JSON a user exported.

**Idealisation.** The code runs on an ideal square grid (every qubit coupled as the code needs)
with the device's error rates, not on the device's heavy-hex layout: no swaps, no routing, every
gate and qubit at the chosen quantile. A circuit's ``CX`` costs one native two-qubit gate (CZ,
ECR or CX) and ``H`` one single-qubit gate (``sx``).

The noise (``DeviceNoise``), per operation, in Stim's conventions:

- two-qubit gate: ``DEPOLARIZE2(p2)`` with p2 = r2·5/4, single-qubit gate: ``DEPOLARIZE1(p1)``
  with p1 = r1·3/2, where r is the device's reported ``gate_error``. IBM reports the error per
  gate from randomized benchmarking, an average gate infidelity r = 1 − F_avg. A Pauli channel
  that applies a non-identity Pauli with total probability p has process fidelity 1 − p, and
  F_avg = (d·F_pro + 1)/(d + 1) with d = 2ⁿ (Nielsen, Phys. Lett. A 303, 249 (2002); Horodecki
  et al., PRA 60, 1888 (1999)), so r = p·d/(d + 1) and p = r·(2ⁿ + 1)/2ⁿ. The same follows from
  RB's r = (d − 1)(1 − α)/d for a depolarizing channel of parameter α (Magesan, Gambetta and
  Emerson, PRL 106, 180504 (2011)).
- measurement: a flip with the qubit's ``readout_error`` (IBM's mean of P(0|1) and P(1|0)),
  symmetric, before every ``M``/``MR``.
- reset: a flip after every reset with the same probability as the readout error: IBM resets by
  measuring and flipping conditionally, so a reset fails when its measurement does.
- idling: every qubit a layer leaves idle decoheres for the layer's duration t (single-qubit
  gate, two-qubit gate, or readout + reset for a layer that measures or resets) under amplitude
  damping (T1) and dephasing (T2), Pauli-twirled into ``PAULI_CHANNEL_1(px, py, pz)`` with
  px = py = (1 − e^(−t/T1))/4 and pz = (1 − e^(−t/T2))/2 − (1 − e^(−t/T1))/4 (Ghosh, Fowler and
  Geller, PRA 86, 062318 (2012); ``idle_pauli``). T2 is capped at 2·T1, its physical bound.
  Qubits busy with a gate are not given idle noise on top: the gate's RB error includes its own
  decoherence (nor, in a layer that mixes them, the rest of the layer after a shorter gate). No
  dynamical decoupling is assumed.

A quantile ``qNN`` is the pessimistic NN-th percentile over the device's qubits or gates: the
NN-th percentile of errors and durations, the (100 − NN)-th of T1 and T2 (larger is better), so
``q90`` is a value 90% of the device is at least as good as. Couplers reported with
``gate_error`` 1 (IBM's mark of a gate out of service) are left out of the two-qubit errors.

The accepted JSON (``Device.from_backend("my_device.json")``) is the backend-properties format:
what ``json.dump(backend.properties().to_dict(), f, default=str)`` writes for a Qiskit backend
(IBM's ``BackendProperties``), the same as the ``props_*.json`` files of the fake backends. It
needs ``backend_name``, ``last_update_date``, ``qubits`` (a list per qubit of ``{"name", "value",
"unit"}`` entries: ``T1``, ``T2``, ``readout_error``, ``readout_length``) and ``gates`` (``{"gate",
"qubits", "parameters"}`` with ``gate_error`` and ``gate_length`` parameters); other keys are
ignored. A Qiskit ``Target`` has no JSON form and is not accepted: export ``backend.properties()``.
Nothing named in a file is imported or run: it is read as numbers and names only.

One module per concept: ``quantile`` (the quantile's label and the value it picks),
``properties`` (a backend-properties document read at a quantile), ``backends`` (the fake
backends, found by any spelling), ``channels`` (RB errors and T1/T2 as Stim channel
probabilities), ``calibration`` (``Device`` and the ``DeviceNoise`` it makes) and ``table``
(``qec devices``). This package only lists names, so ``from qec.device import Device`` works
whichever module a name lives in.
"""

# qec.qnn.device finds its backend (for the coupling map) the way Device does: same spellings.
from qec.device.backends import _fake_backend as _fake_backend
from qec.device.backends import available_devices
from qec.device.calibration import IDEALISATION, Device, DeviceNoise
from qec.device.channels import depolarizing_probability, idle_pauli
from qec.device.properties import ONE_QUBIT_GATES, TWO_QUBIT_GATES
from qec.device.quantile import check_quantile
from qec.device.table import device_table

__all__ = [
    "IDEALISATION",
    "ONE_QUBIT_GATES",
    "TWO_QUBIT_GATES",
    "Device",
    "DeviceNoise",
    "available_devices",
    "check_quantile",
    "depolarizing_probability",
    "device_table",
    "idle_pauli",
]
