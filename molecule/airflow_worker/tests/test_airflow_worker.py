"""The Celery worker seen from outside: broker connection, queues, slots, bindings, GPU."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from unit_sandbox import assert_sandboxed

WORKER = os.environ.get("AIRFLOW_WORKER_INSTANCE", "molecule-airflow-worker")
BROKER = os.environ.get("AIRFLOW_WORKER_BROKER_INSTANCE", "molecule-airflow-worker-broker")
testinfra_hosts = [f"podman://{WORKER}"]

CELERY_APP = "airflow.providers.celery.executors.celery_executor_utils.app"
# The platform CA as every host has it (role platform_ca).
PLATFORM_CA = "/etc/ssl/certs/cdaprod-platform-ca.pem"


def celery(host, *args):
    """Ask the running worker through the broker, as the master's scheduler would."""
    cmd = (
        "set -a; . /etc/cdaprod/airflow.env; set +a; cd /opt/cdaprod/airflow; "
        f"/opt/cdaprod/venv/bin/celery -A {CELERY_APP} {' '.join(args)}"
    )
    return host.run("bash -c %s", cmd)


@pytest.fixture(scope="module")
def inspect(host):
    for _ in range(20):
        res = celery(host, "inspect", "active_queues", "--json", "--timeout", "5")
        if res.rc == 0:
            return json.loads(res.stdout.strip().splitlines()[-1])
        host.run("sleep 3")
    pytest.fail(f"the worker never answered through the broker: {res.stdout} {res.stderr}")


def test_worker_services_running_as_service_user(host):
    # Started at boot through the enabled target, which wants each service.
    assert host.service("airflow-worker.target").is_enabled
    wanted = host.check_output("systemctl show -p Wants --value airflow-worker.target").split()
    for name in ("airflow-worker", "airflow-worker-log-server"):
        svc = host.service(name)
        assert svc.is_running and f"{name}.service" in wanted, name
        pid = host.check_output("systemctl show -p MainPID --value %s", name)
        assert host.check_output("ps -o user= -p %s", pid).strip() == "cdaprod"


def test_worker_consumes_its_groups_queues(inspect):
    assert len(inspect) == 1, inspect
    queues = sorted(q["name"] for q in next(iter(inspect.values())))
    assert queues == ["cpu", "default"]


def test_concurrency_sized_to_the_host(host):
    cores = int(host.check_output("nproc"))
    res = celery(host, "inspect", "stats", "--json", "--timeout", "10")
    assert res.rc == 0, res.stderr
    stats = next(iter(json.loads(res.stdout.strip().splitlines()[-1]).values()))
    assert stats["pool"]["max-concurrency"] == cores


def broker_ping(host, **options) -> str:
    """Ping the worker's broker as its URL names it, with these options in place of the
    password and TLS settings; returns what failed ('' when Redis answered)."""
    cmd = (
        "set -a; . /etc/cdaprod/airflow.env; set +a; "
        '/opt/cdaprod/venv/bin/python -c "import os,redis,urllib.parse as u;'
        "p=u.urlparse(os.environ['AIRFLOW__CELERY__BROKER_URL']);"
        f'redis.Redis(host=p.hostname,port=p.port,socket_timeout=10,{options_code(options)}).ping()"'
    )
    res = host.run("bash -c %s", cmd)
    return "" if res.rc == 0 else res.stderr


def options_code(options: dict) -> str:
    return ",".join(f"{name}={value!r}" for name, value in options.items())


def test_broker_refuses_the_worker_without_password(host):
    # The broker's certificate checked against the platform CA, but no password: refused.
    refused = broker_ping(host, ssl=True, ssl_ca_certs=PLATFORM_CA)
    assert "AuthenticationError" in refused or "NOAUTH" in refused, refused


def test_broker_takes_tls_only(host):
    # Plain TCP gets no answer at all, not even the request for a password.
    refused = broker_ping(host)
    assert refused and "NOAUTH" not in refused and "AuthenticationError" not in refused
    # (redis-py also trusts the system store, which holds the platform CA on every host; the
    # airflow_master scenario shows, with redis-cli, that another CA's clients are refused.)


