"""Chat completions from any OpenAI-compatible endpoint (llama.cpp server, vLLM, a hosted API)."""

from integrations.openai_compatible.client import ChatEndpoint, ChatEndpointError

__all__ = ["ChatEndpoint", "ChatEndpointError"]
