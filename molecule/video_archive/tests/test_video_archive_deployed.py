"""The deployed video archive seen from another host of the private network (the database
host) and from inside its own host: private bind only, auth, the sample videos searchable
once catalogued, originals untouched and read-only to the service, secrets root-only.

On the platform the catalogue is filled by the video_archive DAG on the Airflow workers; the
archive host only serves. Here, without Airflow, an administrator's one-off scan
(`video-archive scan --all --derive`) fills it, as the README describes."""

from __future__ import annotations

import json
import os
import re

import pytest
import testinfra
from unit_sandbox import assert_sandboxed

ARCHIVE = os.environ.get("VIDEO_ARCHIVE_INSTANCE", "molecule-video-archive")
PEER = os.environ.get("VIDEO_ARCHIVE_PEER_INSTANCE", "molecule-video-archive-pg")
testinfra_hosts = [f"podman://{ARCHIVE}"]

PORT = 8700
API_KEY = "molecule-archive-api-key-0123456789"
ADMIN_PASSWORD = "molecule-archive-admin-pw"
SOURCE = "/srv/videos/samples"
SAMPLE = f"{SOURCE}/harbour/h264_aac.mp4"

# One HTTP exchange with python3's standard library (the image has no curl). Cookies are
# carried by hand: the session cookie is Secure (TLS ingress in front), but this test talks
# plain HTTP on the private network.
_HTTP = r"""
import json, sys, urllib.request, urllib.error
a = json.loads(sys.argv[1])
class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None
opener = urllib.request.build_opener(NoRedirect)
data = a["body"].encode() if a["body"] is not None else None
req = urllib.request.Request(a["url"], data=data, headers=a["headers"], method=a["method"])
try:
    resp = opener.open(req, timeout=20)
except urllib.error.HTTPError as exc:
    resp = exc
except OSError as exc:
    print(json.dumps({"status": 0, "error": str(exc)})); sys.exit(0)
print(json.dumps({"status": resp.status, "headers": resp.headers.get_all("Set-Cookie") or [],
                  "location": resp.headers.get("Location"), "body": resp.read().decode()}))
"""


def http(on, url, *, method="GET", headers=None, body=None) -> dict:
    arg = json.dumps({"url": url, "method": method, "headers": headers or {}, "body": body})
    return json.loads(on.check_output("python3 -c %s %s", _HTTP, arg))


@pytest.fixture(scope="module")
def peer():
    return testinfra.get_host(f"podman://{PEER}")


@pytest.fixture(scope="module")
def address(host) -> str:
    return host.check_output("hostname -I").split()[0]


@pytest.fixture(scope="module")
def base(address) -> str:
    return f"http://{address}:{PORT}"


def test_service_runs_as_the_service_user_and_starts_at_boot(host):
    service = host.service("video-archive-web")
    assert service.is_running
    assert service.is_enabled
    pid = host.check_output("systemctl show -p MainPID --value video-archive-web")
    assert host.check_output(f"stat -c %U /proc/{pid}") == "cdaprod"
    # The host only serves: no scan of its own.
    assert not host.file("/etc/systemd/system/video-archive-scan.timer").exists
    assert not host.file("/etc/systemd/system/video-archive-scan.service").exists


@pytest.fixture(scope="module")
def catalogued(host) -> str:
    """The samples scanned once by hand, as an administrator's one-off would."""
    return host.check_output("/usr/local/sbin/video-archive scan --all --derive")


def test_health_answers_on_the_private_address_for_other_hosts(peer, base):
    response = http(peer, f"{base}/health")
    assert response["status"] == 200, response
    assert json.loads(response["body"]) == {"status": "ok", "catalog": "ok"}


def test_nothing_listens_on_loopback_or_a_wildcard(host, address):
    listeners = host.check_output(f"ss -Hltn 'sport = :{PORT}'").splitlines()
    assert [line.split()[3] for line in listeners] == [f"{address}:{PORT}"]
    assert http(host, f"http://127.0.0.1:{PORT}/health")["status"] == 0


