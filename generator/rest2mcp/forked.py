"""Work done by a forked second process while this one goes on, its result sent back whole.

A generation is mostly one thread of pure Python, so a second core helps only through a second
process; `fork` makes one cheaply, since nothing of this process is copied until either changes
it. The second process runs one function and sends back its pickled result; whatever goes wrong
there, `result` says None and the caller does the work itself. Linux only, and only while no other
thread runs (a fork copies one thread), but for one that keeps quiet while it forks (QUIET_THREAD). `REST2MCP_PROCESSES=1` keeps to one process; `=2` forks
whatever the size of the work (tests use it to compare both ways).
"""

from __future__ import annotations

import gc
import os
import pickle
import signal
import sys
import threading
import warnings
from collections.abc import Callable
from typing import Any

ENVIRONMENT = "REST2MCP_PROCESSES"
# A thread of this name may run while a process forks (the progress spinner, output.py): it does its
# work only while holding QUIET, which a fork takes first, so the second process never starts with
# something that thread held (the terminal stream's lock, half a line drawn).
QUIET_THREAD = "rest2mcp quiet while forking"
QUIET = threading.Lock()


def may_fork(large_enough: bool) -> bool:
    """Whether to fork for work that is `large_enough` to gain from a second core."""
    setting = os.environ.get(ENVIRONMENT, "").strip()
    others = [t for t in threading.enumerate() if t is not threading.current_thread() and t.name != QUIET_THREAD]
    if setting == "1" or not sys.platform.startswith("linux") or others:
        return False
    return setting == "2" or (large_enough and len(os.sched_getaffinity(0)) >= 2)


class Forked:
    """`work()` run by a second process, forked now. Raises OSError when no process can be made."""

    def __init__(self, work: Callable[[], Any]) -> None:
        read, write = os.pipe()
        try:
            with QUIET, warnings.catch_warnings():
                # Python 3.12 warns of a fork beside another thread; the only one allowed keeps quiet.
                warnings.simplefilter("ignore", DeprecationWarning)
                self._pid = os.fork()
        except OSError:
            os.close(read)
            os.close(write)
            raise
        if self._pid == 0:  # the second process: it never returns
            os.close(read)
            _run(write, work)
        os.close(write)
        self._read = read
        self._running = True

    def result(self) -> Any | None:
        """What `work` returned (waiting for it), or None when the second process failed."""
        try:
            with os.fdopen(self._read, "rb") as pipe:
                data = pipe.read()
            value = pickle.loads(data) if data else None
        except Exception:  # noqa: BLE001 -- whatever went wrong there, the caller does the work itself
            value = None
        finally:
            _, status = os.waitpid(self._pid, 0)
            self._running = False
        return value if os.waitstatus_to_exitcode(status) == 0 else None

    def stop(self) -> None:
        """The second process ended and waited for, unless `result` did (this process is failing)."""
        if not self._running:
            return
        self._running = False
        for step in (lambda: os.kill(self._pid, signal.SIGKILL), lambda: os.close(self._read),
                     lambda: os.waitpid(self._pid, 0)):
            try:
                step()
            except OSError:  # gone already
                pass


def _run(write: int, work: Callable[[], Any]) -> None:
    code = 1
    try:
        gc.disable()  # a collection would touch every object, copying the memory shared with the first process
        data = pickle.dumps(work(), protocol=pickle.HIGHEST_PROTOCOL)
        with os.fdopen(write, "wb") as pipe:
            pipe.write(data)
        code = 0
    finally:
        os._exit(code)  # never the first process's clean-up: it is still running
