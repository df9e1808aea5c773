"""The postgres role seen from outside: service, sockets, authentication, backup and restore.

The server is molecule-postgres; molecule-postgres-client is a second host on the same
network, listed in pg_hba.conf for the archive database only.
"""

import os
import pathlib
import shlex

import pytest
import yaml

SERVER = os.environ.get("POSTGRES_INSTANCE", "molecule-postgres")
CLIENT = os.environ.get("POSTGRES_CLIENT_INSTANCE", "molecule-postgres-client")
testinfra_hosts = [f"podman://{SERVER}"]

VARS = yaml.safe_load((pathlib.Path(__file__).parents[1] / "vars" / "test_vars.yml").read_text())
ARCHIVE_PW = VARS["pg_test_archive_password"]
AIRFLOW_PW = VARS["pg_test_airflow_password"]
ROWS = 1237  # an odd number, so a restore that loses or duplicates rows shows


@pytest.fixture(scope="module")
def client():
    import testinfra

    return testinfra.get_host(f"podman://{CLIENT}")


@pytest.fixture(scope="module")
def server_ip(host):
    return host.check_output("ip -4 -o addr show dev eth0 | awk '{print $4}' | cut -d/ -f1")


def psql(on, sql, *, host, db, user, password):
    """Run psql over TCP on host `on`; return the command result (never raises)."""
    conninfo = f"host={host} port=5432 dbname={db} user={user} sslmode=prefer connect_timeout=5"
    cmd = (
        f"PGPASSWORD={shlex.quote(password)} psql {shlex.quote(conninfo)} "
        f"-X -At -v ON_ERROR_STOP=1 -c {shlex.quote(sql)}"
    )
    return on.run(cmd)


def admin(host, sql, db="postgres"):
    """Run SQL as the postgres superuser over the local socket."""
    return host.check_output(f"runuser -u postgres -- psql -X -At -d {db} -c {shlex.quote(sql)}")


def test_service_running_and_enabled(host):
    assert host.service("postgresql@15-main").is_running
    assert host.service("postgresql").is_enabled
    assert admin(host, "SHOW server_version_num").startswith("15")


def test_listens_on_configured_addresses_only(host, server_ip):
    listening = host.check_output("ss -Htln 'sport = :5432' | awk '{print $4}'").split()
    assert sorted(listening) == sorted(["127.0.0.1:5432", f"{server_ip}:5432"])


def test_hba_is_scram_only(host):
    methods = set(admin(host, "SELECT DISTINCT auth_method FROM pg_hba_file_rules").split())
    assert methods == {"peer", "scram-sha-256"}
    peer = admin(host, "SELECT type, user_name FROM pg_hba_file_rules WHERE auth_method = 'peer'")
    assert peer == "local|{postgres}"
    hashes = admin(
        host,
        "SELECT rolname, left(rolpassword, 14) FROM pg_authid"
        " WHERE rolname IN ('airflow', 'archive') ORDER BY 1",
    )
    assert hashes.splitlines() == ["airflow|SCRAM-SHA-256$", "archive|SCRAM-SHA-256$"]


def test_memory_settings_derived_and_overridden(host):
    assert admin(host, "SHOW shared_buffers") == "256MB"  # 25 % of 1024 MiB
    assert admin(host, "SHOW effective_cache_size") == "768MB"  # 75 %
    assert admin(host, "SHOW maintenance_work_mem") == "64MB"  # 1/16
    assert admin(host, "SHOW work_mem") == VARS["pg_test_work_mem"]  # override


def test_databases_owned_by_their_users(host):
    owners = admin(
        host,
        "SELECT datname, pg_get_userbyid(datdba) FROM pg_database"
        " WHERE datname IN ('airflow','archive') ORDER BY 1",
    )
    assert owners.splitlines() == ["airflow|airflow", "archive|archive"]


def test_listed_client_with_right_password_connects_over_tcp(client):
    res = psql(
        client,
        "SELECT current_user, inet_server_port()",
        host=SERVER,
        db="archive",
        user="archive",
        password=ARCHIVE_PW,
    )
    assert res.rc == 0, res.stderr
    assert res.stdout.strip() == "archive|5432"


def test_wrong_password_is_refused(client):
    res = psql(
        client, "SELECT 1", host=SERVER, db="archive", user="archive", password=ARCHIVE_PW + "x"
    )
    assert res.rc != 0
    assert 'password authentication failed for user "archive"' in res.stderr


def test_unlisted_source_is_refused(host, client, server_ip):
    # The client is not listed for airflow, even with airflow's right password ...
    res = psql(client, "SELECT 1", host=SERVER, db="airflow", user="airflow", password=AIRFLOW_PW)
    assert res.rc != 0
    assert "no pg_hba.conf entry for host" in res.stderr
    # ... and the server's own address is not listed for archive (listed for airflow).
    res = psql(host, "SELECT 1", host=server_ip, db="archive", user="archive", password=ARCHIVE_PW)
    assert res.rc != 0
    assert "no pg_hba.conf entry for host" in res.stderr
    res = psql(host, "SELECT 1", host=server_ip, db="airflow", user="airflow", password=AIRFLOW_PW)
    assert res.rc == 0, res.stderr


