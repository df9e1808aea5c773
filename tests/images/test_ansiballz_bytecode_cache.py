"""The host image's bytecode cache for Ansible's payloads (images/host/python/).

Each import runs in a fresh interpreter, as each Ansible task does, with the hook installed
the way the image's .pth file installs it and compile() counted.
"""

import json
import os
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(
    os.geteuid() != 0, reason="the hook writes its cache as root only: run the tests as root"
)

HOOK_DIR = Path(__file__).resolve().parents[2] / "images" / "host" / "python"

IMPORTER = textwrap.dedent(
    """
    import builtins, json, os, sys, traceback
    sys.path.insert(0, {hook_dir!r})
    import ansiballz_bytecode_cache as cache
    cache.CACHE_DIR = {cache_dir!r}
    if {as_user!r}:
        os.geteuid = lambda: 1000
    exec(open({pth!r}).read())
    compiled = []
    real_compile = builtins.compile
    def counting_compile(source, filename, *args, **kwargs):
        compiled.append(filename)
        return real_compile(source, filename, *args, **kwargs)
    builtins.compile = counting_compile
    sys.path.insert(0, {payload!r})
    import pkg.mod
    try:
        pkg.mod.fail()
    except RuntimeError:
        where = traceback.extract_tb(sys.exc_info()[2])[-1].filename
    print(json.dumps({{"compiled": compiled, "value": pkg.mod.VALUE, "where": where}}))
    """
)


def make_payload(directory: Path, value: int = 1, name: str = "ansible_stat_payload.zip") -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    payload = directory / name
    with zipfile.ZipFile(payload, "w") as zf:
        zf.writestr("pkg/__init__.py", "")
        zf.writestr("pkg/mod.py", f"VALUE = {value}\n\ndef fail():\n    raise RuntimeError\n")
    return payload


def import_from(payload: Path, cache_dir: Path, as_user: bool = False) -> dict:
    script = IMPORTER.format(
        hook_dir=str(HOOK_DIR),
        cache_dir=str(cache_dir),
        as_user=as_user,
        pth=str(HOOK_DIR / "ansiballz_bytecode_cache.pth"),
        payload=str(payload),
    )
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    ).stdout
    return json.loads(out)


@pytest.fixture
def cache_dir(tmp_path: Path) -> Path:
    path = tmp_path / "cache"
    path.mkdir(mode=0o755)
    return path


def test_a_payload_is_compiled_once_and_then_served_from_the_cache(tmp_path, cache_dir):
    first = import_from(make_payload(tmp_path / "task1"), cache_dir)
    # Plain zipimport compiles each module twice; the hook once.
    assert len(first["compiled"]) == 2
    assert len(list(cache_dir.iterdir())) == 2

    second_payload = make_payload(tmp_path / "task2")
    second = import_from(second_payload, cache_dir)
    assert second["compiled"] == []
    assert second["value"] == 1
    # Cached code names the payload it now runs from, not the first task's.
    assert second["where"] == str(second_payload / "pkg" / "mod.py")


def test_changed_source_is_compiled_again(tmp_path, cache_dir):
    import_from(make_payload(tmp_path / "task1", value=1), cache_dir)
    changed = import_from(make_payload(tmp_path / "task2", value=2), cache_dir)
    assert changed["value"] == 2
    assert [Path(f).name for f in changed["compiled"]] == ["mod.py"]


def test_entries_others_can_write_are_not_trusted(tmp_path, cache_dir):
    import_from(make_payload(tmp_path / "task1"), cache_dir)
    for entry in cache_dir.iterdir():
        entry.chmod(0o666)
    again = import_from(make_payload(tmp_path / "task2"), cache_dir)
    assert len(again["compiled"]) == 2


def test_only_root_writes_the_cache(tmp_path, cache_dir):
    result = import_from(make_payload(tmp_path / "task1"), cache_dir, as_user=True)
    assert result["value"] == 1
    assert list(cache_dir.iterdir()) == []


def test_other_archives_are_left_to_zipimport(tmp_path, cache_dir):
    other = make_payload(tmp_path / "lib", name="library.zip")
    result = import_from(other, cache_dir)
    assert len(result["compiled"]) == 4
    assert list(cache_dir.iterdir()) == []


def test_a_cache_others_can_write_to_is_not_used(tmp_path, cache_dir):
    cache_dir.chmod(0o777)
    result = import_from(make_payload(tmp_path / "task1"), cache_dir)
    assert len(result["compiled"]) == 4
    assert list(cache_dir.iterdir()) == []
