"""The monitoring role's configuration templates, rendered by Ansible with inputs the
molecule scenario does not use (HTTPS probes, bearer and basic-auth scrapes, an extra CA, SMTP
with authentication, an external webhook), must pass the checks the role runs before it
installs them: `promtool check config` and `amtool check-config` (both from
`make monitoring-tools`). The scenario (molecule/monitoring) covers the local receivers."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
import yaml

from tests.ansible_runs import run_playbook

ROOT = Path(__file__).resolve().parents[2]
ROLE = ROOT / "ansible" / "roles" / "monitoring"
TOOLS = ROOT / ".cache" / "tools" / "bin"
PROMTOOL = Path(os.environ.get("PROMTOOL", TOOLS / "promtool"))
AMTOOL = Path(os.environ.get("AMTOOL", TOOLS / "amtool"))

pytestmark = pytest.mark.skipif(
    not (PROMTOOL.exists() and AMTOOL.exists()),
    reason="promtool and amtool are not installed: make monitoring-tools",
)

INPUTS = {
    "monitoring_bind_address": "10.20.1.5",
    "monitoring_prometheus_web_password": "prometheus-password-0123",
    "monitoring_alertmanager_web_password": "alertmanager-password-0123",
    "monitoring_prometheus_external_url": "https://metrics.example.org/",
    "monitoring_node_exporter_password": "node-exporter-password-0123",
    "monitoring_node_targets": [
        {"name": "postgres-1", "address": "10.20.1.7", "labels": {"group": "postgres"}},
        {"name": "master-1", "address": "10.20.1.8:9200"},
    ],
    "monitoring_blackbox_tcp_targets": [
        {"name": "postgres-1", "address": "10.20.1.7:5432", "service": "postgresql"},
    ],
    "monitoring_blackbox_https_targets": [
        {"name": "ingress", "url": "https://archive.example.org/"},
    ],
    "monitoring_http_targets": [
        {
            "job": "video_archive",
            "targets": ["10.20.1.9:8700", "10.20.1.8:8700"],
            "bearer_token": "archive-key",
        },
        {
            "job": "social_gateway",
            "targets": ["10.20.1.10:8710"],
            "scheme": "https",
            "basic_auth_username": "prometheus",
            "basic_auth_password": "gateway-password",
            "labels": {"sample": "social"},
        },
    ],
    "monitoring_redis_targets": [{"name": "master-1", "address": "10.20.1.8:6379"}],
    "monitoring_redis_password": "redis-metrics-password-0123",
    "monitoring_extra_ca_pem": "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----",
    "monitoring_alert_email_to": ["oncall@example.org", "ops@example.org"],
    "monitoring_smtp_smarthost": "smtp.example.org:587",
    "monitoring_smtp_from": "alertmanager@example.org",
    "monitoring_smtp_auth_username": "alerts",
    "monitoring_smtp_auth_password": "smtp-password",
    "monitoring_alert_webhook_url": "https://hooks.example.org/alertmanager",
    "monitoring_alert_webhook_token": "webhook-token-0123456789",
}

PLAYBOOK = """
- hosts: localhost
  connection: local
  gather_facts: false
  vars:
    ansible_python_interpreter: "{{{{ ansible_playbook_python }}}}"
  vars_files:
    - {role}/defaults/main.yml
    - {role}/vars/main.yml
  tasks:
    - name: Render the templates
      ansible.builtin.template:
        src: {role}/templates/{{{{ item }}}}.j2
        dest: {out}/{{{{ item }}}}
        mode: "0600"
      loop: [prometheus.yml, alertmanager.yml, blackbox.yml]
