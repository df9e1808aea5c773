"""Open a file once, by name, only if it really lies under a root directory.

Shared by the archive's media routes and the social gateway's uploads: both take a path that
a less trusted party can change on disk (a clips directory is world-writable), so the path is
resolved and checked, opened with ``O_NOFOLLOW``, and the *descriptor* is checked again (its
``/proc/self/fd`` link and ``fstat``): a symlink swapped in between the check and the open is
refused instead of followed. Read from the returned descriptor, never reopen the name.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

_OPEN_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)


class OutsideRootError(PermissionError):
    """The path (or what was actually opened) resolves outside the root."""


class NotRegularFileError(PermissionError):
    """The path names a directory, device, FIFO or socket, not a regular file."""


def is_inside(root: str, path: str) -> bool:
    """Whether resolved ``path`` is ``root`` or below it (both already resolved)."""
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def open_within(root: Path | str, path: Path | str) -> tuple[int, os.stat_result]:
    """A read-only descriptor of ``root/path`` (``path`` may be absolute) and its fstat.

    Raises FileNotFoundError when it is missing, OutsideRootError / NotRegularFileError when
    it may not be read, and OSError (ELOOP) when its last component is a symlink at the open.
    The caller closes the descriptor.
    """
    root_real = os.path.realpath(root)
    candidate = os.path.realpath(os.path.join(root_real, path))
    if not is_inside(root_real, candidate):
        raise OutsideRootError(f"{path} resolves outside {root_real}")
    fd = os.open(candidate, _OPEN_FLAGS)
    try:
        # What was actually opened: a directory swapped for a symlink between the check and
        # the open shows up here (O_NOFOLLOW guards the last component only).
        actual = os.readlink(f"/proc/self/fd/{fd}")
        info = os.fstat(fd)
        if not is_inside(root_real, actual):
            raise OutsideRootError(f"{path} was opened at {actual}, outside {root_real}")
        if not stat.S_ISREG(info.st_mode):
            raise NotRegularFileError(f"{path} is not a regular file")
    except BaseException:
        os.close(fd)
        raise
    return fd, info
