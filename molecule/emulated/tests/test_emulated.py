"""Emulated AWS, from the outside: what Terraform made is what the hosts run on.

The hosts, groups and settings come from Terraform's outputs; the services' passwords are
the ones in Secrets Manager; PostgreSQL's dumps land in the backups bucket; the ingress
answers the load balancer's way (no SNI, /healthz, Host-routed) and its APIs want
credentials. (The scenario's destroy step checks that nothing is left behind.)
"""

from __future__ import annotations

import base64
import http.client
import json
import ssl
import subprocess
import time
import urllib.parse

import pytest
from emulated_aws import (
    aws,
    first_of,
    hosts_of,
    inventory,
    journals_read_on_the_monitoring_host,
    platform_vars,
    run_on,
    secrets,
)

# The worker groups' instances as the inventory has them when the tests start.
WORKERS = {
    name: host
    for name, host in hosts_of("airflow_worker").items()
    if host.get("platform_self_configured")
}

# The fixed hosts Terraform made; the workers are the worker groups' instances
# (test_worker_groups.py), named by their kind and instance id.
KINDS = {
    "cdaprod-emulated-db-1": ["postgres"],
    "cdaprod-emulated-master-1": [
        "airflow_master",
        "video_archive",
        "social_gateway",
        "ingress",
        "monitoring",
    ],
}


def test_the_inventory_is_terraforms_hosts_and_outputs():
    for host, groups in KINDS.items():
        for group in groups:
            assert host in hosts_of(group), f"{host} is not in {group}"
    assert not hosts_of("weaviate")
    assert list(WORKERS) == list(hosts_of("worker_cpu")) and len(WORKERS) == 1
    assert not hosts_of("worker_gpu"), "the GPU group starts empty (its minimum is 0)"
    settings = platform_vars()
    assert settings["platform_env"] == "emulated"
    assert settings["platform_private_cidr"] == "10.91.0.0/16"
    assert settings["platform_backup_bucket"] == "cdaprod-emulated-backups"
    assert settings["platform_secrets_backend"] == "aws"
    # The hosts reach moto on the emulated network, never the controller's loopback.
    assert "127.0.0.1" not in settings["platform_ingest_queue_url"]


# The platform CA as every host has it (role platform_ca).
PLATFORM_CA = "/etc/ssl/certs/cdaprod-platform-ca.pem"


def _psql_login(user: str, password: str, sslmode: str = "verify-full") -> str:
    """Log in to PostgreSQL from the master as `user`, by default verifying the server's
    certificate and address against the platform CA; '' on success, else the error."""
    db_host = first_of("postgres")[1]["ansible_host"]
    script = (
        "import sys, psycopg\n"
        "try:\n"
        f"    psycopg.connect(host='{db_host}', user='{user}', dbname='{user}',\n"
        f"                    sslmode='{sslmode}', sslrootcert='{PLATFORM_CA}',\n"
        "                    password=sys.stdin.read(), connect_timeout=10).close()\n"
        "except psycopg.OperationalError as exc:\n"
        "    print(exc)\n"
    )
    done = run_on(
        "cdaprod-emulated-master-1", "sh", "-c",
        f"printf %s '{password}' | /opt/cdaprod/venv/bin/python -c \"{script}\"",
    )  # fmt: skip
    return done.stdout.strip() + done.stderr.strip()


def test_services_use_the_passwords_in_secrets_manager():
    stored = secrets()
    assert _psql_login("archive", stored["postgres_archive_password"]) == ""
    refused = _psql_login("archive", "not-" + stored["postgres_archive_password"])
    assert "password authentication failed" in refused
    # TLS only: the right password over a plain connection is refused.
    plain = _psql_login("archive", stored["postgres_archive_password"], sslmode="disable")
    assert "no encryption" in plain, plain


def test_airflow_admin_logs_in_with_the_stored_password():
    master = first_of("airflow_master")[1]["ansible_host"]
    conn = http.client.HTTPConnection(master, 8080, timeout=30)
    body = {"username": "admin", "password": secrets()["airflow_admin_password"]}
    conn.request("POST", "/auth/token", json.dumps(body), {"Content-Type": "application/json"})
    assert conn.getresponse().status == 201


def _prometheus(path: str, **params: str) -> dict:
    """GET one of Prometheus's API paths on the monitoring host, with its stored password."""
    monitoring = first_of("monitoring")[1]["ansible_host"]
    password = secrets()["prometheus_web_password"]
    auth = "Basic " + base64.b64encode(f"admin:{password}".encode()).decode()
    conn = http.client.HTTPConnection(monitoring, 9090, timeout=30)
    conn.request("GET", f"{path}?{urllib.parse.urlencode(params)}", headers={"Authorization": auth})
    resp = conn.getresponse()
    assert resp.status == 200
    return json.loads(resp.read())["data"]


