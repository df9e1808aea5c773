"""What the archive app behind the same ingress needs from the archive's login: the session
cookie for the parent domain, and a way back to the app after login to no site but the
ones configured (no open redirect)."""

from __future__ import annotations

import pytest
from web_testlib import EDITOR, Archive

from core.settings import SettingsError
from samples.video_archive.web.routes.login import safe_next
from samples.video_archive.web.settings import WebSettings

pytestmark = pytest.mark.slow
APP = "https://app.example.test"


def test_login_returns_only_to_configured_origins() -> None:
    assert safe_next(f"{APP}/?q=1", [APP]) == f"{APP}/?q=1"
    assert safe_next(APP, [APP]) == APP
    assert safe_next(f"{APP}.evil.test/", [APP]) == "/"
    assert safe_next("https://evil.test/", [APP]) == "/"
    assert safe_next("//evil.test/", [APP]) == "/"
    assert safe_next("/videos/3") == "/videos/3"


def test_the_session_cookie_goes_to_the_parent_domain_and_login_returns_to_the_app(
    archive: Archive,
) -> None:
    from fastapi.testclient import TestClient

    from samples.video_archive.web.app import create_app

    settings = archive.settings.model_copy(
        update={"session_cookie_domain": "example.test", "login_return_origins": [APP]}
    )
    with TestClient(create_app(settings), base_url="http://archive.example.test") as client:
        form = client.get("/login", params={"next": f"{APP}/"}).text
        assert f'value="{APP}/"' in form
        csrf = form.split('name="csrf_token" value="', 1)[1].split('"')[0]
        answer = client.post(
            "/login",
            data={
                "username": EDITOR[0], "password": EDITOR[1], "csrf_token": csrf,
                "next": f"{APP}/",
            },
            follow_redirects=False,
        )  # fmt: skip
    assert answer.status_code == 303 and answer.headers["location"] == f"{APP}/"
    assert "domain=example.test" in answer.headers["set-cookie"].lower()


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"session_cookie_domain": "https://cdaprod.dev"}, "bare domain name"),
        ({"login_return_origins": ["app.cdaprod.dev"]}, "is not an origin"),
    ],
)
def test_bad_cookie_domains_and_origins_are_refused(archive: Archive, values, message) -> None:
    data = {**archive.settings.model_dump(), **values}
    with pytest.raises((SettingsError, ValueError), match=message):
        WebSettings.model_validate(data)
