"""Per-account backoff of password logins: after each failure the account's next try must
wait twice as long as the last time (1 s, 2 s, 4 s ... up to 5 min); a success clears it.

There is never a permanent lockout an attacker could cause: the longest wait is five minutes.
A try that comes too early is answered 429 with Retry-After before any password hashing, so
guessing costs the guesser time and the server no CPU. Per-address limits are the ingress's
(nginx limit_req); this one holds however many addresses the guesses come from.
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

FIRST_WAIT_S = 1.0
LONGEST_WAIT_S = 300.0
# Accounts remembered at most (names that do not exist count too); the oldest go first.
MAX_TRACKED = 10_000


@dataclass
class _Failures:
    count: int
    next_try_at: float


class LoginBackoff:
    """Failures per account name, in memory (one service process)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._failures: OrderedDict[str, _Failures] = OrderedDict()
        self._lock = threading.Lock()

    def retry_after(self, name: str) -> int:
        """Whole seconds until ``name`` may try again; 0 when it may now."""
        with self._lock:
            entry = self._failures.get(name)
            wait = entry.next_try_at - self._clock() if entry else 0.0
        return math.ceil(wait) if wait > 0 else 0

    def failed(self, name: str) -> None:
        with self._lock:
            entry = self._failures.pop(name, None) or _Failures(0, 0.0)
            entry.count += 1
            wait = min(FIRST_WAIT_S * 2 ** (entry.count - 1), LONGEST_WAIT_S)
            entry.next_try_at = self._clock() + wait
            self._failures[name] = entry
            while len(self._failures) > MAX_TRACKED:
                self._failures.popitem(last=False)

    def succeeded(self, name: str) -> None:
        with self._lock:
            self._failures.pop(name, None)
