"""Fast unit tests: fingerprints, sidecars, probe interpretation, documents."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from samples.video_archive.indexing.documents import document_text, path_tokens
from samples.video_archive.ingestion.fingerprint import WINDOW, fingerprint, sample_offsets
from samples.video_archive.ingestion.probe import NotAVideoError, parse_probe
from samples.video_archive.ingestion.sidecars import (
    SubtitleCue,
    parse_sidecar,
    subtitle_cues,
    subtitle_text,
)
from samples.video_archive.ingestion.sources import (
    LocalSource,
    list_source,
    sidecars_for,
    spec_from_uri,
)
from samples.video_archive.metadata_generation.quality import quality_issues


def _reader(data: bytes):
    return lambda offset, length: data[offset : offset + length]


def test_fingerprint_samples_three_windows_of_large_files() -> None:
    assert sample_offsets(0) == []
    assert sample_offsets(100) == [(0, 100)]
    size = 10 * WINDOW
    assert sample_offsets(size) == [
        (0, WINDOW),
        ((size - WINDOW) // 2, WINDOW),
        (size - WINDOW, WINDOW),
    ]


def test_fingerprint_identity_rules() -> None:
    data = os.urandom(10 * WINDOW)
    same = fingerprint(len(data), _reader(data))
    assert same == fingerprint(len(data), _reader(bytes(data)))
    assert same.startswith(f"fp1:{len(data)}:")
    changed_head = bytes([data[0] ^ 0xFF]) + data[1:]  # differs whatever the first byte was
    assert fingerprint(len(data), _reader(changed_head)) != same
    longer = data + b"\0"
    assert fingerprint(len(longer), _reader(longer)) != same
    with pytest.raises(OSError, match="short read"):
        fingerprint(len(data) + 10, _reader(data))


def test_subtitles_lose_numbers_and_timings() -> None:
    srt = (
        "1\n00:00:01,000 --> 00:00:02,000\nHello <i>harbour</i>\n\n"
        "2\n00:00:03,000 --> 00:00:04,000\nBye\n"
    )
    assert subtitle_text(srt) == "Hello harbour Bye"
    vtt = "WEBVTT\n\n00:01.000 --> 00:02.000\nA gull\n"
    assert subtitle_text(vtt) == "A gull"


def test_subtitle_cues_keep_their_timings() -> None:
    srt = (
        "1\n00:00:01,000 --> 00:00:02,500\nHello <i>harbour</i>\nsecond line\n\n"
        "2\n01:02:03,250 --> 01:02:04,000\nBye\n"
    )
    assert subtitle_cues(srt) == [
        SubtitleCue(1.0, 2.5, "Hello harbour second line"),
        SubtitleCue(3723.25, 3724.0, "Bye"),
    ]
    vtt = (
        "WEBVTT\n\nNOTE written by hand\n\nintro\n"
        "00:01.000 --> 00:02.000 align:start position:10%\nA gull\n\n"
        "00:05.000 --> 00:04.000\nBackwards\n"
    )
    # The cue identifier and the NOTE block are not text; a reversed range is kept, swapped.
    assert subtitle_cues(vtt) == [
        SubtitleCue(1.0, 2.0, "A gull"),
        SubtitleCue(4.0, 5.0, "Backwards"),
    ]
    assert parse_sidecar("x.srt", srt.encode()).cues[1].text == "Bye"
    assert subtitle_cues("not subtitles at all") == []


def test_malformed_sidecars_raise_value_error() -> None:
    with pytest.raises(ValueError, match="malformed json"):
        parse_sidecar("x.json", b"{not json")
    with pytest.raises(ValueError, match="malformed xmp"):
        parse_sidecar("x.xmp", b"<x:xmpmeta")
    assert parse_sidecar("x.json", b'{"keywords": "a, b"}').tags == ["a", "b"]


def test_xmp_entities_are_not_expanded() -> None:
    bomb = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>'
    with pytest.raises(ValueError):
        parse_sidecar("x.xmp", bomb)


def test_parse_probe_rejects_audio_only_and_reads_tags() -> None:
    with pytest.raises(NotAVideoError, match=r"no video stream .*audio"):
        parse_probe({"streams": [{"codec_type": "audio", "codec_name": "mp3"}], "format": {}})
    cover_art_only = {
        "streams": [{"codec_type": "video", "width": 10, "height": 10,
                     "disposition": {"attached_pic": 1}}],
        "format": {},
    }  # fmt: skip
    with pytest.raises(NotAVideoError):
        parse_probe(cover_art_only)
    result = parse_probe(
        {
            "streams": [
                {"index": 0, "codec_type": "video", "codec_name": "hevc", "width": 3840,
                 "height": 2160, "avg_frame_rate": "30000/1001",
                 "side_data_list": [{"rotation": -90}]},
                {"index": 1, "codec_type": "audio", "codec_name": "aac", "channels": 2,
                 "channel_layout": "stereo"},
            ],
            "format": {"format_name": "mov,mp4", "duration": "12.5", "bit_rate": "1000",
                       "tags": {"location": "-33.8568+151.2153+010.000/",
                                "com.apple.quicktime.make": "Apple"}},
        }
    )  # fmt: skip
    assert result.rotation == 270
    assert result.fps == pytest.approx(29.97, abs=0.01)
    assert (result.gps_lat, result.gps_lon) == (pytest.approx(-33.8568), pytest.approx(151.2153))
    assert result.camera_make == "Apple" and result.audio_layout == "stereo"


def test_listing_partitions_videos_sidecars_and_excludes(tmp_path: Path) -> None:
    for name in ("a.MP4", "a.srt", "b.mov", "b.mov.xmp", "notes.txt", "skip/c.mkv"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(b"x")
    spec = spec_from_uri("t", str(tmp_path), exclude=("skip/*",))
    listing = list_source(LocalSource(spec))
    assert sorted(e.rel_path for e in listing.videos) == ["a.MP4", "b.mov"]
    assert sidecars_for("a.MP4", listing.other_files) == ["a.srt"]
    assert sidecars_for("b.mov", listing.other_files) == ["b.mov.xmp"]


def test_path_tokens_and_document_text() -> None:
    assert path_tokens("nas:Trips/2024_Lisbon-tram/IMG_0042.MOV") == [
        "Trips",
        "2024",
        "Lisbon",
        "tram",
        "0042",
    ]
    assert path_tokens("x:GoProHero/clip.mp4") == ["Go", "Pro", "Hero", "clip"]
    text = document_text({"title": "T", "tags": ["a"], "sidecar_text": "words"}, ["s:dir/file.mp4"])
    assert text == "T. dir file. a. words"


def test_quality_checks() -> None:
    ok = {"duration_s": 10, "fps": 25, "width": 1920, "height": 1080}
    assert quality_issues(ok) == []
    assert quality_issues({**ok, "fps": 1000}) == ["implausible frame rate: 1000 fps"]
    assert quality_issues({**ok, "width": 8, "variable_fps": True}) == [
        "variable frame rate",
        "implausible resolution: 8x1080",
    ]


@pytest.mark.parametrize(
    ("given", "ids"),
    [
        ([3, "4"], [3, 4]),
        ("[3, 4]", [3, 4]),
        ("3, 4,", [3, 4]),
        ("", None),
        (None, None),
        ([], []),
    ],
)
def test_asset_ids_parameter(given: object, ids: list[int] | None) -> None:
    from samples.video_archive.notebook_support import asset_ids_parameter

    assert asset_ids_parameter(given) == ids  # type: ignore[arg-type]


@pytest.mark.parametrize("given", ["[1.5]", "a,b", '{"ids": 1}', "[[1]]"])
def test_asset_ids_parameter_refuses_what_is_not_ids(given: str) -> None:
    from samples.video_archive.notebook_support import asset_ids_parameter

    with pytest.raises(ValueError, match="asset_ids must be a list of asset ids"):
        asset_ids_parameter(given)


def test_batch_labels_are_stable_and_distinct() -> None:
    from samples.video_archive.pipeline import batch_label

    assert batch_label([5, 3, 9]) == batch_label([3, 9, 5])
    assert batch_label([3, 5, 9]).startswith("3-9 (3) ")
    assert batch_label([3, 5, 9]) != batch_label([3, 6, 9])
    assert batch_label([]) == ""


def test_decode_bounds_follow_the_duration() -> None:
    from samples.video_archive.ffmpeg.runner import MediaLimits

    limits = MediaLimits(timeout_base_s=120, timeout_factor=8, timeout_max_s=3600)
    assert limits.timeout_for(10) == 200
    assert limits.timeout_for(1000) == 3600  # capped
    assert limits.timeout_for(None) == limits.timeout_for(0) == 3600  # unknown: the cap
