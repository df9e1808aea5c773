"""The social content calendar in Airtable, through pyairtable.

One table, one row per planned post. Field names (create them in the base with these types):

=============  ================================  ==========================================
field          type                              meaning
=============  ================================  ==========================================
Draft Key      single line text                  ``asset-<id>:<platform>``; one row per pair
Asset ID       number                            the archive catalog's asset id
Platform       single line text / single select  the gateway's platform name
Media          single line text / URL            the rendered clip (path the gateway can read)
Cover          single line text / URL            the cover image
Caption        long text                         the text to publish (people may edit it)
Slot           date with time (ISO 8601, UTC)    when to publish; people may move it
Status         single select                     Draft, Approved, Published, Failed
Result         long text                         external URL/id, or why it failed
=============  ================================  ==========================================

Nothing is published unless a person (or a per-platform auto-approve setting) moved the row
to ``Approved``.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pyairtable import Api
from pyairtable.formulas import match

STATUSES = ("Draft", "Approved", "Published", "Failed")
ENV_PREFIX = "SOCIAL_AIRTABLE_"


class CalendarConfigError(ValueError):
    """Airtable settings are missing; the message names the variable."""


@dataclass(frozen=True)
class Draft:
    """A row to create."""

    draft_key: str
    asset_id: int
    platform: str
    media: str
    caption: str
    slot: datetime
    cover: str = ""
    status: str = "Draft"
    result: str = ""  # why a draft could not be made (status Failed)


@dataclass(frozen=True)
class CalendarRow:
    record_id: str
    draft_key: str
    asset_id: int | None
    platform: str
    media: str
    caption: str
    slot: datetime | None
    status: str
    result: str = ""
    cover: str = ""

    def is_due(self, now: datetime) -> bool:
        return self.slot is None or self.slot <= now


def _parse_slot(raw: Any) -> datetime | None:
    if not raw:
        return None
    try:
        value = datetime.fromisoformat(str(raw).replace("Z", "+00:00"))
    except ValueError:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _row(record: dict[str, Any]) -> CalendarRow:
    fields = record.get("fields", {})
    asset = fields.get("Asset ID")
    return CalendarRow(
        record_id=record["id"],
        draft_key=str(fields.get("Draft Key", "")),
        asset_id=int(asset) if isinstance(asset, int | float) else None,
        platform=str(fields.get("Platform", "")),
        media=str(fields.get("Media", "")),
        caption=str(fields.get("Caption", "")),
        slot=_parse_slot(fields.get("Slot")),
        status=str(fields.get("Status", "")),
        result=str(fields.get("Result", "")),
        cover=str(fields.get("Cover", "")),
    )


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


class ContentCalendar:
    def __init__(
        self,
        api_key: str,
        base_id: str,
        table_name: str,
        *,
        endpoint_url: str | None = None,
    ) -> None:
        if not api_key:
            raise CalendarConfigError(f"set {ENV_PREFIX}TOKEN to an Airtable personal access token")
        kwargs: dict[str, Any] = {"timeout": (10, 60)}
        if endpoint_url:
            kwargs["endpoint_url"] = endpoint_url.rstrip("/")
        self.table = Api(api_key, **kwargs).table(base_id, table_name)

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> ContentCalendar:
        """``SOCIAL_AIRTABLE_TOKEN``, ``_BASE``, ``_TABLE`` (default ``Content calendar``) and
        optionally ``_ENDPOINT`` (a different API address, e.g. a local stand-in)."""
        env = dict(os.environ if env is None else env)
        base = env.get(f"{ENV_PREFIX}BASE", "")
        if not base:
            raise CalendarConfigError(f"set {ENV_PREFIX}BASE to the Airtable base id (app...)")
        return cls(
            env.get(f"{ENV_PREFIX}TOKEN", ""),
            base,
            env.get(f"{ENV_PREFIX}TABLE", "Content calendar"),
            endpoint_url=env.get(f"{ENV_PREFIX}ENDPOINT") or None,
        )

    def rows(self, status: str | None = None) -> list[CalendarRow]:
        formula = match({"Status": status}) if status else None
        records = self.table.all(formula=formula) if formula else self.table.all()
        rows = [_row(r) for r in records]
        return [r for r in rows if status is None or r.status == status]

    def draft_keys(self) -> set[str]:
        return {
            str(r["fields"].get("Draft Key"))
            for r in self.table.all(fields=["Draft Key"])
            if r["fields"].get("Draft Key")
        }

    def add_drafts(self, drafts: Sequence[Draft]) -> list[CalendarRow]:
        """Create rows for drafts whose key is not in the table yet; return the new rows."""
        known = self.draft_keys()
        fresh = [d for d in drafts if d.draft_key not in known]
        if not fresh:
            return []
        created = self.table.batch_create(
            [
                {
                    "Draft Key": d.draft_key,
                    "Asset ID": d.asset_id,
                    "Platform": d.platform,
                    "Media": d.media,
                    "Cover": d.cover,
                    "Caption": d.caption,
                    "Slot": _iso(d.slot),
                    "Status": d.status,
                    "Result": d.result,
                }
                for d in fresh
            ],
            typecast=True,
        )
        return [_row(r) for r in created]

    def by_key(self) -> dict[str, CalendarRow]:
        return {r.draft_key: r for r in self.rows() if r.draft_key}

    def due(self, now: datetime | None = None) -> list[CalendarRow]:
        """Approved rows whose slot has come, oldest slot first."""
        now = now or datetime.now(UTC)
        rows = [r for r in self.rows("Approved") if r.is_due(now)]
        return sorted(rows, key=lambda r: (r.slot or now, r.record_id))

    def set_status(self, record_id: str, status: str, result: str = "") -> None:
        if status not in STATUSES:
            raise ValueError(f"status must be one of {', '.join(STATUSES)}")
        self.table.update(record_id, {"Status": status, "Result": result}, typecast=True)

    def approve(self, record_ids: Iterable[str]) -> None:
        self.table.batch_update(
            [{"id": rid, "fields": {"Status": "Approved"}} for rid in record_ids], typecast=True
        )
