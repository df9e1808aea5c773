"""Content fingerprints: the identity of a video independent of its path.

A fingerprint is the file size plus a BLAKE2b hash of three sampled 64 KiB windows (start,
middle, end); files up to three windows long are hashed whole. Reading at most 192 KiB
keeps a scan of a multi-terabyte archive I/O-cheap, while the size and the sampled windows
make accidental collisions between different videos vanishingly unlikely. A full-content
hash is available for archives that want certainty (``full_hash``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

WINDOW = 64 * 1024
FINGERPRINT_VERSION = "fp1"

# read_range(offset, length) -> bytes; lets local files and S3 objects share one algorithm.
RangeReader = Callable[[int, int], bytes]


def sample_offsets(size: int) -> list[tuple[int, int]]:
    """The (offset, length) windows hashed for a file of ``size`` bytes."""
    if size <= 3 * WINDOW:
        return [(0, size)] if size else []
    middle = (size - WINDOW) // 2
    return [(0, WINDOW), (middle, WINDOW), (size - WINDOW, WINDOW)]


def fingerprint(size: int, read_range: RangeReader) -> str:
    """Fingerprint of content of ``size`` bytes, e.g. ``fp1:1048576:9c1f...``."""
    digest = hashlib.blake2b(digest_size=16)
    digest.update(size.to_bytes(8, "little"))
    for offset, length in sample_offsets(size):
        chunk = read_range(offset, length)
        if len(chunk) != length:
            raise OSError(f"short read at offset {offset}: file changed while being read")
        digest.update(chunk)
    return f"{FINGERPRINT_VERSION}:{size}:{digest.hexdigest()}"


def full_hash(chunks: Callable[[], bytes]) -> str:
    """BLAKE2b of the whole content; ``chunks`` returns the next block or b'' at the end."""
    digest = hashlib.blake2b(digest_size=32)
    while block := chunks():
        digest.update(block)
    return f"b2:{digest.hexdigest()}"
