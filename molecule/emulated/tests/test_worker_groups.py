"""The workers are Auto Scaling groups' instances that configure themselves.

moto launches a group's instances and terminates them, and runs nothing on them; emulated
AWS (platformctl/emulated_workers.py) gives each new instance a host and runs the launch
template's user data at its first boot, as cloud-init would, and gives an instance that goes
the termination notice a lifecycle hook would deliver, through the worker's own handler
(services/worker_lifecycle). moto has no CompleteLifecycleAction: the handler is told there
is no hook to complete; on AWS it completes it.

These tests change the groups (one more worker through the master's scaler, then one fewer),
so they run last.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

from emulated_aws import (
    PREFIX,
    aws,
    first_of,
    fresh_inventory,
    journals_read_on_the_monitoring_host,
    platform_vars,
    platformctl_workers,
    run_on,
    secrets,
    workers_now,
)

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "shared"))
from airflow_api import Airflow, call, wait_for

CPU_GROUP = "cdaprod-emulated-worker-cpu"
GPU_GROUP = "cdaprod-emulated-worker-gpu"
PLATFORM_CA = "/etc/ssl/certs/cdaprod-platform-ca.pem"
USER_DATA = "cdaprod-user-data"  # the unit that ran the instance's user data
SCALER = "cdaprod-worker-scaler.service"  # on the master (role airflow_master)


def _group(name: str) -> dict:
    return aws("autoscaling").describe_auto_scaling_groups(AutoScalingGroupNames=[name])[
        "AutoScalingGroups"
    ][0]


def _in_service(name: str) -> set[str]:
    return {i["InstanceId"] for i in _group(name)["Instances"]}


def _manifest() -> dict:
    bucket = platform_vars()["platform_buckets"]["bundles"]
    body = aws("s3").get_object(Bucket=bucket, Key="worker/current.json")["Body"].read()
    return json.loads(body)


def _airflow() -> Airflow:
    master = first_of("airflow_master")[1]["ansible_host"]
    api = f"http://{master}:8080"
    status, body = call(
        "POST", f"{api}/auth/token",
        {"username": "admin", "password": secrets()["airflow_admin_password"]},
    )  # fmt: skip
    assert status == 201, body
    airflow = Airflow(api, body["access_token"], "worker_probe")
    airflow.unpause()
    return airflow


def _probe_hosts(run_id: str) -> list[str]:
    """The hosts the run's probes recorded (one row per probe and try)."""
    db = first_of("postgres")[1]["ansible_host"]
    script = (
        "import json, sys, psycopg\n"
        f"with psycopg.connect(host='{db}', user='notebook_smoke', dbname='notebook_smoke',"
        f" sslmode='verify-full', sslrootcert='{PLATFORM_CA}',"
        " password=sys.stdin.readline().strip(),"
        " connect_timeout=10) as conn:\n"
        "    rows = conn.execute('SELECT hostname FROM cdaprod_smoke.notebook_runs"
        " WHERE run_id = %s ORDER BY id', (sys.argv[1],)).fetchall()\n"
        "print(json.dumps([row[0] for row in rows]))\n"
    )
    done = subprocess.run(
        ["podman", "exec", "-i", f"{PREFIX}cdaprod-emulated-master-1",
         "/opt/cdaprod/venv/bin/python", "-c", script, run_id],
        input=secrets()["postgres_notebook_smoke_password"] + "\n",
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_the_workers_are_the_groups_instances():
    """The cpu group runs its minimum (1); the GPU group's minimum is 0 and it runs none.
    The inventory's workers are the instances found by their group's tag."""
    cpu, gpu = _group(CPU_GROUP), _group(GPU_GROUP)
    assert (cpu["MinSize"], cpu["DesiredCapacity"]) == (1, 1)
    assert (gpu["MinSize"], gpu["DesiredCapacity"], gpu["Instances"]) == (0, 0, [])
    listed = {host["platform_instance_id"] for host in workers_now().values()}
    assert listed == _in_service(CPU_GROUP)
    assert not workers_now("worker_gpu")
    hooks = aws("autoscaling").describe_lifecycle_hooks(AutoScalingGroupName=CPU_GROUP)
    transitions = {hook["LifecycleTransition"] for hook in hooks["LifecycleHooks"]}
    assert "autoscaling:EC2_INSTANCE_TERMINATING" in transitions


def test_each_worker_configured_itself_from_the_published_bundle():
    """The worker ran the launch template's user data: it fetched the bundle the manifest
    names, checked both digests, and ran the playbook for itself; it holds no CA key and
    read the workers' secret, which has neither the CA's key nor the database owner's."""
    manifest = _manifest()
    for name in workers_now():
        record = json.loads(run_on(name, "cat", "/var/lib/cdaprod/worker-boot.json").stdout)
        assert record["version"] == manifest["version"]
        log = run_on(
            name, "journalctl", "--no-pager", "-o", "cat", "-u", "cdaprod-user-data"
        ).stdout
        assert f"fetched {manifest['bundle_key']}" in log and "checksum matches" in log, log
        assert f"configured from bundle {manifest['version']}" in log, log
        assert (
            run_on(name, "systemctl", "is-active", "airflow-worker.service").stdout.strip()
            == "active"
        )
        assert run_on(name, "test", "-e", "/etc/cdaprod/tls/host.key").returncode == 1
    workers_secret = json.loads(
        aws("secretsmanager").get_secret_value(SecretId="cdaprod-emulated/workers")["SecretString"]
    )
    assert "PRIVATE KEY" not in workers_secret["platform_ca"]
    assert "postgres_airflow_password" not in workers_secret
    assert "airflow_admin_password" not in workers_secret


def test_a_burst_scales_the_group_out_and_the_new_instance_takes_tasks():
    """The master's scaler sees a burst on the cpu queue (Airflow's figures, through
    Prometheus) and raises the cpu group's desired capacity; moto launches an instance, it
    configures itself from the bundle at first boot, and it takes its share of the next run.

    On emulated AWS the scaler is installed stopped (terraform/environments/emulated/
    platform.yml says why): this test starts it, and stops it once it has scaled out."""
    before = set(workers_now())
    master = first_of("airflow_master")[0]
    airflow = _airflow()
    started = run_on(master, "systemctl", "start", SCALER)
    assert started.returncode == 0, started.stderr
    try:
        # Three probes holding their slots 75 s on one worker of two slots: two workers are
        # what they need. Other tasks beside them (the S3 event sensor's tries, a run an
        # earlier test started) may ask for more: the group's maximum is 2 (emulated.tfvars).
        burst = airflow.trigger({"tasks": 3, "seconds": 75})
        deadline = time.monotonic() + 150
        while _group(CPU_GROUP)["DesiredCapacity"] != 2 and time.monotonic() < deadline:
            time.sleep(3)
    finally:
        run_on(master, "systemctl", "stop", SCALER)
    log = run_on(master, "journalctl", "--no-pager", "-o", "cat", "-u", SCALER).stdout
    assert f"{CPU_GROUP} 1 -> 2: " in log, f"the scaler did not raise cpu to 2 in 150 s:\n{log}"
    metrics = aws("cloudwatch").list_metrics(Namespace="Cdaprod/Workers")["Metrics"]
    assert {"QueuedTasks", "RunningTasks"} <= {m["MetricName"] for m in metrics}, metrics

    out = platformctl_workers()
    assert "configured itself from the workers' bundle" in out, out
    after = workers_now()
    new = set(after) - before
    assert len(new) == 1 and len(after) == 2, (before, after)
    assert {h["platform_instance_id"] for h in after.values()} == _in_service(CPU_GROUP)
    # Its own play set up its journal upload, with the workers' client certificate.
    assert journals_read_on_the_monitoring_host(sorted(new)) == new

    # Four probes holding their slots 20 s: the old worker is still busy with the burst, so
    # the new one takes some.
    run_id = airflow.trigger({"tasks": 4, "seconds": 20})
    assert airflow.wait_finished(burst, 900) == "success"
    assert airflow.wait_finished(run_id, 900) == "success"
    burst_hosts, hosts = _probe_hosts(burst), _probe_hosts(run_id)
    assert len(burst_hosts) == 3 and len(hosts) == 4, (burst_hosts, hosts)
    assert new <= set(hosts) | set(burst_hosts), f"the new worker {new} took none of {hosts}"


def test_a_worker_that_goes_finishes_its_running_task_first():
    """Scale in while a probe holds its slot on a worker: that instance is terminated (as Auto
    Scaling picks one), its notice drains the worker, the probe finishes there, and the run
    succeeds with every task run once."""
    airflow = _airflow()
    run_id = airflow.trigger({"tasks": 1, "seconds": 60})
    host = wait_for(lambda: (_probe_hosts(run_id) or [None])[0], 600, "the probe to start")
    instance_id = workers_now()[host]["platform_instance_id"]
    started = time.monotonic()
    aws("autoscaling").terminate_instance_in_auto_scaling_group(
        InstanceId=instance_id, ShouldDecrementDesiredCapacity=True
    )
    out = platformctl_workers()
    assert f"{instance_id} is terminating" in out, out
    assert "the worker finished its tasks and stopped" in out, out
    assert "no lifecycle hook to complete" in out, out
    assert airflow.state(run_id) == "success", "the run ended before the worker went"
    assert time.monotonic() - started < 600
    assert _probe_hosts(run_id) == [host], "the probe ran once, on the drained worker"
    tries = airflow.tries(run_id, "probe")
    assert [t["try_number"] for t in tries] == [1], tries
    assert host not in workers_now()
    assert _group(CPU_GROUP)["DesiredCapacity"] == 1
    gone = subprocess.run(
        ["podman", "container", "exists", f"{PREFIX}{host}"], check=False
    ).returncode
    assert gone == 1, f"the host of {instance_id} is still there"
    assert fresh_inventory()["children"]["worker_cpu"]["hosts"].keys() == workers_now().keys()
