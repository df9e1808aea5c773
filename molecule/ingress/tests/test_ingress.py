"""The ingress seen from the controller, like a browser: TLS chain verified against the
role's CA, old protocols and CBC suites refused, HTTP redirected, unknown names refused,
security headers, gzip for JSON and styles but never for pages, body limit, login rate
limit, proxying; nginx's exporter on the private address behind basic auth."""

import gzip
import http.client
import os
import socket
import ssl
from pathlib import Path

import pytest
from container_checks import scrape

INSTANCE = os.environ.get("INGRESS_INSTANCE", "molecule-ingress")
testinfra_hosts = [f"podman://{INSTANCE}"]
HTTPS_PORT = int(os.environ.get("INGRESS_TEST_HTTPS_PORT", "18443"))
HTTP_PORT = int(os.environ.get("INGRESS_TEST_HTTP_PORT", "18080"))
DOMAIN = "cdaprod.local"
CA_FILE = Path(os.environ["MOLECULE_EPHEMERAL_DIRECTORY"]) / "ingress-ca.crt"
METRICS = ("prometheus", "molecule-ingress-metrics-password-0123")


def _tls(server_name: str, cafile: Path | None = CA_FILE) -> ssl.SSLSocket:
    context = ssl.create_default_context(cafile=str(cafile) if cafile else None)
    raw = socket.create_connection(("127.0.0.1", HTTPS_PORT), timeout=10)
    return context.wrap_socket(raw, server_hostname=server_name)


def _https(name: str, path: str = "/", *, host: str | None = None, method: str = "GET",
           body: bytes | None = None, headers: dict | None = None):  # fmt: skip
    """One request over a TLS connection verified for `name` (SNI); Host may differ."""
    conn = http.client.HTTPConnection("127.0.0.1", HTTPS_PORT, timeout=10)
    conn.sock = _tls(name)
    conn.request(method, path, body=body, headers={"Host": host or name, **(headers or {})})
    response = conn.getresponse()
    data = response.read()
    conn.close()
    return response, data


def test_nginx_runs_and_the_key_is_private(host):
    assert host.service("nginx").is_running
    assert host.service("nginx").is_enabled
    key = host.file("/etc/nginx/tls/server.key")
    assert key.mode == 0o600
    assert key.user == "root"
    assert host.run("nginx -t").rc == 0


@pytest.mark.parametrize("name", ["archive", "airflow", "api"])
def test_https_chain_verifies_against_the_ca_for_every_virtual_host(name):
    with _tls(f"{name}.{DOMAIN}") as tls:
        cert = tls.getpeercert()
        sans = {value for kind, value in cert["subjectAltName"] if kind == "DNS"}
        assert f"{name}.{DOMAIN}" in sans
        assert tls.version() in {"TLSv1.2", "TLSv1.3"}


def test_the_chain_does_not_verify_without_the_ca():
    with pytest.raises(ssl.SSLCertVerificationError):
        _tls(f"archive.{DOMAIN}", cafile=None).close()


def test_requests_reach_the_right_upstream_with_hsts():
    response, body = _https(f"archive.{DOMAIN}")
    assert response.status == 200
    assert b"archive backend" in body
    hsts = response.getheader("Strict-Transport-Security")
    assert hsts == "max-age=31536000; includeSubDomains"
    response, body = _https(f"airflow.{DOMAIN}")
    assert b"airflow backend" in body
    response, body = _https(f"api.{DOMAIN}")
    assert b"archive backend" in body


def test_json_and_styles_are_gzipped_but_pages_never_are():
    for path in ("/api/v1/items.json", "/static/app.css"):
        response, body = _https(f"archive.{DOMAIN}", path, headers={"Accept-Encoding": "gzip"})
        assert response.status == 200, path
        assert response.getheader("Content-Encoding") == "gzip", path
        assert len(gzip.decompress(body)) > 1024, path
    # A page may carry a CSRF token beside reflected input: compressed, its size would leak
    # the token (BREACH).
    response, body = _https(f"archive.{DOMAIN}", headers={"Accept-Encoding": "gzip"})
    assert response.getheader("Content-Encoding") is None
    assert b"archive backend" in body


@pytest.mark.parametrize("name", ["archive", "airflow", "api"])
def test_every_virtual_host_sends_the_security_headers(name):
    response, _ = _https(f"{name}.{DOMAIN}")
    assert response.getheader("X-Frame-Options") == "DENY"
    assert response.getheader("X-Content-Type-Options") == "nosniff"
    assert response.getheader("Referrer-Policy") == "same-origin"
    assert "frame-ancestors 'none'" in response.getheader("Content-Security-Policy", "")


