"""Search the archive: keyword (catalog full text), semantic and hybrid (the semantic
index), with the same filters and paging everywhere. See searcher.py."""

from samples.video_archive.search.catalog_queries import COUNT_CAP, Filters
from samples.video_archive.search.ranking_cache import RankingCache
from samples.video_archive.search.searcher import MODES, Mode, SearchPage, run_search
from samples.video_archive.search.semantic import SearchUnavailableError, SemanticBackend

__all__ = [
    "COUNT_CAP",
    "MODES",
    "Filters",
    "Mode",
    "RankingCache",
    "SearchPage",
    "SearchUnavailableError",
    "SemanticBackend",
    "run_search",
]
