"""Questions through the archive's API (POST /api/v1/ask) and who the credentials are
(GET /api/v1/whoami, what the ingress asks before letting anyone through to the app)."""

from __future__ import annotations

import pytest
from web_testlib import EDITOR, VIEWER_KEY

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("gold_run")]
AS_VIEWER = {"X-API-Key": VIEWER_KEY}


def test_a_question_is_answered_with_its_sources(client) -> None:
    response = client.post(
        "/api/v1/ask",
        json={"question": "Who waves at the ferry?", "k": 3, "filters": {"source": "main"}},
        headers=AS_VIEWER,
    )
    assert response.status_code == 200, response.text
    body = response.json()
    first = body["sources"][0]
    assert first["location"] == "main:harbour/h264_aac.mp4"
    assert first["kind"] == "subtitles" and first["time_range"] == "00:00:00-00:00:01"
    assert f"asset {first['asset_id']} at 00:00:00-00:00:01" in body["answer"]
    assert body["answerer"] == "extractive" and len(body["passages"]) <= 3


@pytest.mark.parametrize(
    ("payload", "says"),
    [
        ({"question": ""}, "question"),
        ({"question": "ferry?", "filters": {"colour": "red"}}, "unknown filter 'colour'"),
        ({"question": "ferry?", "k": 0}, "k"),
        ({"question": "ferry?", "surprise": 1}, "surprise"),
    ],
)
def test_bad_questions_get_422_saying_what_to_change(client, payload, says) -> None:
    response = client.post("/api/v1/ask", json=payload, headers=AS_VIEWER)
    assert response.status_code == 422, response.text
    assert says in response.text


def test_asking_needs_credentials(client) -> None:
    assert client.post("/api/v1/ask", json={"question": "ferry?"}).status_code == 401


def test_whoami_names_the_key_or_the_session_and_refuses_neither(client) -> None:
    assert client.get("/api/v1/whoami").status_code == 401
    assert client.get("/api/v1/whoami", headers={"X-API-Key": "wrong"}).status_code == 401
    by_key = client.get("/api/v1/whoami", headers=AS_VIEWER)
    assert by_key.status_code == 200 and by_key.headers["X-Archive-User"] == "ci-viewer"
    assert by_key.headers["X-Archive-Role"] == "viewer"
    assert by_key.json() == {"name": "ci-viewer", "role": "viewer", "via": "api_key"}
    csrf = client.get("/login").text.split('name="csrf_token" value="', 1)[1].split('"')[0]
    logged_in = client.post(
        "/login",
        data={"username": EDITOR[0], "password": EDITOR[1], "csrf_token": csrf},
        follow_redirects=False,
    )
    assert logged_in.status_code in (302, 303), logged_in.text
    by_session = client.get("/api/v1/whoami")
    assert by_session.status_code == 200 and by_session.json()["via"] == "session"
    assert by_session.headers["X-Archive-Role"] == "editor"
