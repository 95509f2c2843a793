"""Give the C heap's free pages back to the operating system between pipeline stages.

The stages of one analysis run one after the other in one process: the pose
model, the analysis and the reports each free what they allocated, but glibc's
allocator keeps most freed pages mapped, so every stage's peak would stack on
what the stages before it left behind. :func:`release_free_memory` returns those
pages (README, *Figures behind the defaults*). Arrow's own allocator (mimalloc or
jemalloc), which reads and writes the pose track's Parquet file, keeps freed memory
too; it is returned here as well.
"""

from __future__ import annotations

import ctypes
import gc
import sys


def release_free_memory(collect: bool = True) -> None:
    """Collect garbage and hand free heap pages back to the OS (glibc ``malloc_trim``).

    Arrow's memory pool, where pyarrow is loaded, releases its unused memory too. A
    plain garbage collection where the C library has no ``malloc_trim`` (macOS,
    Windows, musl). Takes a few milliseconds.

    Parameters
    ----------
    collect
        Run Python's garbage collector first. What a closed native object (the pose
        model) frees needs none, and a full collection walks every object the process
        holds: tens of ms where the pose stage keeps a long clip's detections.

    """
    if collect:
        gc.collect()
    arrow = sys.modules.get("pyarrow")  # only if something imported it
    if arrow is not None:
        arrow.default_memory_pool().release_unused()
    if not sys.platform.startswith("linux"):
        return
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass


__all__ = ["release_free_memory"]
