"""Generated secrets: private file, stable values, new keys added without rotating old ones;
the workers' journal certificate made from the platform CA, and made again only when it nears
its end or another CA holds the store."""

from __future__ import annotations

import datetime
import stat

import pytest
import yaml
from cryptography import x509
from cryptography.x509.oid import ExtendedKeyUsageOID

from platformctl import secrets
from platformctl.secrets import (
    DERIVED_SECRETS,
    SECRET_GENERATORS,
    ensure_secrets,
    renew_derived,
)

EVERY_KEY = sorted([*SECRET_GENERATORS, *DERIVED_SECRETS])


def test_first_run_generates_every_secret_into_a_private_file(tmp_path):
    path = tmp_path / "local" / "secrets.yml"
    values, added = ensure_secrets(path)
    assert sorted(added) == EVERY_KEY
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
    assert set(added) == set(EVERY_KEY) - {"redis_password"}
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_fernet_key_is_valid_for_airflow(tmp_path):
    import base64

    values, _ = ensure_secrets(tmp_path / "s.yml")
    assert len(base64.urlsafe_b64decode(values["airflow_fernet_key"])) == 32


def _certificate(bundle: str) -> x509.Certificate:
    return x509.load_pem_x509_certificate(bundle.encode())


def test_the_workers_journal_identity_is_a_client_certificate_of_the_platform_ca(tmp_path):
    values, _ = ensure_secrets(tmp_path / "s.yml")
    bundle = values["journal_worker_client"]
    assert "-----BEGIN PRIVATE KEY-----" in bundle
    cert, ca = _certificate(bundle), _certificate(values["platform_ca"])
    cert.verify_directly_issued_by(ca)
    usage = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert list(usage) == [ExtendedKeyUsageOID.CLIENT_AUTH]
    assert not cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    with pytest.raises(x509.ExtensionNotFound):
        cert.extensions.get_extension_for_class(x509.SubjectAlternativeName)


def test_the_workers_journal_identity_is_renewed_near_its_end_only(tmp_path):
    first, _ = ensure_secrets(tmp_path / "s.yml")
    issued = _certificate(first["journal_worker_client"]).not_valid_before_utc
    days = secrets.WORKER_JOURNAL_CERT_DAYS
    kept = dict(first)
    assert renew_derived(kept, issued + datetime.timedelta(days=days * 0.6)) == []
    assert kept == first
    renewed = dict(first)
    assert renew_derived(renewed, issued + datetime.timedelta(days=days * 0.7)) == [
        "journal_worker_client"
    ]
    assert renewed["journal_worker_client"] != first["journal_worker_client"]
    assert {k: v for k, v in renewed.items() if k != "journal_worker_client"} == {
        k: v for k, v in first.items() if k != "journal_worker_client"
    }


def test_the_workers_journal_identity_follows_a_new_platform_ca(tmp_path):
    path = tmp_path / "s.yml"
    first, _ = ensure_secrets(path)
    stored = yaml.safe_load(path.read_text())
    del stored["platform_ca"]  # a person removed it to make a new CA
    path.write_text(yaml.safe_dump(stored))
    second, added = ensure_secrets(path)
    assert sorted(added) == ["journal_worker_client", "platform_ca"]
    assert second["journal_worker_client"] != first["journal_worker_client"]
    _certificate(second["journal_worker_client"]).verify_directly_issued_by(
        _certificate(second["platform_ca"])
    )
