"""The SaaS stand-ins seen from outside: HTTP from the controller to the container's private
address (``address`` and ``call`` come from molecule/shared/container_checks.py). The Airtable
stand-in (services/saas_standins/airtable.py, a local stand-in of a few Airtable REST
endpoints, not Airtable) must refuse a wrong token; the webhook receiver
(services/saas_standins/webhook_receiver.py) must reject a post with a bad signature and
accept a correctly signed one."""

import hashlib
import hmac
import json
import time
import uuid
from pathlib import Path

import pytest
import yaml
from container_checks import call
from unit_sandbox import assert_sandboxed

INSTANCE = "molecule-saas-standins"
testinfra_hosts = [f"podman://{INSTANCE}"]
AIRTABLE_PORT = 8720
RECEIVER_PORT = 8711
TEST_VARS = yaml.safe_load((Path(__file__).parents[1] / "vars" / "test.yml").read_text())
TOKEN = TEST_VARS["test_airtable_token"]
SECRET = TEST_VARS["test_webhook_secret"]
SERVICES = ("airtable-standin", "webhook-receiver")


def _signed(body: bytes, secret: str) -> dict[str, str]:
    timestamp = str(int(time.time()))
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return {
        "X-Signature-Timestamp": timestamp,
        "X-Signature-SHA256": "sha256=" + mac.hexdigest(),
        "Idempotency-Key": f"molecule-{uuid.uuid4()}",
    }


@pytest.mark.parametrize("unit", SERVICES)
def test_services_run_unprivileged_and_enabled(host, unit):
    service = host.service(unit)
    assert service.is_running and service.is_enabled
    assert host.check_output(f"systemctl show -p User --value {unit}") == "cdaprod"
    pid = host.check_output(f"systemctl show -p MainPID --value {unit}")
    assert host.check_output(f"stat -c %U /proc/{pid}") == "cdaprod"


@pytest.mark.parametrize("unit", SERVICES)
def test_secrets_are_in_root_only_files(host, unit):
    env = host.file(f"/etc/cdaprod/{unit}.env")
    assert env.mode == 0o600 and env.user == "root" and env.group == "root"
    unit_file = host.file(f"/etc/systemd/system/{unit}.service").content_string
    assert TOKEN not in unit_file and SECRET not in unit_file


@pytest.mark.parametrize("port", [AIRTABLE_PORT, RECEIVER_PORT])
def test_listen_on_the_private_address_only(host, address, port):
    assert host.socket(f"tcp://{address}:{port}").is_listening
    for other in (f"tcp://0.0.0.0:{port}", f"tcp://:::{port}", f"tcp://127.0.0.1:{port}"):
        assert not host.socket(other).is_listening


def test_airtable_standin_refuses_a_wrong_token_and_serves_the_right_one(address):
    url = f"http://{address}:{AIRTABLE_PORT}/v0/appMOLECULE/Content%20calendar"
    assert call(url)[0] == 401
    status, body = call(url, headers={"Authorization": "Bearer wrong-" + "w" * 30})
    assert status == 401 and body["detail"]["type"] == "AUTHENTICATION_REQUIRED"
    auth = {"Authorization": f"Bearer {TOKEN}"}
    row = {"records": [{"fields": {"Draft Key": "molecule", "Status": "Draft"}}]}
    status, created = call(url, method="POST", data=json.dumps(row).encode(), headers=auth)
    assert status == 200, created
    status, listed = call(url, headers=auth)
    assert status == 200
    assert created["records"][0]["id"] in [r["id"] for r in listed["records"]]


def test_receiver_rejects_a_bad_signature_and_accepts_a_signed_post(address):
    base = f"http://{address}:{RECEIVER_PORT}"
    status, before = call(f"{base}/posts")
    assert status == 200
    body = json.dumps({"text": f"molecule {uuid.uuid4()}"}).encode()
    bad = _signed(body, "not-the-secret-" + "x" * 20)
    assert call(f"{base}/hook", method="POST", data=body, headers=bad)[0] == 401
    good = _signed(body, SECRET)
    status, answer = call(f"{base}/hook", method="POST", data=body, headers=good)
    assert status == 201, answer
    _, after = call(f"{base}/posts")
    assert len(after["posts"]) == len(before["posts"]) + 1
    assert after["posts"][-1]["received_idempotency_key"] == good["Idempotency-Key"]
    assert after["rejected"][len(before["rejected"]) :] == ["bad signature"]


@pytest.mark.parametrize("unit", SERVICES)
def test_services_are_sandboxed(host, unit):
    assert_sandboxed(host, unit)
