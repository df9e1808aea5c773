"""The JSON API's request and response models, and how catalog rows become them."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Path as PathParam
from pydantic import BaseModel, Field

API = "/api/v1"
MAX_PAGE_SIZE = 100
MAX_ASSET_ID = 2**63 - 1
NO_NUL = r"^[^\x00]*$"
AssetId = Annotated[int, PathParam(ge=1, le=MAX_ASSET_ID, description="Catalog id of a video")]


class ErrorBody(BaseModel):
    detail: str
    # Quoted to an operator, it finds the request's log line (with the detail not shown here).
    request_id: str | None = None


class Card(BaseModel):
    id: int
    title: str | None
    location: str
    duration_s: float | None
    width: int | None
    height: int | None
    video_codec: str | None
    tags: list[str]
    poster_url: str | None
    url: str

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Card:
        return cls(
            id=row["id"],
            title=row.get("title"),
            location=row.get("location") or "?",
            duration_s=row.get("duration_s"),
            width=row.get("width"),
            height=row.get("height"),
            video_codec=row.get("video_codec"),
            tags=list(row.get("tags") or []),
            poster_url=f"{API}/assets/{row['id']}/media/poster" if row.get("has_poster") else None,
            url=f"/videos/{row['id']}",
        )


class SearchResponse(BaseModel):
    query: str
    mode: str
    total: int = Field(description="Matches, counted up to total_cap")
    total_cap: int = Field(description="Counts stop at this number plus one")
    page: int
    per_page: int
    items: list[Card]


class FileLocation(BaseModel):
    source: str
    rel_path: str
    status: str
    size_bytes: int


class AssetDetail(BaseModel):
    id: int
    fingerprint: str
    title: str | None
    description: str | None
    tags: list[str]
    sidecar_text: str | None
    duration_s: float | None
    width: int | None
    height: int | None
    fps: float | None
    variable_fps: bool | None
    rotation: int | None
    container: str | None
    video_codec: str | None
    audio_codec: str | None
    audio_layout: str | None
    bit_rate: int | None
    size_bytes: int
    creation_time: str | None
    camera: str | None
    gps: list[float] | None
    scene_cuts_s: list[float]
    quality_issues: list[str]
    files: list[FileLocation]
    media: dict[str, str]

    @classmethod
    def from_rows(cls, row: dict[str, Any], files: list[dict[str, Any]]) -> AssetDetail:
        """An asset row and its file rows; media URLs only for variants that exist."""
        asset_id = row["id"]
        media_urls = {"playable": f"{API}/assets/{asset_id}/media/playable"}
        for variant in ("poster", "sprite", "proxy"):
            if row.get(f"{variant}_path"):
                media_urls[variant] = f"{API}/assets/{asset_id}/media/{variant}"
        media_urls["original"] = f"{API}/assets/{asset_id}/media/original"
        camera = " ".join(filter(None, (row.get("camera_make"), row.get("camera_model"))))
        gps = [row["gps_lat"], row["gps_lon"]] if row.get("gps_lat") is not None else None
        return cls(
            **{name: row[name] for name in _PLAIN_COLUMNS},
            tags=list(row["tags"] or []),
            creation_time=row["creation_time"].isoformat() if row["creation_time"] else None,
            camera=camera or None,
            gps=gps,
            scene_cuts_s=list(row["scene_cuts_s"] or []),
            quality_issues=list(row["quality_issues"] or []),
            files=[
                FileLocation(
                    source=f["source"],
                    rel_path=f["rel_path"],
                    status=f["status"],
                    size_bytes=f["size_bytes"],
                )
                for f in files
            ],
            media=media_urls,
        )


# AssetDetail fields copied from the asset row as they are.
_PLAIN_COLUMNS = (
    "id", "fingerprint", "title", "description", "sidecar_text", "duration_s", "width",
    "height", "fps", "variable_fps", "rotation", "container", "video_codec", "audio_codec",
    "audio_layout", "bit_rate", "size_bytes",
)  # fmt: skip


class AssetEdit(BaseModel):
    tags: list[Annotated[str, Field(max_length=200, pattern=NO_NUL)]] | None = Field(
        default=None, max_length=200
    )
    description: str | None = Field(default=None, max_length=10_000, pattern=NO_NUL)
    title: str | None = Field(default=None, max_length=300, pattern=NO_NUL)


class SourceInfo(BaseModel):
    name: str
    kind: str
    uri: str
    status: str
    status_reason: str | None
    last_scan_at: str | None
    files_present: int
    files_missing: int
    quarantined: int

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> SourceInfo:
        last_scan = row["last_scan_at"]
        return cls(
            **{name: row[name] for name in _SOURCE_COLUMNS},
            last_scan_at=last_scan.isoformat() if last_scan else None,
        )


_SOURCE_COLUMNS = (
    "name", "kind", "uri", "status", "status_reason", "files_present", "files_missing",
    "quarantined",
)  # fmt: skip


class QuarantineEntry(BaseModel):
    id: int
    reason: str | None
    size_bytes: int
    locations: list[str]

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> QuarantineEntry:
        return cls(
            id=row["id"],
            reason=row["quarantine_reason"],
            size_bytes=row["size_bytes"],
            locations=list(row["locations"]),
        )


class Health(BaseModel):
    status: str
    catalog: str
