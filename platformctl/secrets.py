"""Secrets of an environment, generated on first use into its secret store.

The store is a 0600 file outside the repository for the local environment, and the AWS
Secrets Manager secret that Terraform creates (empty: no value ever sits in Terraform state)
for the cloud environments, emulated AWS included. Both hold the same keys, made by the same
generators. Existing values are never changed; keys added in a later release are generated
and added, so upgrading the platform never rotates a password behind a running service's back.
"""

from __future__ import annotations

import base64
import datetime
import json
import os
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from platformctl.errors import PlatformError


def _token() -> str:
    return secrets.token_urlsafe(24)


def _fernet_key() -> str:
    return base64.urlsafe_b64encode(os.urandom(32)).decode()


def _pem_bundle(key: Any, cert: Any) -> str:
    """One PEM bundle of a PKCS#8 key (unencrypted: the store itself is the protection) and
    its certificate, as the platform's roles read it."""
    from cryptography.hazmat.primitives import serialization

    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return (key_pem + cert.public_bytes(serialization.Encoding.PEM)).decode()


def _platform_ca() -> str:
    """A new CA for the platform's private services: its PKCS#8 key and self-signed
    certificate, one PEM bundle. It signs host certificates only (path length 0), for ten
    years; hosts' certificates are renewed by the play long before."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "cdaprod platform CA")])
    now = datetime.datetime.now(datetime.UTC)
    public = key.public_key()
    unused = "digital_signature content_commitment key_encipherment data_encipherment"
    usage = dict.fromkeys(f"{unused} key_agreement encipher_only decipher_only".split(), False)
    signs_certificates_only = x509.KeyUsage(key_cert_sign=True, crl_sign=True, **usage)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(hours=1))
        .not_valid_after(now + datetime.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(signs_certificates_only, critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
        .sign(key, hashes.SHA256())
    )
    return _pem_bundle(key, cert)


# Days the workers' journal certificate is valid; renewed when less than a third is left.
WORKER_JOURNAL_CERT_DAYS = 397


def _pem_parts(bundle: str) -> tuple[Any, Any]:
    """(key, certificate) of a PEM bundle of one PKCS#8 key and one certificate."""
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    data = bundle.encode()
    return serialization.load_pem_private_key(data, None), x509.load_pem_x509_certificate(data)


