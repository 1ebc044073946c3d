"""``qec devices``: every fake backend with its calibration date and values at a quantile."""

from __future__ import annotations

from qec.device.backends import _backend_properties, _fake_backends
from qec.device.calibration import IDEALISATION, Device
from qec.device.quantile import check_quantile


def device_table(quantile: str = "median") -> str:
    """``qec devices``: every fake backend with its calibration date and quantile values.

    Devices whose calibration cannot make a noise model (no two-qubit gate, no readout length,
    ...) are listed with the reason.

    Raises:
        ValueError: ``quantile`` is neither ``median`` nor ``qNN`` with NN in 1..99.
    """
    quantile = check_quantile(quantile)
    lines = [
        f"fake backends of qiskit_ibm_runtime; values are the {quantile} over qubits/gates "
        f"(errors: reported RB/readout error); {IDEALISATION}",
        f"{'device':<18} {'calibration':<11} {'qubits':>6} {'2q gate':>7} {'2q error':>9} {'1q error':>9} "
        f"{'readout':>9} {'T1 (us)':>8} {'T2 (us)':>8}",
    ]
    for name, backend in sorted(_fake_backends().items()):
        try:
            data = _backend_properties(backend)
            d = Device.from_properties(data, quantile=quantile, where=name, name=name)
        except (OSError, ValueError) as e:
            reason = str(e).removeprefix(f"{name}: ")
            lines.append(f"{name:<18} not usable: {reason}")
            continue
        lines.append(
            f"{d.name:<18} {d.calibration[:10]:<11} {d.qubits:>6} {d.gate_2q:>7} {d.error_2q:>9.2e} "
            f"{d.error_1q:>9.2e} {d.readout_error:>9.2e} {d.t1 * 1e6:>8.1f} {d.t2 * 1e6:>8.1f}"
        )
    return "\n".join(lines)
