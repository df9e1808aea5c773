"""The master's sign-in settings (role airflow_master): webserver_config.py as the role renders
it for passwords and for single sign-on, and the settings it refuses before any change."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest

from platformctl.paths import ANSIBLE_DIR
from tests.ansible_runs import apply_role_in_check_mode, run_playbook

TEMPLATE = ANSIBLE_DIR / "roles" / "airflow_master" / "templates" / "webserver_config.py.j2"
ROLE_DEFAULTS = ANSIBLE_DIR / "roles" / "airflow_master" / "defaults" / "main.yml"
OIDC = {
    "name": "keycloak",
    "client_id": "airflow",
    "client_secret": "oidc-client-secret-not-in-the-file",
    "server_metadata_url": "https://sso.example.com/realms/x/.well-known/openid-configuration",
    "roles_mapping": {"airflow-admins": ["Admin"], "airflow-ops": ["Op"]},
}
# Everything the role needs, so that only the input under test can fail validation.
VALID = {
    "airflow_master_dags_src": "/nonexistent/dags",
    "airflow_master_plugins_src": "/nonexistent/plugins",
    "airflow_master_db_host": "db",
    "airflow_master_db_password": "db-password",
    "airflow_master_fernet_key": "vLXvDnNTlAa0hzeHzcq25ORXCQooe6BjjzNkafN44G8=",
    "airflow_master_secret_key": "a-jwt-secret-of-enough-length",
    "airflow_master_admin_password": "admin-password",
    "airflow_master_redis_password": "a-redis-password-long-enough",
    "airflow_master_bind_address": "10.0.0.5",
    # Sized from facts otherwise; this play gathers none.
    "airflow_master_parallelism": 16,
    "airflow_master_api_workers": 1,
    "airflow_master_parsing_processes": 1,
}


def render(tmp_path: Path, variables: dict) -> dict[str, object]:
    """Render the template with Ansible, then read the module's top-level assignments."""
    out = tmp_path / "webserver_config.py"
    extra = tmp_path / "vars.json"
    extra.write_text(json.dumps(variables))
    playbook = (
        "- hosts: localhost\n  connection: local\n  gather_facts: false\n"
        f"  vars_files: [{ROLE_DEFAULTS}]\n"
        "  tasks:\n    - ansible.builtin.template:\n"
        f"        src: {TEMPLATE}\n        dest: {out}\n        mode: '0640'\n"
    )
    args = ["-i", "localhost,", "-e", f"@{extra}", "-e", "ansible_python_interpreter=python3"]
    rc, output = run_playbook(tmp_path, playbook, args)
    assert rc == 0, output
    source = out.read_text()
    values: dict[str, object] = {"__source__": source}
    for node in ast.parse(source).body:
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name):
            name = node.targets[0].id
            try:
                values[name] = ast.literal_eval(node.value)
            except ValueError:
                values[name] = ast.unparse(node.value)
    return values


def test_passwords_by_default_with_no_anonymous_role(tmp_path):
    config = render(tmp_path, {})
    assert config["AUTH_TYPE"] == "AUTH_DB"
    assert config["AUTH_ROLE_PUBLIC"] is None
    assert config["AUTH_USER_REGISTRATION"] is False
    assert config["SESSION_COOKIE_SECURE"] is True
    assert "OAUTH_PROVIDERS" not in config


def test_single_sign_on_maps_groups_to_roles_and_keeps_the_secret_out(tmp_path):
    config = render(tmp_path, {"airflow_master_oidc": OIDC})
    assert config["AUTH_TYPE"] == "AUTH_OAUTH"
    assert config["AUTH_ROLES_MAPPING"] == OIDC["roles_mapping"]
    assert config["AUTH_USER_REGISTRATION_ROLE"] == "Viewer"
    assert config["AUTH_ROLES_SYNC_AT_LOGIN"] is True
    provider = config["OAUTH_PROVIDERS"]
    assert "server_metadata_url" in provider and OIDC["server_metadata_url"] in provider
    assert "os.environ['AIRFLOW_MASTER_OIDC_CLIENT_SECRET']" in provider
    assert OIDC["client_secret"] not in config["__source__"]


@pytest.mark.parametrize(
    ("inputs", "message"),
    [
        (
            {
                "airflow_master_users": [
                    {"username": "admin", "role": "Viewer", "password": "x" * 12}
                ]
            },
            "Each user of airflow_master_users needs its own user name",
        ),
        (
            {
                "airflow_master_users": [
                    {"username": "viewer", "role": "Viewer", "password": "short"}
                ]
            },
            "a password of 8+ characters",
        ),
        (
            {"airflow_master_users": [{"username": "v", "role": "Reader", "password": "x" * 12}]},
            "value of role must be one of: Admin, Op, User, Viewer",
        ),
        (
            {"airflow_master_oidc": {**OIDC, "server_metadata_url": "http://sso.example.com/x"}},
            "must be the provider's https URL",
        ),
    ],
    ids=["admin-twice", "short-password", "unknown-role", "plain-http-provider"],
)
def test_bad_sign_in_settings_stop_before_any_change(tmp_path, inputs, message):
    rc, out = apply_role_in_check_mode(tmp_path, "airflow_master", {**VALID, **inputs})
    assert rc != 0
    assert message in " ".join(out.split()), out
    assert "Install the Python environment from the wheelhouse" not in out