def _worker_journal_client(platform_ca: str) -> str:
    """The workers' client identity towards the journal receiver: a key and a certificate
    (clientAuth only, no names a server could be taken for) that the platform CA signs. A
    worker that configures itself at boot holds no CA key and no host certificate; this is
    what its journal upload presents."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    ca_key, ca_cert = _pem_parts(platform_ca)
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "cdaprod worker")]))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(hours=1))
        .not_valid_after(now + datetime.timedelta(days=WORKER_JOURNAL_CERT_DAYS))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    return _pem_bundle(key, cert)


def _lasting(bundle: str, platform_ca: str, now: datetime.datetime) -> bool:
    """Whether a certificate made from the platform CA was signed by the CA the store holds
    now and still has more than a third of its life left."""
    from cryptography.exceptions import InvalidSignature

    try:
        _, cert = _pem_parts(bundle)
        _, ca_cert = _pem_parts(platform_ca)
        cert.verify_directly_issued_by(ca_cert)
    except (ValueError, TypeError, InvalidSignature):
        return False
    life = cert.not_valid_after_utc - cert.not_valid_before_utc
    return cert.not_valid_after_utc - now > life / 3


# Secrets made from other secrets (the platform CA): made when missing, and made again when
# their certificate has less than a third of its life left or another CA signed it.
DERIVED_SECRETS: dict[str, Callable[[str], str]] = {
    "journal_worker_client": _worker_journal_client,
}


def renew_derived(current: dict[str, str], now: datetime.datetime | None = None) -> list[str]:
    """Make or renew the derived secrets in `current` (in place); return the keys made."""
    now = now or datetime.datetime.now(datetime.UTC)
    made = []
    for key, make in DERIVED_SECRETS.items():
        if key not in current or not _lasting(current[key], current["platform_ca"], now):
            current[key] = make(current["platform_ca"])
            made.append(key)
    return made


# Every secret the platform's roles read through `platform_secrets`.
SECRET_GENERATORS: dict[str, Callable[[], str]] = {
    "postgres_airflow_password": _token,
    "postgres_archive_password": _token,
    "postgres_social_password": _token,
    "redis_password": _token,
    # The Redis exporter's statistics-only login (no keys, no CONFIG).
    "redis_metrics_password": _token,
    "airflow_admin_password": _token,
    # Airflow's operator (role Op) and read-only (role Viewer) users.
    "airflow_op_password": _token,
    "airflow_viewer_password": _token,
    # The archive app's Airflow user (role User): it starts agent runs and reads their logs.
    "airflow_archive_app_password": _token,
    "airflow_fernet_key": _fernet_key,
    "airflow_secret_key": _token,
    "weaviate_api_key": _token,
    "archive_admin_password": _token,
    "archive_api_key": _token,
    # Signs the archive's UI sessions; shared by every archive web host.
    "archive_session_secret": _token,
    "social_gateway_api_key": _token,
    # The archive app's key to the archive's API (a viewer).
    "archive_app_api_key": _token,
    # The social pipeline's login to the archive catalog (reads it; keeps its own schema).
    "postgres_social_pipeline_password": _token,
    # HMAC secret of the gateway's local webhook platform and of the receiver it posts to.
    "social_webhook_secret": _token,
    # Bearer token of the local Airtable stand-in (role saas_standins; not Airtable's).
    "airtable_standin_token": _token,
    # The video_archive DAG's login to the catalog (writes the archive's tables, owns none).
    "postgres_archive_pipeline_password": _token,
    # Questions over the archive (archive_qa DAG): a login that only reads the catalog.
    "postgres_archive_reader_password": _token,
    # The notebook_smoke DAG's login to its own database.
    "postgres_notebook_smoke_password": _token,
    # Monitoring: the Prometheus and Alertmanager web logins, the node exporters' scrape
    # login, and the bearer token alert webhooks carry.
    "prometheus_web_password": _token,
    "alertmanager_web_password": _token,
    "node_exporter_password": _token,
    "alert_webhook_token": _token,
    # The key Prometheus presents (as a Bearer token) to the archive's and the gateway's
    # /metrics: a viewer of the archive, a named client of the gateway.
    "monitoring_api_key": _token,
    # The platform CA's key and certificate (role platform_ca): hosts' certificates, and
    # PostgreSQL's verify-full.
    "platform_ca": _platform_ca,
}


def ensure_secrets(path: Path) -> tuple[dict[str, str], list[str]]:
    """Load the secrets file at `path`, generating missing keys; return (secrets, new keys)."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    current: dict[str, str] = {}
    if path.exists():
        current = yaml.safe_load(path.read_text()) or {}
    added = _fill(current)
    if added or not path.exists():
        # Create with 0600 from the start: the secrets never exist world-readable.
        fd = os.open(path.with_suffix(".tmp"), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write("# Generated by platformctl. Keep private; never commit.\n")
            yaml.safe_dump(current, handle, sort_keys=True)
        os.replace(path.with_suffix(".tmp"), path)
    path.chmod(0o600)
    return current, added


def missing_keys(current: dict[str, str]) -> list[str]:
    """The keys a store lacks: generated ones, and those made from them."""
    return [key for key in (*SECRET_GENERATORS, *DERIVED_SECRETS) if key not in current]


def _fill(current: dict[str, str]) -> list[str]:
    """Generate the keys `current` lacks, then make or renew the derived ones, in place;
    return the keys made."""
    added = [key for key in SECRET_GENERATORS if key not in current]
    for key in added:
        current[key] = SECRET_GENERATORS[key]()
    return added + renew_derived(current)


def _aws_error(exc: Exception) -> str:
    return str(getattr(exc, "response", {}).get("Error", {}).get("Code", "")) or str(exc)


def ensure_aws_secrets(secret_id: str, client: Any) -> tuple[dict[str, str], list[str]]:
    """Fill the Secrets Manager secret `secret_id` with the keys it lacks; return
    (secrets, new keys). `client` is a boto3 secretsmanager client. Terraform creates the
    secret without a value, so a new one starts empty."""
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        client.describe_secret(SecretId=secret_id)
    except ClientError as exc:
        if _aws_error(exc) == "ResourceNotFoundException":
            raise PlatformError(
                f"the secret {secret_id} does not exist: run 'make apply' for this "
                "environment first (Terraform creates it)"
            ) from None
        raise PlatformError(f"reading the secret {secret_id}: {_aws_error(exc)}") from None
    except BotoCoreError as exc:
        raise PlatformError(f"reading the secret {secret_id}: {exc}") from None
    current: dict[str, str] = {}
    try:
        current = json.loads(client.get_secret_value(SecretId=secret_id)["SecretString"] or "{}")
    except ClientError as exc:
        if _aws_error(exc) != "ResourceNotFoundException":  # no value yet: a new secret
            raise PlatformError(f"reading the secret {secret_id}: {_aws_error(exc)}") from None
    if not isinstance(current, dict):
        raise PlatformError(f"the secret {secret_id} does not hold a JSON object of keys")
    added = _fill(current)
    if added:
        value = json.dumps(current, sort_keys=True)
        client.put_secret_value(SecretId=secret_id, SecretString=value)
    return current, added