def _handshake(*, version: ssl.TLSVersion, ciphers: str) -> str:
    """The negotiated protocol, or the reason the handshake failed."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    context.set_ciphers(f"{ciphers}:@SECLEVEL=0")  # let the client offer what it is asked to
    context.minimum_version = context.maximum_version = version
    raw = socket.create_connection(("127.0.0.1", HTTPS_PORT), timeout=10)
    try:
        with context.wrap_socket(raw, server_hostname=f"archive.{DOMAIN}") as tls:
            return f"{tls.version()} {tls.cipher()[0]}"
    except ssl.SSLError as exc:
        return exc.reason or str(exc)


def test_old_protocols_and_cbc_suites_are_refused_by_the_server():
    # The failures must be the server's alerts, not the client declining to try.
    assert _handshake(version=ssl.TLSVersion.TLSv1_1, ciphers="ALL") == (
        "TLSV1_ALERT_PROTOCOL_VERSION"
    )
    cbc = "ECDHE-ECDSA-AES128-SHA:ECDHE-RSA-AES128-SHA:ECDHE-RSA-AES256-SHA384:AES128-SHA"
    assert _handshake(version=ssl.TLSVersion.TLSv1_2, ciphers=cbc) == (
        "SSLV3_ALERT_HANDSHAKE_FAILURE"
    )
    aead = "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256"
    assert _handshake(version=ssl.TLSVersion.TLSv1_2, ciphers=aead).startswith("TLSv1.2 ")


def test_the_21st_login_within_a_minute_gets_429():
    def login():
        response, _ = _https(f"archive.{DOMAIN}", "/login", method="POST", body=b"u=a&p=b")
        return response.status

    # The stand-in backend answers POST with 501: those reached it, 429 did not.
    statuses = [login() for _ in range(21)]
    assert statuses[:20] == [501] * 20, statuses
    assert statuses[20] == 429
    # Reading the login page is not limited.
    response, _ = _https(f"archive.{DOMAIN}", "/login")
    assert response.status == 404


def test_http_redirects_to_https():
    conn = http.client.HTTPConnection("127.0.0.1", HTTP_PORT, timeout=10)
    conn.request("GET", "/videos/7?x=1", headers={"Host": f"archive.{DOMAIN}"})
    response = conn.getresponse()
    assert response.status == 301
    assert response.getheader("Location") == f"https://archive.{DOMAIN}/videos/7?x=1"


def test_unknown_names_are_refused():
    # Unknown name in SNI: no certificate, the handshake is refused.
    with pytest.raises(ssl.SSLError):
        _tls("intruder.example.com").close()
    # A known SNI with a Host header for another site: 421 Misdirected Request.
    response, _ = _https(f"archive.{DOMAIN}", host="intruder.example.com")
    assert response.status == 421
    # Plain HTTP with an unknown Host: the connection is closed without an answer.
    conn = http.client.HTTPConnection("127.0.0.1", HTTP_PORT, timeout=10)
    conn.request("GET", "/", headers={"Host": "intruder.example.com"})
    with pytest.raises((http.client.RemoteDisconnected, ConnectionResetError)):
        conn.getresponse()


def test_request_bodies_over_the_limit_are_refused():
    response, _ = _https(
        f"archive.{DOMAIN}", "/upload", method="POST", body=b"x" * (2 * 1024 * 1024)
    )
    assert response.status == 413


def test_nginx_metrics_need_the_password(address):
    url = f"http://{address}:9113/metrics"
    assert scrape(url, None)[0] == 401
    assert scrape(url, (METRICS[0], "wrong-password-0123456789"))[0] == 401
    assert scrape(url, ("someone", METRICS[1]))[0] == 401
    status, text = scrape(url, METRICS)
    assert status == 200
    assert "nginx_up 1" in text.splitlines()
    assert any(line.startswith("nginx_connections_accepted ") for line in text.splitlines())


def test_the_exporter_and_the_status_page_listen_on_loopback_only(host, address):
    assert host.service("prometheus-nginx-exporter").is_running
    assert host.service("prometheus-nginx-exporter").is_enabled
    assert host.socket(f"tcp://{address}:9113").is_listening
    for port in (9112, 9114):
        assert host.socket(f"tcp://127.0.0.1:{port}").is_listening, port
        assert not host.socket(f"tcp://{address}:{port}").is_listening, port
        assert not host.socket(f"tcp://0.0.0.0:{port}").is_listening, port
    htpasswd = host.file("/etc/nginx/metrics.htpasswd")
    assert (htpasswd.user, htpasswd.group, htpasswd.mode) == ("root", "www-data", 0o640)
    assert htpasswd.content_string.startswith("prometheus:$2b$")


def test_a_host_with_auth_lets_through_only_whom_the_check_knows():
    """app.: nginx asks the check (auth_request, with the client's cookies) first; a refusal
    sends the browser to the login page with the way back; a known person reaches the app
    with the name and role the check gave, whatever the client claimed."""
    name = f"app.{DOMAIN}"
    refused, _ = _https(name, "/anything")
    assert refused.status == 302
    assert refused.getheader("Location") == (f"https://archive.{DOMAIN}/login?next=https://{name}/")
    wrong, _ = _https(name, headers={"Cookie": "va_session=forged"})
    assert wrong.status == 302
    known, body = _https(
        name,
        headers={
            "Cookie": "va_session=valid",
            "X-Archive-User": "mallory",
            "X-Archive-Role": "editor",
        },
    )
    assert known.status == 200 and body == b"user=alice role=viewer"
    forged, _ = _https(name, headers={"X-Archive-User": "alice"})
    assert forged.status == 302  # a claimed name alone gets nobody in
    # The login page is the archive's beside this host, port kept as the browser sent it.
    ported, _ = _https(name, host=f"{name}:8443")
    assert ported.getheader("Location") == (
        f"https://archive.{DOMAIN}:8443/login?next=https://{name}:8443/"
    )
    # A route of this host is the archive's, checked the same way.
    routed, body = _https(name, "/api/v1/items.json", headers={"Cookie": "va_session=valid"})
    assert routed.status == 200 and body.startswith(b'{"items"')
    assert _https(name, "/api/v1/items.json")[0].status == 302
