"""What the publisher does with the gateway's outcomes, on the real gateway (queued, then
delivered by its worker) and the real HMAC receiver: a row a person corrected after a refusal
is posted anew (its key carries the row's revision), an unchanged row never twice, and a
post whose outcome is unknown is reported as such and never sent again."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from social_testlib import GATEWAY_KEY, ServedApp

from integrations.airtable.client import ContentCalendar
from integrations.social_gateway.client import GatewayClient
from samples.social_media_automation.config import SocialSettings
from samples.social_media_automation.pipeline import draft, idempotency_key, publish_due
from samples.social_media_automation.store import PublicationStore
from services.social_gateway.adapters import Delivery, Post
from services.social_gateway.config import GatewaySettings
from services.social_gateway.delivery import OutcomeUnknown

pytestmark = pytest.mark.slow
LATER = datetime.now(UTC) + timedelta(days=2)


def _one_row(settings: SocialSettings, calendar: ContentCalendar) -> str:
    """One drafted and approved row for `shorts`; its draft key."""
    (key,) = draft(settings, calendar, ["shorts"], mode="tag", value="ferry").drafted
    calendar.approve([calendar.by_key()[key].record_id])
    return key


def test_a_corrected_row_is_posted_and_an_unchanged_row_never_twice(
    social_settings: SocialSettings, calendar: ContentCalendar, receiver: Any
) -> None:
    key = _one_row(social_settings, calendar)
    row = calendar.by_key()[key]
    receiver.received.refuse_word = "casino"
    calendar.table.update(row.record_id, {"Caption": "Night at the casino"})
    gateway = GatewayClient(social_settings.gateway_url, GATEWAY_KEY)
    refused = publish_due(social_settings, calendar, gateway, now=LATER)
    assert list(refused.failed) == [key] and "HTTP 400" in refused.failed[key]
    refused_key = idempotency_key(calendar.by_key()[key])

    # A person corrects the caption and approves the row again: a new revision, a new post.
    calendar.table.update(row.record_id, {"Caption": "Night at the harbour"})
    calendar.approve([row.record_id])
    corrected = publish_due(social_settings, calendar, gateway, now=LATER)
    assert list(corrected.published) == [key], corrected
    published_key = idempotency_key(calendar.by_key()[key])
    assert published_key != refused_key
    assert published_key.startswith(f"calendar-{row.record_id}-r")

    # Approved again without a change (by mistake, or a re-run): the same key, no new post.
    calendar.approve([row.record_id])
    unchanged = publish_due(social_settings, calendar, gateway, now=LATER)
    assert list(unchanged.published) == [key]
    assert [p["text"] for p in receiver.received.posts] == ["Night at the harbour"]
    assert receiver.received.deliveries == 2  # the refused one and the corrected one
    stored = PublicationStore(social_settings.catalog_dsn).get(key)
    assert stored and stored["idempotency_key"] == published_key


class Unanswered:
    """A platform that takes the post and never answers (what a read timeout looks like to
    the gateway's worker): the post may exist."""

    name = "shorts"

    def __init__(self) -> None:
        self.sent: list[str] = []

    def publish(self, post: Post) -> Delivery:
        self.sent.append(post.idempotency_key)
        raise OutcomeUnknown("shorts did not answer after the request was sent (ReadTimeout)")


@pytest.fixture
def unanswered_gateway(
    new_database: Callable[[str], str], derivatives: Path
) -> Iterator[tuple[ServedApp, Unanswered]]:
    """A gateway of its own (its own database, so the suite's gateway never takes its posts)
    whose `shorts` platform never answers."""
    from services.social_gateway.app import create_app

    platform = Unanswered()
    settings = GatewaySettings.load(
        {},
        dsn=new_database("social_unknown"),
        api_keys={"ci": hashlib.sha256(GATEWAY_KEY.encode()).hexdigest()},
        media_root=derivatives,
        worker_poll_s=0.05,
    )
    served = ServedApp(create_app(settings, adapters={"shorts": platform}))
    yield served, platform
    served.stop()


def test_an_unknown_outcome_is_reported_and_never_sent_again(
    social_settings: SocialSettings,
    calendar: ContentCalendar,
    unanswered_gateway: tuple[ServedApp, Unanswered],
) -> None:
    served, platform = unanswered_gateway
    key = _one_row(social_settings, calendar)
    gateway = GatewayClient(served.url, GATEWAY_KEY)
    runs = [publish_due(social_settings, calendar, gateway, now=LATER) for _ in range(2)]
    for report in runs:
        assert list(report.unknown) == [key], report
        assert report.published == report.failed == report.deferred == {}
    row = calendar.by_key()[key]
    assert row.status == "Approved" and row.result.startswith("unknown, check shorts: ")
    assert len(platform.sent) == 1  # two runs, one send

    # A person finds the post on the platform and confirms it; the next run writes it back.
    post_id = PublicationStore(social_settings.catalog_dsn).get(key)["gateway_post_id"]
    confirmed = httpx.post(
        f"{served.url}/api/v1/posts/{post_id}/confirm",
        json={"external_id": "77", "url": "https://shorts.example/77"},
        headers={"X-API-Key": GATEWAY_KEY},
        timeout=10,
    )
    assert confirmed.status_code == 200, confirmed.text
    after = publish_due(social_settings, calendar, gateway, now=LATER)
    assert after.published == {key: "https://shorts.example/77"}
    assert calendar.by_key()[key].status == "Published" and len(platform.sent) == 1
