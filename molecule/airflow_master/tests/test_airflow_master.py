"""The Airflow master seen from outside: API, auth, Redis, bindings, files."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from unit_sandbox import assert_sandboxed

MASTER = os.environ.get("AIRFLOW_MASTER_INSTANCE", "molecule-airflow-master")
testinfra_hosts = [f"podman://{MASTER}"]
REPO = Path(__file__).resolve().parents[3]

ADMIN_PASSWORD = "molecule-admin-pw-1"
OP_PASSWORD = "molecule-op-pw-1"
VIEWER_PASSWORD = "molecule-viewer-pw-1"
PLATFORM_CA = "/etc/ssl/certs/cdaprod-platform-ca.pem"
REDIS_PASSWORD = "molecule-redis-pw-0123456789"
REDIS_METRICS_PASSWORD = "molecule-redis-metrics-pw-0123"
SERVICES = [
    "airflow-api-server",
    "airflow-scheduler",
    "airflow-dag-processor",
    "airflow-triggerer",
    "airflow-log-server",
]


@pytest.fixture(scope="module")
def ip(host):
    return host.check_output("hostname -I").split()[0]


def http(host, method, url, body=None, token=None):
    """An HTTP call made with the host's own python3 (no curl in the image): (status, body)."""
    script = (
        "import json,sys,urllib.request,urllib.error\n"
        "a=json.loads(sys.argv[1])\n"
        "h={'Content-Type':'application/json'}\n"
        "if a['token']: h['Authorization']='Bearer '+a['token']\n"
        "d=json.dumps(a['body']).encode() if a['body'] is not None else None\n"
        "r=urllib.request.Request(a['url'],data=d,headers=h,method=a['method'])\n"
        "try:\n"
        "  resp=urllib.request.urlopen(r,timeout=30)\n"
        "  print(resp.status); print(resp.read().decode())\n"
        "except urllib.error.HTTPError as e:\n"
        "  print(e.code); print(e.read().decode())\n"
    )
    arg = json.dumps({"method": method, "url": url, "body": body, "token": token})
    out = host.check_output("python3 -c %s %s", script, arg)
    status, _, text = out.partition("\n")
    return int(status), text


def token(host, ip, password=ADMIN_PASSWORD, username="admin"):
    return http(
        host, "POST", f"http://{ip}:8080/auth/token", {"username": username, "password": password}
    )


def access_token(host, ip, username, password):
    status, body = token(host, ip, password=password, username=username)
    assert status == 201, (username, body)
    return json.loads(body)["access_token"]


def test_services_running_and_started_at_boot(host):
    # The services have no [Install] of their own: the enabled target wants each of them.
    assert host.service("airflow-master.target").is_enabled
    wanted = host.check_output("systemctl show -p Wants --value airflow-master.target").split()
    for name in SERVICES:
        assert host.service(name).is_running, name
        assert f"{name}.service" in wanted, name
    assert host.service("redis-server").is_running
    assert host.service("redis-server").is_enabled


def test_health_reports_every_component_healthy(host, ip):
    status, body = http(host, "GET", f"http://{ip}:8080/api/v2/monitor/health")
    assert status == 200
    health = json.loads(body)
    for component in ("metadatabase", "scheduler", "triggerer", "dag_processor"):
        assert health[component]["status"] == "healthy", (component, health)


def test_admin_password_from_secret_store_gets_a_token(host, ip):
    status, body = token(host, ip)
    assert status == 201, body
    tok = json.loads(body)["access_token"]
    status, body = http(host, "GET", f"http://{ip}:8080/api/v2/dags", token=tok)
    assert status == 200, body


def test_wrong_password_and_no_token_are_refused(host, ip):
    status, _ = token(host, ip, password="not-the-password")
    assert status == 401
    status, _ = http(host, "GET", f"http://{ip}:8080/api/v2/dags")
    assert status == 401


def trigger_smoke(host, ip, tok):
    """Trigger notebook_smoke as the holder of `tok`: (status, body)."""
    url = f"http://{ip}:8080/api/v2/dags/notebook_smoke/dagRuns"
    return http(host, "POST", url, {"logical_date": None}, token=tok)


