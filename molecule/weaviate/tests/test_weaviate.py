"""The weaviate role seen from outside.

Weaviate's release binaries live on GitHub, which the build machines cannot reach, and no
package registry ships the server. Everything up to the binary is verified always; the
checksum refusals are exercised with real wrong files; the server's own checks run only when
WEAVIATE_BINARY=/path points at a real release archive or binary (never a fake server).
"""

import hashlib
import json
import os
import pathlib
import shlex
import shutil
import subprocess
import sys
import time

import pytest
import yaml
from unit_sandbox import assert_sandboxed

INSTANCE = os.environ.get("WEAVIATE_INSTANCE", "molecule-weaviate")
testinfra_hosts = [f"podman://{INSTANCE}"]

SCENARIO = pathlib.Path(__file__).parents[1]
REPO = SCENARIO.parents[1]
VARS = yaml.safe_load((SCENARIO / "vars" / "test_vars.yml").read_text())
API_KEY = VARS["wv_test_api_key"]
BINARY = os.environ.get("WEAVIATE_BINARY", "")
needs_binary = pytest.mark.skipif(
    not BINARY,
    reason="WEAVIATE_BINARY not set: Weaviate's release binary is on GitHub (unreachable from "
    "the build machines) and no package registry ships it; set WEAVIATE_BINARY=/path to run "
    "the server checks",
)


@pytest.fixture(scope="module")
def ip(host):
    return host.check_output("ip -4 -o addr show dev eth0 | awk '{print $4}' | cut -d/ -f1")


def env_file(host):
    lines = host.file("/etc/weaviate/weaviate.env").content_string.splitlines()
    return dict(line.split("=", 1) for line in lines if line and not line.startswith("#"))


def test_dedicated_user_without_login(host):
    user = host.user("weaviate")
    assert user.exists
    assert user.shell == "/usr/sbin/nologin"
    assert user.home == "/var/lib/weaviate"
    assert user.uid < 1000  # system account


@pytest.mark.parametrize(
    ("path", "owner", "mode"),
    [
        ("/var/lib/weaviate", "weaviate", 0o750),
        ("/var/backups/weaviate", "weaviate", 0o750),
        ("/etc/weaviate", "root", 0o700),
        ("/opt/weaviate", "root", 0o755),
    ],
)
def test_directories(host, path, owner, mode):
    d = host.file(path)
    assert d.is_directory
    assert d.user == owner
    assert d.mode == mode


def test_environment_file_is_private_and_secure(host, ip):
    f = host.file("/etc/weaviate/weaviate.env")
    assert f.user == "root" and f.group == "root"
    assert f.mode == 0o600
    env = env_file(host)
    assert env["AUTHENTICATION_APIKEY_ENABLED"] == "true"
    assert env["AUTHENTICATION_ANONYMOUS_ACCESS_ENABLED"] == "false"
    assert env["AUTHENTICATION_APIKEY_ALLOWED_KEYS"] == API_KEY
    assert env["AUTHENTICATION_APIKEY_USERS"] == VARS["wv_test_api_user"]
    assert env["DEFAULT_VECTORIZER_MODULE"] == "none"
    assert env["ENABLE_MODULES"] == "backup-filesystem"  # no vectoriser module at all
    assert env["BACKUP_FILESYSTEM_PATH"] == "/var/backups/weaviate"
    assert env["PERSISTENCE_DATA_PATH"] == "/var/lib/weaviate"
    assert env["GRPC_PORT"] == "50051"
    assert env["CLUSTER_ADVERTISE_ADDR"] == ip
    assert env["DISABLE_TELEMETRY"] == "true"


def test_unit_as_systemd_loaded_it(host, ip):
    props = dict(
        line.split("=", 1)
        for line in host.check_output(
            "systemctl show weaviate -p User -p Restart -p LimitNOFILE -p TasksMax -p MemoryMax "
            "-p IPAddressDeny -p IPAddressAllow -p ExecStart -p EnvironmentFiles "
            "-p NoNewPrivileges -p ProtectSystem"
        ).splitlines()
    )
    assert props["User"] == "weaviate"
    assert props["Restart"] == "on-failure"
    assert props["LimitNOFILE"] == str(VARS["wv_test_limit_nofile"])
    assert props["TasksMax"] == "4096"
    assert props["MemoryMax"] == str(1024**3)
    assert props["NoNewPrivileges"] == "yes"
    assert props["ProtectSystem"] == "strict"
    assert sorted(props["IPAddressDeny"].split()) == ["0.0.0.0/0", "::/0"]
    network = host.check_output("ip -4 route show dev eth0 scope link | awk '{print $1}'")
    allowed = props["IPAddressAllow"].split()
    assert "127.0.0.0/8" in allowed and network in allowed
    assert f"--host {ip} --port 8080 --scheme http" in props["ExecStart"]
    assert "/etc/weaviate/weaviate.env" in props["EnvironmentFiles"]