def test_prometheus_scrapes_every_host_terraform_made():
    """Every instance's node exporter is up, scraped with the password in Secrets Manager;
    the services' exporters come from the inventory Terraform's outputs made."""
    monitoring = first_of("monitoring")[1]["ansible_host"]

    def query(expr: str) -> set[tuple[str, str]]:
        results = _prometheus("/api/v1/query", query=expr)["result"]
        return {(r["metric"]["job"], r["metric"]["instance"]) for r in results}

    def nodes() -> set[str]:
        return {instance for _, instance in query('up{job="node"} == 1')}

    every = set(KINDS) | set(WORKERS)
    deadline = time.monotonic() + 120
    while nodes() != every and time.monotonic() < deadline:
        time.sleep(5)
    assert nodes() == every
    # Each service's exporter is up and named after its host: PostgreSQL's three on the
    # database host, nginx's on the ingress, and Redis (the broker) read through the exporter
    # beside Prometheus with its statistics-only login.
    db, master = first_of("postgres")[0], first_of("airflow_master")[0]
    ingress = first_of("ingress")[0]
    exporters = 'up{job=~"postgres|postgres_airflow|postgres_archive|nginx"} == 1'
    assert query(exporters) == {
        ("postgres", db),
        ("postgres_airflow", db),
        ("postgres_archive", db),
        ("nginx", ingress),
    }
    assert query('redis_up{job="redis"} == 1') == {("redis", master)}
    conn = http.client.HTTPConnection(monitoring, 9090, timeout=30)
    conn.request("GET", "/api/v1/query?query=up")
    assert conn.getresponse().status == 401


def test_prometheus_finds_the_instances_by_their_tags():
    """The node exporters' targets are EC2's running instances of this environment, listed
    from moto by tag (Prometheus's EC2 discovery), not the inventory: each target is an
    instance Terraform made, named by its Name tag."""
    instance_ids = {
        name: host["platform_instance_id"]
        for group in inventory()["children"].values()
        for name, host in (group["hosts"] or {}).items()
    }
    targets = [
        t
        for t in _prometheus("/api/v1/targets", state="active")["activeTargets"]
        if t["labels"]["job"] == "node"
    ]
    discovered = {
        t["labels"]["instance"]: t["discoveredLabels"].get("__meta_ec2_instance_id")
        for t in targets
    }
    assert discovered == instance_ids
    assert all(t["health"] == "up" for t in targets), [t["lastError"] for t in targets]


def test_cloudwatch_watches_what_prometheus_cannot():
    """Terraform made a status-check alarm per fixed instance (the monitoring host's fires on
    silence too; a worker group replaces its unhealthy instances itself), the load
    balancer's 5xx and unhealthy-ingress alarms, all notifying the encrypted alarm topic."""
    alarms = {a["AlarmName"]: a for a in aws("cloudwatch").describe_alarms()["MetricAlarms"]}
    topic = next(
        t["TopicArn"]
        for t in aws("sns").list_topics()["Topics"]
        if t["TopicArn"].endswith(":cdaprod-emulated-alarms")
    )
    attributes = aws("sns").get_topic_attributes(TopicArn=topic)["Attributes"]
    assert attributes.get("KmsMasterKeyId", "").startswith("arn:aws:kms:")
    for host in KINDS:
        alarm = alarms[f"{host}-status-check"]
        assert alarm["MetricName"] == "StatusCheckFailed"
        assert alarm["AlarmActions"] == [topic] and alarm["OKActions"] == [topic]
        watcher = "monitoring" in KINDS[host]
        assert alarm["TreatMissingData"] == ("breaching" if watcher else "missing")
    for name in ("lb-elb-5xx", "lb-target-5xx", "lb-unhealthy-ingress"):
        assert alarms[f"cdaprod-emulated-{name}"]["AlarmActions"] == [topic]


def test_every_hosts_journal_is_readable_on_the_monitoring_host():
    """A line each other instance writes to its journal arrives on the monitoring host, under
    the instance's name, through the journal uploads' TLS port Terraform opened: the fixed
    instances with their platform certificates, the workers that configured themselves with
    the workers' client certificate from their secret."""
    others = sorted((set(KINDS) | set(hosts_of("airflow_worker"))) - {first_of("monitoring")[0]})
    assert journals_read_on_the_monitoring_host(others) == set(others)


