"""The platform_ca role seen from outside: a TLS server with one host's certificate is
trusted by the other host by name, through the system trust store, and by nothing else."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import testinfra

A = "molecule-platform-ca-a"
B = "molecule-platform-ca-b"
testinfra_hosts = [f"podman://{A}", f"podman://{B}"]
CA_DIR = Path(os.environ.get("MOLECULE_EPHEMERAL_DIRECTORY", "/nonexistent")) / "platform-ca"
TLS = "/etc/cdaprod/tls"
PORT = 8443

# Connects to A by the given name; prints the TLS version, or why verification failed.
CLIENT = """
import socket, ssl, sys
name, address, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
context = ssl.create_default_context()
try:
    with socket.create_connection((address, port), timeout=10) as raw:
        with context.wrap_socket(raw, server_hostname=name) as tls:
            print("ok", tls.version())
except ssl.SSLCertVerificationError as exc:
    print("refused", exc.verify_message)
"""


@pytest.fixture(scope="module")
def server():
    """openssl s_server on A with A's own key and certificate, for the module's tests."""
    a = testinfra.get_host(f"podman://{A}")
    a.run(
        f"systemd-run --unit=tls-probe openssl s_server -quiet -accept {PORT}"
        f" -cert {TLS}/host.crt -key {TLS}/host.key -www"
    )
    a.run(f"timeout 10 sh -c 'until ss -ltn | grep -q :{PORT}; do sleep 0.2; done'")
    yield a
    a.run("systemctl stop tls-probe")


def connect(name: str, address: str) -> str:
    b = testinfra.get_host(f"podman://{B}")
    return b.check_output("python3 -c %s %s %s %s", CLIENT, name, address, str(PORT))


def test_the_ca_is_in_the_trust_store(host):
    assert host.file("/etc/ssl/certs/cdaprod-platform-ca.pem").exists
    bundle = host.file("/etc/ssl/certs/ca-certificates.crt").content_string
    ca = (CA_DIR / "ca.crt").read_text().strip()
    assert ca in bundle


def test_the_host_key_is_root_only_and_the_ca_key_is_on_no_host(host):
    key = host.file(f"{TLS}/host.key")
    assert key.user == "root" and key.mode == 0o600
    ca_key_line = (CA_DIR / "ca.key").read_text().splitlines()[1]
    assert host.run("grep -rlF %s /etc /root /usr/local /opt /srv", ca_key_line).stdout == ""


def test_the_certificate_holds_the_hosts_names_and_chains_to_the_ca(host):
    name = host.check_output("hostname")
    address = host.check_output("hostname -I").split()[0]
    text = host.check_output(f"openssl x509 -in {TLS}/host.crt -noout -text")
    assert f"DNS:{name}" in text and f"IP Address:{address}" in text
    assert "CA:FALSE" in text and "TLS Web Server Authentication" in text
    ca = "/etc/ssl/certs/cdaprod-platform-ca.pem"
    out = host.check_output(f"openssl verify -CAfile {ca} {TLS}/host.crt")
    assert out.endswith(": OK")


def test_another_host_trusts_the_certificate_by_name_and_address(server):
    address = server.check_output("hostname -I").split()[0]
    assert connect(A, address).startswith("ok TLSv1.3")
    assert connect(address, address).startswith("ok")


def test_a_name_the_certificate_does_not_hold_is_refused(server):
    address = server.check_output("hostname -I").split()[0]
    assert connect("db.example.com", address).startswith("refused")
