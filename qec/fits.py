"""The fits.json file: one writer (``fits_document``), its readers, and the fit table text."""

from __future__ import annotations

import json
import os
import pathlib
from collections.abc import Sequence
from typing import Any

from qec.fit import (
    CONFIDENCE,
    AboveThreshold,
    FitError,
    GroupFit,
    LambdaFit,
    SuppressionModel,
    Threshold,
    group_key,
)


def read_fits(path: str | os.PathLike[str]) -> list[GroupFit]:
    """The groups of a fits.json file written by ``qec fit``.

    Raises:
        ValueError: the file is not a fits.json (the message names it and what is wrong).
    """
    path = pathlib.Path(path)
    try:
        return [GroupFit.from_dict(g) for g in json.loads(path.read_text())["fits"].values()]
    except (OSError, ValueError, KeyError, TypeError) as e:  # JSONDecodeError is a ValueError
        raise ValueError(f"{path}: not a fits.json written by qec fit ({type(e).__name__}: {e})") from None


def groups_of(document: dict[str, Any]) -> list[GroupFit]:
    """The groups of a parsed fits.json document (``read_fits`` reads the file)."""
    try:
        return [GroupFit.from_dict(g) for g in document["fits"].values()]
    except (ValueError, KeyError, TypeError) as e:
        raise ValueError(f"not a fits.json written by qec fit ({type(e).__name__}: {e})") from None


def format_table(fits: Sequence[GroupFit]) -> str:
    """A readable summary of ``fit_all``'s results."""
    lines = []
    for g in fits:
        lines.append(f"== {g.key}: {len(g.points)} points, distances {sorted({p.d for p in g.points})}")
        t = g.threshold
        if t is None:
            lines.append(f"  threshold  none: {g.threshold_note}")
        else:
            profile = [_end(t.p_th_profile_low), _end(t.p_th_profile_high)]
            lines.append(
                f"  threshold  p_th = {t.p_th:.5g}  [{profile[0]}, {profile[1]}] (profile; bootstrap "
                f"[{t.p_th_low:.5g}, {t.p_th_high:.5g}])  nu = {t.nu:.3g} [{t.nu_low:.3g}, {t.nu_high:.3g}]  "
                f"chi2/dof = {t.chi2_dof:.2f}" + (f"  ({g.threshold_note})" if g.threshold_note else "")
            )
        a = g.above_threshold
        where = "nowhere measured" if a.limit is None else f"p >= {a.limit:.4g}"
        where = f"p > {a.limit:.4g}" if a.limit is not None and a.limit == a.threshold_high else where
        lines.append(f"  above thr  {where} ({a.describe()})")
        for f in g.lambdas:
            lines.append(
                f"  Lambda     p = {f.p:<9.4g} {f.lambda_:8.3f}  [{f.lambda_low:.3f}, "
                f"{f.lambda_high:.3f}]  d = {list(f.distances)}"
            )
        m = g.model
        if m is None:
            lines.append(f"  model      none: {g.model_note}")
        else:
            lines.append(
                f"  model      eps_round = {m.describe()}; chi2/dof = {m.chi2_dof:.2f}, "
                f"AIC = {m.aic:.1f}, {m.n_points} points (p in [{m.p_min:.4g}, {m.p_max:.4g}], "
                f"d = {list(m.distances)}), {g.model_note}"
            )
    return "\n".join(lines)  # fmt: skip


def _end(value: float | None) -> str:
    return "open" if value is None else f"{value:.5g}"


def fits_document(fits: Sequence[GroupFit], *, inputs: Sequence[str], bootstrap: int, seed: int) -> dict:
    """The JSON document ``qec fit`` writes: settings, then one entry per group key."""
    return {
        "confidence": CONFIDENCE,
        "bootstrap": bootstrap,
        "seed": seed,
        "inputs": list(inputs),
        "fits": {g.key: g.to_dict() for g in fits},
    }


def decoders_for(document: dict[str, Any], code: str, noise: str, basis: str) -> list[str]:
    """The decoders with a fitted group for (code, noise, basis) in a fits document, in its order.

    Raises:
        FitError: there is none (the message lists the groups there are).
    """
    groups = document.get("fits", {})
    wanted = (code, noise, basis)
    found = [g["decoder"] for g in groups.values() if "decoder" in g
             and (g.get("code"), g.get("noise"), g.get("basis")) == wanted]  # fmt: skip
    if not found:
        raise FitError(f"no fit for code={code!r}, noise={noise!r}, basis={basis!r}; the document has "
                       f"{sorted(groups)}")  # fmt: skip
    return found


def models_by_decoder(
    document: dict[str, Any], code: str, noise: str, basis: str, decoders: Sequence[str] | None = None
) -> dict[str, list[SuppressionModel]]:
    """Decoder → [chosen model, *supported alternatives] of (code, noise, basis), for ``decoders``
    (default: every decoder the document fitted)."""
    decoders = list(decoders) if decoders else decoders_for(document, code, noise, basis)
    return {name: read_models(document, group_key(code, noise, basis, name)) for name in decoders}


def above_threshold_by_decoder(
    document: dict[str, Any], code: str, noise: str, basis: str, decoders: Sequence[str] | None = None
) -> dict[str, AboveThreshold]:
    """Decoder → where its measured threshold and Λ say "above threshold", for ``decoders``
    (default: every decoder the document fitted).

    Raises:
        FitError: a decoder has no fit (the message lists the groups there are).
    """
    decoders = list(decoders) if decoders else decoders_for(document, code, noise, basis)
    out = {}
    for name in decoders:
        key = group_key(code, noise, basis, name)
        if key not in document.get("fits", {}):
            raise FitError(f"no fit for {key!r}; the document has {sorted(document.get('fits', {}))}")
        group = document["fits"][key]
        if isinstance(group.get("threshold"), dict) and "p_th_profile_high" not in group["threshold"]:
            # Read silently, such a file would leave only Λ to say "above threshold".
            raise FitError(
                f"{key}: the threshold has no profile interval: the file predates it; run qec fit again"
            )
        try:
            threshold = None if group["threshold"] is None else Threshold.from_dict(group["threshold"])
            lambdas = [LambdaFit.from_dict(f) for f in group["lambda"]]
        except (KeyError, TypeError, ValueError) as e:
            raise FitError(
                f"{key}: no threshold and Λ as qec fit writes them ({type(e).__name__}: {e})"
            ) from None
        out[name] = AboveThreshold.measured(threshold, lambdas)
    return out


def read_models(document: dict[str, Any], key: str) -> list[SuppressionModel]:
    """The chosen suppression model of group ``key``, then its supported alternatives."""
    model = read_model(document, key)
    return [
        model,
        *(SuppressionModel.from_dict(m) for m in document["fits"][key].get("model_alternatives", ())),
    ]


def read_model(document: dict[str, Any], key: str) -> SuppressionModel:
    """The suppression model of group ``key`` ("code/noise/basis/decoder") in a fits document."""
    if key not in document.get("fits", {}):
        raise FitError(f"no fit for {key!r}; the document has {sorted(document.get('fits', {}))}")
    model = document["fits"][key]["model"]
    if model is None:
        raise FitError(f"{key}: no suppression model: {document['fits'][key]['model_note']}")
    return SuppressionModel.from_dict(model)
