"""Monitoring seen from outside: Prometheus on the monitoring host scrapes every host of the
topology and every service, its UI and Alertmanager's answer through the TLS ingress only with
their passwords. A nightly dump's time, Airflow's figures and the catalog's data quality reach
Prometheus; a service that fails, a DAG run that fails, and stopping PostgreSQL send their
alerts by e-mail to the real SMTP server on the monitoring host, and PostgreSQL's alert is
resolved once it is back. The platform overview opens in chromium through the ingress with a
graph per area, and every host's journal is readable on the monitoring host."""

from __future__ import annotations

import base64
import email
import email.policy
import json
import subprocess
import sys
import time
import urllib.parse
import uuid

import pytest
import yaml
from platform_api import DOMAIN, PREFIX, ROOT, call, container_ip, through_ingress, wait_for

sys.path.insert(0, str(ROOT / "tests/web/browser"))
import chromium_script  # found on the path set just above

from services.worker_scaler.decision import GroupPolicy, ScalerState, decide
from services.worker_scaler.figures import read_queue_figures

MAILDIR = "/var/lib/cdaprod-smtp-sink/Maildir"
# converge.yml shortens every rule's `for:` to 10 s and scrapes every 5 s; an alert's e-mail
# must then arrive within the rule's `for:` plus 60 s.
ALERT_WITHIN = 10 + 60
# The server's metrics, Airflow's figures and the catalog's (role postgres).
POSTGRES_EXPORTER_JOBS = {"postgres", "postgres_airflow", "postgres_archive"}


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


def alert_mails(alertname: str, state: str, seen: set[str]) -> list[email.message.EmailMessage]:
    """The e-mails about ALERTNAME in STATE (FIRING, RESOLVED) not among SEEN's file names."""
    return [
        message
        for name, message in mails().items()
        if name.split(":")[0] not in seen
        and alertname in message["Subject"]
        and state in message["Subject"]
    ]


def mail_names() -> set[str]:
    return {name.split(":")[0] for name in mails()}


def test_every_host_and_service_is_scraped(prometheus):
    hosts = topology_hosts()

    def missing():
        up = {(r["metric"]["job"], r["metric"]["instance"]) for r in query(prometheus, "up == 1")}
        nodes = {instance for job, instance in up if job == "node"}
        jobs = {job for job, _ in up}
        services = {"video_archive", "social_gateway", "nginx", "redis"} | POSTGRES_EXPORTER_JOBS
        gaps = sorted(hosts - nodes) + sorted(services - jobs)
        return gaps

    wait_for(lambda: not missing(), 120, "every host's node exporter and every service up")
    probes = query(prometheus, 'probe_success{service="postgresql"}')
    assert probes and all(r["value"][1] == "1" for r in probes), probes
    # Targets are named after their hosts; Redis answers the exporter's statistics login.
    named = {(r["metric"]["job"], r["metric"]["instance"]) for r in query(prometheus, "up")}
    expected = {("nginx", "ingress-1"), ("video_archive", "archive-1")}
    assert expected | {("redis", "airflow-master-1")} <= named, named
    broker = query(prometheus, 'redis_up{instance="airflow-master-1"}')
    assert [r["value"][1] for r in broker] == ["1"], broker


@pytest.mark.parametrize(
    ("name", "secret"),
    [("metrics", "prometheus_web_password"), ("alerts", "alertmanager_web_password")],
)
def test_the_uis_answer_through_the_ingress_only_with_their_password(secrets, name, secret):
    assert through_ingress(name, "/-/ready")[0] == 401
    assert through_ingress(name, "/-/ready", headers=basic("wrong-password"))[0] == 401
    status, body = through_ingress(name, "/-/ready", headers=basic(secrets[secret]))
    assert status == 200, body


def test_the_nightly_dump_reaches_prometheus(prometheus):
    postgres = PREFIX + "postgres-1"
    started = int(time.time())  # whole seconds, as the backup service writes them
    subprocess.run(
        ["podman", "exec", postgres, "systemctl", "start", "cdaprod-pg-backup.service"], check=True
    )

    def dumped() -> set[str]:
        expr = 'postgres_dump_last_success_timestamp_seconds{instance="postgres-1"}'
        found = {r["metric"]["database"] for r in query(prometheus, f"{expr} >= {started}")}
        return found if found >= {"airflow", "archive"} else set()

    databases = wait_for(dumped, 60, "each database's dump time in Prometheus")
    print(f"dump times in Prometheus for {sorted(databases)}")
    age = query(prometheus, 'ALERTS{alertname="PostgresDumpTooOld"}')
    assert not age, age


