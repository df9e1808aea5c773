"""The monitoring host seen from outside: HTTP from the controller to the container's private
address (``address`` comes from molecule/shared/container_checks.py), files read inside the
container over podman. Prometheus and Alertmanager refuse a missing or wrong password; the
targets of converge.yml are up (node exporter, the SMTP sink's probe) or failed as they should
be (a closed port as PostgreSQL, a scrape with a wrong password); and the alerts these fire
reach the real SMTP sink as e-mail and the webhook receiver with the bearer token."""

from __future__ import annotations

import base64
import email
import json
import urllib.error
import urllib.parse
import urllib.request
from email.header import decode_header, make_header
from pathlib import Path
from typing import Any

import pytest
import yaml
from container_checks import wait_for
from unit_sandbox import assert_sandboxed

INSTANCE = "molecule-monitoring"
testinfra_hosts = [f"podman://{INSTANCE}"]
VARS = yaml.safe_load((Path(__file__).parents[1] / "vars" / "test.yml").read_text())
PROMETHEUS = (9090, "admin", VARS["test_prometheus_password"])
ALERTMANAGER = (9093, "admin", VARS["test_alertmanager_password"])
WEBHOOK_PORT = 9097
MAILDIR = "/var/lib/cdaprod-smtp-sink/Maildir"
WEBHOOK_FILE = "/var/lib/cdaprod-alert-webhook/alerts.jsonl"
SERVICES = (
    "prometheus",
    "prometheus-alertmanager",
    "prometheus-blackbox-exporter",
    "prometheus-node-exporter",
    "prometheus-redis-exporter",
    "cdaprod-smtp-sink",
    "cdaprod-alert-webhook",
)
OUR_UNITS = ("cdaprod-smtp-sink", "cdaprod-alert-webhook")
# Alerts the converge's targets make fire (rules' `for:` is 5s there).
EXPECTED_ALERTS = {"PostgreSQLDown", "ScrapeTargetDown", "AirflowBrokerDown"}
# How long the checks wait for scrapes, rule evaluations and deliveries (a few seconds each).
DEADLINE = 60


def http(
    url: str,
    *,
    auth: tuple[str, str] | None = None,
    headers: dict[str, str] | None = None,
    data: bytes | None = None,
) -> tuple[int, bytes]:
    """(status, body); HTTP errors are answers, not exceptions."""
    request = urllib.request.Request(url, data=data, headers=headers or {})
    if auth:
        token = base64.b64encode(f"{auth[0]}:{auth[1]}".encode()).decode()
        request.add_header("Authorization", f"Basic {token}")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def api(address: str, service: tuple[int, str, str], path: str) -> Any:
    port, user, password = service
    status, body = http(f"http://{address}:{port}{path}", auth=(user, password))
    assert status == 200, body
    return json.loads(body)


@pytest.mark.parametrize("unit", SERVICES)
def test_services_run_enabled(host, unit):
    service = host.service(unit)
    assert service.is_running and service.is_enabled


def test_listen_on_the_private_address_only(host, address):
    for port in (9090, 9093, 9100, 2525, WEBHOOK_PORT):
        assert host.socket(f"tcp://{address}:{port}").is_listening, port
        for other in (f"tcp://0.0.0.0:{port}", f"tcp://:::{port}", f"tcp://127.0.0.1:{port}"):
            assert not host.socket(other).is_listening, other
    # The blackbox and Redis exporters serve Prometheus on loopback only; no Alertmanager
    # cluster port.
    for port in (9115, 9121):
        assert host.socket(f"tcp://127.0.0.1:{port}").is_listening, port
        assert not host.socket(f"tcp://{address}:{port}").is_listening, port
        assert not host.socket(f"tcp://0.0.0.0:{port}").is_listening, port
    assert ":9094 " not in host.check_output("ss -Hltn")


@pytest.mark.parametrize(
    ("service", "path"),
    [(PROMETHEUS, "/api/v1/status/buildinfo"), (ALERTMANAGER, "/api/v2/status")],
    ids=["prometheus", "alertmanager"],
)
def test_web_apis_need_the_password(address, service, path):
    port, user, password = service
    url = f"http://{address}:{port}{path}"
    assert http(url)[0] == 401
    assert http(url, auth=(user, "wrong-password-0123456789"))[0] == 401
    assert http(url, auth=("someone", password))[0] == 401
    assert http(url, auth=(user, password))[0] == 200


def test_the_overview_page_renders_behind_the_password(address):
    url = f"http://{address}:9090/consoles/platform.html"
    assert http(url)[0] == 401
    status, body = http(url, auth=PROMETHEUS[1:])
    assert status == 200, body[:500]
    page = body.decode()
    # Debian's prom.lib and the role's platform.lib both loaded: a missing template is an error.
    assert "error executing template" not in page
    for area in ("hosts", "airflow", "archive", "gateway"):
        assert f'<section class="platform-area" id="{area}">' in page
    assert page.count('platformGraph("') == 8
    assert "/classic/static/popper.js/umd/popper.min.js" in page


def test_versions_are_debians(address):
    assert api(address, PROMETHEUS, "/api/v1/status/buildinfo")["data"]["version"] == "2.42.0+ds"
    assert api(address, ALERTMANAGER, "/api/v2/status")["versionInfo"]["version"] == "0.25.0"


