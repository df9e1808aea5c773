"""``python -m services.social_gateway``: the commands the social_gateway role runs
(``migrate`` before every start, ``serve`` as the unit) and ``new-api-key`` for people;
bad settings or an unreachable database are one line and an exit code, never a traceback."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest

from integrations.postgres.migrations import apply_migrations
from services.social_gateway.store import MIGRATIONS, migrate

ROOT = Path(__file__).resolve().parents[3]


def gateway(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "services.social_gateway", *args],
        cwd=ROOT, env={"PATH": "/usr/bin:/bin", **env},
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip


@pytest.mark.slow
def test_migrate_command_applies_once_then_reports_up_to_date(gateway_dsn: str) -> None:
    env = {"SOCIAL_GATEWAY_DSN": gateway_dsn}
    with psycopg.connect(gateway_dsn, autocommit=True) as conn:
        conn.execute("DROP SCHEMA IF EXISTS social_gateway CASCADE")
    runs = [gateway("migrate", env=env), gateway("migrate", env=env)]
    assert [r.returncode for r in runs] == [0, 0], runs[0].stderr
    assert runs[0].stdout.strip() == "applied migrations: 0001, 0002, 0003"
    assert runs[1].stdout.strip() == "schema up to date"
    bad = gateway("migrate", env={"SOCIAL_GATEWAY_DSN": "host=127.0.0.1 port=1 user=x"})
    assert bad.returncode == 1 and "Traceback" not in bad.stderr
    assert "cannot connect" in bad.stderr


@pytest.mark.slow
def test_rows_from_before_queued_delivery_survive_migration_0003(
    gateway_dsn: str, tmp_path: Path
) -> None:
    """A gateway at migration 0002 holds published and failed posts: after 0003 they are
    there unchanged (no text: they are never sent again), and new posts start queued."""
    for sql in sorted(MIGRATIONS.glob("000[12]_*.sql")):
        (tmp_path / sql.name).write_text(sql.read_text())
    with psycopg.connect(gateway_dsn, autocommit=True) as conn:
        conn.execute("DROP SCHEMA IF EXISTS social_gateway CASCADE")
        conn.execute("CREATE SCHEMA social_gateway")
        conn.execute("SET search_path TO social_gateway")
        assert apply_migrations(conn, tmp_path) == [1, 2]
        conn.execute(
            "INSERT INTO social_gateway.posts (idempotency_key, request_sha256, platform, "
            "status, external_id, attempts) VALUES ('old-0001', 'd', 'hook', 'published', "
            "'42', 1), ('old-0002', 'd', 'hook', 'failed', NULL, 4)"
        )
    assert migrate(gateway_dsn) == [3]
    with psycopg.connect(gateway_dsn, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT idempotency_key, status, external_id, text FROM social_gateway.posts "
            "ORDER BY id"
        ).fetchall()
        conn.execute(
            "INSERT INTO social_gateway.posts (idempotency_key, request_sha256, platform) "
            "VALUES ('new-0001', 'd', 'hook')"
        )
        new = conn.execute(
            "SELECT status FROM social_gateway.posts WHERE idempotency_key = 'new-0001'"
        ).fetchone()
    assert rows == [("old-0001", "published", "42", None), ("old-0002", "failed", None, None)]
    assert new == ("queued",)


def test_migrate_reads_only_the_database_from_the_settings_file(tmp_path: Path) -> None:
    """The role's admin command exports the service's settings file: migrate must not trip
    over the keys it does not use (platforms whose secrets it is not given)."""
    config = tmp_path / "gateway.toml"
    config.write_text('bind_port = 8710\n[platforms.hook]\nkind = "webhook"\nurl = "http://h/"\n')
    missing = gateway("migrate", env={"SOCIAL_GATEWAY_CONFIG": str(config)})
    assert missing.returncode == 2 and "Traceback" not in missing.stderr
    assert missing.stderr.strip() == (
        f"social gateway: SOCIAL_GATEWAY_DSN (or dsn in {config}): "
        "set it to the PostgreSQL connection string"
    )


def test_serve_refuses_to_start_without_api_keys() -> None:
    result = gateway("serve", env={"SOCIAL_GATEWAY_DSN": "host=127.0.0.1"})
    assert result.returncode == 2
    assert "SOCIAL_GATEWAY_API_KEYS" in result.stderr and "Traceback" not in result.stderr
    assert "python -m services.social_gateway new-api-key" in result.stderr


def test_new_api_key_prints_a_key_and_its_digest() -> None:
    result = gateway("new-api-key", env={})
    assert result.returncode == 0, result.stderr
    lines = dict(line.split(":", 1) for line in result.stdout.splitlines())
    key, digest = lines["key"].strip(), lines["sha256"].strip()
    assert len(key) >= 32 and hashlib.sha256(key.encode()).hexdigest() == digest
