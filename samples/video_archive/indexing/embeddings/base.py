"""The embedder interface. Implementations return L2-normalised float32 rows."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import numpy as np


class EmbedderUnavailableError(RuntimeError):
    """The model or its runtime is not installed."""


class Embedder(Protocol):
    """Anything that maps texts to fixed-size unit vectors (one row per text)."""

    name: str
    dimension: int

    def embed(self, texts: Sequence[str]) -> np.ndarray: ...
