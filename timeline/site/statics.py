"""The static files' stamps: how an update knows which of the theme's and the project's static
files to copy again (``Builder.build`` takes them, ``Builder.update`` compares them)."""

from __future__ import annotations

import time
from pathlib import Path

from timeline.reading.project_files import RACY_NS

Stamp = tuple[int, int, int, int]  # a static file's modification time, size, inode, change time
UNTRUSTED = (-1, -1, -1, -1)  # a stamp no file has: copy the file again next time


def static_stamps(statics: dict[str, Path]) -> dict[str, Stamp]:
    """Each static file's stamp, taken before it is copied, so that a save after the copy
    shows as a new stamp: its modification time and size, its inode (a save by renaming, or
    ``rsync``) and its change time, which no program can set back (``cp -p``, ``touch -r``
    and ``tar`` keep the modification time). A stamp too close to now to vouch for the
    content (a second save at the same size within the file system's time step keeps it:
    see ``RACY_NS``) is recorded as ``UNTRUSTED``: the next update copies the file again
    (writing it only if its bytes changed)."""
    now = time.time_ns()
    stamps = {}
    for rel, path in statics.items():
        st = path.stat()
        trusted = max(st.st_mtime_ns, st.st_ctime_ns) < now - RACY_NS
        stamp = (st.st_mtime_ns, st.st_size, st.st_ino, st.st_ctime_ns)
        stamps[rel] = stamp if trusted else UNTRUSTED
    return stamps
