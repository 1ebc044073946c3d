"""Fitted groups (``GroupFit``, ``fit_all``) and the fits.json file: its writer, its readers, the table."""

from __future__ import annotations

import dataclasses
import json
import os
import pathlib
from collections.abc import Sequence
from typing import Any

from qec._check import record_fields
from qec.fit.above import AboveThreshold, fmt_end
from qec.fit.lambdas import LambdaFit, fit_lambdas
from qec.fit.model import SuppressionModel, _choose_model, fit_models
from qec.fit.points import CONFIDENCE, DEFAULT_DECODER, FitError, Point
from qec.fit.threshold import Threshold, check_bootstrap, fit_threshold
from qec.interval import flat_dict


def _point_dict(pt: Point) -> dict[str, Any]:
    # decoder, experiment and observable are the group's, stored once with it
    group_fields = ("decoder", "experiment", "observable")
    return {k: v for k, v in flat_dict(pt).items() if k not in group_fields}


def group_key(code: str, noise: str, basis: str, decoder: str, experiment: str = "memory",
              observable: str = "") -> str:  # fmt: skip
    """The key of one fitted group in fits.json: a gate experiment's key starts with the
    experiment and the flow.

    Example:
        >>> group_key("surface_rotated", "circuit", "z", "pymatching")
        'surface_rotated/circuit/z/pymatching'
        >>> group_key("surface_rotated", "circuit", "x", "pymatching", "cnot", "XIXX")
        'cnot:XIXX/surface_rotated/circuit/x/pymatching'
    """
    head = "" if experiment == "memory" else f"{experiment}:{observable}/"
    return f"{head}{code}/{noise}/{basis}/{decoder}"


@dataclasses.dataclass(frozen=True)
class GroupFit:
    """Every fit for one (code, noise, basis) decoded by one decoder.

    Attributes:
        code, noise, basis, decoder: The group: each decoder is fitted on its own.
        points: All points of the group, sorted by (d, p, rounds).
        threshold: The threshold fit, or None; threshold_note says why not (or, beside a fit,
            what limits its use).
        lambdas: Λ per p where at least two distances have errors.
        model: The suppression model, or None; model_note says why not.
        model_alternatives: The other forms the data support about as well (AIC within
            ``AIC_SUPPORT`` of the chosen one); the budget's d* interval spans them too.
    """

    code: str
    noise: str
    basis: str
    points: tuple[Point, ...]
    threshold: Threshold | None
    threshold_note: str
    lambdas: tuple[LambdaFit, ...]
    model: SuppressionModel | None
    model_note: str
    model_alternatives: tuple[SuppressionModel, ...] = ()
    decoder: str = DEFAULT_DECODER
    experiment: str = "memory"
    observable: str = ""

    def __repr__(self) -> str:
        model = "no model" if self.model is None else f"model {self.model.form}"
        return f"<GroupFit {self.key}: {len(self.points)} points, {model}>"

    @property
    def key(self) -> str:
        """``code/noise/basis/decoder``: the group's key in fits.json (``group_key``)."""
        return group_key(self.code, self.noise, self.basis, self.decoder, self.experiment, self.observable)

    @property
    def above_threshold(self) -> AboveThreshold:
        """Where this group is measured to be above threshold (threshold and Λ)."""
        return AboveThreshold.measured(self.threshold, self.lambdas)

    def to_dict(self) -> dict[str, Any]:
        """As fits.json stores one group; ``from_dict`` reads it back (each part by its own type).
        Memory groups carry no experiment keys (files from before gate experiments read alike)."""
        gate = {} if self.experiment == "memory" else {"experiment": self.experiment,
                                                        "observable": self.observable}  # fmt: skip
        return {
            **gate,
            "code": self.code, "noise": self.noise, "basis": self.basis, "decoder": self.decoder,
            "threshold": None if self.threshold is None else self.threshold.to_dict(),
            "threshold_note": self.threshold_note,
            "lambda": [f.to_dict() for f in self.lambdas],
            "model": None if self.model is None else self.model.to_dict(),
            "model_note": self.model_note,
            "model_alternatives": [m.to_dict() for m in self.model_alternatives],
            "above_threshold": self.above_threshold.to_dict(),  # for readers: from_dict derives it
            "points": [_point_dict(pt) for pt in self.points],
        }  # fmt: skip

    @classmethod
    def from_dict(cls, data: dict[str, Any], *, what: str = "fits group") -> GroupFit:
        """Rebuild from ``to_dict`` output, field by field (``qec._check.record_fields``), each
        nested record by its own ``from_dict``.

        Raises:
            ValueError: a field is missing or of the wrong type (the message names it and
                ``what``), or the group predates per-decoder fits.
        """
        if isinstance(data, dict) and "decoder" not in data:
            group = "/".join(str(data.get(k)) for k in ("code", "noise", "basis"))
            raise ValueError(f"group {group} has no 'decoder' field: the file predates per-decoder fits; "
                             "run qec fit again")  # fmt: skip
        values = record_fields(cls, data, what=what, keys={"lambdas": "lambda"})
        gate = {"decoder": values["decoder"], "experiment": values.get("experiment", "memory"),
                "observable": values.get("observable", "")}  # fmt: skip
        threshold = values["threshold"]
        values["threshold"] = (
            None if threshold is None else Threshold.from_dict(threshold, what=f"{what} threshold")
        )
        values["lambdas"] = tuple(LambdaFit.from_dict(f, what=f"{what} lambda") for f in values["lambdas"])
        model, what_model = values["model"], f"{what} suppression model"
        values["model"] = None if model is None else SuppressionModel.from_dict(model, what=what_model)
        values["model_alternatives"] = tuple(
            SuppressionModel.from_dict(m, what=f"{what} model alternative")
            for m in values.get("model_alternatives", ())
        )
        values["points"] = tuple(
            Point(**{**record_fields(Point, pt, what=f"{what} point"), **gate}) for pt in values["points"]
        )
        return cls(**values)  # fmt: skip


