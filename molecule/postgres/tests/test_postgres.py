"""The postgres role seen from outside: service, sockets, authentication, backup and restore.

The server is molecule-postgres; molecule-postgres-client is a second host on the same
network, listed in pg_hba.conf for the archive database only.
"""

import json
import os
import pathlib
import shlex

import pytest
import yaml
from container_checks import scrape, wait_for
from unit_sandbox import assert_sandboxed

SERVER = os.environ.get("POSTGRES_INSTANCE", "molecule-postgres")
CLIENT = os.environ.get("POSTGRES_CLIENT_INSTANCE", "molecule-postgres-client")
S3 = os.environ.get("POSTGRES_S3_INSTANCE", "molecule-postgres-s3")
testinfra_hosts = [f"podman://{SERVER}"]

VARS = yaml.safe_load((pathlib.Path(__file__).parents[1] / "vars" / "test_vars.yml").read_text())
ARCHIVE_PW = VARS["pg_test_archive_password"]
AIRFLOW_PW = VARS["pg_test_airflow_password"]
BACKUP_DIR = VARS["pg_test_backup_dir"]
METRICS_FILE = VARS["pg_test_metrics_file"]
DATA_DIR = f"{VARS['pg_test_data_root']}/15/main"
EXPORTER_AUTH = ("prometheus", VARS["pg_test_exporter_password"])
EXPORTER_PORTS = {"server": 9187, "archive": VARS["pg_test_exporter_archive_port"]}
ROWS = 1237  # an odd number, so a restore that loses or duplicates rows shows
# The platform CA as every host has it (role platform_ca).
CA = "/etc/ssl/certs/cdaprod-platform-ca.pem"


@pytest.fixture(scope="module")
def client():
    import testinfra

    return testinfra.get_host(f"podman://{CLIENT}")


@pytest.fixture(scope="module")
def server_ip(host):
    return host.check_output("ip -4 -o addr show dev eth0 | awk '{print $4}' | cut -d/ -f1")


def psql(on, sql, *, host, db, user, password, tls=f"sslmode=verify-full sslrootcert={CA}"):
    """Run psql over TCP on host `on`, by default verifying the server's certificate and name
    against the platform CA; return the command result (never raises)."""
    conninfo = f"host={host} port=5432 dbname={db} user={user} {tls} connect_timeout=5"
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


def test_cluster_created_under_the_data_root_from_the_start(host):
    # As on a host with a data volume: created there by the package's first pg_createcluster.
    assert admin(host, "SHOW data_directory") == DATA_DIR
    assert host.file(f"{DATA_DIR}/PG_VERSION").content_string.strip() == "15"
    assert host.file(DATA_DIR).user == "postgres"
    assert not host.file("/var/lib/postgresql/15/main").exists
    # The server waits for the data directory's mount (the volume is mounted with nofail).
    needs = host.check_output("systemctl show -p RequiresMountsFor --value postgresql@15-main")
    assert DATA_DIR in needs.split()
    needs = host.check_output("systemctl show -p RequiresMountsFor --value cdaprod-pg-backup")
    assert BACKUP_DIR in needs.split()


def test_listens_on_configured_addresses_only(host, server_ip):
    listening = host.check_output("ss -Htln 'sport = :5432' | awk '{print $4}'").split()
    assert sorted(listening) == sorted(["127.0.0.1:5432", f"{server_ip}:5432"])


def test_hba_is_scram_only(host):
    methods = set(admin(host, "SELECT DISTINCT auth_method FROM pg_hba_file_rules").split())
    assert methods == {"peer", "scram-sha-256"}
    peer = admin(
        host,
        "SELECT type, user_name, options FROM pg_hba_file_rules WHERE auth_method = 'peer'",
    )
    # The exporters' role only through the map from the OS user prometheus (pg_ident.conf).
    assert peer.splitlines() == ["local|{postgres}|", "local|{metrics}|{map=exporter}"]
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


def test_a_plain_connection_is_refused_even_with_the_right_password(client):
    res = psql(
        client, "SELECT 1", host=SERVER, db="archive", user="archive", password=ARCHIVE_PW,
        tls="sslmode=disable",
    )  # fmt: skip
    assert res.rc != 0
    assert "no encryption" in res.stderr, res.stderr