def test_a_failed_service_is_mailed(prometheus):
    worker = PREFIX + "worker-cpu-1"
    unit = "cdaprod-test-fails.service"
    before = mail_names()
    subprocess.run(
        [
            "podman",
            "exec",
            worker,
            "systemd-run",
            f"--unit={unit}",
            "--property=Restart=no",
            "/bin/false",
        ],
        check=True,
    )
    try:
        fired = wait_for(
            lambda: [
                m
                for m in alert_mails("ServiceFailed", "FIRING", before)
                if unit in m.get_body(("plain", "html")).get_content()
            ],
            ALERT_WITHIN,
            f"the e-mail about {unit}",
        )
        assert "worker-cpu-1" in fired[0].get_body(("plain", "html")).get_content()
    finally:
        subprocess.run(["podman", "exec", worker, "systemctl", "reset-failed", unit], check=False)


def figure(prometheus, expr: str, by: str) -> dict[str, float]:
    """EXPR's value per series, keyed by the series' label BY."""
    return {r["metric"][by]: float(r["value"][1]) for r in query(prometheus, expr)}


def test_airflow_and_the_catalog_figures_reach_prometheus(prometheus, archive_run, secrets):
    """Read by the PostgreSQL exporter from Airflow's metadata and the archive's catalog."""
    assert archive_run["state"] == "success"
    wait_for(
        lambda: query(prometheus, "time() - airflow_scheduler_heartbeat_timestamp_seconds < 60"),
        60,
        "a fresh scheduler heartbeat in Prometheus",
    )
    queues = figure(prometheus, 'airflow_queue_tasks{state="queued"}', "queue")
    assert "cpu" in queues, queues
    # The worker scaler reads the same figures and decides on them (no group scales here:
    # locally the topology is fixed).
    url, _ = prometheus
    admin = ("admin", secrets["prometheus_web_password"])
    cpu = read_queue_figures(url, ["cpu"], auth=admin)["cpu"]
    assert cpu.queued >= 0 and cpu.running >= 0 and cpu.at.timestamp() > time.time() - 120
    decision = decide(cpu, GroupPolicy(minimum=1, maximum=3, tasks_per_worker=4), ScalerState(1))
    assert 1 <= decision.desired <= 3 and decision.reason, decision
    success = figure(prometheus, "airflow_dag_last_success_timestamp_seconds", "dag_id")
    assert success.get("video_archive", 0) > time.time() - 3 * 3600, success

    # The platform's samples (samples.video_archive.synthetic) hold three files that must be
    # quarantined, one of them empty; every asset silver derived has its poster.
    assert figure(prometheus, "archive_assets_count", "status")["quarantined"] == 3
    assert figure(prometheus, "archive_quarantined_assets", "reason")["empty"] == 1
    assert figure(prometheus, "archive_missing_assets", "missing")["poster"] == 0
    scans = figure(prometheus, "archive_scan_seen", "source")
    assert scans and all(seen > 0 for seen in scans.values()), scans


def test_a_failed_dag_run_is_mailed(prometheus, failed_smoke_run):
    assert failed_smoke_run[1] == "failed"
    wait_for(
        lambda: figure(prometheus, "airflow_dag_latest_run_failed == 1", "dag_id").get(
            "notebook_smoke"
        ),
        30,
        "notebook_smoke's failed run in Prometheus",
    )
    failed_tasks = figure(prometheus, "airflow_dag_failed_task_instances", "dag_id")
    assert failed_tasks.get("notebook_smoke", 0) >= 1, failed_tasks
    fired = wait_for(
        lambda: [
            m
            for m in alert_mails("AirflowDagRunFailed", "FIRING", set())
            if "notebook_smoke" in m.get_body(("plain", "html")).get_content()
        ],
        ALERT_WITHIN,
        "the e-mail about notebook_smoke's failed run",
    )
    print(f"failed DAG run e-mailed: {fired[0]['Subject']}")


