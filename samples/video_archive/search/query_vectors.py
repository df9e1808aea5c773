"""Query vectors, remembered: a repeated query (the next page, a popular search, the same
words in another mode) costs a dictionary look-up instead of a model run.

The model runs one query at a time (tens of milliseconds on a busy CPU), so under load every
miss queues behind the others; the hit rate is what keeps semantic search fast. Counted
hits and misses are exported with the web service's metrics.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

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

    def vector(self, query: str) -> np.ndarray:
        """The query's vector; the caller may keep or change its copy."""
        with self._lock:
            cached = self._vectors.get(query)
            if cached is not None:
                self._vectors.move_to_end(query)
                self.hits += 1
                return cached.copy()
            self.misses += 1
        vector = np.asarray(self.embedder.embed([query])[0], dtype=np.float32)
        with self._lock:
            self._vectors[query] = vector.copy()
            while len(self._vectors) > self.size:
                self._vectors.popitem(last=False)
        return vector

    def __len__(self) -> int:
        return len(self._vectors)
