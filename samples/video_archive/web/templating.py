"""The page templates and the filters they use to show durations, sizes and names."""

from __future__ import annotations

from pathlib import Path

from fastapi.templating import Jinja2Templates

from samples.video_archive.web.schemas import Card

TEMPLATES_DIR = Path(__file__).with_name("templates")


def format_duration(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    total = round(seconds)
    h, rem = divmod(total, 3600)
    m, s = divmod(rem, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


def format_bytes(n: int | None) -> str:
    if n is None:
        return "-"
    size = float(n)
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if size < 1024 or unit == "TB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{n} B"


def display_name(card: Card) -> str:
    """The title, else the file name of the card's location."""
    if card.title:
        return card.title
    return card.location.split(":", 1)[-1].rsplit("/", 1)[-1]


def make_templates() -> Jinja2Templates:
    templates = Jinja2Templates(directory=str(TEMPLATES_DIR))
    templates.env.filters["duration"] = format_duration
    templates.env.filters["filesize"] = format_bytes
    templates.env.globals["display_name"] = display_name
    return templates
