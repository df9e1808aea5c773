"""Poster frame, contact sheet and perceptual hash from sampled frames."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import imagehash
import numpy as np
from PIL import Image

# A frame darker than this mean luma (0-255) counts as black (fades, lens cap).
BLACK_LUMA = 24.0
# Below this variance of the Laplacian a 320-px frame counts as blurred.
BLUR_VARIANCE = 60.0


def luma(image: Image.Image) -> np.ndarray:
    return np.asarray(image.convert("L"), dtype=np.float32)


def sharpness(image: Image.Image) -> float:
    """Variance of a 4-neighbour Laplacian: low for blurred or flat frames."""
    y = luma(image)
    lap = -4 * y[1:-1, 1:-1] + y[:-2, 1:-1] + y[2:, 1:-1] + y[1:-1, :-2] + y[1:-1, 2:]
    return float(lap.var())


def choose_poster(frames: Sequence[Image.Image]) -> int:
    """Index of the first frame that is neither black nor blurred; else the sharpest bright
    one; else the brightest."""
    brightness = [float(luma(f).mean()) for f in frames]
    detail = [sharpness(f) for f in frames]
    for i, (b, d) in enumerate(zip(brightness, detail, strict=True)):
        if b >= BLACK_LUMA and d >= BLUR_VARIANCE:
            return i
    bright = [i for i, b in enumerate(brightness) if b >= BLACK_LUMA]
    if bright:
        return max(bright, key=lambda i: detail[i])
    return max(range(len(frames)), key=lambda i: brightness[i])


def contact_sheet(frames: Sequence[Image.Image], columns: int = 4) -> Image.Image:
    """Frames in a grid, left to right, top to bottom."""
    width, height = frames[0].size
    rows = -(-len(frames) // columns)
    sheet = Image.new("RGB", (width * columns, height * rows))
    for i, frame in enumerate(frames):
        sheet.paste(frame.resize((width, height)), ((i % columns) * width, (i // columns) * height))
    return sheet


def perceptual_hash(frames: Sequence[Image.Image]) -> str:
    """pHash of the middle sampled frame: stable across re-encodes and resizes."""
    return str(imagehash.phash(frames[len(frames) // 2]))


def hamming(a: str, b: str) -> int:
    """Bits that differ between two perceptual hashes (near-duplicates: small numbers)."""
    return imagehash.hex_to_hash(a) - imagehash.hex_to_hash(b)


def save_jpeg(image: Image.Image, path: Path) -> Path:
    """Write atomically (temporary name, then rename)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp.jpg")
    image.save(tmp, "JPEG", quality=85)
    tmp.replace(path)
    return path
