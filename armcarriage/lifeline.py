"""Pool and worker processes that end when the process that started them dies.

A ``kill -9`` of ``armcarriage analyze``, ``batch`` or ``serve`` gives their
children no chance to be stopped: a pool process waiting for work would wait
forever, one analysing a clip would finish it for nobody. Each child calls
:func:`die_with_parent` when it starts. On Linux the kernel then kills it
with its parent (``PR_SET_PDEATHSIG``); everywhere, a thread waits on the
parent's multiprocessing sentinel (a pipe that closes when the parent dies)
and ends the process, which also covers a parent that died before the call.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import logging
import multiprocessing as mp
import os
import signal
import sys
import threading

log = logging.getLogger(__name__)

PR_SET_PDEATHSIG = 1
"""``prctl`` option: the signal this process gets when its parent dies (Linux)."""

EXIT_PARENT_GONE = 3
"""Exit status of a child that ends because its parent died."""


def die_with_parent(exit_code: int = EXIT_PARENT_GONE) -> bool:
    """Make this multiprocessing child end as soon as its parent process dies.

    Call it first thing in a pool initializer or a process target. The Linux
    parent-death signal fires when the parent thread that started this process
    ends, so pools must be started (and stopped) by one long-lived thread, as
    they are here.

    Parameters
    ----------
    exit_code
        Status of the process when the watch thread ends it.

    Returns
    -------
    bool
        True if a parent was found to watch (this is a multiprocessing child).

    """
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
            if libc.prctl(PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0) != 0:
                log.debug("prctl(PR_SET_PDEATHSIG) failed: errno %d", ctypes.get_errno())
    parent = mp.parent_process()
    if parent is None:
        return False

    def watch() -> None:
        parent.join()  # returns when the parent's sentinel pipe closes: the parent is gone
        os._exit(exit_code)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()
    return True