def test_backup_timer_dump_restores_with_same_row_count(host, client):
    assert host.service("cdaprod-pg-backup.timer").is_enabled
    assert host.service("cdaprod-pg-backup.timer").is_running
    # Data written by the application user over TCP.
    res = psql(
        client,
        f"DROP TABLE IF EXISTS clips; CREATE TABLE clips (id int PRIMARY KEY, title text); "
        f"INSERT INTO clips SELECT g, 'clip ' || g FROM generate_series(1, {ROWS}) g",
        host=SERVER,
        db="archive",
        user="archive",
        password=ARCHIVE_PW,
    )
    assert res.rc == 0, res.stderr
    # A dump older than the retention (7 days) is deleted by the next successful run.
    old = "/var/backups/postgresql/archive/archive-20000101T000000Z.dump"
    host.check_output(
        "install -d -o postgres -g postgres -m 0700 /var/backups/postgresql/archive"
        f" && touch -d '10 days ago' {old} && chown postgres: {old}"
    )
    host.check_output("systemctl start cdaprod-pg-backup.service")
    assert not host.file(old).exists
    dumps = host.check_output("ls -1t /var/backups/postgresql/archive/archive-*.dump").split()
    assert len(dumps) >= 1
    dump = dumps[0]
    assert host.file(dump).user == "postgres"
    assert host.file(dump).mode == 0o600
    assert host.check_output(f"head -c 5 {dump}") == "PGDMP"  # custom format
    assert (
        host.check_output("ls -1 /var/backups/postgresql/airflow/ | grep -c '^airflow-.*\\.dump$'")
        != "0"
    )
    # The documented restore command, into a scratch database.
    admin(host, "DROP DATABASE IF EXISTS scratch_restore")
    out = host.check_output(f"cdaprod-pg-restore {dump} scratch_restore archive")
    assert "restored" in out
    assert admin(host, "SELECT count(*) FROM clips", db="scratch_restore") == str(ROWS)
    assert (
        admin(
            host, "SELECT tableowner FROM pg_tables WHERE tablename = 'clips'", db="scratch_restore"
        )
        == "archive"
    )
    # The restore refuses to overwrite an existing database.
    again = host.run(f"cdaprod-pg-restore {dump} scratch_restore archive")
    assert again.rc != 0 and "already exists" in again.stderr
    admin(host, "DROP DATABASE scratch_restore")


BAD_INPUT = {
    "user without password": (
        {"postgres_users": [{"name": "airflow"}]},
        "missing required arguments: password found in postgres_users",
    ),
    "empty password": (
        {"postgres_users": [{"name": "airflow", "password": ""}]},
        "role 'airflow' has no password",
    ),
    "wildcard listen address": (
        {"postgres_listen_addresses": ["*"]},
        "postgres_listen_addresses must list loopback and private addresses only",
    ),
    "hba open to everyone": (
        {
            "postgres_hba_entries": [
                {"database": "archive", "user": "archive", "source": "0.0.0.0/0"}
            ]
        },
        "source must be a network in CIDR notation",
    ),
    "hba method smuggled into the source": (
        {
            "postgres_hba_entries": [
                {"database": "archive", "user": "archive", "source": "10.0.0.0/8 trust"}
            ]
        },
        "source must be a network in CIDR notation",
    ),
}


def test_bad_input_is_refused_before_any_change():
    """Each case runs the role in check mode; all fail at validation with a clear message."""
    import json
    import shutil
    import subprocess
    import sys

    scenario = pathlib.Path(__file__).parents[1]
    repo = scenario.parents[1]
    playbook = shutil.which("ansible-playbook", path=os.path.dirname(sys.executable))
    env = dict(
        os.environ,
        ANSIBLE_CONFIG=str(repo / "ansible" / "ansible.cfg"),
        ANSIBLE_ROLES_PATH=str(repo / "ansible" / "roles"),
        ANSIBLE_FORCE_COLOR="false",
    )
    base = {
        "ansible_connection": "containers.podman.podman",
        "ansible_python_interpreter": "/usr/bin/python3",
    }
    procs = {
        name: subprocess.Popen(
            [
                playbook or "ansible-playbook",
                "--check",
                "-i",
                f"{SERVER},",
                str(scenario / "bad_input.yml"),
                "-e",
                json.dumps({**base, **extra}),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env=env,
        )
        for name, (extra, _) in BAD_INPUT.items()
    }
    for name, proc in procs.items():
        out, _ = proc.communicate(timeout=300)
        assert proc.returncode != 0, f"{name}: accepted\n{out}"
        assert BAD_INPUT[name][1] in out, f"{name}:\n{out}"
        assert "changed=0" in out, f"{name}:\n{out}"