def test_clients_talk_tls_and_verify_the_servers_name_against_the_platform_ca(host, client):
    res = psql(
        client, "SELECT ssl, version FROM pg_stat_ssl WHERE pid = pg_backend_pid()",
        host=SERVER, db="archive", user="archive", password=ARCHIVE_PW,
    )  # fmt: skip
    assert res.rc == 0, res.stderr
    assert res.stdout.strip() in ("t|TLSv1.3", "t|TLSv1.2"), res.stdout
    assert admin(host, "SHOW ssl_min_protocol_version") == "TLSv1.2"
    # Another CA's certificate, or a name the certificate does not hold, fails verify-full.
    other_ca = "/usr/share/ca-certificates/mozilla/ISRG_Root_X1.crt"
    res = psql(
        client, "SELECT 1", host=SERVER, db="archive", user="archive", password=ARCHIVE_PW,
        tls=f"sslmode=verify-full sslrootcert={other_ca}",
    )  # fmt: skip
    assert res.rc != 0 and "certificate verify failed" in res.stderr, res.stderr
    server_ip = host.check_output("hostname -I").split()[0]
    res = psql(
        client, "SELECT 1", host="not-the-db.invalid", db="archive", user="archive",
        password=ARCHIVE_PW, tls=f"hostaddr={server_ip} sslmode=verify-full sslrootcert={CA}",
    )  # fmt: skip
    assert res.rc != 0 and "does not match host name" in res.stderr, res.stderr


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
    old = f"{BACKUP_DIR}/archive/archive-20000101T000000Z.dump"
    host.check_output(
        f"install -d -o postgres -g postgres -m 0700 {BACKUP_DIR}/archive"
        f" && touch -d '10 days ago' {old} && chown postgres: {old}"
    )
    started = int(host.check_output("date +%s"))
    host.check_output("systemctl start cdaprod-pg-backup.service")
    assert not host.file(old).exists
    # The node exporter's textfile: each database's newest dump time and size.
    metrics = host.file(METRICS_FILE)
    assert metrics.mode == 0o644
    samples = dict(
        line.rsplit(" ", 1) for line in metrics.content_string.splitlines() if line[:1] != "#"
    )
    for db in ("archive", "airflow"):
        done = float(samples[f'postgres_dump_last_success_timestamp_seconds{{database="{db}"}}'])
        assert started <= done <= started + 300
        assert float(samples[f'postgres_dump_last_size_bytes{{database="{db}"}}']) > 0
    dumps = host.check_output(f"ls -1t {BACKUP_DIR}/archive/archive-*.dump").split()
    assert len(dumps) >= 1
    dump = dumps[0]
    assert host.file(dump).user == "postgres"
    assert host.file(dump).mode == 0o600
    assert host.check_output(f"head -c 5 {dump}") == "PGDMP"  # custom format
    assert host.check_output(f"ls -1 {BACKUP_DIR}/airflow/ | grep -c '^airflow-.*\\.dump$'") != "0"
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


LIST_BUCKET = """
import hashlib, json, boto3
s3 = boto3.client("s3", endpoint_url="http://127.0.0.1:5000", region_name="us-east-1",
                  aws_access_key_id="testing", aws_secret_access_key="testing")
objects = s3.list_objects_v2(Bucket=BUCKET).get("Contents", [])
print(json.dumps({o["Key"]: hashlib.sha256(s3.get_object(Bucket=BUCKET, Key=o["Key"])["Body"]
                  .read()).hexdigest() for o in objects}))
"""


