"""moto's server, taking one request at a time.

moto's backends are not thread-safe (its documentation: no support for multithreaded
access), while `moto_server` serves each request in a thread of its own. Terraform's
parallel creates then race inside moto: an emulated apply failed with
"EntityAlreadyExists: Instance Profile ... already exists" (409) on a fresh server, the
mark of a create that had stored its entity and still answered an error, which the AWS SDK
retried. This serves moto's own application with a lock around each request. Long-polling
receives only wait, and would stall every other call while they do, so they go unlocked.

Standalone (moto and werkzeug only): the moto host image runs this file, and so does
platformctl's loopback server (platformctl/terraform_moto.py).

    python moto_one_at_a_time.py [-H HOST] [-p PORT]
"""

from __future__ import annotations

import argparse
import io
import threading
from collections.abc import Callable, Iterable
from typing import Any

Environ = dict[str, Any]
StartResponse = Callable[..., Any]
WsgiApp = Callable[[Environ, StartResponse], Iterable[bytes]]


def is_long_poll(environ: Environ, body: bytes) -> bool:
    """An SQS ReceiveMessage, in the JSON protocol or the query protocol."""
    target = environ.get("HTTP_X_AMZ_TARGET", "")
    return target.endswith(".ReceiveMessage") or b"Action=ReceiveMessage" in body


class OneAtATime:
    """WSGI middleware: every request but a long poll runs alone, its answer read in full."""

    def __init__(self, app: WsgiApp) -> None:
        self.app = app
        self.lock = threading.Lock()

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = b""
        if length:
            body = environ["wsgi.input"].read(length)
            environ["wsgi.input"] = io.BytesIO(body)
        if is_long_poll(environ, body):
            return self.app(environ, start_response)
        with self.lock:
            answer = self.app(environ, start_response)
            try:
                return [b"".join(answer)]
            finally:
                close = getattr(answer, "close", None)
                if close is not None:
                    close()


def main(argv: list[str] | None = None) -> None:
    import os

    from moto.moto_server.werkzeug_app import (
        DomainDispatcherApplication,
        MotoRequestHandler,
        create_backend_app,
    )
    from werkzeug.serving import run_simple

    parser = argparse.ArgumentParser(description="moto's server, one request at a time")
    parser.add_argument("-H", "--host", default="127.0.0.1")
    parser.add_argument("-p", "--port", type=int, default=5000)
    args = parser.parse_args(argv)
    os.environ.setdefault("MOTO_PORT", str(args.port))  # as moto_server does
    app = DomainDispatcherApplication(create_backend_app)
    run_simple(
        args.host,
        args.port,
        OneAtATime(app),
        threaded=True,  # long polls still run beside the locked requests
        request_handler=MotoRequestHandler,
    )


if __name__ == "__main__":
    main()