def test_log_server_bound_to_private_address_and_requires_a_token(host):
    ip = host.check_output("hostname -I").split()[0]
    listening = [line.split()[3] for line in host.check_output("ss -Hltn").splitlines()]
    on_8793 = [a for a in listening if a.endswith(":8793")]
    assert on_8793 == [f"{ip}:8793"], listening
    status = host.check_output(
        'python3 -c "import urllib.request as r,urllib.error as e\n'
        "try: r.urlopen('http://%s:8793/log/x.log',timeout=10); print(200)\n"
        'except e.HTTPError as x: print(x.code)"',
        ip,
    )
    assert status.strip() == "403"


def test_no_gpu_here_so_no_driver(host):
    # Local hosts have no NVIDIA device: the role says so and installs nothing.
    assert not host.package("nvidia-driver").is_installed
    assert "non-free" not in host.file("/etc/apt/sources.list.d/debian.sources").content_string


def test_secrets_not_world_readable_and_no_database_access(host):
    env = host.file("/etc/cdaprod/airflow.env")
    assert env.user == "root" and env.mode == 0o600
    assert "SQL_ALCHEMY_CONN" not in host.check_output("cat /etc/cdaprod/airflow.env")
    assert host.file("/opt/cdaprod/airflow/airflow.cfg").mode == 0o640


REPO = Path(__file__).resolve().parents[3]
# What the task runner does before it runs a task: parse the DAG file with Airflow's bundle
# DagBag, in a process that imported airflow (which puts the plugins folder on sys.path).
PARSE_LIKE_THE_TASK_RUNNER = (
    "import json, pathlib, sys\n"
    "from airflow.dag_processing.dagbag import BundleDagBag\n"
    "folder = pathlib.Path('/opt/cdaprod/airflow/dags')\n"
    "bag = BundleDagBag(dag_folder=str(folder), bundle_path=folder, bundle_name='dags-folder',\n"
    "                   safe_mode=False, load_op_links=False)\n"
    "print(json.dumps({'dags': sorted(bag.dags), 'errors': bag.import_errors,\n"
    "                  'plugins_on_path': '/opt/cdaprod/airflow/plugins' in sys.path}))\n"
)


def test_dags_and_plugins_deployed(host):
    dag = host.file("/opt/cdaprod/airflow/dags/notebook_smoke.py")
    assert dag.exists and dag.group == "cdaprod" and dag.mode == 0o640
    assert dag.content_string == (REPO / "airflow" / "dags" / "notebook_smoke.py").read_text()
    plugins = REPO / "airflow" / "plugins"
    wanted = sorted(p.name for p in plugins.glob("*.py")) if plugins.is_dir() else []
    deployed = host.check_output("find /opt/cdaprod/airflow/plugins -name '*.py' -printf '%f\\n'")
    assert sorted(deployed.split()) == wanted
    for name in wanted:
        assert host.file(f"/opt/cdaprod/airflow/plugins/{name}").content_string == (
            (plugins / name).read_text()
        )
    assert "plugins_folder = /opt/cdaprod/airflow/plugins" in host.check_output(
        "cat /opt/cdaprod/airflow/airflow.cfg"
    )


def test_dag_files_parse_as_the_task_runner_parses_them(host):
    # As the service user, with the services' environment: the DAG files import the task
    # factory from the plugins folder (from notebook_tasks import notebook_task).
    res = host.run(
        "set -a; . /etc/cdaprod/airflow.env; set +a; cd /opt/cdaprod/airflow; "
        "setpriv --reuid=cdaprod --regid=cdaprod --init-groups "
        "/opt/cdaprod/venv/bin/python -c %s",
        PARSE_LIKE_THE_TASK_RUNNER,
    )
    assert res.rc == 0, res.stderr
    parsed = json.loads(res.stdout.strip().splitlines()[-1])
    assert parsed["plugins_on_path"], parsed
    assert parsed["errors"] == {}, parsed["errors"]
    assert "notebook_smoke" in parsed["dags"], parsed


@pytest.mark.parametrize("unit", ["airflow-worker", "airflow-worker-log-server"])
def test_services_are_sandboxed_and_write_only_their_directories(host, unit):
    assert_sandboxed(host, unit)
    # AIRFLOW_HOME and the notebooks' directories (airflow_worker_extra_dirs: none here; the
    # platform scenario checks a worker with them and papermill's outputs).
    writable = host.check_output(f"systemctl show -p ReadWritePaths --value {unit}")
    assert writable == "/opt/cdaprod/airflow"
    # No GPU in the scenario: the devices are hidden.
    assert host.check_output(f"systemctl show -p PrivateDevices --value {unit}") == "yes"
