"""The journal's way to the monitoring host, seen from outside: a line written to the host's
journal arrives among the received journals with its host name; the receiver listens on the
private address only, behind TLS with the host's certificate of the platform CA, and refuses
an upload without a client certificate or with one of another CA; the keys are private; the
uploader outlasts a receiver that is away."""

from __future__ import annotations

import uuid

import pytest
from container_checks import wait_for
from unit_sandbox import assert_sandboxed

INSTANCE = "molecule-journal-upload"
testinfra_hosts = [f"podman://{INSTANCE}"]
RECEIVED = "/var/log/journal/remote"
CLIENT = "/etc/ssl/journal-upload"
PLATFORM_CA = "/etc/ssl/certs/cdaprod-platform-ca.pem"
# An entry in the journal export format, as systemd-journal-upload sends it (printf's format).
ENTRY = "MESSAGE=upload-check\\n\\n"


@pytest.mark.parametrize(
    "unit", ["systemd-journal-upload.service", "systemd-journal-remote.socket", "nginx.service"]
)
def test_units_run_enabled(host, unit):
    service = host.service(unit)
    assert service.is_running and service.is_enabled


def _line_arrives(host, timeout: float) -> str:
    """Writes a marked line to the journal; the entry the receiver got for it."""
    mark = f"journal-check-{uuid.uuid4().hex[:12]}"
    host.check_output(f"logger -t journal-check {mark}")

    def received():
        out = host.run(f"journalctl -D {RECEIVED} -t journal-check -o json --no-pager")
        return [line for line in out.stdout.splitlines() if mark in line]

    (entry,) = wait_for(received, timeout, "the line among the received journals")
    return entry


def test_a_journal_line_arrives_with_its_host_name(host):
    entry = _line_arrives(host, 60)
    assert f'"_HOSTNAME":"{host.check_output("hostname")}"' in entry


def test_the_receiver_listens_behind_tls_on_the_private_address(host, address):
    assert host.socket(f"tcp://{address}:19532").is_listening
    assert not host.socket("tcp://0.0.0.0:19532").is_listening
    # systemd-journal-remote itself, plain HTTP, on loopback only.
    assert host.socket("tcp://127.0.0.1:19531").is_listening
    assert not host.socket(f"tcp://{address}:19531").is_listening


def _upload(host, address: str, cert_args: str) -> str:
    return host.check_output(
        f"printf '{ENTRY}' | curl -s -o /dev/null -w '%{{http_code}}' --cacert {PLATFORM_CA}"
        f" {cert_args} -H 'Content-Type: application/vnd.fdo.journal' --data-binary @-"
        f" https://{address}:19532/upload"
    )


def test_only_a_certificate_of_the_platform_ca_may_upload(host, address):
    assert _upload(host, address, "") == "400"
    host.check_output(
        "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1"
        " -subj /CN=intruder -keyout /tmp/intruder.key -out /tmp/intruder.crt 2>/dev/null"
    )
    assert _upload(host, address, "--cert /tmp/intruder.crt --key /tmp/intruder.key") == "400"
    assert _upload(host, address, f"--cert {CLIENT}/client.crt --key {CLIENT}/client.key") == "202"


def test_the_uploader_presents_the_hosts_certificate(host):
    presented = host.check_output(f"openssl x509 -noout -fingerprint -in {CLIENT}/client.crt")
    own = host.check_output("openssl x509 -noout -fingerprint -in /etc/cdaprod/tls/host.crt")
    assert presented == own
    host.check_output(f"openssl verify -CAfile {PLATFORM_CA} {CLIENT}/client.crt")


def test_keys_are_private(host):
    key = host.file(f"{CLIENT}/client.key")
    assert (key.user, key.group, key.mode) == ("root", "systemd-journal-upload", 0o640)
    assert host.file(CLIENT).mode == 0o750
    served = host.file("/etc/nginx/journal-tls/host.key")
    assert (served.user, served.mode) == ("root", 0o600)
    assert host.file("/etc/nginx/journal-tls").mode == 0o700


def test_the_uploader_runs_as_its_static_user_in_a_sandbox(host):
    props = dict(
        line.split("=", 1)
        for line in host.check_output(
            "systemctl show -p DynamicUser -p User systemd-journal-upload"
        ).splitlines()
    )
    assert props == {"DynamicUser": "no", "User": "systemd-journal-upload"}
    assert_sandboxed(host, "systemd-journal-upload.service")


def _uploader(host) -> dict[str, str]:
    shown = host.check_output(
        "systemctl show -p ActiveState -p NRestarts systemd-journal-upload.service"
    )
    return dict(line.split("=", 1) for line in shown.splitlines())


def test_the_uploader_keeps_trying_while_the_receiver_is_away(host):
    """With the receiver down the uploader exits; systemd starts it again every 15 s and never
    gives up (Debian's unit alone stops after five tries in a second), so the journal flows
    again once the receiver is back."""
    host.check_output("systemctl stop nginx")
    try:
        host.run("systemctl restart systemd-journal-upload")
        before = int(_uploader(host)["NRestarts"])
        wait_for(lambda: int(_uploader(host)["NRestarts"]) >= before + 2, 90, "two tries more")
        assert _uploader(host)["ActiveState"] != "failed"
    finally:
        host.check_output("systemctl start nginx")
    _line_arrives(host, 60)
    assert _uploader(host)["ActiveState"] == "active"