def test_configs_are_root_owned_and_hold_hashes_only(host):
    for name in ("prometheus.yml", "alertmanager.yml", "web.yml", "alertmanager-web.yml"):
        f = host.file(f"/etc/prometheus/{name}")
        assert (f.user, f.group, f.mode) == ("root", "prometheus", 0o640), name
    for name, password in (("web.yml", PROMETHEUS[2]), ("alertmanager-web.yml", ALERTMANAGER[2])):
        text = host.file(f"/etc/prometheus/{name}").content_string
        assert yaml.safe_load(text)["basic_auth_users"]["admin"].startswith("$2b$10$")
        assert password not in text
    env = host.file("/etc/cdaprod/cdaprod-alert-webhook.env")
    assert (env.user, env.mode) == ("root", 0o600)


def _targets(address: str) -> dict[str, dict]:
    active = api(address, PROMETHEUS, "/api/v1/targets?state=active")["data"]["activeTargets"]
    return {f"{t['labels']['job']}/{t['labels']['instance']}": t for t in active}


def test_targets_are_up_or_failed_as_expected(address):
    def scraped():
        targets = _targets(address)
        return targets if all(t["health"] != "unknown" for t in targets.values()) else None

    targets = wait_for(scraped, DEADLINE, "every target scraped once")
    health = {name: t["health"] for name, t in targets.items()}
    assert health == {
        f"prometheus/{INSTANCE}": "up",
        f"alertmanager/{INSTANCE}": "up",
        f"node/{INSTANCE}": "up",
        f"blackbox_tcp/{INSTANCE}": "up",
        "blackbox_tcp/postgres-stopped": "up",
        "redis/broker": "up",
        "redis/redis-stopped": "up",
        f"wrong_password/{INSTANCE}": "down",
    }
    # A wrong password shows as a failed target with the reason, not as a silent gap.
    assert "401" in targets[f"wrong_password/{INSTANCE}"]["lastError"]
    assert targets[f"node/{INSTANCE}"]["labels"]["group"] == "monitoring"


def test_probes_tell_open_from_closed_ports(address):
    query = urllib.parse.quote("probe_success")
    results = api(address, PROMETHEUS, f"/api/v1/query?query={query}")["data"]["result"]
    success = {r["metric"]["service"]: r["value"][1] for r in results}
    assert success == {"smtp": "1", "postgresql": "0"}


def test_redis_is_read_with_the_statistics_login(host, address):
    def redis_up():
        query = urllib.parse.quote("redis_up")
        results = api(address, PROMETHEUS, f"/api/v1/query?query={query}")["data"]["result"]
        up = {r["metric"]["instance"]: r["value"][1] for r in results}
        return up if len(up) == 2 else None

    assert wait_for(redis_up, DEADLINE, "both Redis targets scraped") == {
        "broker": "1",
        "redis-stopped": "0",
    }
    # Its login (statistics only: molecule/airflow_master checks that) is in a root-only file.
    env = host.file("/etc/default/prometheus-redis-exporter")
    assert (env.user, env.mode) == ("root", 0o600)


def test_rules_fire(address):
    def firing():
        alerts = api(address, PROMETHEUS, "/api/v1/alerts")["data"]["alerts"]
        names = {a["labels"]["alertname"] for a in alerts if a["state"] == "firing"}
        return names if names >= EXPECTED_ALERTS else None

    names = wait_for(firing, DEADLINE, f"{EXPECTED_ALERTS} firing in Prometheus")
    assert "HostDown" not in names


def _mails(host) -> list[email.message.Message]:
    files = host.run(f"find {MAILDIR}/new -type f").stdout.split()
    return [email.message_from_string(host.file(f).content_string) for f in files]


def test_alerts_arrive_by_email(host):
    def delivered():
        subjects = {str(make_header(decode_header(m["Subject"]))): m for m in _mails(host)}
        wanted = {s: m for s, m in subjects.items() if "PostgreSQLDown" in s}
        return wanted or None

    mails = wait_for(delivered, DEADLINE, "a PostgreSQLDown e-mail in the SMTP sink's Maildir")
    subject, message = next(iter(mails.items()))
    assert subject.startswith("[FIRING:")
    assert message["To"] == VARS["test_email_to"]
    assert message["From"] == "alertmanager@molecule.test"


def _webhook_payloads(host) -> list[dict]:
    if not host.file(WEBHOOK_FILE).exists:
        return []
    return [json.loads(line) for line in host.file(WEBHOOK_FILE).content_string.splitlines()]


def test_alerts_arrive_by_webhook(host):
    def delivered():
        names = {
            alert["labels"]["alertname"]
            for payload in _webhook_payloads(host)
            if payload["status"] == "firing"
            for alert in payload["alerts"]
        }
        return names if names >= EXPECTED_ALERTS else None

    wait_for(delivered, DEADLINE, f"{EXPECTED_ALERTS} posted to the webhook receiver")


def test_webhook_receiver_refuses_a_missing_or_wrong_token(host, address):
    url = f"http://{address}:{WEBHOOK_PORT}/alerts"
    body = json.dumps({"status": "firing", "alerts": [], "marker": "forged"}).encode()
    kinds = {"Content-Type": "application/json"}
    assert http(url, data=body, headers=kinds)[0] == 401
    wrong = {**kinds, "Authorization": "Bearer not-the-token-0123456789"}
    assert http(url, data=body, headers=wrong)[0] == 401
    assert all(p.get("marker") != "forged" for p in _webhook_payloads(host))


@pytest.mark.parametrize("unit", OUR_UNITS)
def test_receivers_are_sandboxed(host, unit):
    assert_sandboxed(host, unit)