def test_dumps_are_uploaded_to_the_bucket_prefix_only(host):
    """The upload as on emulated AWS: awscli with the endpoint, region and keys from systemd's
    DefaultEnvironment (converge.yml), to a real S3 API (moto), under the prefix only."""
    import testinfra

    s3 = testinfra.get_host(f"podman://{S3}")
    host.check_output("systemctl start cdaprod-pg-backup.service")
    log = host.check_output(
        "journalctl -u cdaprod-pg-backup.service --no-pager -o cat --since '-2min'"
    )
    local = {
        db: host.check_output(f"ls -1t {BACKUP_DIR}/{db}/{db}-*.dump | head -1")
        for db in ("airflow", "archive")
    }
    script = f"BUCKET = {VARS['pg_test_bucket']!r}" + LIST_BUCKET
    stored = json.loads(s3.check_output(f"/opt/cdaprod/venv/bin/python -c {shlex.quote(script)}"))
    prefix = VARS["pg_test_prefix"]
    assert stored, f"nothing in the bucket; the backup service said:\n{log}"
    outside = [key for key in stored if not key.startswith(f"{prefix}/")]
    assert not outside, f"keys outside {prefix}/: {outside}"
    for db, dump in local.items():
        key = f"{prefix}/{db}/{pathlib.PurePath(dump).name}"
        assert key in stored, f"{key} not uploaded; bucket has {sorted(stored)}"
        # The very bytes of the local dump.
        assert stored[key] == host.check_output(f"sha256sum {dump} | cut -d' ' -f1")
        assert f"uploaded to s3://{VARS['pg_test_bucket']}/{key} (endpoint http://" in log


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
    "TLS-only entries on a server without a certificate": (
        {
            "postgres_hba_entries": [
                {"database": "archive", "user": "archive", "source": "10.0.0.8/32"}
            ]
        },
        "so the server needs postgres_tls_certificate_file and postgres_tls_key_file",
    ),
    "hba method smuggled into the source": (
        {
            "postgres_hba_entries": [
                {"database": "archive", "user": "archive", "source": "10.0.0.0/8 trust"}
            ]
        },
        "source must be a network in CIDR notation",
    ),
    # The converged cluster lives under pg_test_data_root: pointing the role back at Debian's
    # default must not start a new, empty cluster there.
    "data root changed under an existing cluster": (
        {"postgres_data_root": "/var/lib/postgresql"},
        f"keeps its data in {DATA_DIR}, but postgres_data_root puts it in "
        "/var/lib/postgresql/15/main",
    ),
    "dump prefix that climbs out of its place": (
        {"postgres_backup_s3_bucket": "cdaprod-backups", "postgres_backup_s3_prefix": "pg/../x"},
        "postgres_backup_s3_prefix a key prefix of plain segments",
    ),
    "absolute dump prefix": (
        {"postgres_backup_s3_bucket": "cdaprod-backups", "postgres_backup_s3_prefix": "/pg"},
        "postgres_backup_s3_prefix a key prefix of plain segments",
    ),
    "exporter on every address": (
        {
            "postgres_exporter_enabled": True,
            "postgres_exporter_listen_address": "0.0.0.0",
            "postgres_exporter_web_password": "a-long-enough-password",
        },
        "postgres_exporter_listen_address must be the host's private address",
    ),
    "exporter figures that fail before their tables exist": (
        {
            "postgres_databases": [{"name": "archive", "owner": "archive"}],
            "postgres_users": [{"name": "archive", "password": ARCHIVE_PW}],
            "postgres_exporter_enabled": True,
            "postgres_exporter_listen_address": "10.0.0.5",
            "postgres_exporter_web_password": "a-long-enough-password",
            "postgres_exporter_databases": [
                {
                    "name": "archive",
                    "port": 9188,
                    "sql": "CREATE FUNCTION metrics.n() RETURNS bigint LANGUAGE sql"
                    " AS 'SELECT count(*) FROM shots';",
                    "queries": {},
                }
            ],
        },
        "whose functions check with to_regclass that their tables",
    ),
}


def test_bad_input_is_refused_before_any_change():
    """Each case runs the role in check mode; all fail at validation with a clear message."""
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


def test_backup_unit_is_sandboxed_and_writes_only_the_dumps(host):
    assert_sandboxed(host, "cdaprod-pg-backup", running=False)
    writable = host.check_output("systemctl show -p ReadWritePaths --value cdaprod-pg-backup")
    assert writable == BACKUP_DIR


