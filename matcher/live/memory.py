"""Handing the heap an old snapshot freed back to the system, after a swap.

A full rebuild (compaction, or a version `matcher index` wrote beside the service) holds two
engines for a moment: the one serving and the new one. Once the old one is dropped, CPython and
numpy free its memory, but glibc's malloc keeps the freed pages in its arenas (one per thread
that allocated: the server's thread pool, the compaction thread) rather than returning them, so
the process's RSS climbs to the high-water mark of every rebuild so far, in steps, and the load
benchmark reads that as a leak (benchmarks/load_faults.py --steady). ``malloc_trim(0)`` returns
the free pages of every arena; nothing in Python's standard library does it (hence ctypes).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import logging
from typing import Any

log = logging.getLogger(__name__)


def _libc() -> Any:
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name) if name else None
    except OSError:
        return None
    return libc if libc is not None and hasattr(libc, "malloc_trim") else None  # glibc only


_LIBC = _libc()


def release_memory() -> bool:
    """Collect the dropped snapshot's cycles and give freed heap pages back to the system;
    True when malloc returned some (a no-op but the collection off glibc)."""
    gc.collect()
    if _LIBC is None:
        return False
    return bool(_LIBC.malloc_trim(0))
