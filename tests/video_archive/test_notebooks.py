"""The layer notebooks execute with Papermill against the test catalog, bronze → silver → gold,
silver as the DAG runs it: one notebook run per planned batch of asset ids."""

from __future__ import annotations

from pathlib import Path

import pytest
from va_testlib import register

import papermill
from samples.video_archive.catalog import Catalog
from samples.video_archive.config import Settings
from samples.video_archive.indexing.backends.lancedb import LanceDBIndex
from samples.video_archive.pipeline import plan_silver
from samples.video_archive.synthetic import Expected
from tests import notebook_outputs

pytestmark = pytest.mark.slow

NOTEBOOKS = Path(__file__).resolve().parents[2] / "papermill" / "notebooks"


def _printed_summary(output: Path) -> dict:
    return notebook_outputs.printed_json(notebook_outputs.load(output))


def test_bronze_silver_gold_notebooks(
    catalog: Catalog,
    catalog_dsn: str,
    corpus: tuple[Path, dict[str, Expected]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    root, expected = corpus
    register(catalog, "nb", root)
    config = tmp_path / "archive.toml"  # empty: keeps a personal config file out of the test
    config.write_text("")
    monkeypatch.setenv("VIDEO_ARCHIVE_CONFIG", str(config))
    monkeypatch.delenv("VIDEO_ARCHIVE_SMTP_HOST", raising=False)
    monkeypatch.setenv("VIDEO_ARCHIVE_DERIVATIVES_DIR", str(tmp_path / "derivatives"))
    good = len([e for e in expected.values() if not e.quarantined])
    run_id = "manual__notebook_test"

    def run(layer: str, name: str, **extra: object) -> dict:
        output = tmp_path / f"video_archive_{name}.out.ipynb"
        papermill.execute_notebook(
            str(NOTEBOOKS / f"video_archive_{layer}.ipynb"),
            str(output),
            parameters={"run_id": run_id, "catalog_dsn": catalog_dsn, **extra},
            kernel_name="python3",
            progress_bar=False,
            cwd=str(tmp_path),
        )
        return _printed_summary(output)

    bronze = run("bronze", "bronze", sources="nb", batch_size=5)
    assert bronze["sources"]["nb"]["counts"]["probed"] == good
    plan = plan_silver(Settings(catalog_dsn=catalog_dsn), 8)
    assert [len(b) for b in plan] == [8, good - 8]
    # As Airflow's mapped task passes it (a list), and as a person types it (a string).
    first = run("silver", "silver_0", asset_ids=plan[0])
    second = run("silver", "silver_1", asset_ids=",".join(map(str, plan[1])))
    assert first["counts"]["derived"] + second["counts"]["derived"] == good
    assert first["batch"] != second["batch"]
    gold = run("gold", "gold", lancedb_dir=str(tmp_path / "index"), index_backend="lancedb")
    assert gold["counts"]["indexed"] == good
    assert sorted(r["layer"] for r in catalog.runs(run_id)) == [
        "bronze", "gold", "silver", "silver"
    ]  # fmt: skip
    assert LanceDBIndex(tmp_path / "index", dimension=384).count() == good
