"""The video archive's pipeline on the platform: the `video_archive` DAG on the workers.

conftest.archive_run triggers the platform's first run through the API and kills one silver
batch's task runner mid-derivation. Here: the run still ends well, the mapped silver batches
ran on both workers, every sample has exactly one catalog row and one set of derivatives on
the shared storage, the archive's API finds a sample by a word of its sidecar through the
ingress, and a second run changes nothing.
"""

from __future__ import annotations

import json

import testinfra
from platform_api import PREFIX, through_ingress

DERIVATIVES = "/srv/archive/derivatives"


def sql(query: str) -> list[str]:
    pg = testinfra.get_host(f"podman://{PREFIX}postgres-1")
    return pg.check_output("runuser -u postgres -- psql -d archive -Atc %s", query).splitlines()


def derivative_files() -> list[str]:
    """Every stored derivative with its size and mtime, as the workers see the volume."""
    worker = testinfra.get_host(f"podman://{PREFIX}worker-cpu-1")
    out = worker.check_output(f"find {DERIVATIVES} -type f -printf '%P %s %T@\\n' | sort")
    return out.splitlines()


def test_the_run_ends_well_despite_a_killed_silver_batch(archive_run):
    assert archive_run["state"] == "success", archive_run["run_id"]
    victim = archive_run["victim"]
    tries = [
        t
        for t in archive_run["airflow"].tries(archive_run["run_id"], "silver")
        if t["map_index"] == victim["map_index"]
    ]
    print(f"silver[{victim['map_index']}] tries: {[(t['try_number'], t['state']) for t in tries]}")
    assert len(tries) >= 2, "the killed batch was not retried"


def test_silver_batches_ran_on_both_workers(archive_run):
    batches = archive_run["airflow"].tries(archive_run["run_id"], "silver")
    hosts = {t["hostname"].split(".")[0] for t in batches if t.get("hostname")}
    print(f"{len(batches)} silver tries on {sorted(hosts)}")
    assert hosts == {"worker-cpu-1", "worker-gpu-1"}


def test_every_sample_has_one_row_and_one_set_of_derivatives(archive_run):
    assert archive_run["state"] == "success"
    (dupes,) = sql("SELECT count(*) - count(DISTINCT fingerprint) FROM assets")
    assert dupes == "0"
    (derived,) = sql("SELECT count(*) FROM assets WHERE derived_at IS NOT NULL")
    (pending,) = sql(
        "SELECT count(*) FROM assets a WHERE status = 'probed' AND derived_at IS NULL"
        " AND EXISTS (SELECT 1 FROM files f WHERE f.asset_id = a.id AND f.status = 'present')"
    )
    assert int(derived) > 0 and pending == "0", (derived, pending)
    posters = [line for line in derivative_files() if line.split()[0].endswith("/poster.jpg")]
    assert len(posters) == int(derived), "derivatives do not match the derived assets one to one"
    # Nothing half-written is left behind by the killed batch.
    assert not [line for line in derivative_files() if ".tmp" in line.split()[0]]


def test_the_archive_finds_a_sample_by_a_word_of_its_sidecar(archive_run, secrets):
    # "lighthouse" appears only in the subtitle sidecar of the harbour clip.
    status, text = through_ingress(
        "archive", "/api/v1/search?q=lighthouse", headers={"X-API-Key": secrets["archive_api_key"]}
    )
    assert status == 200, text
    found = [item["location"] for item in json.loads(text)["items"]]
    assert any(location.endswith("harbour/h264_aac.mp4") for location in found), found


def test_a_second_run_changes_nothing(archive_run):
    def state():
        catalog = sql(
            "SELECT count(*), max(updated_at), max(derived_at), max(indexed_at) FROM assets"
        )
        return catalog, derivative_files()

    before = state()
    archive = archive_run["airflow"]
    second = archive.trigger({"silver_batch_size": 2})
    assert archive.wait_finished(second, 900) == "success", second
    assert state() == before
    # Nothing to derive: the silver step had no batch to run.
    assert not [t for t in archive.task_instances(second, "silver") if t.get("map_index", -1) >= 0]
