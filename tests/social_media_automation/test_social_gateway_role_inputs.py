"""The social_gateway role refuses bad input before it changes anything, saying what to do:
missing secrets, a wildcard bind address, a webhook without its HMAC secret. (The role itself
is exercised in molecule/social_gateway.)"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.ansible_runs import apply_role_in_check_mode

GOOD: dict[str, Any] = {
    "social_gateway_bind_address": "10.89.0.7",
    "social_gateway_db_host": "postgres-1",
    "social_gateway_db_password": "a-test-password",
    "social_gateway_api_keys": [{"name": "ci", "key": "k" * 32}],
}


def _apply(tmp_path: Path, role_vars: dict[str, Any]) -> tuple[int, str]:
    return apply_role_in_check_mode(tmp_path, "social_gateway", role_vars)


def test_missing_secrets_stop_at_argument_validation(tmp_path: Path) -> None:
    only = {k: GOOD[k] for k in ("social_gateway_bind_address", "social_gateway_db_host")}
    rc, out = _apply(tmp_path, only)
    assert rc != 0
    assert "Validating arguments against arg spec" in out
    assert "social_gateway_db_password" in out and "social_gateway_api_keys" in out
    assert "Install the Python environment" not in out


def test_wildcard_bind_address_is_refused(tmp_path: Path) -> None:
    rc, out = _apply(tmp_path, {**GOOD, "social_gateway_bind_address": "0.0.0.0"})
    assert rc != 0
    assert "must be the host's private address, not '0.0.0.0'" in out
    assert "Install the Python environment" not in out


def test_webhook_without_its_secret_is_refused(tmp_path: Path) -> None:
    platform = {"name": "team-hook", "kind": "webhook", "url": "https://hooks.example/x"}
    rc, out = _apply(tmp_path, {**GOOD, "social_gateway_platforms": [platform]})
    assert rc != 0
    assert "social_gateway_platforms entry 'team-hook'" in out
    assert "There are no default secrets" in out
    assert "Install the Python environment" not in out


def test_short_api_key_is_refused(tmp_path: Path) -> None:
    rc, out = _apply(
        tmp_path, {**GOOD, "social_gateway_api_keys": [{"name": "ci", "key": "short"}]}
    )
    assert rc != 0
    assert "keys of 16+" in out


def test_a_refused_platform_never_prints_its_secret(tmp_path: Path) -> None:
    """The check names the platforms it refuses, never their entries: a Discord webhook's URL
    carries its token, a webhook entry its HMAC secret."""
    token = "discord-token-never-printed-5f1c"
    secret = "hmac-secret-never-printed-8a2b"
    platforms = [
        {
            "name": "Team Chat",
            "kind": "discord",
            "url": f"https://discord.com/api/webhooks/42/{token}",
        },
        {"name": "team-hook", "kind": "webhook", "url": "ftp://hooks.example/x", "secret": secret},
    ]
    rc, out = _apply(tmp_path, {**GOOD, "social_gateway_platforms": platforms})
    assert rc != 0
    assert "social_gateway_platforms entry 'Team Chat'" in out
    assert "social_gateway_platforms entry 'team-hook'" in out
    assert token not in out and secret not in out
    assert "Install the Python environment" not in out
