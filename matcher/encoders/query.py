"""Query vectors for a long-lived service: an in-memory LRU beside the sqlite cache, and a bound on
how many encodings run at once.

A search box sees the same few texts again and again (a buyer pages through results, refines a
filter, reloads); each costs a full model forward pass (~35-100 ms of both cores) and the sqlite
cache is not consulted on this path. Concurrent requests would each start the model's own thread
pool on the same cores; at most ``workers`` encodings run at a time, the others wait
(``Settings.query_workers``, default 1: every ONNX Runtime call already uses all configured
threads, and two at once measured 0.82-0.94x the throughput of one at 100k suppliers with 4
clients, benchmarks/api_search.py ``NAME@W``). With ``workers`` > 1 an ONNX encoder is split
(``FastE5Encoder.concurrent``): each encoding gets ``threads // workers`` intra-op threads, so W at
once share the cores instead of oversubscribing them. The request's own thread encodes, holding a
semaphore: an executor bounded the same way but cost two thread hand-offs per search (~1-4 ms on
a busy 2-core box, as much as the whole ranking).
"""

from __future__ import annotations

import threading
from collections import OrderedDict

import numpy as np

from matcher.encoders.base import Encoder, Vectors


class QueryEncoder:
    """Requirement-side vectors of single texts: the LRU, else the encoder (``workers`` at once)."""

    def __init__(self, encoder: Encoder, size: int = 4096, workers: int = 1) -> None:
        # Imported here: onnx.py is the heavier module and most encoders are not ONNX ones.
        from matcher.encoders.onnx import FastE5Encoder

        if isinstance(encoder, FastE5Encoder):
            encoder = encoder.concurrent(workers)
        self.encoder = encoder
        self.size = size
        self._lru: OrderedDict[str, Vectors] = OrderedDict()
        self._lock = threading.Lock()
        self._slots = threading.BoundedSemaphore(max(1, workers))
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
            vector = self.encoder.encode_requirements([text])[0]
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