LOCAL_PSQL = "psql -X -At -h /var/run/postgresql"


def exporter(server_ip, which, auth=EXPORTER_AUTH):
    return scrape(f"http://{server_ip}:{EXPORTER_PORTS[which]}/metrics", auth)


def test_exporters_run_as_prometheus_on_the_private_address_only(host, server_ip):
    for unit in ("prometheus-postgres-exporter", "cdaprod-postgres-exporter@archive"):
        service = host.service(unit)
        assert service.is_running and service.is_enabled, unit
        assert host.check_output(f"systemctl show -p User --value {unit}") == "prometheus"
    for port in EXPORTER_PORTS.values():
        assert host.socket(f"tcp://{server_ip}:{port}").is_listening
        assert not host.socket(f"tcp://0.0.0.0:{port}").is_listening


def test_our_exporter_unit_is_sandboxed(host):
    # Debian's prometheus-postgres-exporter unit is the package's; the per-database one is ours.
    assert_sandboxed(host, "cdaprod-postgres-exporter@archive")


@pytest.mark.parametrize("which", EXPORTER_PORTS)
@pytest.mark.parametrize("auth", [None, ("prometheus", "wrong-password")])
def test_exporters_refuse_a_missing_or_wrong_password(server_ip, which, auth):
    assert exporter(server_ip, which, auth)[0] == 401


def test_the_server_exporter_reads_the_server(server_ip):
    status, body = exporter(server_ip, "server")
    assert status == 200
    assert "\npg_up 1\n" in body
    assert 'pg_database_size_bytes{datname="archive"' in body


def test_database_figures_appear_with_their_tables_through_functions_only(host, server_ip):
    """The figures' functions return nothing while their table is missing (a service creates
    it after the role ran); once it is there, the figures follow, although the exporters' role
    itself cannot read the table."""
    status, body = exporter(server_ip, "archive")
    assert status == 200 and "molecule_shots_count{" not in body, body
    assert "\npg_up 1\n" in body
    assert "\npg_exporter_last_scrape_error 0\n" in body  # an empty answer, not a failure
    rows = "('drone'), ('drone'), ('interview')"
    result = psql(
        host,
        f"CREATE TABLE shots (kind text); INSERT INTO shots VALUES {rows};",
        host="/var/run/postgresql", db="archive", user="archive", password=ARCHIVE_PW,
    )  # fmt: skip
    assert result.rc == 0, result.stderr
    try:

        def figures_shown() -> str:
            body = exporter(server_ip, "archive")[1]
            return body if "molecule_shots_count{" in body else ""

        body = wait_for(figures_shown, 30, "the shots figures")
        assert 'kind="drone"' in body and 'kind="interview"' in body
        figures = {
            line.split('kind="')[1].split('"')[0]: float(line.rsplit(" ", 1)[1])
            for line in body.splitlines()
            if line.startswith("molecule_shots_count{")
        }
        assert figures == {"drone": 2.0, "interview": 1.0}
        as_exporter = f"runuser -u prometheus -- {LOCAL_PSQL} -U metrics -d archive -c"
        refused = host.run(f"{as_exporter} {shlex.quote('SELECT count(*) FROM shots')}")
        assert refused.rc != 0 and "permission denied" in refused.stderr, refused.stderr
        allowed = host.run(f"{as_exporter} {shlex.quote('SELECT count(*) FROM metrics.shots()')}")
        assert allowed.rc == 0 and allowed.stdout.strip() == "2", allowed.stderr
    finally:
        admin(host, "DROP TABLE IF EXISTS shots", db="archive")


def test_only_the_os_user_prometheus_logs_in_as_the_exporters_role(host, client, server_ip):
    other = host.run(f"runuser -u nobody -- {LOCAL_PSQL} -U metrics -d postgres -c 'SELECT 1'")
    assert other.rc != 0 and "authentication failed" in other.stderr, other.stderr
    conninfo = f"host={server_ip} dbname=postgres user=metrics connect_timeout=5"
    tcp = client.run(f"psql '{conninfo}' -X -At -w -c 'SELECT 1'")
    assert tcp.rc != 0, tcp.stdout
