"""Atomic writes: readers see the old file or the new one, never half of one; and the one check
that no output of a command is one of its inputs or another of its outputs."""

from __future__ import annotations

import contextlib
import errno
import os
import pathlib
import shutil
import stat as statmode
import tempfile
from collections.abc import Sequence


class InputFileError(ValueError):
    """A file the user gave, or one a command cached for them, is not what it must be, and it is
    found while the command runs (a run the training definition cached in ``--train-dir``,
    read when the budget first needs it). The command line reports it as it reports every bad
    input, wherever it is raised: one line naming the file, exit status 2 (``qec.cli``); the
    command has written nothing by then (outputs are written at the end, atomically)."""


def atomic_write_text(path: str | os.PathLike[str], text: str) -> None:
    """Write ``text`` to ``path`` so that readers see the old file or the new one, never half."""
    atomic_write_bytes(path, text.encode())


def output_path(path: str | os.PathLike[str], *, flag: str = "out") -> pathlib.Path:
    """Where a write to ``path`` goes: through a symlink to its target; a device, pipe or
    folder, or a read-only file, is refused (a rename would replace it), as is a missing folder.

    Raises:
        ValueError: an empty ``path``; a device, pipe, folder or read-only file at it; or a
            folder that does not exist or is not writable.

    Example:
        >>> output_path("/dev/null")
        Traceback (most recent call last):
        ...
        ValueError: out='/dev/null' is not a regular file (a device, pipe or folder); refusing to replace it
    """
    given = str(path)
    if not given:
        raise ValueError(f"{flag}='' names no file")
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
    if not os.access(target.parent, os.W_OK | os.X_OK):  # the temporary file and the rename need it
        raise ValueError(f"{flag}={given!r}: folder {str(target.parent)!r} is not writable")
    return target


MIN_FREE_BYTES = 1 << 20
"""Free space a command wants in an output's folder before it starts: a result (a JSON, a CSV's
rows) is kilobytes, so less than this means a full disk, found before the work, not after it."""


def check_room(target: pathlib.Path, *, flag: str = "out", given: str | None = None) -> None:
    """Refuse before any work if the folder that will hold ``target`` has less than
    ``MIN_FREE_BYTES`` free (catalog DF1–DF4: a full disk was found only when the result was
    written, after the training or the fit had run).

    Raises:
        ValueError: naming the flag, the folder and its free bytes.
    """
    free = shutil.disk_usage(target.parent).free
    if free < MIN_FREE_BYTES:
        raise ValueError(
            f"{flag}={given if given is not None else str(target)!r}: folder {str(target.parent)!r} has "
            f"{free} bytes free; qec wants at least {MIN_FREE_BYTES >> 20} MiB free before it starts "
            "(free some space or write elsewhere)"
        )


def lock_path(path: str | os.PathLike[str]) -> pathlib.Path:
    """The lock file beside ``path`` that its writer holds while it writes (``qec sample``,
    ``qec combine``).

    Example:
        >>> lock_path("data/stats.csv")
        PosixPath('data/.stats.csv.lock')
    """
    path = pathlib.Path(path)
    return path.with_name(f".{path.name}.lock")


class OutputBusyError(ValueError):
    """Another process is writing the same output file."""


@contextlib.contextmanager
def exclusive(path: pathlib.Path):
    """Hold an exclusive lock on ``path`` (a hidden ``.<name>.lock`` beside it) or refuse: the
    lock ``qec sample`` and ``qec combine`` hold while they write (``busy`` reads it).

    Raises:
        OutputBusyError: another process holds it, or the lock file is a symbolic link.
    """
    import fcntl

    lock = lock_path(path)
    try:  # not through a symlink planted in its place (catalog LK1: it created the link's target)
        fd = os.open(lock, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o666)
    except OSError as e:
        if e.errno != errno.ELOOP:
            raise
        raise OutputBusyError(f"out={str(path)!r} cannot be locked: its lock file {str(lock)!r} is a "
                              "symbolic link, which qec never makes; remove it") from None  # fmt: skip
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise OutputBusyError(
                f"out={str(path)!r} is being written by another qec sample or combine (lock {str(lock)!r}); "
                "wait for it to finish or choose another --out"
            ) from None
        yield
    finally:
        os.close(fd)


