"""moto's server as the emulated environment runs it: one request at a time, because moto's
backends are not thread-safe, except long-polling receives, which would stall the rest."""

from __future__ import annotations

import io
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import boto3
import pytest

from platformctl.moto_one_at_a_time import OneAtATime
from platformctl.terraform_moto import MotoServer


class Overlaps:
    """A WSGI app that records how many of its requests ran at once."""

    def __init__(self) -> None:
        self.active = self.most = 0
        self.lock = threading.Lock()
        self.bodies: list[bytes] = []

    def __call__(self, environ: dict[str, Any], start_response: Any) -> list[bytes]:
        with self.lock:
            self.active += 1
            self.most = max(self.most, self.active)
        time.sleep(0.05)
        self.bodies.append(environ["wsgi.input"].read())
        with self.lock:
            self.active -= 1
        start_response("200 OK", [])
        return [b"ok"]


def _call(app: OneAtATime, body: bytes, target: str = "") -> bytes:
    environ = {"CONTENT_LENGTH": str(len(body)), "wsgi.input": io.BytesIO(body)}
    if target:
        environ["HTTP_X_AMZ_TARGET"] = target
    return b"".join(app(environ, lambda *_: None))


def test_requests_run_alone_and_keep_their_bodies() -> None:
    inner = Overlaps()
    app = OneAtATime(inner)
    bodies = [f"Action=CreateRole&RoleName=r{n}".encode() for n in range(8)]
    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(lambda body: _call(app, body), bodies))
    assert answers == [b"ok"] * 8
    assert inner.most == 1
    assert sorted(inner.bodies) == sorted(bodies)  # the body moto reads is the one sent


def test_long_polls_do_not_wait_for_the_lock() -> None:
    inner = Overlaps()
    app = OneAtATime(inner)
    calls = [(b"Action=ReceiveMessage&WaitTimeSeconds=20", ""), (b"{}", "AmazonSQS.ReceiveMessage")]
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(lambda call: _call(app, *call), calls * 2))
    assert inner.most > 1


@pytest.mark.slow
def test_parallel_creates_against_the_server_all_succeed_once() -> None:
    """What Terraform's parallel apply does to IAM: every create answered once, none lost."""
    with MotoServer() as url:
        iam = boto3.client(
            "iam", endpoint_url=url, region_name="us-east-1",
            aws_access_key_id="testing", aws_secret_access_key="testing",
        )  # fmt: skip
        names = [f"profile-{n:02d}" for n in range(40)]
        with ThreadPoolExecutor(20) as pool:
            list(
                pool.map(lambda name: iam.create_instance_profile(InstanceProfileName=name), names)
            )
        listed = iam.list_instance_profiles()["InstanceProfiles"]
    assert sorted(p["InstanceProfileName"] for p in listed) == names
