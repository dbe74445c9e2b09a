"""The build cache: skip a build whose inputs and output are exactly as the last build left them.

Kept as one small file in the output folder itself, ``.timeline-build.json`` (a build writes
nothing outside its output folder; the file holds only digests and counts, and is safe to
delete). The key is the content of every input - event files, bibliography, config, theme and
static files - with the package version and the build options; the output folder is checked
by the size and time of each file, so a page deleted or edited by hand is noticed.
``--no-cache`` builds regardless (and records the new build).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping
from pathlib import Path

from timeline import __version__
from timeline.config import Config

STATE = ".timeline-build.json"


def _files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    found: list[Path] = []
    for current, dirs, names in os.walk(folder):
        dirs.sort()
        found.extend(Path(current, n) for n in sorted(names))
    return found


def inputs_key(config: Config, options: Mapping[str, object], theme: list[Path]) -> str:
    """A digest of everything a build reads."""
    digest = hashlib.blake2b(digest_size=20)
    digest.update(json.dumps([__version__, options, repr(config)], default=str).encode())
    for folder in [config.events_path, config.static_path, *theme]:
        for path in _files(folder):
            digest.update(str(path.relative_to(folder)).encode() + b"\0")
            try:
                digest.update(path.read_bytes())
            except OSError:
                digest.update(b"\0unreadable")
    for name in ("timeline.toml", "pyproject.toml"):
        path = config.root / name
        if path.is_file():
            digest.update(path.read_bytes())
    return digest.hexdigest()


def output_key(output: Path) -> str:
    """A digest of the output folder's file names, sizes and modification times."""
    digest = hashlib.blake2b(digest_size=20)
    for path in _files(output):
        if path.name == STATE or path.name.startswith(f"{STATE}."):
            continue
        st = path.stat()
        digest.update(f"{path.relative_to(output)}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def up_to_date(config: Config, key: str) -> dict[str, int] | None:
    """The last build's summary if it had these inputs and its output is untouched."""
    try:
        state = json.loads((config.output_path / STATE).read_text())
    except (OSError, ValueError):
        return None
    if state.get("inputs") != key or state.get("output") != output_key(config.output_path):
        return None
    return {"events": int(state["events"]), "pages": int(state["pages"])}


def record(config: Config, key: str, events: int, pages: int) -> None:
    """Remember a successful build (written last, so an interrupted build records nothing)."""
    folder = config.output_path
    state = {"inputs": key, "output": output_key(config.output_path), "events": events,
             "pages": pages}  # fmt: skip
    temporary = folder / f"{STATE}.tmp"
    temporary.write_text(json.dumps(state))
    os.replace(temporary, folder / STATE)
