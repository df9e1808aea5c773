"""Recent rankings, remembered for a short while: the ids (and scores) a query ranked
first, per mode and filters. A popular query then costs one primary-key read of its page
instead of a full-text ranking over every match, or an embedding and two index searches.

Only the ranking is kept; the cards are read from the catalog on every request, so a card
is never staler than its row. A ranking is kept for TTL_S: the semantic index is itself
read with a few seconds' consistency and gold runs take minutes, so a new asset ranks at
most TTL_S after the run that indexed it. Edits through the web service clear the cache,
so a person's edit is findable the moment it is saved.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass

TTL_S = 30.0
# Rankings of at most 200 ids (~3 KB each): 4,096 of them take ~12 MB.
DEFAULT_SIZE = 4096


@dataclass(frozen=True)
class Ranking:
    """Asset ids best first, their scores, and the total (capped) the search reported."""

    ids: tuple[int, ...]
    scores: tuple[float | None, ...]
    total: int


class RankingCache:
    """An LRU of search key -> Ranking whose entries expire after ``ttl_s``; thread-safe."""

    def __init__(
        self,
        ttl_s: float = TTL_S,
        size: int = DEFAULT_SIZE,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.ttl_s = ttl_s
        self.size = size
        self.hits = 0
        self.misses = 0
        self._clock = clock
        self._entries: OrderedDict[Hashable, tuple[float, Ranking]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> Ranking | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None and self._clock() - entry[0] < self.ttl_s:
                self._entries.move_to_end(key)
                self.hits += 1
                return entry[1]
            if entry is not None:
                del self._entries[key]
            self.misses += 1
            return None

    def put(self, key: Hashable, ranking: Ranking) -> None:
        with self._lock:
            self._entries[key] = (self._clock(), ranking)
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        """Forget every ranking (after an edit: the next search sees it)."""
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)
