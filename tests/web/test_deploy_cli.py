"""The web CLI's deployment commands: stable password hashes and catalog preparation."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from samples.video_archive.web.__main__ import main
from samples.video_archive.web.auth import hash_password, verify_password


def _hash(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture, password: str,
          current: str | None) -> str:  # fmt: skip
    monkeypatch.setattr("sys.stdin", _Stdin(password + "\n"))
    if current is None:
        monkeypatch.delenv("CURRENT_HASH", raising=False)
    else:
        monkeypatch.setenv("CURRENT_HASH", current)
    assert main(["hash-password", "--keep-env", "CURRENT_HASH"]) == 0
    return capsys.readouterr().out.strip()


class _Stdin:
    def __init__(self, text: str) -> None:
        self._text = text

    def isatty(self) -> bool:
        return False

    def readline(self) -> str:
        return self._text


def test_hash_password_keeps_a_matching_hash(monkeypatch, capsys) -> None:
    current = hash_password("a long enough password")
    assert _hash(monkeypatch, capsys, "a long enough password", current) == current
    # Another password, or no current hash: a new hash that verifies.
    changed = _hash(monkeypatch, capsys, "another long password", current)
    assert changed != current
    assert verify_password("another long password", changed)
    fresh = _hash(monkeypatch, capsys, "a long enough password", None)
    assert fresh != current
    assert verify_password("a long enough password", fresh)


@pytest.fixture(scope="module")
def catalog_dsn(new_database: Callable[[str], str]) -> str:
    return new_database("deploy_cli")


def _prepare(monkeypatch, capsys, dsn: str, sources: Path) -> tuple[int, dict, str]:
    monkeypatch.setenv("VIDEO_ARCHIVE_CATALOG_DSN", dsn)
    config = sources.parent / "archive.toml"  # empty: keeps a personal config file out
    config.write_text("")
    monkeypatch.setenv("VIDEO_ARCHIVE_CONFIG", str(config))
    status = main(["prepare-catalog", "--sources", str(sources)])
    out, err = capsys.readouterr()
    return status, (json.loads(out) if status == 0 else {}), err


@pytest.mark.slow
def test_prepare_catalog_migrates_and_registers_only_what_changed(
    catalog_dsn, tmp_path, monkeypatch, capsys
) -> None:
    (tmp_path / "clips").mkdir()
    sources = tmp_path / "sources.json"
    sources.write_text(json.dumps([{"name": "clips", "path": str(tmp_path / "clips")}]))
    status, changes, _ = _prepare(monkeypatch, capsys, catalog_dsn, sources)
    assert status == 0
    assert changes["migrations_applied"]
    assert changes["sources_added"] == ["clips"]

    # The same file again: nothing to do.
    status, changes, _ = _prepare(monkeypatch, capsys, catalog_dsn, sources)
    assert changes == {"migrations_applied": [], "sources_added": [], "sources_updated": []}

    # New globs update the source.
    sources.write_text(
        json.dumps([{"name": "clips", "path": str(tmp_path / "clips"), "exclude": ["*/tmp/*"]}])
    )
    status, changes, _ = _prepare(monkeypatch, capsys, catalog_dsn, sources)
    assert changes["sources_updated"] == ["clips"]


@pytest.mark.slow
def test_prepare_catalog_refuses_a_missing_directory(catalog_dsn, tmp_path, monkeypatch, capsys):
    sources = tmp_path / "sources.json"
    sources.write_text(json.dumps([{"name": "nas", "path": str(tmp_path / "not-mounted")}]))
    status, _, err = _prepare(monkeypatch, capsys, catalog_dsn, sources)
    assert status == 2
    assert err.startswith("error: source nas:")
    assert "Traceback" not in err


def test_hash_password_upgrades_a_hash_made_with_older_parameters(monkeypatch, capsys) -> None:
    import hashlib

    salt = b"\1" * 16
    digest = hashlib.scrypt(b"a long enough password", salt=salt, n=2**14, r=8, p=1, dklen=32)
    old = f"scrypt${2**14}$8$1${salt.hex()}${digest.hex()}"
    assert verify_password("a long enough password", old)  # old hashes still log in
    upgraded = _hash(monkeypatch, capsys, "a long enough password", old)
    assert upgraded != old and upgraded.startswith("scrypt$16384$8$5$")
    assert verify_password("a long enough password", upgraded)
    # From then on the run is stable.
    assert _hash(monkeypatch, capsys, "a long enough password", upgraded) == upgraded
