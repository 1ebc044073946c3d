"""Decoders: which names sinter knows, the ones you bring (``MODULE:FUNCTION``), and the default."""

from __future__ import annotations

import re
from typing import Any

import sinter
import stim

DEFAULT_DECODER = "pymatching"  # sinter's name; samples, fits and budgets use it unless told otherwise
# What a decoder's name may hold: it is a CSV field and part of a study's file names (the pattern
# of studies/schema.yaml's sampling.decoders).
DECODER_NAME = re.compile(r"[A-Za-z0-9_.-]+")


def load_custom_decoders(spec: str) -> dict[str, Any]:
    """The decoders ``MODULE:FUNCTION`` returns (a dict of name → ``sinter.Decoder``), as
    ``sinter collect --custom_decoders_module_function`` takes them.

    Raises:
        ValueError: ``spec`` cannot be imported or called, or does not return a dict of
            name → decoder, or names a built-in decoder.

    Example:
        >>> load_custom_decoders("json:loads")
        Traceback (most recent call last):
        ...
        ValueError: custom decoders 'json:loads': calling loads() failed (TypeError: ...)
    """
    from qec._entry import call_entry_point

    decoders = call_entry_point(spec, what="custom decoders ")
    function_name = spec.partition(":")[2]
    if not isinstance(decoders, dict) or not all(isinstance(k, str) for k in decoders):
        raise ValueError(f"custom decoders {spec!r}: {function_name}() must return a dict of name → "
                         f"sinter.Decoder; got {type(decoders).__name__}")  # fmt: skip
    check_custom_names(decoders, what=f"custom decoders {spec!r}: {function_name}()")
    return decoders


def check_custom_names(custom: dict[str, Any], *, what: str = "custom_decoders") -> None:
    """Refuse custom decoders named like a built-in one (sinter's decoders and samplers, and
    qec's default): their rows would be stored under that name and the task's strong id, and
    merge with the genuine decoder's rows as if they were the same data. Refuse a value that is
    not a decoder (as sinter tells them: a ``sinter.Decoder``, a ``sinter.Sampler``, or anything
    with ``compile_decoder_for_dem``), which sinter refuses only in a worker, mid-run.

    Raises:
        ValueError: a value is not a decoder, or a name is a built-in one.

    Raises:
        ValueError: a custom decoder has a built-in decoder's name.

    Example:
        >>> check_custom_names({"pymatching": sinter.BUILT_IN_DECODERS["vacuous"]})
        Traceback (most recent call last):
        ...
        ValueError: custom_decoders names 'pymatching', a built-in decoder: its rows would merge ...
    """
    kinds = (sinter.Decoder, getattr(sinter, "Sampler", sinter.Decoder))  # older sinter has no Sampler
    for name in custom:  # catalog M_badname2: 'bad name,with comma\n' was stored, then read back cut
        if not DECODER_NAME.fullmatch(name):
            raise ValueError(f"{what} names {name!r}; a decoder name is letters, digits, '_', '.' and '-' "
                             "(it is a CSV field and part of file names)")  # fmt: skip
    for name, value in custom.items():  # catalog M_badvalue: a sinter worker's traceback, mid-run
        decoder_like = hasattr(value, "compile_decoder_for_dem")  # how sinter itself tells a Decoder
        if not isinstance(value, kinds) and not decoder_like:
            raise ValueError(f"{what} gives {name!r} the value {value!r:.60}, which is not a sinter.Decoder "
                             "or sinter.Sampler")  # fmt: skip
    reserved = {*sinter.BUILT_IN_DECODERS, *getattr(sinter, "BUILT_IN_SAMPLERS", {}), DEFAULT_DECODER}
    shadowed = sorted(set(custom) & reserved)
    if shadowed:
        raise ValueError(f"{what} names {shadowed[0]!r}, a built-in decoder: its rows would merge with "
                         "that decoder's genuine ones; give yours another name")  # fmt: skip


def check_decoder(decoder: str, custom: dict[str, Any] | None = None) -> None:
    """Raise ``ValueError`` unless sinter (or ``custom``) knows ``decoder`` and its package imports.

    Raises:
        ValueError: ``decoder`` is not sinter's nor in ``custom``, or its package does not
            import.

    Example:
        >>> check_decoder("pymatching")
        >>> check_decoder("magic")
        Traceback (most recent call last):
        ...
        ValueError: decoder='magic' is not a sinter decoder; allowed: [...] (or --custom-decoders ...)
    """
    known = {**sinter.BUILT_IN_DECODERS, **(custom or {})}
    if decoder not in known:
        extra = (
            f" or the custom ones {sorted(custom)}" if custom else " (or --custom-decoders MODULE:FUNCTION)"
        )
        allowed = sorted(sinter.BUILT_IN_DECODERS)
        raise ValueError(f"decoder={decoder!r} is not a sinter decoder; allowed: {allowed}{extra}")
    if custom and decoder in custom:
        return
    # PyMatching is a dependency of qec: importing it here would only cost each process 0.25 s.
    if decoder in ("pymatching", "pymatching-correlated", "vacuous"):
        return
    # Compiling for a one-detector model imports the decoder's package now rather than
    # in a worker process after sampling has started.
    dem = stim.DetectorErrorModel("error(0.1) D0 L0")
    try:
        sinter.BUILT_IN_DECODERS[decoder].compile_decoder_for_dem(dem=dem)
    except ImportError as e:
        raise ValueError(f"decoder={decoder!r} is not installed here: {e}") from None
    except Exception:  # some decoders refuse a toy model; that is not what we check
        pass