"""


EC2_DISCOVERY = {
    "monitoring_ec2_sd_region": "us-east-1",
    "monitoring_ec2_sd_endpoint": "http://10.91.255.254:5000",
    "monitoring_ec2_sd_tags": {"Project": "cdaprod", "Environment": "emulated"},
}


def _render(out: Path, inputs: dict) -> Path:
    # Where the role would install them; the extra CA must exist for the checks.
    rules = out / "rules.yml"
    rules.write_text((ROLE / "files" / "rules" / "hosts.yml").read_text())
    ca = out / "extra-ca.pem"
    ca.write_text(INPUTS["monitoring_extra_ca_pem"] + "\n")
    extra = out / "inputs.json"
    paths = {"monitoring_rules_file": str(rules), "monitoring_extra_ca_file": str(ca)}
    extra.write_text(json.dumps({**inputs, **paths}))
    rc, output = run_playbook(
        out,
        PLAYBOOK.format(role=ROLE, out=out),
        [
            "-i",
            "localhost,",
            "-e",
            f"@{extra}",
            "-e",
            "ansible_python_interpreter=/usr/bin/python3",
        ],
    )
    assert rc == 0, output
    return out


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _render(tmp_path_factory.mktemp("monitoring"), INPUTS)


def test_prometheus_config_passes_promtool(rendered):
    result = subprocess.run(
        [str(PROMTOOL), "check", "config", str(rendered / "prometheus.yml")],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr


def test_alertmanager_config_passes_amtool(rendered):
    result = subprocess.run(
        [str(AMTOOL), "check-config", str(rendered / "alertmanager.yml")],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr


def test_scrape_jobs_follow_the_inputs(rendered):
    config = yaml.safe_load((rendered / "prometheus.yml").read_text())
    jobs = {job["job_name"]: job for job in config["scrape_configs"]}
    assert list(jobs) == [
        "prometheus", "alertmanager", "node", "blackbox_tcp", "blackbox_https",
        "redis", "video_archive", "social_gateway",
    ]  # fmt: skip
    node = jobs["node"]["static_configs"]
    assert node[0] == {
        "targets": ["10.20.1.7:9100"],
        "labels": {"group": "postgres", "instance": "postgres-1"},
    }
    assert node[1]["targets"] == ["10.20.1.8:9200"]
    tcp = jobs["blackbox_tcp"]["static_configs"][0]["labels"]
    assert tcp == {"instance": "postgres-1", "service": "postgresql"}
    assert jobs["blackbox_https"]["static_configs"][0]["labels"]["service"] == "ingress"
    assert jobs["video_archive"]["authorization"]["credentials"] == "archive-key"
    # A target at a host's address is named after the host; another keeps HOST:PORT.
    archive = jobs["video_archive"]["static_configs"]
    assert archive == [
        {"targets": ["10.20.1.9:8700"], "labels": {}},
        {"targets": ["10.20.1.8:8700"], "labels": {"instance": "master-1"}},
    ]
    # Redis through the exporter on loopback, which Prometheus tells which Redis to read.
    redis = jobs["redis"]
    assert redis["metrics_path"] == "/scrape"
    assert redis["static_configs"] == [
        {"targets": ["redis://10.20.1.8:6379"], "labels": {"instance": "master-1"}}
    ]
    assert {"target_label": "__address__", "replacement": "127.0.0.1:9121"} in redis[
        "relabel_configs"
    ]
    gateway = jobs["social_gateway"]
    assert gateway["scheme"] == "https" and gateway["basic_auth"]["username"] == "prometheus"
    assert gateway["tls_config"]["ca_file"].endswith("extra-ca.pem")


def test_cloud_environments_find_the_node_exporters_by_tag(tmp_path):
    """With EC2 discovery the job node lists this environment's running instances (by tag, at
    the given endpoint) instead of the inventory's hosts, and names them by their Name tag."""
    out = _render(tmp_path, {**INPUTS, **EC2_DISCOVERY})
    result = subprocess.run(
        [str(PROMTOOL), "check", "config", str(out / "prometheus.yml")],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    config = yaml.safe_load((out / "prometheus.yml").read_text())
    node = next(job for job in config["scrape_configs"] if job["job_name"] == "node")
    assert "static_configs" not in node
    [ec2] = node["ec2_sd_configs"]
    assert ec2["region"] == "us-east-1" and ec2["endpoint"] == "http://10.91.255.254:5000"
    assert ec2["port"] == 9100
    assert ec2["filters"] == [
        {"name": "instance-state-name", "values": ["running"]},
        {"name": "tag:Environment", "values": ["emulated"]},
        {"name": "tag:Project", "values": ["cdaprod"]},
    ]
    assert {"source_labels": ["__meta_ec2_tag_Name"], "target_label": "instance"} in node[
        "relabel_configs"
    ]
    assert node["basic_auth"]["username"] == "prometheus"


def test_alerts_go_to_email_and_the_webhook_with_its_token(rendered):
    config = yaml.safe_load((rendered / "alertmanager.yml").read_text())
    assert config["global"]["smtp_require_tls"] is True
    receiver = config["receivers"][0]
    assert receiver["email_configs"][0]["to"] == "oncall@example.org, ops@example.org"
    webhook = receiver["webhook_configs"][0]
    assert webhook["url"] == "https://hooks.example.org/alertmanager"
    assert webhook["http_config"]["authorization"] == {
        "type": "Bearer",
        "credentials": "webhook-token-0123456789",
    }
