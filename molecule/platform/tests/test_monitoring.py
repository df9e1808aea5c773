"""Monitoring seen from outside: Prometheus on the monitoring host scrapes every host of the
topology and every service, its UI and Alertmanager's answer through the TLS ingress only with
their passwords, and stopping PostgreSQL sends the "PostgreSQL down" alert by e-mail to the
real SMTP server on the monitoring host, then its resolution once PostgreSQL is back."""

from __future__ import annotations

import base64
import email
import email.policy
import subprocess
import time
import urllib.parse

import pytest
import yaml
from platform_api import PREFIX, ROOT, call, container_ip, through_ingress, wait_for

MAILDIR = "/var/lib/cdaprod-smtp-sink/Maildir"
# converge.yml shortens every rule's `for:` to 10 s and scrapes every 5 s; an alert's e-mail
# must then arrive within the rule's `for:` plus 60 s.
ALERT_WITHIN = 10 + 60


def basic(password: str, user: str = "admin") -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


def topology_hosts() -> set[str]:
    topology = yaml.safe_load((ROOT / "ansible/inventories/local/topology.yml").read_text())
    return {name for name, host in topology["hosts"].items() if not host.get("enabled_by")}


@pytest.fixture(scope="module")
def prometheus(secrets):
    return f"http://{container_ip('monitoring-1')}:9090", basic(secrets["prometheus_web_password"])


def query(prometheus, expr: str) -> list[dict]:
    url, auth = prometheus
    status, body = call(
        "GET", f"{url}/api/v1/query?{urllib.parse.urlencode({'query': expr})}", headers=auth
    )
    assert status == 200, body
    return body["data"]["result"]


def mails() -> dict[str, email.message.EmailMessage]:
    """Every message the SMTP server on the monitoring host has received, by file name."""
    script = (
        f'for f in {MAILDIR}/new/* {MAILDIR}/cur/*; do [ -f "$f" ] || continue; '
        'printf "%s %s\\n" "${f##*/}" "$(base64 -w0 "$f")"; done'
    )
    out = subprocess.run(
        ["podman", "exec", PREFIX + "monitoring-1", "sh", "-c", script],
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    ).stdout
    found = {}
    for line in out.splitlines():
        name, data = line.split(" ", 1)
        found[name] = email.message_from_bytes(base64.b64decode(data), policy=email.policy.default)
    return found


def test_every_host_and_service_is_scraped(prometheus):
    hosts = topology_hosts()

    def missing():
        up = {(r["metric"]["job"], r["metric"]["instance"]) for r in query(prometheus, "up == 1")}
        nodes = {instance for job, instance in up if job == "node"}
        jobs = {job for job, _ in up}
        gaps = sorted(hosts - nodes) + sorted({"video_archive", "social_gateway"} - jobs)
        return gaps

    wait_for(lambda: not missing(), 120, "every host's node exporter and every service up")
    probes = query(prometheus, 'probe_success{service="postgresql"}')
    assert probes and all(r["value"][1] == "1" for r in probes), probes


@pytest.mark.parametrize(
    ("name", "secret"),
    [("metrics", "prometheus_web_password"), ("alerts", "alertmanager_web_password")],
)
def test_the_uis_answer_through_the_ingress_only_with_their_password(secrets, name, secret):
    assert through_ingress(name, "/-/ready")[0] == 401
    assert through_ingress(name, "/-/ready", headers=basic("wrong-password"))[0] == 401
    status, body = through_ingress(name, "/-/ready", headers=basic(secrets[secret]))
    assert status == 200, body


@pytest.mark.outage
def test_postgresql_down_is_mailed_then_resolved(prometheus):
    def alert_mail(state: str, seen: set[str]):
        return [
            message
            for name, message in mails().items()
            if name.split(":")[0] not in seen
            and "PostgreSQLDown" in message["Subject"]
            and state in message["Subject"]
        ]

    postgres = PREFIX + "postgres-1"
    before = {name.split(":")[0] for name in mails()}
    stopped = time.monotonic()
    subprocess.run(["podman", "exec", postgres, "systemctl", "stop", "postgresql"], check=True)
    try:
        fired = wait_for(
            lambda: alert_mail("FIRING", before), ALERT_WITHIN, "the PostgreSQL down e-mail"
        )
        took = time.monotonic() - stopped
        print(f"PostgreSQL down e-mailed after {took:.0f} s: {fired[0]['Subject']}")
        assert "postgres-1" in fired[0].get_body(("plain", "html")).get_content()
    finally:
        subprocess.run(["podman", "exec", postgres, "systemctl", "start", "postgresql"], check=True)
    wait_for(lambda: alert_mail("RESOLVED", before), ALERT_WITHIN, "the resolved e-mail")
    wait_for(
        lambda: query(prometheus, 'probe_success{service="postgresql"} == 1'),
        60,
        "PostgreSQL answering again",
    )