def test_systemd_analyze_verify(host):
    res = host.run("systemd-analyze verify /etc/systemd/system/weaviate.service")
    problems = [line for line in (res.stdout + res.stderr).splitlines() if line.strip()]
    if BINARY:
        assert res.rc == 0 and problems == [], problems
    else:
        # Without a binary the one complaint allowed is the missing executable itself.
        assert problems == [
            "weaviate.service: Command /usr/local/bin/weaviate is not executable: "
            "No such file or directory"
        ], problems


def start_mismatch_playbook(extra_vars):
    """Start checksum_mismatch.yml against the container; return the running process."""
    playbook = shutil.which("ansible-playbook", path=os.path.dirname(sys.executable))
    env = dict(
        os.environ,
        ANSIBLE_CONFIG=str(REPO / "ansible" / "ansible.cfg"),
        ANSIBLE_ROLES_PATH=str(REPO / "ansible" / "roles"),
        ANSIBLE_FORCE_COLOR="false",
    )
    all_vars = {
        "ansible_connection": "containers.podman.podman",
        "ansible_python_interpreter": "/usr/bin/python3",
        "weaviate_arch": "amd64",
        **extra_vars,
    }
    return subprocess.Popen(
        [
            playbook or "ansible-playbook",
            "-i",
            f"{INSTANCE},",
            str(SCENARIO / "checksum_mismatch.yml"),
            "-e",
            json.dumps(all_vars),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )


EXPECTED = hashlib.sha256(b"the release we reviewed").hexdigest()


@pytest.fixture(scope="module")
def mismatch_runs(host, tmp_path_factory):
    """Both refusal paths, run in parallel (each with a version of its own, so that nothing of
    it may appear on the host): a wrong controller file, and a wrong file served over HTTP by
    a real server on the container's loopback."""
    wrong = tmp_path_factory.mktemp("wv") / "weaviate-v9.9.8-linux-amd64.tar.gz"
    wrong.write_bytes(os.urandom(4096))
    host.check_output(
        "mkdir -p /tmp/wv-mirror && head -c 4096 /dev/urandom > /tmp/wv-mirror/release.tar.gz"
    )
    host.check_output(
        "systemd-run --unit wv-mismatch-mirror --collect "
        "python3 -m http.server 18765 --bind 127.0.0.1 --directory /tmp/wv-mirror"
    )
    try:
        for _ in range(50):
            if host.run("ss -Htln 'sport = :18765' | grep -q 18765").rc == 0:
                break
            time.sleep(0.2)
        link_before = current_link(host)
        procs = {
            "file": start_mismatch_playbook(
                {
                    "weaviate_version": "9.9.8",
                    "weaviate_binary_src": str(wrong),
                    "weaviate_sha256": EXPECTED,
                }
            ),
            "url": start_mismatch_playbook(
                {
                    "weaviate_version": "9.9.9",
                    "weaviate_binary_src": "",
                    "weaviate_download_url": "http://127.0.0.1:18765/release.tar.gz",
                    "weaviate_sha256": EXPECTED,
                }
            ),
        }
        results = {name: (p.communicate(timeout=300)[0], p.returncode) for name, p in procs.items()}
        served = host.check_output("journalctl -u wv-mismatch-mirror --no-pager -o cat")
    finally:
        host.run("systemctl stop wv-mismatch-mirror")
    return {
        "results": results,
        "wrong_sha": hashlib.sha256(wrong.read_bytes()).hexdigest(),
        "served": served,
        "link_before": link_before,
    }


def assert_nothing_installed(host, version, link_before):
    assert not host.file(f"/opt/weaviate/{version}").exists
    assert not host.file(f"/var/cache/weaviate/weaviate-{version}-amd64.tar.gz").exists
    assert not host.file(f"/var/cache/weaviate/weaviate-{version}-amd64.bin").exists
    assert current_link(host) == link_before


def current_link(host):
    link = host.file("/usr/local/bin/weaviate")
    return link.linked_to if link.exists else None


def test_checksum_mismatch_of_a_controller_file_is_refused(host, mismatch_runs):
    out, rc = mismatch_runs["results"]["file"]
    assert rc != 0, out
    assert "sha256 mismatch" in out and EXPECTED in out, out
    assert mismatch_runs["wrong_sha"] in out  # what was actually received
    assert_nothing_installed(host, "9.9.8", mismatch_runs["link_before"])


def test_checksum_mismatch_of_a_download_is_refused(host, mismatch_runs):
    out, rc = mismatch_runs["results"]["url"]
    assert rc != 0, out
    assert "did not match" in out and EXPECTED in out, out
    # The file really was served: the refusal is the checksum, not a failed download.
    assert "GET /release.tar.gz" in mismatch_runs["served"]
    assert_nothing_installed(host, "9.9.9", mismatch_runs["link_before"])


# --- with a real Weaviate binary (WEAVIATE_BINARY=/path) ---------------------------------


def http(host, method, url, key=None, body=None):
    """Status and body of an HTTP request made inside the container (python3 urllib)."""
    script = (
        "import json,sys,urllib.request,urllib.error\n"
        "m,u,k,b=sys.argv[1:5]\n"
        "r=urllib.request.Request(u,method=m,data=(b.encode() if b else None))\n"
        "r.add_header('Content-Type','application/json')\n"
        "k and r.add_header('Authorization','Bearer '+k)\n"
        "try:\n"
        "  x=urllib.request.urlopen(r,timeout=10); print(x.status); print(x.read().decode())\n"
        "except urllib.error.HTTPError as e:\n"
        "  print(e.code); print(e.read().decode())\n"
    )
    cmd = "python3 -c {} {} {} {} {}".format(
        *(
            shlex.quote(a)
            for a in (script, method, url, key or "", json.dumps(body) if body else "")
        )
    )
    status, _, text = host.check_output(cmd).partition("\n")
    return int(status), text


@needs_binary
def test_service_running_enabled_and_ready(host, ip):
    assert host.service("weaviate").is_running
    assert host.service("weaviate").is_enabled
    status, _ = http(host, "GET", f"http://{ip}:8080/v1/.well-known/ready")
    assert status == 200


@needs_binary
def test_rest_bound_to_the_private_address_only(host, ip):
    rest = host.check_output("ss -Htln 'sport = :8080' | awk '{print $4}'").split()
    assert rest == [f"{ip}:8080"]
    assert host.socket("tcp://50051").is_listening


@needs_binary
def test_api_key_required(host, ip):
    assert http(host, "GET", f"http://{ip}:8080/v1/meta")[0] == 401
    assert http(host, "GET", f"http://{ip}:8080/v1/meta", key=API_KEY + "x")[0] == 401
    status, text = http(host, "GET", f"http://{ip}:8080/v1/meta", key=API_KEY)
    assert status == 200
    modules = json.loads(text).get("modules", {})
    assert "backup-filesystem" in modules
    assert not [m for m in modules if m.startswith(("text2vec", "multi2vec", "img2vec"))]


@needs_binary
def test_vectors_supplied_by_us_are_searchable(host, ip):
    base = f"http://{ip}:8080/v1"
    http(host, "DELETE", f"{base}/schema/MoleculeClip", key=API_KEY)
    status, text = http(
        host,
        "POST",
        f"{base}/schema",
        key=API_KEY,
        body={"class": "MoleculeClip", "vectorizer": "none"},
    )
    assert status == 200, text
    status, text = http(
        host,
        "POST",
        f"{base}/objects",
        key=API_KEY,
        body={
            "class": "MoleculeClip",
            "properties": {"title": "balloon"},
            "vector": [0.1, 0.9, 0.2],
        },
    )
    assert status == 200, text
    query = "{ Get { MoleculeClip(nearVector: {vector: [0.1, 0.9, 0.2]}, limit: 1) { title } } }"
    status, text = http(host, "POST", f"{base}/graphql", key=API_KEY, body={"query": query})
    assert status == 200, text
    assert json.loads(text)["data"]["Get"]["MoleculeClip"][0]["title"] == "balloon"


@needs_binary
def test_filesystem_backup(host, ip):
    base = f"http://{ip}:8080/v1/backups/filesystem"
    backup_id = f"molecule-{int(time.time())}"
    status, text = http(host, "POST", base, key=API_KEY, body={"id": backup_id})
    assert status == 200, text
    for _ in range(60):
        status, text = http(host, "GET", f"{base}/{backup_id}", key=API_KEY)
        if json.loads(text).get("status") in ("SUCCESS", "FAILED"):
            break
        time.sleep(1)
    assert json.loads(text)["status"] == "SUCCESS", text
    assert host.file(f"/var/backups/weaviate/{backup_id}").is_directory


def test_service_is_sandboxed(host):
    # The process itself only with a real release binary (see the module's docstring).
    assert_sandboxed(host, "weaviate", running=bool(BINARY))
