"""The archive catalog in PostgreSQL: schema migrations and the queries the pipeline needs."""

from samples.video_archive.catalog.repository import Catalog, open_catalog

__all__ = ["Catalog", "open_catalog"]