def append_whole(fd: int, path: pathlib.Path, data: bytes) -> None:
    """Append ``data`` to the file open as ``fd``, all of it or none: a disk that fills mid-write
    leaves the file as it was (``os.write`` may write part and fail on the rest)."""
    size = os.fstat(fd).st_size
    try:
        written = os.write(fd, data)
        while written < len(data):
            written += os.write(fd, data[written:])
    except OSError as e:
        os.ftruncate(fd, size)
        raise OSError(e.errno, e.strerror, str(path)) from None


def busy(path: str | os.PathLike[str]) -> pathlib.Path | None:
    """The lock of ``path`` if a running writer holds it, else None; makes no lock file."""
    import fcntl

    lock = lock_path(path)
    try:  # not through a symlink; a pipe put there must not block the open
        fd = os.open(lock, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:  # no lock file: nobody writes it
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return lock
    except OSError:  # not a file one can lock: no qec writer made it
        return None
    finally:
        os.close(fd)
    return None


def file_identity(path: str | os.PathLike[str]) -> tuple:
    """What every name of one file shares: its device and inode if it exists (so symlinks and
    hard links match), else the absolute path it would be created at, symlinks resolved.

    Example:
        >>> file_identity("/no/such/dir/../file.csv")
        ('path', '/no/such/file.csv')
    """
    try:
        st = os.stat(path)
    except OSError:
        return ("path", os.path.realpath(path))
    return ("inode", st.st_dev, st.st_ino)


def check_writes(
    writes: Sequence[tuple[str, str, str | None]], reads: Sequence[tuple[str, str]], *, in_place: bool = False
) -> None:
    """Refuse, before a command runs, outputs it cannot write, outputs a running ``qec sample``
    or ``qec combine`` is writing (it holds their ``lock_path``), outputs that are one of its inputs
    (through symlinks and hard links too), outputs that are the same file as each other, and
    outputs in a folder without ``MIN_FREE_BYTES`` free (``check_room``).

    Args:
        writes: ``(flag, given, beside)`` for every file written: ``beside`` is None for the
            file ``given`` itself, or a file written beside it (a sidecar such as ``budget.txt``).
        reads: ``(what, path)`` for every file read; ``what`` names it in the message
            (``"--fits='f.json'"``, ``"the input 's.csv'"``).
        in_place: An output may be the command's one input (a merge in place, as
            ``qec combine a.csv --out a.csv``).

    Raises:
        ValueError: one line naming both files.

    Example:
        >>> check_writes([("--out", "s.csv", None)], [("the input 's.csv'", "s.csv")])
        Traceback (most recent call last):
        ...
        ValueError: --out='s.csv' is the same file as the input 's.csv'; refusing to overwrite an input
    """
    seen: dict[tuple, str] = {}
    inputs = [(file_identity(path), what) for what, path in reads]
    for flag, given, beside in writes:
        path = given if beside is None else beside
        target = output_path(path, flag=flag)
        check_room(target, flag=flag, given=given if beside is None else path)
        this = f"{flag}={given!r}" if beside is None else f"{beside!r} (written beside {flag}={given!r})"
        lock = busy(target)
        if lock is not None:
            raise ValueError(
                f"{this} is being written by another qec sample or combine (lock {str(lock)!r}); "
                f"wait for it to finish or choose another {flag}"
            )
        key = file_identity(path)
        if key in seen:
            raise ValueError(f"{this} is the same file as {seen[key]}; one output would overwrite the other")
        seen[key] = this
        if in_place and len(inputs) == 1:
            continue
        for other, what in inputs:
            if key == other:
                raise ValueError(f"{this} is the same file as {what}; refusing to overwrite an input")


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
    try:
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    except OSError as e:  # named by the file asked for, not the temporary one
        raise OSError(e.errno, e.strerror, str(path)) from None
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fchmod(f.fileno(), _new_file_mode(target))
            os.fsync(f.fileno())
        os.replace(tmp, target)
    except BaseException as e:
        pathlib.Path(tmp).unlink(missing_ok=True)
        if isinstance(e, OSError):  # disk full, quota: the old file is kept; say which one
            raise OSError(e.errno, e.strerror, str(path)) from None
        raise
