"""Query vectors, remembered: a repeated query (the next page, a popular search, the same
words in another mode) costs a dictionary look-up instead of a model run.

The model runs one call at a time (tens of milliseconds on a busy CPU). Misses that arrive
while it runs are therefore embedded together in its next call, one batch for all of them,
instead of queueing one model run each: a batch of 20 short queries costs little more than
one. Counted hits and misses are exported with the web service's metrics.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from concurrent.futures import Future

import numpy as np

from samples.video_archive.indexing.embeddings import Embedder

# Distinct queries remembered: 384 float32 each (1.5 KB), so 8,192 of them take ~12 MB.
DEFAULT_SIZE = 8192


class QueryVectors:
    """An LRU of query text -> unit vector in front of an embedder; thread-safe."""

    def __init__(self, embedder: Embedder, size: int = DEFAULT_SIZE) -> None:
        self.embedder = embedder
        self.size = size
        self.hits = 0
        self.misses = 0
        self._vectors: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()
        # Misses waiting for the model, and whether a caller is running it for them.
        self._waiting: dict[str, Future[np.ndarray]] = {}
        self._embedding = False

    def vector(self, query: str) -> np.ndarray:
        """The query's vector; the caller may keep or change its copy."""
        with self._lock:
            cached = self._vectors.get(query)
            if cached is not None:
                self._vectors.move_to_end(query)
                self.hits += 1
                return cached.copy()
            self.misses += 1
            future = self._waiting.get(query)
            if future is None:
                future = self._waiting[query] = Future()
            runs_the_model = not self._embedding
            self._embedding = True
        if runs_the_model:
            self._embed_waiting()
        return future.result().copy()

    def _embed_waiting(self) -> None:
        """Embed every waiting query, batch after batch, until none is left."""
        while True:
            with self._lock:
                batch, self._waiting = self._waiting, {}
                if not batch:
                    self._embedding = False
                    return
            try:
                vectors = np.asarray(self.embedder.embed(list(batch)), dtype=np.float32)
            except BaseException as exc:  # every waiting caller gets the error, not a hang
                for future in batch.values():
                    future.set_exception(exc)
                continue
            with self._lock:
                for (text, future), vector in zip(batch.items(), vectors, strict=True):
                    self._vectors[text] = vector
                    future.set_result(vector)
                while len(self._vectors) > self.size:
                    self._vectors.popitem(last=False)

    def __len__(self) -> int:
        return len(self._vectors)
