"""Writing the site: into a staging folder, then swapped in whole (file I/O at the edge).

The staging folder sits beside the output folder (``.site.partial-PID``) so that the final
swap is two renames on one file system; it is removed whether the build succeeds or fails.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path, PurePosixPath

from timeline.errors import UsageError


class OutputPathError(UsageError):
    """A page would be written outside the output folder, or twice."""


class SiteWriter:
    """Writes pages under one folder, refusing unsafe paths and a second write to a path."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.written: set[str] = set()

    def _target(self, rel: str) -> Path:
        pure = PurePosixPath(rel)
        if pure.is_absolute() or not pure.parts or any(p in ("", ".", "..") for p in pure.parts):
            raise OutputPathError(f"refusing to write {rel!r}: not a plain path inside the site")
        key = rel.casefold()
        if key in self.written:
            raise OutputPathError(f"two pages want the same output file {rel!r}")
        self.written.add(key)
        target = self.folder.joinpath(*pure.parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        return target

    def write(self, rel: str, content: str | bytes) -> None:
        data = content.encode("utf-8") if isinstance(content, str) else content
        self._target(rel).write_bytes(data)

    def copy(self, rel: str, source: Path) -> None:
        shutil.copyfile(source, self._target(rel))


def staging_folder(output: Path) -> Path:
    """A fresh, empty folder beside ``output`` to build into."""
    staging = output.parent / f".{output.name}.partial-{os.getpid()}"
    if staging.exists():
        shutil.rmtree(staging)
    staging.mkdir(parents=True)
    return staging


def check_replaceable(output: Path) -> None:
    """Refuse to replace a folder that is not a previous build (e.g. ``--out ~``)."""
    if output.is_symlink() or (output.exists() and not output.is_dir()):
        raise UsageError(f"{output} is not a folder; choose another --out")
    if output.is_dir() and any(output.iterdir()) and not (output / "index.html").is_file():
        raise UsageError(
            f"{output} is not empty and does not look like a Timeline build (no index.html); "
            "empty it or choose another --out"
        )


def publish(staging: Path, output: Path) -> None:
    """Replace ``output`` with ``staging`` whole: no stale pages survive a rebuild."""
    old = output.parent / f".{output.name}.old-{os.getpid()}"
    if old.exists():
        shutil.rmtree(old)
    if output.exists():
        output.rename(old)
    staging.rename(output)
    if old.exists():
        shutil.rmtree(old)


def discard(staging: Path) -> None:
    shutil.rmtree(staging, ignore_errors=True)
