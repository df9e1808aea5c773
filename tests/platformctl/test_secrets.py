"""Generated secrets: private file, stable values, new keys added without rotating old ones."""

from __future__ import annotations

import stat

import yaml

from platformctl.secrets import SECRET_GENERATORS, ensure_secrets


def test_first_run_generates_every_secret_into_a_private_file(tmp_path):
    path = tmp_path / "local" / "secrets.yml"
    values, added = ensure_secrets(path)
    assert sorted(added) == sorted(SECRET_GENERATORS)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert all(len(v) >= 32 for v in values.values())
    assert len(set(values.values())) == len(values), "every secret is different"


def test_second_run_changes_nothing(tmp_path):
    path = tmp_path / "secrets.yml"
    first, _ = ensure_secrets(path)
    before = path.read_bytes()
    second, added = ensure_secrets(path)
    assert added == []
    assert second == first
    assert path.read_bytes() == before


def test_missing_keys_are_added_and_existing_ones_kept(tmp_path):
    path = tmp_path / "secrets.yml"
    path.write_text(yaml.safe_dump({"redis_password": "kept-as-is"}))
    values, added = ensure_secrets(path)
    assert values["redis_password"] == "kept-as-is"
    assert "redis_password" not in added
    assert set(added) == set(SECRET_GENERATORS) - {"redis_password"}
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_fernet_key_is_valid_for_airflow(tmp_path):
    import base64

    values, _ = ensure_secrets(tmp_path / "s.yml")
    assert len(base64.urlsafe_b64decode(values["airflow_fernet_key"])) == 32