def test_viewer_sees_dags_but_cannot_trigger_one(host, ip):
    viewer = access_token(host, ip, "viewer", VIEWER_PASSWORD)
    status, body = http(host, "GET", f"http://{ip}:8080/api/v2/dags", token=viewer)
    assert status == 200, body
    assert "notebook_smoke" in [d["dag_id"] for d in json.loads(body)["dags"]]
    status, body = trigger_smoke(host, ip, viewer)
    assert status == 403, body


def test_operator_may_trigger_a_dag(host, ip):
    op = access_token(host, ip, "operator", OP_PASSWORD)
    status, body = trigger_smoke(host, ip, op)
    assert status == 200, body
    assert json.loads(body)["state"] == "queued"


def test_each_user_has_only_its_own_password(host, ip):
    assert token(host, ip, password=ADMIN_PASSWORD, username="viewer")[0] == 401
    assert token(host, ip, password=VIEWER_PASSWORD, username="operator")[0] == 401


def test_sign_in_page_is_the_fab_form_without_a_development_banner(host, ip):
    status, page = http(host, "GET", f"http://{ip}:8080/auth/login/")
    assert status == 200
    assert 'type="password"' in page and "csrf_token" in page
    assert "development" not in page.lower() and "simple auth manager" not in page.lower()


def test_notebook_smoke_dag_is_parsed_without_errors(host, ip):
    tok = json.loads(token(host, ip)[1])["access_token"]
    status, body = http(host, "GET", f"http://{ip}:8080/api/v2/importErrors", token=tok)
    assert status == 200
    assert json.loads(body)["total_entries"] == 0, body
    # The dag-processor picks the file up within its refresh interval.
    for _ in range(30):
        status, body = http(host, "GET", f"http://{ip}:8080/api/v2/dags/notebook_smoke", token=tok)
        if status == 200:
            break
        host.run("sleep 2")
    assert status == 200, body
    assert json.loads(body)["dag_id"] == "notebook_smoke"


def test_a_changed_dag_file_is_parsed_again_at_once(host, ip):
    """Unchanged files wait airflow_master_min_file_process_interval (300 s) between parses;
    a file a deploy changes is parsed within seconds."""
    tok = json.loads(token(host, ip)[1])["access_token"]
    url = f"http://{ip}:8080/api/v2/dags/notebook_smoke"

    def last_parsed():
        status, body = http(host, "GET", url, token=tok)
        assert status == 200, body
        return json.loads(body)["last_parsed_time"]

    before = last_parsed()
    host.run_expect([0], "touch /opt/cdaprod/airflow/dags/notebook_smoke.py")
    for _ in range(20):
        if last_parsed() != before:
            break
        host.run("sleep 2")
    assert last_parsed() != before, "the changed DAG file was not parsed again within 40 s"


def test_dags_and_plugins_match_the_repository(host):
    deployed = host.check_output("ls /opt/cdaprod/airflow/dags").split()
    assert "notebook_smoke.py" in deployed
    assert "retired_dag.py" not in deployed
    plugins = REPO / "airflow" / "plugins"
    wanted = sorted(p.name for p in plugins.glob("*.py")) if plugins.is_dir() else []
    # Airflow's processes leave __pycache__ there; only the modules count.
    found = host.check_output("find /opt/cdaprod/airflow/plugins -name '*.py' -printf '%f\\n'")
    assert sorted(found.split()) == wanted
    cfg = host.check_output("cat /opt/cdaprod/airflow/airflow.cfg")
    assert "plugins_folder = /opt/cdaprod/airflow/plugins" in cfg


def test_listeners_bound_to_private_address_only(host, ip):
    listening = host.check_output("ss -Hltn").splitlines()
    locals_ = [line.split()[3] for line in listening]
    for port in (8080, 8794, 6379):
        bound = [a for a in locals_ if a.rsplit(":", 1)[1] == str(port)]
        assert bound, f"nothing listens on {port}"
        for addr in bound:
            assert addr.rsplit(":", 1)[0] in (ip, "127.0.0.1"), (port, addr)
    # Airflow's own log servers (8793 scheduler/worker) are not started on the master.
    assert not any(a.endswith(":8793") for a in locals_)


