"""Atomic writes: readers see the old file or the new one, never half of one."""

from __future__ import annotations

import os
import pathlib
import stat as statmode
import tempfile


def atomic_write_text(path: str | os.PathLike[str], text: str) -> None:
    """Write ``text`` to ``path`` so that readers see the old file or the new one, never half."""
    atomic_write_bytes(path, text.encode())


def output_path(path: str | os.PathLike[str], *, flag: str = "out") -> pathlib.Path:
    """Where a write to ``path`` goes: through a symlink to its target; a device, pipe or
    folder, or a read-only file, is refused (a rename would replace it), as is a missing folder.

    Example:
        >>> output_path("/dev/null")
        Traceback (most recent call last):
        ...
        ValueError: out='/dev/null' is not a regular file (a device, pipe or folder); refusing to replace it
    """
    given = str(path)
    target = pathlib.Path(path)
    if target.is_symlink():
        target = target.resolve()
    if target.exists():
        mode = target.stat().st_mode
        if not statmode.S_ISREG(mode):
            raise ValueError(
                f"{flag}={given!r} is not a regular file (a device, pipe or folder); refusing to replace it"
            )
        if not mode & 0o222:
            raise ValueError(f"{flag}={given!r} is read-only; refusing to overwrite it (chmod u+w it first)")
    if not target.parent.is_dir():
        raise ValueError(f"{flag}={given!r}: folder {str(target.parent)!r} does not exist")
    return target


def _new_file_mode(target: pathlib.Path) -> int:
    """The mode a replaced file keeps, or what the umask gives a new one (as open() would)."""
    if target.exists():
        return statmode.S_IMODE(target.stat().st_mode)
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes) -> None:
    """Write ``data`` to a temporary file beside ``path``, then rename it over ``path``.

    Symlinks are written through; the file keeps its mode, or gets the umask's.
    """
    target = output_path(path)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fchmod(f.fileno(), _new_file_mode(target))
            os.fsync(f.fileno())
        os.replace(tmp, target)
    except BaseException:
        pathlib.Path(tmp).unlink(missing_ok=True)
        raise
