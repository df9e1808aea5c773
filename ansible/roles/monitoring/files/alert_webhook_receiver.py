"""Local receiver of Alertmanager's webhook, for local and test environments only.

Installed by the role monitoring (monitoring_webhook_receiver_enabled) and run by its systemd
unit cdaprod-alert-webhook. ``POST /alerts`` with ``Authorization: Bearer TOKEN`` (the token
from the environment, ALERT_WEBHOOK_TOKEN) appends the JSON payload as one line to the output
file and answers 200; a missing or wrong token is answered 401 and nothing is kept.
Alertmanager 0.25 cannot sign its payloads, so the bearer token is what it can offer.
Python's standard library only (Debian's python3).
"""

from __future__ import annotations

import argparse
import hmac
import json
import os
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

MAX_BODY = 1024 * 1024


def make_handler(token: str, output: str) -> type[BaseHTTPRequestHandler]:
    expected = f"Bearer {token}".encode()
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        server_version = "cdaprod-alert-webhook"

        def _answer(self, status: int, message: str) -> None:
            body = json.dumps({"status": message}).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self) -> None:
            if self.path != "/alerts":
                self._answer(404, "not found")
                return
            given = self.headers.get("Authorization", "").encode()
            if not hmac.compare_digest(given, expected):
                self._answer(401, "missing or wrong bearer token")
                return
            length = int(self.headers.get("Content-Length") or 0)
            if length > MAX_BODY:
                self._answer(413, "payload too large")
                return
            try:
                payload = json.loads(self.rfile.read(length))
            except ValueError:
                self._answer(400, "payload is not JSON")
                return
            with lock, open(output, "a", encoding="utf-8") as out:
                out.write(json.dumps(payload, sort_keys=True) + "\n")
            self._answer(200, "stored")

        def log_message(self, format: str, *args: object) -> None:
            sys.stderr.write(f"{self.address_string()} {format % args}\n")

    return Handler


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", required=True, help="the private address to listen on")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--output", required=True, help="JSON-lines file the payloads go to")
    args = parser.parse_args()
    token = os.environ.get("ALERT_WEBHOOK_TOKEN", "")
    if len(token) < 16:
        sys.exit("ALERT_WEBHOOK_TOKEN must hold the bearer token (16+ characters)")
    server = ThreadingHTTPServer((args.host, args.port), make_handler(token, args.output))
    server.serve_forever()


if __name__ == "__main__":
    main()
