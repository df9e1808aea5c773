"""The node exporter seen from outside: HTTP from the controller to the container's private
address (``address`` comes from molecule/shared/container_checks.py). Metrics answer with the
right password only; the exporter listens on the private address only; its web config holds
a bcrypt hash, never the password; every collector that runs succeeds in the container."""

import re
from pathlib import Path

import pytest
import yaml
from container_checks import scrape as scrape_metrics
from container_checks import wait_for

INSTANCE = "molecule-node-exporter"
testinfra_hosts = [f"podman://{INSTANCE}"]
PORT = 9100
USER = "prometheus"
PASSWORD = yaml.safe_load((Path(__file__).parents[1] / "vars" / "test.yml").read_text())[
    "test_node_exporter_password"
]


def scrape(address: str, auth: tuple[str, str] | None) -> tuple[int, str]:
    return scrape_metrics(f"http://{address}:{PORT}/metrics", auth)


def test_exporter_runs_enabled_as_prometheus(host):
    service = host.service("prometheus-node-exporter")
    assert service.is_running and service.is_enabled
    pid = host.check_output("systemctl show -p MainPID --value prometheus-node-exporter")
    assert host.check_output(f"stat -c %U /proc/{pid}") == "prometheus"


def test_listens_on_the_private_address_only(host, address):
    assert host.socket(f"tcp://{address}:{PORT}").is_listening
    for other in (f"tcp://0.0.0.0:{PORT}", f"tcp://:::{PORT}", f"tcp://127.0.0.1:{PORT}"):
        assert not host.socket(other).is_listening


@pytest.mark.parametrize(
    "auth", [None, (USER, "wrong-password-0123456789"), ("someone", PASSWORD)], ids=str
)
def test_refuses_a_missing_or_wrong_password(address, auth):
    assert scrape(address, auth)[0] == 401


def test_serves_metrics_with_the_password(address):
    status, body = scrape(address, (USER, PASSWORD))
    assert status == 200
    assert re.search(r"^node_filesystem_avail_bytes\{", body, re.M)
    failed = re.findall(r'^node_scrape_collector_success\{collector="([^"]+)"\} 0$', body, re.M)
    assert not failed, f"collectors failing here: {failed}"


def test_web_config_holds_a_bcrypt_hash_only(host):
    config = host.file("/etc/prometheus/node-exporter-web.yml")
    assert config.user == "root" and config.group == "prometheus" and config.mode == 0o640
    users = yaml.safe_load(config.content_string)["basic_auth_users"]
    assert list(users) == [USER] and users[USER].startswith("$2b$10$")
    assert PASSWORD not in config.content_string


def unit_state(body: str, unit: str) -> dict[str, float]:
    """node_systemd_unit_state of one unit, by state."""
    pattern = rf'^node_systemd_unit_state\{{name="{re.escape(unit)}",state="(\w+)"[^}}]*\}} (\S+)$'
    return {state: float(value) for state, value in re.findall(pattern, body, re.M)}


def test_reports_the_state_of_the_units_it_is_given(host, address):
    body = scrape(address, (USER, PASSWORD))[1]
    assert unit_state(body, "ssh.service")["active"] == 1
    # dbus.service runs too, but is not in the expression.
    assert host.service("dbus").is_running
    assert unit_state(body, "dbus.service") == {}


def test_a_failed_unit_is_reported_failed(host, address):
    unit = "cdaprod-test-fails.service"
    host.run(f"systemctl reset-failed {unit}")
    host.check_output(f"systemd-run --unit={unit} --property=Restart=no /bin/false")
    try:
        wait_for(
            lambda: unit_state(scrape(address, (USER, PASSWORD))[1], unit).get("failed") == 1,
            30,
            f"{unit} reported failed",
        )
    finally:
        host.run(f"systemctl reset-failed {unit}")


def test_serves_the_files_other_roles_drop_in_its_textfile_directory(host, address):
    drop = "/var/lib/prometheus/node-exporter/cdaprod_test.prom"
    host.check_output(f"printf 'cdaprod_test_dropped 42\\n' > {drop}")
    try:
        body = scrape(address, (USER, PASSWORD))[1]
        assert re.search(r"^cdaprod_test_dropped 42$", body, re.M)
    finally:
        host.run(f"rm -f {drop}")
