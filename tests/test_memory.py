"""Handing freed heap pages back to the operating system between stages."""

from __future__ import annotations

import ctypes
import sys

import numpy as np
import pytest

from armcarriage.memory import release_free_memory


def _rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as fh:
        return next(int(line.split()[1]) for line in fh if line.startswith("VmRSS")) / 1024


def _has_malloc_trim() -> bool:
    try:
        return sys.platform.startswith("linux") and hasattr(ctypes.CDLL("libc.so.6"), "malloc_trim")
    except OSError:
        return False


@pytest.mark.skipif(not _has_malloc_trim(), reason="needs Linux with glibc (malloc_trim, /proc)")
def test_release_free_memory_returns_freed_heap_pages():
    # 32 kB blocks live on the heap (below the mmap threshold); freeing every other one
    # leaves 60 MB of holes that the allocator keeps mapped, as a finished stage does
    blocks = [np.ones(4096) for _ in range(4000)]
    del blocks[::2]
    before = _rss_mb()
    release_free_memory()
    assert _rss_mb() < before - 30
    assert len(blocks) == 2000


@pytest.mark.skipif(not _has_malloc_trim(), reason="needs Linux with glibc (malloc_trim, /proc)")
def test_release_free_memory_returns_what_arrows_pool_keeps():
    # Arrow's allocator (mimalloc/jemalloc) keeps freed buffers mapped, as after the pose
    # track's Parquet file is written or read; malloc_trim does not reach it
    pa = pytest.importorskip("pyarrow")
    buffers = [pa.allocate_buffer(32768) for _ in range(3000)]  # 94 MB
    assert pa.total_allocated_bytes() >= 3000 * 32768
    del buffers
    ctypes.CDLL("libc.so.6").malloc_trim(0)  # what the C heap alone gives back
    before = _rss_mb()
    release_free_memory()
    assert _rss_mb() < before - 50
