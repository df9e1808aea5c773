"""Weaviate: a thin client for our server (our own vectors, API-key auth)."""

from integrations.weaviate.client import WeaviateConnectionError, connect_weaviate

__all__ = ["WeaviateConnectionError", "connect_weaviate"]
