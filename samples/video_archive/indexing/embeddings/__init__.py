"""Pluggable embedders that turn text (later: frames, speech) into vectors."""

from integrations.embeddings.base import Embedder, EmbedderUnavailableError
from integrations.embeddings.minilm import MiniLMEmbedder

__all__ = ["Embedder", "EmbedderUnavailableError", "MiniLMEmbedder"]