def test_a_postgres_dump_lands_in_the_backups_bucket():
    db = "cdaprod-emulated-db-1"
    done = run_on(db, "systemctl", "start", "cdaprod-pg-backup.service", timeout=300)
    if done.returncode != 0:
        journal = run_on(db, "journalctl", "-u", "cdaprod-pg-backup.service", "-n", "30")
        pytest.fail(f"the dump service failed:\n{journal.stdout}")
    s3 = aws("s3")
    deadline = time.monotonic() + 60
    keys: list[str] = []
    while time.monotonic() < deadline and not keys:
        listed = s3.list_objects_v2(Bucket="cdaprod-emulated-backups", Prefix="postgres/emulated/")
        keys = [item["Key"] for item in listed.get("Contents", [])]
        time.sleep(2)
    assert any(key.endswith(".dump") for key in keys), keys


def _ingress(path: str, host: str | None = None, api_key: str | None = None) -> tuple[int, bytes]:
    """Through the ingress as the load balancer calls its targets: TLS without SNI (an
    address, not a name) and not verifying the ingress's certificate."""
    address = first_of("ingress")[1]["ansible_host"]
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    conn = http.client.HTTPSConnection(address, 443, context=context, timeout=30)
    headers = {"Host": host} if host else {}
    if api_key:
        headers["X-API-Key"] = api_key
    conn.request("GET", path, headers=headers)
    response = conn.getresponse()
    return response.status, response.read()


def test_the_ingress_answers_the_load_balancers_health_check():
    assert _ingress("/healthz") == (200, b"ok\n")


@pytest.mark.parametrize("name", ["archive", "api"])
def test_apis_through_the_ingress_want_credentials(name):
    domain = platform_vars()["platform_domain"]
    path = "/api/v1/sources" if name == "archive" else "/api/v1/posts/1"
    status, _ = _ingress(path, f"{name}.{domain}")
    assert status == 401


def test_airflow_is_not_on_the_public_names():
    domain = platform_vars()["platform_domain"]
    status, _ = _ingress("/", f"airflow.{domain}")
    assert status == 421


SIDECAR = "1\n00:00:00,000 --> 00:00:01,500\nA cormorant dries its wings on the breakwater.\n"


def test_a_video_put_in_the_raw_bucket_is_catalogued_and_found(tmp_path):
    """S3 event -> SQS -> the sensor on a CPU worker -> a video_archive run on the workers ->
    the archive's API, through the ingress, finds it by a word of its sidecar, then by
    meaning, answered by the semantic graph the gold run saved in the bucket."""
    video = tmp_path / "cormorant.mp4"
    subprocess.run(
        ["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25:duration=2",
         "-f", "lavfi", "-i", "sine=frequency=440:duration=2", "-c:v", "libx264",
         "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest", str(video)],
        check=True, timeout=120,
    )  # fmt: skip
    s3 = aws("s3")
    raw = platform_vars()["platform_buckets"]["raw"]
    s3.put_object(Bucket=raw, Key="incoming/cormorant.srt", Body=SIDECAR.encode())
    s3.upload_file(str(video), raw, "incoming/cormorant.mp4")

    domain = platform_vars()["platform_domain"]
    key = secrets()["archive_api_key"]

    def found() -> list[str]:
        status, body = _ingress("/api/v1/search?q=cormorant", f"archive.{domain}", key)
        assert status == 200, body
        return [item["location"] for item in json.loads(body)["items"]]

    deadline = time.monotonic() + 900
    locations: list[str] = []
    while time.monotonic() < deadline and not locations:
        locations = found()
        time.sleep(10)
    assert any(location.endswith("incoming/cormorant.mp4") for location in locations), locations

    # By meaning too, from the semantic graph the gold run keeps beside the index in the
    # bucket (each try words the query anew, so no remembered ranking answers it).
    def graph_searches() -> float:
        status, body = _ingress("/metrics", f"archive.{domain}", key)
        assert status == 200, body
        for line in body.decode().splitlines():
            if line.startswith("video_archive_semantic_graph_searches_total "):
                return float(line.split()[1])
        return 0.0

    deadline = time.monotonic() + 300
    attempt, by_meaning = 0, []
    while time.monotonic() < deadline and not (by_meaning and graph_searches() > 0):
        attempt += 1
        query = urllib.parse.quote(f"a seabird drying its wings, try {attempt}")
        status, body = _ingress(f"/api/v1/search?mode=semantic&q={query}", f"archive.{domain}", key)
        assert status == 200, body
        by_meaning = [
            item["location"]
            for item in json.loads(body)["items"]
            if item["location"].endswith("incoming/cormorant.mp4")
        ]
        time.sleep(5)
    assert by_meaning, "a semantic search never found the video"
    assert graph_searches() > 0, "no semantic search was answered by the graph in the bucket"
