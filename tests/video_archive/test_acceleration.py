"""GPU or CPU: the decision from what nvidia-smi and ffmpeg print (fake outputs), the CPU path
end to end with its output contract, the GPU fallback, and the GPU path where a GPU exists
(skipped elsewhere, saying why)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from samples.video_archive.ffmpeg import acceleration
from samples.video_archive.ffmpeg.acceleration import (
    CPU,
    Acceleration,
    parse_encoders,
    parse_hwaccels,
    select_acceleration,
)
from samples.video_archive.ffmpeg.runner import MediaLimits, ffmpeg_command, run_ffmpeg
from samples.video_archive.metadata_generation.proxy import PROXY_MAX_HEIGHT, make_proxy
from samples.video_archive.metadata_generation.scenes import scene_cuts
from samples.video_archive.synthetic import make_clip

HWACCELS = "Hardware acceleration methods:\nvdpau\ncuda\nvaapi\nqsv\ndrm\nopencl\nvulkan\n"
ENCODERS = """Encoders:
 V..... = Video
 A..... = Audio
 ------
 V....D libx264              libx264 H.264 / AVC / MPEG-4 AVC / MPEG-4 part 10 (codec h264)
 V....D h264_nvenc           NVIDIA NVENC H.264 encoder (codec h264)
 A....D aac                  AAC (Advanced Audio Coding)
