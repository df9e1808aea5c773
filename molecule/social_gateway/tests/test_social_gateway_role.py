"""The social gateway seen from outside: HTTP from the controller to the container's private
address (``address`` and ``call`` come from molecule/shared/container_checks.py), and the
reference webhook receiver (services/saas_standins/webhook_receiver.py) run on the gateway's
container as a transient systemd unit, so a post really travels gateway → signed webhook →
receiver, and a repeated request must not make a second post."""

import json
import time
import uuid
from pathlib import Path

import pytest
import yaml
from container_checks import call
from unit_sandbox import assert_sandboxed

INSTANCE = "molecule-social-gateway"
testinfra_hosts = [f"podman://{INSTANCE}"]
PORT = 8710
VENV = "/opt/cdaprod/venv"
TEST_VARS = yaml.safe_load((Path(__file__).parents[1] / "vars" / "test.yml").read_text())
API_KEY = TEST_VARS["test_social_api_key"]
RECEIVER_PORT = TEST_VARS["test_social_receiver_port"]


@pytest.fixture(scope="module")
def receiver(host):
    """The reference receiver on the gateway's loopback, for this module only."""
    unit = "molecule-social-receiver"
    host.run(f"systemctl stop {unit}")
    started = host.run(
        f"systemd-run --unit={unit} --uid=cdaprod --gid=cdaprod -p NoNewPrivileges=yes "
        f"--setenv=SOCIAL_WEBHOOK_SECRET={TEST_VARS['test_social_webhook_secret']} "
        f"{VENV}/bin/python -m services.saas_standins.webhook_receiver "
        f"--host 127.0.0.1 --port {RECEIVER_PORT}"
    )
    assert started.rc == 0, started.stderr
    listing = f"http://127.0.0.1:{RECEIVER_PORT}/posts"
    read = (
        f'{VENV}/bin/python -c "import sys, urllib.request; sys.stdout.write('
        f"urllib.request.urlopen('{listing}', timeout=5).read().decode())\""
    )
    for _ in range(50):
        if host.run(read).rc == 0:
            break
        host.run("sleep 0.2")
    yield lambda: json.loads(host.check_output(read))
    host.run(f"systemctl stop {unit}")


def test_service_runs_unprivileged_and_enabled(host):
    service = host.service("social-gateway")
    assert service.is_running and service.is_enabled
    user = host.check_output("systemctl show -p User --value social-gateway")
    assert user == "cdaprod"
    pid = host.check_output("systemctl show -p MainPID --value social-gateway")
    assert host.check_output(f"stat -c %U /proc/{pid}") == "cdaprod"


def test_secrets_file_is_root_only_and_holds_no_plain_api_key(host):
    env = host.file("/etc/cdaprod/social-gateway.env")
    assert env.mode == 0o600 and env.user == "root" and env.group == "root"
    content = env.content_string
    assert "SOCIAL_GATEWAY_DSN=" in content and "SOCIAL_GATEWAY_SECRET_HOOK=" in content
    assert API_KEY not in content  # only its SHA-256
    settings = host.file("/etc/cdaprod/social-gateway.toml")
    assert settings.mode == 0o640 and settings.group == "cdaprod"
    assert TEST_VARS["test_social_webhook_secret"] not in settings.content_string


def test_the_discord_token_is_in_the_root_only_file_and_not_in_the_settings(host):
    token = TEST_VARS["test_social_discord_token"]
    env = host.file("/etc/cdaprod/social-gateway.env").content_string
    assert f'SOCIAL_GATEWAY_SECRET_TEAM_DISCORD="{token}"' in env
    settings = host.file("/etc/cdaprod/social-gateway.toml").content_string
    assert 'url = "https://discord.com/api/webhooks/4242"' in settings
    assert token not in settings


def test_listens_on_the_private_address_only(host, address):
    assert host.socket(f"tcp://{address}:{PORT}").is_listening
    for wildcard in (f"tcp://0.0.0.0:{PORT}", f"tcp://:::{PORT}"):
        assert not host.socket(wildcard).is_listening


def test_health_answers_on_the_private_address(address):
    assert call(f"http://{address}:{PORT}/health") == (200, {"status": "ok"})
    status, body = call(f"http://{address}:{PORT}/health", headers={"X-API-Key": API_KEY})
    assert status == 200
    assert body == {"status": "ok", "database": "ok", "platforms": ["hook", "team-discord"]}


def test_post_without_api_key_is_401(address):
    status, _ = call(f"http://{address}:{PORT}/api/v1/posts", method="POST",
                         body={"platform": "hook", "text": "no key"},
                         headers={"Idempotency-Key": "molecule-no-key-1"})  # fmt: skip
    assert status == 401
    status, _ = call(f"http://{address}:{PORT}/api/v1/posts", method="POST",
                         body={"platform": "hook", "text": "wrong key"},
                         headers={"X-API-Key": "not-the-key-" + "x" * 20,
                                  "Idempotency-Key": "molecule-no-key-2"})  # fmt: skip
    assert status == 401


def _final(url, timeout_s=60.0):
    """Poll a post's status resource until it is published, failed or unknown."""
    deadline = time.monotonic() + timeout_s
    while True:
        status, post = call(url, headers={"X-API-Key": API_KEY})
        assert status == 200, post
        if post["status"] in ("published", "failed", "unknown") or time.monotonic() > deadline:
            return post
        time.sleep(0.5)


def test_same_request_twice_delivers_exactly_one_post(address, receiver):
    before = receiver()
    key = f"molecule-{uuid.uuid4()}"
    headers = {"X-API-Key": API_KEY, "Idempotency-Key": key}
    body = {"platform": "hook", "text": f"Hello from molecule ({key})"}
    base = f"http://{address}:{PORT}"
    url = f"{base}/api/v1/posts"
    # Queued (202) and delivered by the gateway's worker; the post is its status resource.
    first_status, first = call(url, method="POST", body=body, headers=headers)
    assert (first_status, first["status"]) == (202, "queued"), first
    published = _final(f"{url}/{first['id']}")
    assert published["status"] == "published", published
    second_status, second = call(url, method="POST", body=body, headers=headers)
    assert second_status == 200 and second["id"] == first["id"]
    assert second["external_id"] == published["external_id"]
    after = receiver()
    new = [p for p in after["posts"] if p["received_idempotency_key"] == key]
    assert len(new) == 1 and new[0]["text"] == body["text"]
    assert after["deliveries"] - before["deliveries"] == 1
    assert after["rejected"] == []  # the HMAC signature verified


def test_migrations_are_applied_and_not_repeated(host):
    result = host.run("/usr/local/sbin/social-gateway migrate")
    assert result.rc == 0, result.stderr
    assert result.stdout.strip() == "schema up to date"


def test_admin_command_is_root_only(host):
    cli = host.file("/usr/local/sbin/social-gateway")
    assert cli.mode == 0o750 and cli.user == "root"


def test_service_is_sandboxed(host):
    assert_sandboxed(host, "social-gateway")
