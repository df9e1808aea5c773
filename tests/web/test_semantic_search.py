"""Semantic and hybrid modes through the API: real MiniLM embeddings, the LanceDB index
filled by the pipeline's gold layer, catalog-side filters on top."""

from __future__ import annotations

import pytest
from web_testlib import VIEWER_KEY

pytestmark = pytest.mark.slow
AS_VIEWER = {"X-API-Key": VIEWER_KEY}


def test_semantic_and_hybrid_modes_rank_by_meaning(client, gold_run: dict) -> None:
    assert gold_run["catalog"]["indexed"] >= 12, gold_run
    for mode in ("semantic", "hybrid"):
        response = client.get(
            "/api/v1/search",
            params={"q": "a man waving at a boat near a lighthouse", "mode": mode},
            headers=AS_VIEWER,
        )
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["mode"] == mode
        assert body["items"][0]["location"] == "main:harbour/h264_aac.mp4", body["items"][:3]
    # Filters the index does not know (tags) still apply, in the catalog.
    filtered = client.get(
        "/api/v1/search",
        params={"q": "lighthouse", "mode": "semantic", "tag": "sunset"},
        headers=AS_VIEWER,
    ).json()
    assert [i["location"] for i in filtered["items"]] == ["main:camera.mp4"]