"""
ENCODERS_WITHOUT_NVENC = ENCODERS.replace(" V....D h264_nvenc", " V....D h264_vaapi")


def test_the_listings_are_parsed() -> None:
    assert "cuda" in parse_hwaccels(HWACCELS)
    assert "Hardware acceleration methods:" not in parse_hwaccels(HWACCELS)
    assert {"libx264", "h264_nvenc", "aac"} <= parse_encoders(ENCODERS)
    assert "=" not in parse_encoders(ENCODERS) and "Video" not in parse_encoders(ENCODERS)


@pytest.mark.parametrize(
    ("gpus", "hwaccels", "encoders", "nvdec", "nvenc", "decode", "encoder", "why"),
    [
        ([], HWACCELS, ENCODERS, True, True, None, "libx264", "no NVIDIA GPU"),
        (["NVIDIA L4"], HWACCELS, ENCODERS, True, True, "cuda", "h264_nvenc", "NVENC on NVIDIA L4"),
        # A data-centre card: NVDEC but no NVENC, so its trial encode fails.
        (["NVIDIA A100-SXM4-40GB"], HWACCELS, ENCODERS, True, False, "cuda", "libx264",
         "has no usable NVENC"),
        (["Tesla T4"], "Hardware acceleration methods:\nvaapi\n", ENCODERS, True, True, None,
         "h264_nvenc", "no cuda hwaccel"),
        (["Tesla T4"], HWACCELS, ENCODERS_WITHOUT_NVENC, True, True, "cuda", "libx264",
         "no h264_nvenc"),
        (["Tesla T4"], HWACCELS, ENCODERS, False, True, None, "h264_nvenc",
         "trial NVDEC decode failed"),
    ],
)  # fmt: skip
def test_selection(
    gpus: list[str],
    hwaccels: str,
    encoders: str,
    nvdec: bool,
    nvenc: bool,
    decode: str | None,
    encoder: str,
    why: str,
) -> None:
    choice = select_acceleration(gpus, hwaccels, encoders, nvdec_works=nvdec, nvenc_works=nvenc)
    assert (choice.decode, choice.encoder) == (decode, encoder)
    assert why in choice.reason


def test_detection_without_nvidia_smi_is_the_cpu(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(acceleration.shutil, "which", lambda name: None)
    acceleration.detect.cache_clear()
    try:
        assert acceleration.detect().uses_gpu is False
        assert acceleration.acceleration_for("off") is CPU
    finally:
        acceleration.detect.cache_clear()


def test_commands_for_each_path() -> None:
    cuda = MediaLimits(acceleration=Acceleration("cuda", "h264_nvenc", "test"), threads=1)
    on_gpu = ffmpeg_command("/a.mkv", ["-f", "null", "-"], cuda, gpu=True)
    assert on_gpu[on_gpu.index("-hwaccel") + 1] == "cuda"
    assert on_gpu.index("-hwaccel") < on_gpu.index("-i")
    on_cpu = ffmpeg_command("/a.mkv", ["-f", "null", "-"], MediaLimits(threads=1))
    assert "-hwaccel" not in on_cpu
    assert on_cpu.count("-threads") == 2  # decoder and encoder, pinned
    assert on_cpu[on_cpu.index("-filter_threads") + 1] == "1"
    assert "-threads" not in ffmpeg_command("/a.mkv", [], MediaLimits(threads=0))


def _streams(path: Path) -> dict:
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-print_format", "json", "-show_streams", "-show_format",
         str(path)],
        capture_output=True, check=True,
    ).stdout  # fmt: skip
    return json.loads(out)


def assert_proxy_contract(proxy: Path, source_duration: float) -> None:
    """What every proxy is, whichever path made it."""
    probe = _streams(proxy)
    video = next(s for s in probe["streams"] if s["codec_type"] == "video")
    audio = next(s for s in probe["streams"] if s["codec_type"] == "audio")
    assert probe["format"]["format_name"].startswith("mov")
    assert (video["codec_name"], video["pix_fmt"]) == ("h264", "yuv420p")
    assert video["height"] <= PROXY_MAX_HEIGHT and video["height"] % 2 == 0
    assert audio["codec_name"] == "aac"
    assert float(probe["format"]["duration"]) == pytest.approx(source_duration, abs=0.15)


@pytest.fixture(scope="module")
def hd_clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if shutil.which("ffmpeg") is None:
        pytest.skip("ffmpeg not installed (Debian package 'ffmpeg')")
    base = tmp_path_factory.mktemp("accel")
    return make_clip(base / "hd.mkv", vcodec="mpeg4", duration=2.0,
                     extra=("-s", "1280x960"))  # fmt: skip


@pytest.mark.slow
def test_cpu_path_meets_the_contract(hd_clip: Path, tmp_path: Path) -> None:
    proxy = make_proxy(str(hd_clip), tmp_path / "proxy.mp4", MediaLimits(), 2.0)
    assert_proxy_contract(proxy, 2.0)
    assert _streams(proxy)["streams"][0]["height"] == 720


@pytest.mark.slow
def test_a_failed_gpu_decode_is_repeated_on_the_cpu(hd_clip: Path, tmp_path: Path) -> None:
    if acceleration.detect().decode:
        pytest.skip("this machine decodes on the GPU: the fallback is not reached")
    # Told there is NVDEC where there is none: the GPU run fails, the CPU run succeeds.
    claimed = MediaLimits(acceleration=Acceleration("cuda", "libx264", "test"))
    run_ffmpeg(str(hd_clip), ["-frames:v", "1", str(tmp_path / "f.png")], claimed, 60)
    assert (tmp_path / "f.png").stat().st_size > 0
    # The streaming pass (scene cuts) falls back the same way, with the same answer.
    on_cpu = scene_cuts(str(hd_clip), MediaLimits(), duration_s=2.0, fps=25)
    assert scene_cuts(str(hd_clip), claimed, duration_s=2.0, fps=25) == on_cpu


@pytest.mark.slow
def test_gpu_path_meets_the_same_contract(hd_clip: Path, tmp_path: Path) -> None:
    found = acceleration.detect()
    if not found.uses_gpu:
        pytest.skip(f"no usable NVIDIA GPU on this machine ({found.reason})")
    limits = MediaLimits(acceleration=found)
    proxy = make_proxy(str(hd_clip), tmp_path / "proxy.mp4", limits, 2.0)
    assert_proxy_contract(proxy, 2.0)
    cpu = make_proxy(str(hd_clip), tmp_path / "cpu.mp4", MediaLimits(), 2.0)
    gpu_video, cpu_video = _streams(proxy)["streams"][0], _streams(cpu)["streams"][0]
    assert (gpu_video["width"], gpu_video["height"]) == (cpu_video["width"], cpu_video["height"])


def test_embeddings_choose_cuda_only_when_torch_has_it(monkeypatch: pytest.MonkeyPatch) -> None:
    torch = pytest.importorskip("torch")
    from samples.video_archive.indexing.embeddings import minilm

    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert minilm.embedding_device() == "cuda"
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert minilm.embedding_device() == "cpu"


@pytest.mark.slow
def test_embeddings_on_cuda() -> None:
    torch = pytest.importorskip("torch")
    if not torch.cuda.is_available():
        build = "a CPU-only build" if torch.version.cuda is None else f"CUDA {torch.version.cuda}"
        pytest.skip(f"torch {torch.__version__} ({build}) sees no CUDA device")
    from samples.video_archive.indexing.embeddings import minilm

    vectors = minilm.MiniLMEmbedder().embed(["a red balloon over the harbour", "balloon"])
    assert minilm._load().device.type == "cuda"
    assert vectors.shape == (2, 384)
