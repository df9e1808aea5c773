"""core.safe_files.open_within: a file is opened once and the descriptor is checked, so a
symlink swapped in after the path was resolved (the race a world-writable clips directory
allows) is refused, and a regular file under the root is read."""

from __future__ import annotations

import errno
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from core import safe_files


def _swap_after_resolving(
    monkeypatch: pytest.MonkeyPatch, target: Path, swap: Callable[[], None]
) -> None:
    """Resolve paths as usual, then swap ``target`` on disk right after it was resolved: the
    window between the check and the open, made deterministic."""
    resolve = os.path.realpath

    def racing(path: str | os.PathLike[str]) -> str:
        resolved = resolve(path)
        if Path(path) == target:
            swap()
        return resolved

    monkeypatch.setattr(safe_files.os.path, "realpath", racing)


@pytest.fixture
def tree(tmp_path: Path) -> tuple[Path, Path]:
    root, outside = tmp_path / "root", tmp_path / "outside"
    (root / "clips").mkdir(parents=True)
    outside.mkdir()
    (root / "clips" / "clip.mp4").write_bytes(b"clip")
    (outside / "clip.mp4").write_bytes(b"secret")
    return root, outside


def test_a_regular_file_under_the_root_is_opened(tree: tuple[Path, Path]) -> None:
    root, _ = tree
    fd, info = safe_files.open_within(root, root / "clips" / "clip.mp4")
    try:
        assert os.read(fd, 100) == b"clip" and info.st_size == 4
    finally:
        os.close(fd)
    with pytest.raises(safe_files.OutsideRootError):
        safe_files.open_within(root, "../outside/clip.mp4")
    with pytest.raises(safe_files.NotRegularFileError):
        safe_files.open_within(root, "clips")


def test_a_file_swapped_for_a_symlink_after_the_check_is_refused(
    tree: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    root, outside = tree
    clip = root / "clips" / "clip.mp4"

    def swap() -> None:
        clip.unlink()
        clip.symlink_to(outside / "clip.mp4")

    _swap_after_resolving(monkeypatch, clip, swap)
    with pytest.raises(OSError) as refused:  # O_NOFOLLOW: ELOOP on the last component
        safe_files.open_within(root, clip)
    assert refused.value.errno == errno.ELOOP


def test_a_directory_swapped_for_a_symlink_is_caught_on_the_descriptor(
    tree: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    root, outside = tree
    clip = root / "clips" / "clip.mp4"

    def swap() -> None:
        (root / "clips").rename(root / "old-clips")
        (root / "clips").symlink_to(outside)

    _swap_after_resolving(monkeypatch, clip, swap)
    with pytest.raises(safe_files.OutsideRootError, match=r"was opened at .*outside"):
        safe_files.open_within(root, clip)