def redis_cli(ip: str) -> str:
    """redis-cli over TLS, checking Redis's certificate against the platform CA."""
    return f"redis-cli --tls --cacert {PLATFORM_CA} -h {ip} --no-auth-warning"


def test_redis_refuses_clients_without_the_password(host, ip):
    out = host.run(f"{redis_cli(ip)} ping")
    assert "NOAUTH" in out.stdout + out.stderr
    wrong = host.run(f"{redis_cli(ip)} -a wrong-password ping")
    assert "PONG" not in wrong.stdout
    right = host.run(f"{redis_cli(ip)} -a %s ping", REDIS_PASSWORD)
    assert right.stdout.strip() == "PONG", right.stderr


def test_redis_takes_tls_only(host, ip):
    plain = host.run("redis-cli -h %s --no-auth-warning -a %s ping", ip, REDIS_PASSWORD)
    assert "PONG" not in plain.stdout
    other_ca = "/usr/share/ca-certificates/mozilla/ISRG_Root_X1.crt"
    other = f"redis-cli --tls --cacert {other_ca} -h {ip} --no-auth-warning"
    unverified = host.run(f"{other} -a %s ping", REDIS_PASSWORD)
    assert "PONG" not in unverified.stdout
    assert "certificate verify failed" in unverified.stdout + unverified.stderr


def test_redis_gives_the_exporter_statistics_only(host, ip):
    login = f"{redis_cli(ip)} --user metrics --pass {REDIS_METRICS_PASSWORD}"
    assert "redis_version" in host.check_output(f"{login} INFO server")
    for command in ("CONFIG GET requirepass", "GET anykey", "KEYS '*'", "LLEN cpu"):
        out = host.run(f"{login} {command}")
        assert "NOPERM" in out.stdout + out.stderr, command
    wrong = host.run(f"{redis_cli(ip)} --user metrics --pass wrong INFO")
    assert "redis_version" not in wrong.stdout
    # Redis keeps only the password's SHA-256.
    assert REDIS_METRICS_PASSWORD not in host.check_output("cat /etc/redis/redis.conf")


def test_secrets_are_not_world_readable(host):
    env = host.file("/etc/cdaprod/airflow.env")
    assert env.user == "root" and env.mode == 0o600
    assert 'AIRFLOW__DATABASE__SQL_ALCHEMY_CONN="postgresql+psycopg://' in host.check_output(
        "cat /etc/cdaprod/airflow.env"
    )
    auth = host.file("/opt/cdaprod/airflow/webserver_config.py")
    assert auth.user == "root" and auth.mode == 0o640
    assert "AUTH_TYPE = AUTH_DB" in auth.content_string
    assert ADMIN_PASSWORD not in auth.content_string
    assert host.file("/etc/redis/redis.conf").mode == 0o640
    cfg = host.file("/opt/cdaprod/airflow/airflow.cfg")
    assert cfg.mode == 0o640
    assert ADMIN_PASSWORD not in cfg.content_string
    assert REDIS_PASSWORD not in cfg.content_string
    # The simple auth manager's files are gone: no password sits in AIRFLOW_HOME.
    assert not host.file("/opt/cdaprod/airflow/simple_auth_manager_passwords.json").exists


def test_services_run_as_the_service_user(host):
    for name in ("airflow-api-server", "airflow-scheduler"):
        pid = host.check_output("systemctl show -p MainPID --value %s", name)
        assert host.check_output("ps -o user= -p %s", pid).strip() == "cdaprod"


def test_parallelism_sized_to_the_host(host):
    cores = int(host.check_output("nproc"))
    out = host.check_output("/usr/local/sbin/airflow config get-value core parallelism")
    assert int(out.strip()) == max(cores * 8, 8)
    assert (
        host.check_output("/usr/local/sbin/airflow config get-value core executor").strip()
        == "CeleryExecutor"
    )


def test_database_is_migrated(host):
    res = host.run("/usr/local/sbin/airflow db check-migrations --migration-wait-timeout 1")
    assert res.rc == 0, res.stderr


@pytest.mark.parametrize("unit", SERVICES)
def test_services_are_sandboxed(host, unit):
    assert_sandboxed(host, unit)
    assert host.check_output(f"systemctl show -p ReadWritePaths --value {unit}") == (
        "/opt/cdaprod/airflow"
    )
