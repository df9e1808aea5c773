"""Pluggable embedders that turn text (later: frames, speech) into vectors."""

from samples.video_archive.indexing.embeddings.base import Embedder, EmbedderUnavailableError
from samples.video_archive.indexing.embeddings.minilm import MiniLMEmbedder

__all__ = ["Embedder", "EmbedderUnavailableError", "MiniLMEmbedder"]
