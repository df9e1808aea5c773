"""The command line as a user runs it: a subprocess, real catalog, real files."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from va_testlib import snapshot

from samples.video_archive.synthetic import Expected

pytestmark = pytest.mark.slow


def _cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "samples.video_archive", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )


@pytest.fixture
def cli_env(catalog_dsn: str, tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("VIDEO_ARCHIVE_")}
    config = tmp_path / "archive.toml"  # empty: keeps a personal config file out of the test
    config.write_text("")
    env.update(
        VIDEO_ARCHIVE_CONFIG=str(config),
        VIDEO_ARCHIVE_CATALOG_DSN=catalog_dsn,
        VIDEO_ARCHIVE_LANCEDB_DIR=str(tmp_path / "index"),
        VIDEO_ARCHIVE_DERIVATIVES_DIR=str(tmp_path / "derivatives"),
        COLUMNS="200",
    )
    return env


def test_add_scan_status_search_show(
    cli_env: dict[str, str], corpus: tuple[Path, dict[str, Expected]]
) -> None:
    root, _ = corpus
    before = snapshot(root)
    added = _cli(cli_env, "sources", "add", "home", str(root))
    assert added.returncode == 0, added.stderr
    scanned = _cli(cli_env, "scan", "home", "--derive", "--run-id", "cli-test")
    assert scanned.returncode == 0, scanned.stderr
    assert "quarantined 3" in scanned.stdout
    assert "zero_bytes.mp4: empty file (0 bytes)" in scanned.stdout
    assert "derivatives: derived 12" in scanned.stdout
    assert "index: indexed 12" in scanned.stdout
    assert "scan home" in scanned.stderr  # the progress bar
    assert "@ 0x" not in scanned.stderr  # and nothing of ffmpeg's between the bars

    status = _cli(cli_env, "status")
    assert status.returncode == 0 and "quarantined" in status.stdout
    quarantine = _cli(cli_env, "quarantine")
    assert "home:corrupt.mp4" in quarantine.stdout and "moov atom not found" in quarantine.stdout
    listed = _cli(cli_env, "sources", "list")
    assert "home" in listed.stdout and "online" in listed.stdout

    found = _cli(cli_env, "search", "lighthouse keeper", "--limit", "1", "--codec", "h264")
    assert found.returncode == 0, found.stderr
    assert "home:harbour/h264_aac.mp4" in found.stdout
    asset_id = found.stdout.split("home:harbour")[0].split("│")[-3].strip()
    shown = _cli(cli_env, "show", asset_id)
    assert shown.returncode == 0 and "harbour/h264_aac.mp4" in shown.stdout
    assert snapshot(root) == before

    removed = _cli(cli_env, "sources", "remove", "home")
    assert removed.returncode == 0 and "originals untouched" in removed.stdout
    assert snapshot(root) == before


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("scan", "nowhere"), "no source named 'nowhere'"),
        (("sources", "add", "x", "/does/not/exist"), "is not a directory"),
        (("show", "4242"), "no asset with id 4242"),
        (("--dsn", "host=127.0.0.1 port=1 dbname=x", "status"), "cannot connect to the catalog"),
        (("scan",), "name a source to scan, or use --all"),
    ],
)
def test_bad_input_gives_one_actionable_line(
    cli_env: dict[str, str], args: tuple[str, ...], message: str
) -> None:
    result = _cli(cli_env, *args)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert message in result.stderr
    assert result.stderr.strip().startswith("error:")


def test_bad_setting_is_reported(cli_env: dict[str, str]) -> None:
    result = _cli({**cli_env, "VIDEO_ARCHIVE_WORKERS": "many"}, "status")
    assert result.returncode == 2
    assert "VIDEO_ARCHIVE_WORKERS" in result.stderr
    assert "valid integer" in result.stderr
