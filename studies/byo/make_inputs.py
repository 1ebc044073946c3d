"""Write the example study's own QNN and data, as a researcher would bring them.

- ``qnn.qpy``: Qiskit circuit library, a Z feature map (inputs ``x[0..3]``, the library's
  default parameter name) followed by a real-amplitudes ansatz (weights ``θ[0..11]``), 4 qubits.
  (The ZZ feature map trains to 0.67 test accuracy on these data against 0.91 for the Z map;
  swap it in here to see.)
- ``breast_cancer.csv``: scikit-learn's shipped breast-cancer dataset reduced to 4 features
  (the four "worst" radius, texture, smoothness and concavity columns), label column ``label``
  (1 = benign, 0 = malignant).

Usage (from the repository root): ``python studies/byo/make_inputs.py``
"""

from __future__ import annotations

import csv
import pathlib

HERE = pathlib.Path(__file__).resolve().parent
FEATURES = ("worst radius", "worst texture", "worst smoothness", "worst concave points")


def circuit():
    """The example QNN: Z feature map (1 repetition) + real amplitudes (2 repetitions, linear)."""
    from qiskit import QuantumCircuit
    from qiskit.circuit.library import real_amplitudes, z_feature_map

    qc = QuantumCircuit(4)
    qc.compose(z_feature_map(4, reps=1), inplace=True)
    qc.compose(real_amplitudes(4, reps=2, entanglement="linear"), inplace=True)
    return qc


def main() -> None:
    from qiskit import qpy
    from sklearn.datasets import load_breast_cancer

    with open(HERE / "qnn.qpy", "wb") as f:
        qpy.dump(circuit(), f)
    data = load_breast_cancer()
    columns = [list(data.feature_names).index(name) for name in FEATURES]
    with open(HERE / "breast_cancer.csv", "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow([name.replace(" ", "_") for name in FEATURES] + ["label"])
        for row, label in zip(data.data[:, columns], data.target, strict=True):
            writer.writerow([f"{v:.6g}" for v in row] + [int(label)])
    print(f"wrote {HERE / 'qnn.qpy'} and {HERE / 'breast_cancer.csv'}")


if __name__ == "__main__":
    main()
