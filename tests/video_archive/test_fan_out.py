"""Silver as mapped tasks: the plan, one batch, a retried batch, the same batch twice at once
and a batch whose worker is killed halfway (real PostgreSQL, real ffmpeg)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from va_testlib import register

from samples.video_archive.catalog import Catalog
from samples.video_archive.config import Settings
from samples.video_archive.ingestion.scanner import scan_source
from samples.video_archive.pipeline import batch_label, plan_silver, run_silver
from samples.video_archive.synthetic import Expected

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def scanned(
    catalog: Catalog, catalog_dsn: str, corpus: tuple[Path, dict[str, Expected]], tmp_path: Path
) -> tuple[Settings, list[int]]:
    """The corpus scanned (bronze); settings for silver; the ids silver has to derive."""
    root, expected = corpus
    register(catalog, "corpus", root)
    scan_source(catalog, "corpus")
    settings = Settings(
        catalog_dsn=catalog_dsn, derivatives_dir=tmp_path / "derivatives", workers=1, gpu="off"
    )
    ids = [i for batch in plan_silver(settings, 100) for i in batch]
    assert len(ids) == len([e for e in expected.values() if not e.quarantined])
    return settings, ids


def _derived(catalog: Catalog, ids: list[int]) -> int:
    row = catalog._one(
        "SELECT count(*) AS n FROM assets WHERE id = ANY(%s) AND derived_at IS NOT NULL", (ids,)
    )
    catalog.commit()
    return int(row["n"]) if row else 0


def _stored_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())


def test_plan_and_one_batch_then_a_retry_does_only_what_is_missing(
    catalog: Catalog, scanned: tuple[Settings, list[int]]
) -> None:
    settings, ids = scanned
    plan = plan_silver(settings, "5")  # a rendered template arrives as a string
    assert [i for batch in plan for i in batch] == ids
    assert all(len(batch) <= 5 for batch in plan) and len(plan[0]) == 5

    first = run_silver(settings, asset_ids=plan[0][:3], run_id="fan-out")
    assert first["counts"]["derived"] == 3 and first["counts"]["errors"] == 0
    assert _derived(catalog, ids) == 3  # only that batch

    retried = run_silver(settings, asset_ids=plan[0], run_id="fan-out")
    assert retried["counts"]["derived"] == 2
    assert retried["counts"]["already_done"] == 3
    assert retried["batch"] == batch_label(plan[0])

    rest = [i for batch in plan[1:] for i in batch]
    run_silver(settings, asset_ids=rest, run_id="fan-out")
    assert plan_silver(settings, 5) == []  # nothing left to plan
    parts = [r["part"] for r in catalog.runs("fan-out")]
    assert len(parts) == len(set(parts)) == 3  # one record per batch, retries replace theirs


def test_the_same_batch_twice_at_once_derives_each_asset_once(
    catalog: Catalog, scanned: tuple[Settings, list[int]]
) -> None:
    settings, ids = scanned
    results: dict[str, dict] = {}

    def attempt(name: str) -> None:
        results[name] = run_silver(settings, asset_ids=ids, run_id="overlap")

    first = threading.Thread(target=attempt, args=("first",))
    first.start()
    deadline = time.monotonic() + 120
    while _derived(catalog, ids) < 2 and time.monotonic() < deadline:
        time.sleep(0.1)  # the second starts once the first has finished some and holds others
    second = threading.Thread(target=attempt, args=("second",))
    second.start()
    first.join(timeout=600)
    second.join(timeout=600)

    a, b = results["first"]["counts"], results["second"]["counts"]
    assert a["errors"] == b["errors"] == a["busy"] == b["busy"] == 0
    assert a["derived"] + b["derived"] == len(ids)
    assert a["already_done"] + b["already_done"] == len(ids)
    assert _derived(catalog, ids) == len(ids)
    files = _stored_files(settings.derivatives_dir)  # type: ignore[arg-type]
    assert not [f for f in files if f.name.endswith(".tmp")]
    rows = catalog._all(
        "SELECT poster_path, sprite_path, proxy_path FROM assets WHERE id = ANY(%s)", (ids,)
    )
    recorded = {Path(p) for r in rows for p in r.values() if p}
    assert recorded == set(files)  # one set of derivatives per asset, nothing else
    assert len(catalog.runs("overlap")) == 1  # the same batch, one record


def test_a_killed_attempt_is_finished_by_the_retry(
    catalog: Catalog, scanned: tuple[Settings, list[int]]
) -> None:
    settings, ids = scanned
    script = (
        "import json, sys\n"
        "from samples.video_archive.config import Settings\n"
        "from samples.video_archive.pipeline import run_silver\n"
        "s = Settings(catalog_dsn=sys.argv[1], derivatives_dir=sys.argv[2], workers=1, "
        "gpu='off')\n"
        "run_silver(s, asset_ids=json.loads(sys.argv[3]), run_id='killed')\n"
    )
    worker = subprocess.Popen(
        [sys.executable, "-c", script, settings.catalog_dsn, str(settings.derivatives_dir),
         json.dumps(ids)],
        cwd=ROOT,
        start_new_session=True,
    )  # fmt: skip
    deadline = time.monotonic() + 120
    while _derived(catalog, ids) < 2 and time.monotonic() < deadline:
        time.sleep(0.1)
    os.killpg(worker.pid, signal.SIGKILL)  # the worker and its ffmpeg runs, mid-batch
    worker.wait(timeout=30)
    done_before = _derived(catalog, ids)
    assert 2 <= done_before < len(ids), "the worker was not killed mid-batch"
    started = catalog._one("SELECT count(*) AS n FROM assets WHERE silver_interruptions > 0")
    assert started["n"] <= 1  # only the asset in flight (one worker) counts as interrupted

    retried = run_silver(settings, asset_ids=ids, run_id="killed")
    assert retried["counts"]["already_done"] == done_before
    assert retried["counts"]["derived"] == len(ids) - done_before
    assert retried["counts"]["busy"] == 0  # the killed session's claims went with it
    assert _derived(catalog, ids) == len(ids)
    assert catalog._one("SELECT max(silver_interruptions) AS m FROM assets")["m"] == 0


def test_an_asset_killed_with_its_task_again_and_again_is_quarantined(
    catalog: Catalog, scanned: tuple[Settings, list[int]]
) -> None:
    settings, ids = scanned
    # Three tries of its task were stopped from outside while it was being derived.
    catalog.conn.execute("UPDATE assets SET silver_interruptions = 3 WHERE id = %s", (ids[0],))
    catalog.commit()
    result = run_silver(settings, asset_ids=ids[:2])
    assert result["counts"]["quarantined"] == 1 and result["counts"]["derived"] == 1
    row = catalog.asset(ids[0])
    assert row["status"] == "quarantined"
    assert row["quarantine_reason"].startswith("derivation interrupted 3 times")


def test_recording_is_conditional_even_without_a_claim(
    catalog: Catalog, scanned: tuple[Settings, list[int]]
) -> None:
    _settings, ids = scanned
    values = {"poster_path": "/d/p.jpg", "sprite_path": "/d/s.jpg", "quality_issues": []}
    assert catalog.record_derivatives(ids[0], values) is True
    assert catalog.record_derivatives(ids[0], {**values, "poster_path": "/d/other.jpg"}) is False
    assert catalog.quarantine_undecodable(ids[0], "decode exceeded 1 s") is False
    catalog.commit()
    assert catalog.asset(ids[0])["poster_path"] == "/d/p.jpg"


def test_claims_exclude_other_sessions(
    catalog: Catalog, catalog_dsn: str, scanned: tuple[Settings, list[int]]
) -> None:
    from samples.video_archive.catalog import open_catalog

    _settings, ids = scanned
    other = open_catalog(catalog_dsn, migrate=False)
    try:
        assert catalog.try_claim(ids[0])
        assert not other.try_claim(ids[0])
        assert not other.claim_within(ids[0], 0.6)
        catalog.release(ids[0])
        assert other.claim_within(ids[0], 5)
        assert other.try_claim(ids[1])
    finally:
        other.close()  # a session's end releases its claims
    # The server ends the closed session's backend asynchronously: on a busy machine the
    # claim comes free a moment after close() returns, so wait for it (bounded).
    assert catalog.claim_within(ids[1], 5)
    catalog.release(ids[1])
