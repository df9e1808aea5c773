"""The semantic index's approximate-nearest-neighbour settings: how the vector index is
built and how a query searches it. The LanceDB backend uses ``CHOSEN``; the index
benchmark (bench/vector_index.py) builds and queries the same way for each candidate of
its sweep, so the figures it records are those of the code that serves searches."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal

from lancedb.index import IvfHnswSq, IvfPq

IndexKind = Literal["ivf_hnsw_sq", "ivf_pq"]


@dataclass(frozen=True)
class AnnSettings:
    """One way to build and query the vector index (cosine distance).

    kind: ``ivf_hnsw_sq`` (HNSW graphs inside IVF partitions, 8-bit scalar-quantised
      vectors) or ``ivf_pq`` (product-quantised vectors scanned in the nearest partitions).
    partitions: IVF partitions; None lets LanceDB choose (about sqrt(rows)).
    m, ef_construction: HNSW graph degree and build-time beam (ivf_hnsw_sq only).
    sub_vectors: PQ sub-vectors (ivf_pq only; the dimension must divide by it).
    nprobes: partitions searched per query (more when a filter leaves too few hits).
    ef: HNSW search beam per partition (ivf_hnsw_sq only; at least limit x refine_factor).
    refine_factor: re-rank refine_factor x limit candidates by their full vectors.
    """

    kind: IndexKind = "ivf_hnsw_sq"
    partitions: int | None = None
    m: int = 16
    ef_construction: int = 100
    sub_vectors: int | None = None
    nprobes: int = 20
    ef: int | None = None
    refine_factor: int = 5

    def __post_init__(self) -> None:
        if self.kind not in ("ivf_hnsw_sq", "ivf_pq"):
            raise ValueError(f"unknown ANN index kind {self.kind!r}: ivf_hnsw_sq or ivf_pq")
        for name in ("nprobes", "refine_factor", "m", "ef_construction"):
            if getattr(self, name) < 1:
                raise ValueError(f"ANN setting {name} must be at least 1")

    def index_config(self) -> Any:
        """The LanceDB index configuration that builds this index."""
        if self.kind == "ivf_pq":
            return IvfPq(
                distance_type="cosine",
                num_partitions=self.partitions,
                num_sub_vectors=self.sub_vectors,
            )
        return IvfHnswSq(
            distance_type="cosine",
            num_partitions=self.partitions,
            m=self.m,
            ef_construction=self.ef_construction,
        )

    def tune(self, query: Any, limit: int) -> Any:
        """Apply the search-time settings to a LanceDB vector query."""
        # At least nprobes partitions, more when a narrow filter leaves fewer than limit hits.
        query = query.maximum_nprobes(0).minimum_nprobes(self.nprobes)
        if self.kind != "ivf_hnsw_sq":
            return query.refine_factor(self.refine_factor)
        # The graph search must return every candidate the refine step re-ranks, so a long
        # result list (times the refine factor) widens the beam past ef.
        return query.ef(max(self.ef or 0, limit * self.refine_factor)).refine_factor(
            self.refine_factor
        )

    def describe(self) -> dict[str, Any]:
        """The settings that apply to this kind of index."""
        unused = {"sub_vectors"} if self.kind == "ivf_hnsw_sq" else {"m", "ef_construction", "ef"}
        return {k: v for k, v in asdict(self).items() if v is not None and k not in unused}


# Chosen from two measurements on 2 cores. The sweep of bench/vector_index.py over 1,000,000
# synthetic 384-d vectors (bench/results/vector_index.json): the search beam matters, the
# probes barely (ef 100 gave 0.85-0.87 whatever nprobes, 10 or 40; these settings 0.956 at
# p95 7.9 ms; LanceDB's exact scan 2,541 ms, numpy's 100 ms; IVF_PQ reached 0.95 only at p95
# 38-44 ms). The archive's real MiniLM embeddings (bench/web_search.py, semantic_index_part,
# 100,000 items) need the wider beam: recall@10 0.88 at ef 200, 0.963 at ef 600 (0.945 at ef
# 400 in a separate sweep). Re-ranking 3x the candidates by their full vectors added no recall
# there and 50-70 % more CPU per query, so none is done.
CHOSEN = AnnSettings(
    kind="ivf_hnsw_sq", m=16, ef_construction=100, nprobes=10, ef=600, refine_factor=1
)