def fit_all(
    points: Sequence[Point],
    *,
    bootstrap: int = 200,
    seed: int = 0,
    threshold_window: tuple[float, float] | None = None,
) -> list[GroupFit]:
    """Threshold, Λ and model for every (code, noise, basis, decoder) among ``points``: each
    decoder is fitted on its own, so that decoders can be compared.

    The model is fitted on the points below threshold: p < the lower end of the threshold's
    profile interval when a threshold was fitted and that interval is inside the sampled p
    range, else the p values whose Λ interval lies above 1 (and not above threshold). Neither
    depends on ``bootstrap``. A form with k > 0 whose p_th lies above the measured threshold is
    not used (``_choose_model``). Whatever cannot be fitted is None with a note saying why.

    Args:
        points: Points of any number of groups.
        bootstrap: Bootstrap resamples for the threshold's bootstrap interval (reported; the
            model's points and "above threshold" use the profile interval, so they do not
            depend on it): 0 (none) or at least ``MIN_BOOTSTRAP``.
        seed: Bootstrap seed.
        threshold_window: Only points with p in [low, high] enter the threshold fit (the
            quadratic scaling form holds near threshold only).

    Example:
        >>> pts = [Point.from_counts(code="c", noise="n", basis="z", d=d, p=0.001, rounds=d,
        ...                          shots=10**5, errors=e) for d, e in [(3, 900), (5, 120)]]
        >>> (g,) = fit_all(pts, bootstrap=0)
        >>> g.key, g.threshold, g.threshold_note[:30], round(g.lambdas[0].lambda_, 1)
        ('c/n/z/pymatching', None, 'cannot bracket a threshold: at', 12.6)
    """
    check_bootstrap(bootstrap)
    if threshold_window is not None and not 0 <= threshold_window[0] < threshold_window[1]:
        raise ValueError(f"threshold_window={threshold_window!r} must be (low, high) with 0 <= low < high")
    groups: dict[tuple[str, ...], list[Point]] = {}
    for pt in points:
        key = (pt.experiment, pt.observable, pt.code, pt.noise, pt.basis, pt.decoder)
        groups.setdefault(key, []).append(pt)
    out = []
    for (experiment, observable, code, noise, basis, decoder), pts in sorted(groups.items()):
        threshold, t_note = None, ""
        try:
            window = [pt for pt in pts if threshold_window is None
                      or threshold_window[0] <= pt.p <= threshold_window[1]]  # fmt: skip
            threshold = fit_threshold(window, bootstrap=bootstrap, seed=seed)
        except FitError as e:
            t_note = str(e)
        lambdas = fit_lambdas(pts)
        above = AboveThreshold.measured(threshold, lambdas)
        sampled = (min(pt.p for pt in pts), max(pt.p for pt in pts))
        # The model's points are chosen by the profile interval, not the bootstrap's: it depends
        # on the counts alone, so every bootstrap count (0 included, where the bootstrap
        # interval collapses onto p_th) feeds the model the same points and gives the same form.
        if threshold is not None and not (threshold.bounded and sampled[0] < threshold.p_th_profile_low
                                          and threshold.p_th_profile_high < sampled[1]):  # fmt: skip
            t_note = (f"its profile interval [{fmt_end(threshold.p_th_profile_low)}, "
                      f"{fmt_end(threshold.p_th_profile_high)}] is not inside the sampled p range "
                      f"[{sampled[0]:.4g}, {sampled[1]:.4g}]: too loose to choose the model's points, "
                      "which Λ chooses instead")  # fmt: skip
        if threshold is not None and not t_note:
            below = [pt for pt in pts if pt.p < threshold.p_th_profile_low]
            rule = f"p < {threshold.p_th_profile_low:.4g} (the threshold's lower bound, profile interval)"
        else:
            good = {f.p for f in lambdas if f.interval.low > 1 and not above.reason(f.p)}
            below = [pt for pt in pts if pt.p in good]
            rule = "p with Λ significantly above 1 (no usable threshold)"
        model, alternatives, m_note = _model_on(below, rule, above.limit)
        out.append(GroupFit(code=code, noise=noise, basis=basis, decoder=decoder, points=tuple(pts),
                            experiment=experiment, observable=observable,
                            threshold=threshold, threshold_note=t_note, lambdas=tuple(lambdas),
                            model=model, model_note=m_note, model_alternatives=alternatives))  # fmt: skip
    return out


