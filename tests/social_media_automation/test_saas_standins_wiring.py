"""The saas_standins role refuses bad input before it changes anything (no secrets, short
secrets, a wildcard address), and the platform wiring renders what the social sample's
end-to-end test relies on: the gateway's `feed` platform posts to the receiver of the
stand-ins' host, the workers talk to the Airtable stand-in and read the archive catalog as
the least-privileged social_pipeline role. (The role itself runs in molecule/saas_standins.)"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from platformctl.secrets import ensure_secrets
from tests.ansible_runs import apply_role_in_check_mode, run_playbook

ROOT = Path(__file__).resolve().parents[2]
GOOD: dict[str, Any] = {
    "saas_standins_bind_address": "10.89.0.7",
    "saas_standins_airtable_token": "t" * 32,
    "saas_standins_webhook_secret": "s" * 32,
}


def _apply_role(tmp_path: Path, role_vars: dict[str, Any]) -> tuple[int, str]:
    return apply_role_in_check_mode(tmp_path, "saas_standins", role_vars)


def test_missing_secrets_stop_at_argument_validation(tmp_path: Path) -> None:
    rc, out = _apply_role(tmp_path, {"saas_standins_bind_address": "10.89.0.7"})
    assert rc != 0
    assert "Validating arguments against arg spec" in out
    assert "saas_standins_airtable_token" in out and "saas_standins_webhook_secret" in out
    assert "Install the Python environment" not in out


@pytest.mark.parametrize(
    "override, message",
    [
        ({"saas_standins_airtable_token": "short"}, "16+ characters"),
        ({"saas_standins_webhook_secret": "short"}, "16+ characters"),
        ({"saas_standins_bind_address": "0.0.0.0"}, "private address"),
        ({"saas_standins_receiver_port": 8720}, "must differ"),
    ],
)
def test_bad_input_is_refused_before_any_change(tmp_path, override, message) -> None:
    rc, out = _apply_role(tmp_path, {**GOOD, **override})
    assert rc != 0
    assert message in out
    assert "Install the Python environment" not in out
    assert "s" * 32 not in out and "t" * 32 not in out


WIRING_PLAYBOOK = """
- hosts: social-gateway-1:worker-cpu-1:postgres-1
  connection: local
  gather_facts: false
  vars:
    ansible_python_interpreter: '{{ ansible_playbook_python }}'
  tasks:
    - name: Render the wiring
      ansible.builtin.copy:
        dest: "{{ out_dir }}/{{ inventory_hostname }}.json"
        content: >-
          {{ {'platforms': social_gateway_platforms | default(None),
              'media_root': social_gateway_media_root | default(None),
              'standins': [saas_standins_airtable_port | default(None),
                           saas_standins_receiver_port | default(None)],
              'env': airflow_worker_extra_env | default(None),
              'dirs': airflow_worker_extra_dirs | default(None),
              'files': airflow_worker_extra_files | default(None),
              'grants': postgres_grants | default(None),
              'hba': postgres_hba_entries | default(None)} | to_json }}
        mode: "0600"
"""


def test_platform_wiring_of_the_social_sample(tmp_path: Path) -> None:
    secrets, _ = ensure_secrets(tmp_path / "secrets.yml")
    inventory = {
        "all": {
            "vars": {
                "platform_env": "local",
                "platform_domain": "cdaprod.local",
                "platform_private_cidr": "10.89.0.0/24",
                "platform_secrets_file": str(tmp_path / "secrets.yml"),
            },
            "children": {
                "postgres": {"hosts": {"postgres-1": {"ansible_host": "10.89.0.2"}}},
                "airflow_worker": {"hosts": {"worker-cpu-1": {"ansible_host": "10.89.0.3"}}},
                "social_gateway": {"hosts": {"social-gateway-1": {"ansible_host": "10.89.0.4"}}},
                "saas_standins": {"hosts": {"social-gateway-1": {}}},
            },
        }
    }
    inv_dir = tmp_path / "inventory"
    inv_dir.mkdir()
    (inv_dir / "hosts.yml").write_text(yaml.safe_dump(inventory), encoding="utf-8")
    (inv_dir / "group_vars").symlink_to(ROOT / "ansible" / "group_vars")
    out = tmp_path / "out"
    out.mkdir()
    rc, log = run_playbook(tmp_path, WIRING_PLAYBOOK, ["-i", str(inv_dir), "-e", f"out_dir={out}"])
    assert rc == 0, log
    gateway = json.loads((out / "social-gateway-1.json").read_text())
    worker = json.loads((out / "worker-cpu-1.json").read_text())
    postgres = json.loads((out / "postgres-1.json").read_text())

    feed = [p for p in gateway["platforms"] if p["name"] == "feed"]
    assert feed == [
        {
            "name": "feed",
            "kind": "webhook",
            "url": "http://10.89.0.4:8711/hook",
            "secret": secrets["social_webhook_secret"],
            "per_minute": 10,
        }
    ]
    assert gateway["media_root"] == "/srv/social/derivatives"
    assert [int(p) for p in gateway["standins"]] == [8720, 8711]

    env = worker["env"]
    assert env["SOCIAL_GATEWAY_URL"] == "http://10.89.0.4:8710"
    assert env["SOCIAL_GATEWAY_API_KEY"] == secrets["social_gateway_api_key"]
    assert env["SOCIAL_AIRTABLE_ENDPOINT"] == "http://10.89.0.4:8720"
    assert env["SOCIAL_AIRTABLE_TOKEN"] == secrets["airtable_standin_token"]
    assert env["SOCIAL_AIRTABLE_BASE"] and env["SOCIAL_AIRTABLE_TABLE"]
    assert env["SOCIAL_DERIVATIVES_DIR"] == "/srv/social/derivatives"
    dsn = env["SOCIAL_CATALOG_DSN"]
    assert dsn.startswith("postgresql://social_pipeline:") and dsn.endswith(
        "@10.89.0.2:5432/archive?sslmode=verify-full"
        "&sslrootcert=/etc/ssl/certs/cdaprod-platform-ca.pem"
    )
    # Workers also hold the archive's shared directories; the social sample adds its own.
    assert {"path": "/srv/social/derivatives", "mode": "1777"} in worker["dirs"]
    assert "[platforms.feed]" in worker["files"][0]["content"]
    assert env["SOCIAL_CONFIG"] == worker["files"][0]["dest"]

    social_grants = [g for g in postgres["grants"] if g["role"] == "social_pipeline"]
    assert social_grants == [
        {
            "database": "archive",
            "role": "social_pipeline",
            "privs": ["CONNECT", "CREATE"],
            "read_schemas": ["public"],
        }
    ]
    assert {"database": "archive", "user": "social_pipeline", "source": "10.89.0.0/24"} in (
        postgres["hba"]
    )