def test_api_refuses_requests_without_a_valid_key(peer, base):
    assert http(peer, f"{base}/api/v1/search")["status"] == 401
    wrong = http(peer, f"{base}/api/v1/search", headers={"X-API-Key": "not-the-key-" * 3})
    assert wrong["status"] == 401


def test_sample_video_is_scanned_and_found_by_search(peer, base, catalogued):
    # "lighthouse" is only in the clip's subtitle sidecar; "harbour" in its path.
    for query, expected in (("lighthouse", "h264_aac.mp4"), ("harbour", "h264_aac.mp4")):
        response = http(peer, f"{base}/api/v1/search?q={query}", headers={"X-API-Key": API_KEY})
        assert response["status"] == 200, response
        found = json.loads(response["body"])
        assert any(item["location"].endswith(expected) for item in found["items"]), found


def test_admin_logs_in_and_the_first_page_is_not_empty(peer, base, catalogued):
    form = http(peer, f"{base}/login")
    assert form["status"] == 200
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', form["body"]).group(1)
    cookie = form["headers"][0].split(";")[0]
    assert "secure" in form["headers"][0].lower()
    login = http(
        peer,
        f"{base}/login",
        method="POST",
        headers={"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"},
        body=f"username=admin&password={ADMIN_PASSWORD}&csrf_token={csrf}&next=/",
    )
    assert login["status"] == 303, login["body"][:500]
    session = login["headers"][0].split(";")[0]
    page = http(peer, f"{base}/", headers={"Cookie": session})
    assert page["status"] == 200
    assert "/videos/" in page["body"]


def test_originals_are_unchanged_by_a_rescan(host, catalogued):
    before = host.check_output(f"sha256sum {SAMPLE} && stat -c %Y.%y {SAMPLE}")
    # Written once by the generator, before its completion stamp; never since.
    assert host.file(SAMPLE).mtime <= host.file(f"{SOURCE}/.generated").mtime
    host.check_output("/usr/local/sbin/video-archive scan --all --derive")
    assert host.check_output(f"sha256sum {SAMPLE} && stat -c %Y.%y {SAMPLE}") == before
    derivatives = host.check_output("find /var/lib/video-archive/derivatives -type f | wc -l")
    assert int(derivatives) > 0
    assert host.check_output(f"find {SOURCE} -newer {SOURCE}/.generated") == ""


def test_sources_are_read_only_for_the_service(host):
    # The unit makes them read-only (ProtectSystem=strict, ReadOnlyPaths). Containers without
    # CAP_SYS_ADMIN skip systemd's mount sandboxing, so the owner check below is what holds
    # here: the generated samples belong to root and the service user cannot write them.
    read_only = host.check_output("systemctl show -p ReadOnlyPaths --value video-archive-web")
    assert SOURCE in read_only
    protect = host.check_output("systemctl show -p ProtectSystem --value video-archive-web")
    assert protect == "strict"
    attempt = host.run(
        f"setpriv --reuid=cdaprod --regid=cdaprod --init-groups touch {SOURCE}/written-by-service"
    )
    assert attempt.rc != 0
    assert "Permission denied" in attempt.stderr
    assert not host.file(f"{SOURCE}/written-by-service").exists


def test_secrets_are_root_only(host):
    for path in (
        "/etc/cdaprod/video-archive/video-archive.env",
        "/etc/cdaprod/video-archive/session.env",
    ):
        secret = host.file(path)
        assert secret.user == "root"
        assert secret.mode == 0o600
    env = host.file("/etc/cdaprod/video-archive/video-archive.env").content_string
    assert "molecule-archive-db-pw" in env
    # Passwords and keys are stored hashed only.
    assert ADMIN_PASSWORD not in env
    assert API_KEY not in env


def test_web_service_is_sandboxed(host):
    assert_sandboxed(host, "video-archive-web")
