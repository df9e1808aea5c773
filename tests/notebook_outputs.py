"""What an executed notebook (a Papermill output) showed: its printed text, its Markdown,
and the JSON summary the platform's notebooks print last."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def _outputs(notebook: dict[str, Any]) -> list[dict[str, Any]]:
    return [out for cell in notebook["cells"] for out in cell.get("outputs", [])]


def _text(value: str | list[str]) -> str:
    return "".join(value) if isinstance(value, list) else value


def load(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def printed(notebook: dict[str, Any]) -> str:
    """Everything the cells wrote to stdout, in order."""
    return "".join(
        _text(out["text"])
        for out in _outputs(notebook)
        if out.get("output_type") == "stream" and out.get("name") == "stdout"
    )


def markdown(notebook: dict[str, Any]) -> str:
    """Everything the cells displayed as Markdown."""
    return "".join(
        _text(out["data"]["text/markdown"])
        for out in _outputs(notebook)
        if "text/markdown" in out.get("data", {})
    )


def printed_json(notebook: dict[str, Any], start: str = "{") -> Any:
    """The JSON printed after any other lines: from the first ``start`` on."""
    text = printed(notebook)
    return json.loads(text[text.index(start) :])
