"""Fast checks of the web service's pure parts: range parsing, path confinement, passwords,
API keys, tag rules."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from samples.video_archive.search import Filters
from samples.video_archive.web import auth, media
from samples.video_archive.web.queries import EditError, normalise_tags


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, None),
        ("bytes=0-9", (0, 9)),
        ("bytes=10-", (10, 99)),
        ("bytes=-5", (95, 99)),
        ("bytes=90-1000", (90, 99)),
        ("bytes=5-1", None),  # invalid: whole file
        ("bytes=0-1,5-6", None),  # several ranges: whole file
        ("items=0-1", None),
    ],
)
def test_parse_range(header, expected) -> None:
    assert media.parse_range(header, 100) == expected


@pytest.mark.parametrize("header", ["bytes=100-", "bytes=200-300", "bytes=-0"])
def test_unsatisfiable_ranges(header) -> None:
    with pytest.raises(media.RangeNotSatisfiableError):
        media.parse_range(header, 100)


def test_open_within_refuses_escapes(tmp_path: Path) -> None:
    root = tmp_path / "source"
    root.mkdir()
    (root / "clip.mp4").write_bytes(b"0123456789")
    (tmp_path / "secret").write_text("no")
    os.symlink(tmp_path / "secret", root / "link.mp4")
    os.symlink(root / "clip.mp4", root / "inside-link.mp4")
    opened = media.open_within(root, "clip.mp4")
    assert b"".join(media.iter_bytes(opened, 2, 4)) == b"234"
    assert media.open_within(root, "inside-link.mp4").size == 10
    for escape in ("link.mp4", "../secret", "/etc/passwd", "sub/../../secret"):
        with pytest.raises(media.MediaRefusedError):
            media.open_within(root, escape)
    with pytest.raises(media.MediaRefusedError):
        media.open_within(root, ".")  # a directory is not a file
    with pytest.raises(media.MediaUnavailableError):
        media.open_within(root, "gone.mp4")
    with pytest.raises(media.MediaUnavailableError):
        media.open_within(tmp_path / "unmounted", "clip.mp4")


def test_passwords_and_api_keys() -> None:
    stored = auth.hash_password("a long enough password")
    assert auth.verify_password("a long enough password", stored)
    assert not auth.verify_password("a long enough passworD", stored)
    assert not auth.verify_password("x", "not-a-hash")
    with pytest.raises(ValueError, match="10 characters"):
        auth.hash_password("short")
    key, digest = auth.new_api_key()
    assert len(key) >= 40
    assert digest != key
    assert auth.csrf_matches("abc", "abc")
    assert not auth.csrf_matches("abc", "abd")
    assert not auth.csrf_matches(None, None)


def test_tags_are_normalised_and_checked() -> None:
    assert normalise_tags([" Night  Ferry ", "night ferry", "", "B&W"]) == ["night ferry", "b&w"]
    with pytest.raises(EditError, match="not allowed"):
        normalise_tags(["<script>"])
    with pytest.raises(EditError, match="at most"):
        normalise_tags([f"t{i}" for i in range(60)])


def test_semantic_search_without_its_libraries_is_a_clear_error(tmp_path: Path) -> None:
    from samples.video_archive.config import Settings
    from samples.video_archive.search import SearchUnavailableError, SemanticBackend

    class Broken:
        name, dimension = "broken", 3

        def embed(self, texts):
            raise ImportError("No module named 'sentence_transformers'")

    backend = SemanticBackend(Settings(lancedb_dir=tmp_path / "index"), embedder=Broken())
    backend.warm()  # must not raise: start-up goes on, keyword search still works
    with pytest.raises(SearchUnavailableError, match="use keyword mode"):
        backend.ranked("harbour", "semantic", Filters(), 10)


def test_login_backoff_doubles_up_to_five_minutes_and_forgets_the_oldest() -> None:
    from samples.video_archive.web import login_backoff

    now = [0.0]
    backoff = login_backoff.LoginBackoff(clock=lambda: now[0])
    waits = []
    for _ in range(12):
        backoff.failed("admin")
        waits.append(backoff.retry_after("admin"))
    assert waits == [1, 2, 4, 8, 16, 32, 64, 128, 256, 300, 300, 300]
    now[0] += 300
    assert backoff.retry_after("admin") == 0  # never locked out for longer
    assert backoff.retry_after("someone-else") == 0
    for i in range(login_backoff.MAX_TRACKED):
        backoff.failed(f"guess-{i}")
    assert backoff.retry_after("admin") == 0  # the oldest entry made room
    assert backoff.retry_after(f"guess-{login_backoff.MAX_TRACKED - 1}") == 1
