"""sinter's worker processes, seen from qec: a script must guard its entry point (the workers
re-import it), and the workers end when qec is killed (Linux)."""

from __future__ import annotations

import contextlib
import os
import pathlib
import tempfile


def check_not_starting_a_worker() -> None:
    """Refuse to sample from a script's top level without the ``if __name__ == "__main__":``
    guard: sinter's workers re-import the script (the spawn start method), each would run
    ``collect`` again, and the first one's lock would keep them waiting for ever."""
    import multiprocessing

    message = ("qec.collect {where}: sinter's worker processes re-import your script, and each would "
               "sample again. Protect its entry point, as Python's multiprocessing requires:\n\n"
               '    if __name__ == "__main__":\n        main()\n')  # fmt: skip
    if getattr(multiprocessing.current_process(), "_inheriting", False):
        raise RuntimeError(message.format(where="was called while a worker process was starting"))
    line = _unguarded_main_line()
    if line is not None:
        raise RuntimeError(message.format(where=f"is called at the top level of {line}"))


def _unguarded_main_line() -> str | None:
    """``file:line`` of the main script's top-level statement that leads here, if it is not
    inside an ``if __name__ == "__main__":`` block (None: guarded, or no script file)."""
    import ast
    import sys

    main = sys.modules.get("__main__")
    path = getattr(main, "__file__", None)
    if main is None or not path or not str(path).endswith(".py"):
        return None  # an interactive session, a notebook, python -c
    name = getattr(getattr(main, "__spec__", None), "name", None) or ""
    if name == "__main__" or name.endswith(".__main__"):
        return None  # python -m package: spawned workers do not re-import a package's __main__
    frame = sys._getframe(1)
    while frame is not None and not (frame.f_globals is vars(main) and frame.f_code.co_name == "<module>"):
        frame = frame.f_back
    if frame is None:
        return None
    try:
        tree = ast.parse(pathlib.Path(path).read_text())
    except (OSError, SyntaxError, ValueError):
        return None
    for node in tree.body:
        if (isinstance(node, ast.If) and "__name__" in ast.unparse(node.test)
                and "__main__" in ast.unparse(node.test)
                and node.lineno <= frame.f_lineno <= (node.end_lineno or node.lineno)):  # fmt: skip
            return None
    return f"{path}:{frame.f_lineno}"


# The interpreter sinter's spawned workers start through: it asks Linux to end the worker when
# its parent dies (PR_SET_PDEATHSIG survives exec), then becomes the real interpreter.
_WORKER_SHIM = """#!{python}
import ctypes, os, signal, sys
ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)
if os.getppid() == 1:
    os._exit(1)
os.execv({python!r}, [{python!r}, *sys.argv[1:]])
"""


@contextlib.contextmanager
def workers_die_with_parent():
    """Spawn sinter's workers through ``_WORKER_SHIM`` (Linux), so that a ``kill -9`` of qec
    leaves no orphans: spawned workers never import qec, so the request must travel with the
    executable multiprocessing starts them with."""
    import multiprocessing
    import multiprocessing.spawn
    import sys

    if not sys.platform.startswith("linux"):
        yield
        return
    with tempfile.TemporaryDirectory(prefix="qec-worker-") as tmp:
        shim = pathlib.Path(tmp) / "python"
        shim.write_text(_WORKER_SHIM.format(python=sys.executable))
        shim.chmod(0o755)
        if not os.access(shim, os.X_OK):  # a temp folder mounted noexec, as on many HPC nodes
            print(f"qec: the temporary folder {tmp!r} cannot run programs (mounted noexec?): sampling "
                  "without the guard that ends sinter's workers if qec is killed; set TMPDIR to a folder "
                  "that can, to keep it", file=sys.stderr)  # fmt: skip
            yield
            return
        previous = multiprocessing.spawn.get_executable()
        multiprocessing.set_executable(str(shim))
        try:
            yield
        finally:
            multiprocessing.set_executable(previous)


class Terminated(KeyboardInterrupt):
    """SIGTERM (a scheduler, Snakemake or ``kill`` stopping qec), raised while sinter samples
    where Ctrl-C's ``KeyboardInterrupt`` would be: the same clean stop, every finished batch kept."""


@contextlib.contextmanager
def sigterm_as_interrupt():
    """Within the block, SIGTERM raises ``Terminated`` in this process (main thread only).

    Hold it only around sinter's sampling, never around circuit building: tqec builds the CNOT's
    circuits in a fork pool, whose workers would inherit the handler and, terminated by their
    pool, raise inside its queue lock and hang (a study's CNOT shards did, on 2 December).
    sinter's own workers are spawned (a new interpreter), so they keep the default: they die.
    """
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield  # Python sets signal handlers in the main thread only
        return

    def terminate(signum: int, frame: object) -> None:
        raise Terminated

    previous = signal.signal(signal.SIGTERM, terminate)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