def _model_on(below: Sequence[Point], rule: str, limit: float | None
              ) -> tuple[SuppressionModel | None, tuple[SuppressionModel, ...], str]:  # fmt: skip
    """The model ``fit_all`` keeps for points ``below`` (chosen by ``rule``), its supported
    alternatives, and the note saying how it was chosen or why there is none."""
    if not below:
        return None, (), f"not fitted: no point has {rule}"
    try:
        return _choose_model(fit_models(below), limit, rule)
    except FitError as e:
        return None, (), f"not fitted on {rule}: {e}"


def read_fits(path: str | os.PathLike[str]) -> list[GroupFit]:
    """The groups of a fits.json file written by ``qec fit``.

    Raises:
        ValueError: the file is not a fits.json (the message names it and what is wrong).
    """
    path = pathlib.Path(path)
    try:
        document = json.loads(path.read_text())
    except (OSError, ValueError) as e:  # JSONDecodeError is a ValueError
        raise ValueError(f"{path}: not a fits.json written by qec fit ({type(e).__name__}: {e})") from None
    try:
        return groups_of(document)
    except ValueError as e:
        raise ValueError(f"{path}: {e}") from None


@dataclasses.dataclass(frozen=True)
class _FitsFile:
    """What readers need of a fits.json document: its groups by key."""

    fits: dict[str, dict[str, Any]]


def groups_of(document: Any) -> list[GroupFit]:
    """The groups of a parsed fits.json document (``read_fits`` reads the file).

    Raises:
        ValueError: the document is not a fits.json written by ``qec fit``: a group lacks a
            field or has one of the wrong type (the message names the group and the field).
    """
    try:
        groups = record_fields(_FitsFile, document, what="the document")["fits"]
        return [GroupFit.from_dict(g, what=f"fits group {key!r}") for key, g in groups.items()]
    except ValueError as e:
        raise ValueError(f"not a fits.json written by qec fit: {e}") from None


def checked_fits(document: Any) -> dict[str, Any]:
    """``document`` once every group in it reads (``groups_of``): the functions that take a
    parsed fits.json (``models_by_decoder``, ``above_threshold_by_decoder``, ...) may then
    index it freely.

    Raises:
        ValueError: as ``groups_of``.
    """
    groups_of(document)
    return document


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
            if t.p_th_low is None or t.p_th_high is None or t.nu_low is None or t.nu_high is None:
                boot, nu = "no bootstrap interval: bootstrap 0", f"{t.nu:.3g}"
            else:
                boot = f"bootstrap [{t.p_th_low:.5g}, {t.p_th_high:.5g}]"
                nu = f"{t.nu:.3g} [{t.nu_low:.3g}, {t.nu_high:.3g}]"
            lines.append(
                f"  threshold  p_th = {t.p_th:.5g}  [{profile[0]}, {profile[1]}] (profile; {boot})  "
                f"nu = {nu}  chi2/dof = {t.chi2_dof:.2f}"
                + (f"  ({g.threshold_note})" if g.threshold_note else "")
            )
        a = g.above_threshold
        where = "nowhere measured" if a.limit is None else f"p >= {a.limit:.4g}"
        high = None if a.threshold_interval is None else a.threshold_interval.high
        where = f"p > {a.limit:.4g}" if a.limit is not None and a.limit == high else where
        lines.append(f"  above thr  {where} ({a.describe()})")
        for f in g.lambdas:
            lines.append(
                f"  Lambda     p = {f.p:<9.4g} {f.interval.best:8.3f}  [{f.interval.low:.3f}, "
                f"{f.interval.high:.3f}]  d = {list(f.distances)}"
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
