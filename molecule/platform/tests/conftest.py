"""Fixtures of the platform's tests: the secrets file, the Airflow API and a token for it."""

from __future__ import annotations

import pytest
import yaml
from platform_api import SECRETS, call, container_ip


@pytest.fixture(scope="module")
def secrets():
    return yaml.safe_load(SECRETS.read_text())


@pytest.fixture(scope="module")
def api():
    return f"http://{container_ip('airflow-master-1')}:8080"


@pytest.fixture(scope="module")
def token(api, secrets):
    status, body = call(
        "POST",
        f"{api}/auth/token",
        {"username": "admin", "password": secrets["airflow_admin_password"]},
    )
    assert status == 201, body
    return body["access_token"]
