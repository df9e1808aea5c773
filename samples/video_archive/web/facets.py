"""The search form's filter choices (codecs, sources, tags), cached for a minute."""

from __future__ import annotations

import time

from samples.video_archive.web import queries
from samples.video_archive.web.database import CatalogPool

MAX_AGE_S = 60


class FacetCache:
    """Recomputes the choices at most once a minute: they scan the catalog."""

    def __init__(self) -> None:
        self._at = 0.0
        self._values: dict[str, list[str]] | None = None

    def get(self, catalog: CatalogPool) -> dict[str, list[str]]:
        if self._values is None or time.monotonic() - self._at > MAX_AGE_S:
            with catalog.connection() as conn:
                self._values = queries.facets(conn)
            self._at = time.monotonic()
        return self._values
