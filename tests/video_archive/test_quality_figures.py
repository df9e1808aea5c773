"""The catalog's data-quality figures for Prometheus (catalog/metrics/quality.sql), read as the
PostgreSQL exporter reads them: through the functions only, by a role that cannot read a
table. A real scan of the synthetic corpus fills the catalog, and its run record as the bronze
pipeline writes it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import psycopg
import pytest
from psycopg import sql
from va_testlib import register

from samples.video_archive.catalog import Catalog
from samples.video_archive.ingestion.scanner import scan_source
from samples.video_archive.synthetic import Expected

pytestmark = pytest.mark.slow

FIGURES_SQL = (
    Path(__file__).parents[2] / "samples/video_archive/catalog/metrics/quality.sql"
).read_text()
READER = "figures_reader"


def install_figures(dsn: str) -> None:
    """What the role postgres does: the functions in the schema metrics, as the database's
    owner, with EXECUTE for the exporters' role and nothing else."""
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("CREATE SCHEMA metrics")
        conn.execute(FIGURES_SQL)
        exists = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (READER,)).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE ROLE {} NOLOGIN").format(sql.Identifier(READER)))
        conn.execute("REVOKE ALL ON ALL FUNCTIONS IN SCHEMA metrics FROM PUBLIC")
        conn.execute(sql.SQL("GRANT USAGE ON SCHEMA metrics TO {}").format(sql.Identifier(READER)))
        conn.execute(
            sql.SQL("GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA metrics TO {}").format(
                sql.Identifier(READER)
            )
        )


def figures(dsn: str, function: str) -> list[tuple]:
    with psycopg.connect(dsn) as conn:
        conn.execute(sql.SQL("SET ROLE {}").format(sql.Identifier(READER)))
        query = sql.SQL("SELECT * FROM metrics.{}() ORDER BY 1").format(sql.Identifier(function))
        return conn.execute(query).fetchall()


FUNCTIONS = ("assets", "quarantine_reasons", "gaps", "scans")


def test_before_the_migrations_every_figure_is_empty_not_an_error(
    new_database: Callable[[str], str],
) -> None:
    dsn = new_database("figures")
    install_figures(dsn)
    for function in FUNCTIONS:
        assert figures(dsn, function) == [], function


def test_a_scan_shows_in_the_figures_and_the_reader_cannot_read_the_catalog(
    catalog: Catalog, catalog_dsn: str, corpus: tuple[Path, dict[str, Expected]]
) -> None:
    root, expected = corpus
    register(catalog, "corpus", root)
    summary = scan_source(catalog, "corpus")
    catalog.record_run("run-1", "bronze", "corpus", summary.counts, summary.errors)
    install_figures(catalog_dsn)

    quarantined = sum(1 for e in expected.values() if e.quarantined)
    assets = dict(figures(catalog_dsn, "assets"))
    assert assets["quarantined"] == quarantined
    assert (
        assets["probed"]
        == catalog._one("SELECT count(*) AS n FROM assets WHERE status = 'probed'")["n"]
    )
    assert assets["registered"] == 0

    reasons = dict(figures(catalog_dsn, "quarantine_reasons"))
    assert sum(reasons.values()) == quarantined
    assert reasons["empty"] == 1  # zero_bytes.mp4
    assert set(reasons) <= {
        "empty",
        "not_a_video",
        "probe_timeout",
        "derive_timeout",
        "interrupted",
        "unreadable",
    }

    gaps = dict(figures(catalog_dsn, "gaps"))
    silent = catalog._one(
        "SELECT count(*) AS n FROM assets WHERE status = 'probed' AND audio_codec IS NULL"
    )["n"]
    assert silent >= 2  # two_scenes.mp4 and the Unicode-named clip have no audio
    assert gaps == {"audio": silent, "poster": 0}  # no derivation has run yet

    [scan] = figures(catalog_dsn, "scans")
    source, seen, probed, quarantined_by_scan, errors, finished = scan
    assert source == "corpus"
    assert (seen, probed, quarantined_by_scan) == (
        summary.counts["seen"],
        summary.counts["probed"],
        quarantined,
    )
    assert errors == len(summary.errors)
    assert finished > 0

    with psycopg.connect(catalog_dsn) as conn:
        conn.execute(sql.SQL("SET ROLE {}").format(sql.Identifier(READER)))
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("SELECT count(*) FROM assets")
