"""Bad input to the roles monitoring and node_exporter stops the play at validation, before
any change, with a message that says what to do (tests/ansible_runs.py runs each role on
localhost in check mode)."""

from __future__ import annotations

from tests.ansible_runs import apply_role_in_check_mode

PASSWORDS = {
    "monitoring_prometheus_web_password": "prometheus-password-0123",
    "monitoring_alertmanager_web_password": "alertmanager-password-0123",
}


def test_monitoring_without_a_way_to_deliver_alerts_is_refused(tmp_path):
    rc, out = apply_role_in_check_mode(
        tmp_path, "monitoring", {**PASSWORDS, "monitoring_bind_address": "10.20.1.5"}
    )
    assert rc != 0
    assert "Alerts would reach nobody" in out
    assert "monitoring_smtp_sink_enabled" in out
    assert "Install the packages" not in out


def test_monitoring_needs_the_exporters_password_when_it_scrapes_hosts(tmp_path):
    inputs = {
        **PASSWORDS,
        "monitoring_bind_address": "10.20.1.5",
        "monitoring_node_targets": [{"name": "postgres-1", "address": "10.20.1.7"}],
    }
    rc, out = apply_role_in_check_mode(tmp_path, "monitoring", inputs)
    assert rc != 0
    assert "monitoring_node_exporter_password must be set" in out
    assert "Create the prometheus user" not in out


def test_ec2_discovery_without_tags_is_refused(tmp_path):
    """Without a tag to select the environment, every instance of the account is scraped."""
    inputs = {
        **PASSWORDS,
        "monitoring_bind_address": "10.20.1.5",
        "monitoring_node_exporter_password": "node-exporter-password-0123",
        "monitoring_ec2_sd_region": "us-east-1",
    }
    rc, out = apply_role_in_check_mode(tmp_path, "monitoring", inputs)
    assert rc != 0
    assert "monitoring_ec2_sd_tags" in out
    assert "every instance of the account" in out
    assert "Create the prometheus user" not in out


def test_monitoring_refuses_a_wildcard_address(tmp_path):
    inputs = {**PASSWORDS, "monitoring_bind_address": "0.0.0.0"}
    rc, out = apply_role_in_check_mode(tmp_path, "monitoring", inputs)
    assert rc != 0
    assert "monitoring_bind_address must be the host's private address" in out
    assert "Create the prometheus user" not in out


def test_node_exporter_without_a_password_stops_at_the_argument_specs(tmp_path):
    rc, out = apply_role_in_check_mode(tmp_path, "node_exporter", {})
    assert rc != 0
    assert "Validating arguments against arg spec" in out
    assert "node_exporter_web_password" in out
    assert "Install the node exporter" not in out
