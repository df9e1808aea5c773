"""The archive's API as the app uses it: questions, search, and where the browser finds a
video's poster and playable file."""

from __future__ import annotations

from typing import Any

import httpx

from services.archive_app.settings import AppSettings


def error_detail(response: httpx.Response) -> str:
    """What an API that answers errors as FastAPI does (the archive's, Airflow's) said went
    wrong: its ``detail``, validation errors joined, or the start of a non-JSON body."""
    try:
        detail = response.json().get("detail")
    except ValueError:
        return response.text[:200]
    if isinstance(detail, list):  # FastAPI's validation errors
        return "; ".join(str(d.get("msg", d)) if isinstance(d, dict) else str(d) for d in detail)
    return str(detail)


class ArchiveError(RuntimeError):
    """The archive refused or failed; the message is shown to the person as it is."""


class ArchiveClient:
    def __init__(self, settings: AppSettings) -> None:
        self.settings = settings
        self._http = httpx.Client(
            base_url=f"{settings.archive_url}/api/v1",
            headers={"X-API-Key": settings.api_key.get_secret_value()},
            timeout=settings.timeout_s,
        )

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        try:
            response = self._http.request(method, path, **kwargs)
        except httpx.HTTPError as exc:
            raise ArchiveError(f"the archive cannot be reached: {exc}") from None
        if response.status_code >= 400:
            raise ArchiveError(f"{error_detail(response)} ({response.status_code})")
        return response.json()

    def ask(
        self,
        question: str,
        *,
        filters: dict[str, Any] | None = None,
        k: int = 5,
        history: list[dict[str, str]] | None = None,
    ) -> dict[str, Any]:
        body = {"question": question, "filters": filters or {}, "k": k, "history": history or []}
        return self._call("POST", "/ask", json=body)

    def search(self, query: str, mode: str, params: dict[str, Any]) -> dict[str, Any]:
        return self._call("GET", "/search", params={"q": query, "mode": mode, **params})

    def facets(self) -> dict[str, list[str]]:
        return self._call("GET", "/facets")

    def media_url(self, asset_id: int, variant: str, origin: str = "") -> str:
        """Where the person's browser loads the asset's poster or playable video; ``origin``
        (the app's own, as the browser sees it) when the settings say media_url = "/"."""
        prefix = self.settings.browser_url or origin
        return f"{prefix}/api/v1/assets/{asset_id}/media/{variant}"

    def close(self) -> None:
        self._http.close()
