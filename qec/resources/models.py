"""The suppression models QDK is given: each decoder's from fits.json, and the CNOT's beside them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from qec.channel import cnot_equivalent_model
from qec.fit import AboveThreshold, SuppressionModel, above_threshold_by_decoder, groups_of, models_by_decoder


def models_from_fits(
    fits: Mapping[str, Any], *, code: str, noise: str, basis: str = "z", decoders: Sequence[str] | None = None
) -> tuple[dict[str, SuppressionModel], dict[str, AboveThreshold]]:
    """Each decoder's chosen suppression model of (code, noise, basis) in a fits.json document,
    with the lattice-surgery CNOT's constants beside it where the document holds them
    (``with_cnot_constants``), and where each is above threshold as measured.

    Args:
        fits: A parsed fits.json document (``qec fit``).
        code: Code family of the memory models.
        noise: Noise model of the memory models (and of the CNOT's).
        basis: Memory basis of the models.
        decoders: The decoders whose models to take (default: all the document fitted).

    Raises:
        ValueError: the document has no such group, no fit for one of ``decoders``, or a corrupt one.

    Example:
        >>> try:
        ...     models_from_fits({"fits": {}}, code="surface_rotated", noise="circuit")
        ... except ValueError as e:
        ...     print(e)
        no fit for code='surface_rotated', noise='circuit', basis='z'; the document has []
    """
    groups = groups_of(fits)  # the whole document read first: a corrupt group is one ValueError
    fitted = models_by_decoder(fits, code, noise, basis, decoders)
    models = {name: ms[0] for name, ms in fitted.items()}
    above = above_threshold_by_decoder(fits, code, noise, basis, list(models))
    return with_cnot_constants(models, above, groups, noise=noise)


def with_cnot_constants(
    models: Mapping[str, SuppressionModel],
    above: Mapping[str, AboveThreshold],
    groups: Sequence[Any],
    *,
    noise: str,
) -> tuple[dict[str, SuppressionModel], dict[str, AboveThreshold]]:
    """Beside each decoder's memory constants, the lattice-surgery CNOT's (``decoder, cnot``) where
    the fits hold it: above threshold where any of its flows is.

    Args:
        models: Decoder → its memory suppression model.
        above: Decoder → where its memory measurements say "above threshold".
        groups: The fits' groups (``qec.fit.groups_of``), CNOT flows among them or not.
        noise: The noise model whose CNOT groups count.

    Example:
        >>> m = {"pymatching": SuppressionModel.power(A=0.03, p_th=0.01)}
        >>> list(with_cnot_constants(m, {}, [], noise="circuit")[0])
        ['pymatching']
    """
    by_key = {g.key: g for g in groups}
    out, out_above = dict(models), dict(above)
    for name in models:
        model = cnot_equivalent_model(by_key, noise=noise, decoder=name)
        if model is None:
            continue
        flows = [g for g in groups if g.experiment == "cnot" and g.decoder == name and g.noise == noise]
        bounded = [g.above_threshold for g in flows if g.above_threshold.limit is not None]
        out[f"{name}, cnot"] = model
        out_above[f"{name}, cnot"] = min(bounded, key=lambda a: a.limit) if bounded else AboveThreshold()
    return out, out_above
