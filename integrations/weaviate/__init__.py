"""Weaviate: the production semantic index (our own vectors, API-key auth, hybrid search)."""

from integrations.weaviate.client import WeaviateIndex, connect_weaviate

__all__ = ["WeaviateIndex", "connect_weaviate"]