def test_each_failed_task_is_mailed_by_airflow_with_its_cells_error(failed_smoke_run):
    """Airflow's own notifier (airflow/plugins/failure_mail.py), from the worker that ran the
    task, through the same SMTP server as the alerts."""
    run_id, state = failed_smoke_run
    assert state == "failed"

    def task_mails() -> dict[str, email.message.EmailMessage]:
        return {
            message["Subject"].split(".")[1].split(" ")[0]: message
            for message in mails().values()
            if message["Subject"].startswith("[Airflow] notebook_smoke.")
            and run_id in message.get_body(("html", "plain")).get_content()
        }

    def both() -> dict[str, email.message.EmailMessage]:
        found = task_mails()
        return found if {"notebook_cpu", "notebook_gpu"} <= set(found) else {}

    found = wait_for(both, 60, "an e-mail per failed task of the run")
    error = "RuntimeError: notebook_smoke was asked to fail"
    for task, message in found.items():
        assert message["Subject"].startswith(f"[Airflow] notebook_smoke.{task} failed: {error}")
        body = message.get_body(("html", "plain")).get_content()
        assert "The notebook failed in cell [" in body and "asked to fail" in body, body
        assert "worker-" in body, body


def test_the_overview_shows_a_graph_per_area(secrets, archive_run):
    """The overview as a person opens it: https://metrics.DOMAIN/consoles/platform.html by name
    through the ingress, with Prometheus's login; every graph drawn or saying it has no data,
    at least one drawn per area, no script error. The screenshot is in artifacts/platform/."""
    reason = chromium_script.missing()
    if reason:
        pytest.skip(reason)
    out = ROOT / "artifacts/platform"
    returncode, report = chromium_script.run(
        "platform_overview.mjs",
        {
            "OVERVIEW_URL": f"https://metrics.{DOMAIN}/consoles/platform.html",
            "INGRESS_IP": container_ip("ingress-1"),
            "PROMETHEUS_USER": "admin",
            "PROMETHEUS_PASSWORD": secrets["prometheus_web_password"],
            "OUT_DIR": str(out),
        },
    )
    print(json.dumps(report, indent=2))
    assert returncode == 0 and report["ok"], report
    assert all(report["areas"][area] > 0 for area in ("hosts", "airflow", "archive", "gateway"))
    assert (out / "overview.png").stat().st_size > 20_000


def test_every_hosts_journal_is_readable_on_the_monitoring_host():
    """A line each other host writes to its journal is found on monitoring-1 among the received
    journals (journalctl -D /var/log/journal/remote), under the host's name."""
    others = sorted(topology_hosts() - {"monitoring-1"})
    mark = f"journal-check-{uuid.uuid4().hex[:12]}"
    for name in others:
        subprocess.run(
            ["podman", "exec", PREFIX + name, "logger", "-t", "journal-check", mark],
            check=True,
            timeout=30,
        )

    def hosts_seen() -> set[str] | None:
        out = subprocess.run(
            ["podman", "exec", PREFIX + "monitoring-1", "journalctl", "-D",
             "/var/log/journal/remote", "-t", "journal-check", "-o", "json", "--no-pager"],
            capture_output=True, text=True, timeout=60, check=True,
        ).stdout  # fmt: skip
        seen = {json.loads(line)["_HOSTNAME"] for line in out.splitlines() if mark in line}
        return seen if seen >= set(others) else None

    print(sorted(wait_for(hosts_seen, 120, "every host's line on the monitoring host")))


@pytest.mark.outage
def test_postgresql_down_is_mailed_then_resolved(prometheus):
    postgres = PREFIX + "postgres-1"
    before = mail_names()
    stopped = time.monotonic()
    subprocess.run(["podman", "exec", postgres, "systemctl", "stop", "postgresql"], check=True)
    try:
        fired = wait_for(
            lambda: alert_mails("PostgreSQLDown", "FIRING", before),
            ALERT_WITHIN,
            "the PostgreSQL down e-mail",
        )
        took = time.monotonic() - stopped
        print(f"PostgreSQL down e-mailed after {took:.0f} s: {fired[0]['Subject']}")
        assert "postgres-1" in fired[0].get_body(("plain", "html")).get_content()
    finally:
        subprocess.run(["podman", "exec", postgres, "systemctl", "start", "postgresql"], check=True)
    wait_for(
        lambda: alert_mails("PostgreSQLDown", "RESOLVED", before),
        ALERT_WITHIN,
        "the resolved e-mail",
    )
    wait_for(
        lambda: query(prometheus, 'probe_success{service="postgresql"} == 1'),
        60,
        "PostgreSQL answering again",
    )
