"""The project's event files: finding them (listing the events folder, or patching the last
listing with what a watcher reported) and reading their bytes safely. Kept apart from the
parsing (``reading.load``) so that the no-change check (``cache.skip_build``) imports only
this."""

from __future__ import annotations

import bisect
import errno
import hashlib
import os
from collections.abc import Collection
from pathlib import Path

from timeline import files as safe_files
from timeline.errors import Problems, megabytes

BIBLIOGRAPHY = "_sources.yaml"
MAX_FILE_BYTES = 5 * 1024 * 1024


def event_names(
    events_dir: Path, problems: Problems | None = None, base: str = "events"
) -> list[str]:
    """Event files as sorted paths relative to ``events_dir`` (plain strings: this runs on
    every rebuild, over thousands of files). A folder that cannot be read, and a name that is
    not UTF-8, is a problem (their events would otherwise vanish without a word)."""
    found: list[str] = []
    top = str(events_dir)

    def unreadable(exc: OSError) -> None:
        if problems is not None:
            rel = os.path.relpath(exc.filename, top).replace(os.sep, "/")
            problems.error(
                f"{base}/" if rel == "." else f"{base}/{safe_files.shown_name(rel)}/", 0, "",
                f"this folder cannot be read ({exc.strerror}), so its events would be left "
                "out; fix its permissions, or rename it to start with _ to leave it out",
            )  # fmt: skip

    for folder, dirs, files in os.walk(top, onerror=unreadable, followlinks=False):
        dirs[:] = [d for d in dirs if not d.startswith(("_", "."))]
        prefix = folder[len(top) + 1 :].replace(os.sep, "/")
        prefix = prefix + "/" if prefix else ""
        for name in files:
            if name.endswith(".md") and not name.startswith(("_", ".")):
                if safe_files.is_utf8_name(prefix + name):
                    found.append(prefix + name)
                elif problems is not None:
                    problems.error(f"{base}/{safe_files.shown_name(prefix + name)}", 0, "",
                                   "the file name is not UTF-8 text; rename the file")  # fmt: skip
    found.sort()
    return found



def event_files(
    root: Path, events_dir: Path, problems: Problems | None = None
) -> list[tuple[str, str]]:
    """Every event file: its path, and its path relative to the project (how problems name
    it). Plain strings, as for ``event_names``."""
    base = project_rel(events_dir, root)
    top = str(events_dir) + os.sep
    names = event_names(events_dir, problems, base)
    return [(top + name.replace("/", os.sep), f"{base}/{name}") for name in names]


def read_text(path: Path, root: Path, rel: str, problems: Problems) -> str | None:
    """A file's text as UTF-8, or None with a problem saying why it cannot be read."""
    data = read_bytes(path, root, rel, problems)
    return None if data is None else decode(data, rel, problems)


def read_bytes(path: str | Path, root: Path, rel: str, problems: Problems) -> bytes | None:
    """A file's bytes, or None with a problem (links out of the project, too large,
    unreadable, or not a file at all: a FIFO or device is refused, never read)."""
    try:
        try:
            if not hasattr(os, "O_NOFOLLOW") and os.path.islink(path):  # pragma: no cover
                raise OSError(errno.ELOOP, "a symbolic link")
            fd = safe_files.open_regular(path, follow=False)
        except OSError as exc:
            if exc.errno != errno.ELOOP:
                raise
            try:
                inside = Path(path).resolve().is_relative_to(root.resolve())
            except RuntimeError:  # a loop of links (Python < 3.13; later ones raise OSError)
                raise OSError(errno.ELOOP, "a loop of symbolic links") from None
            if not inside:
                problems.error(
                    rel, 0, "", "is a symbolic link leading outside the project; refused"
                )
                return None
            fd = safe_files.open_regular(path)
        with open(fd, "rb") as handle:  # the size of the file opened, not of its path
            size = os.fstat(handle.fileno()).st_size
            if size > MAX_FILE_BYTES:
                problems.error(
                    rel,
                    0,
                    "",
                    f"is {megabytes(size)}; event files and the "
                    f"bibliography are limited to {megabytes(MAX_FILE_BYTES)}",
                )
                return None
            return handle.read()
    except OSError as exc:
        problems.error(rel, 0, "", safe_files.why_unreadable(exc))
        return None


def decode(data: bytes, rel: str, problems: Problems) -> str | None:
    """UTF-8 text, or None with a problem naming the line of the first bad byte."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        problems.error(
            rel, line, "", f"is not UTF-8 text (byte {data[exc.start]:#x}); save it as UTF-8"
        )
        return None


def file_digest(data: bytes) -> bytes:
    """The digest of an event file's bytes: tells a changed file, and keys the build cache."""
    return hashlib.blake2b(data, digest_size=16).digest()


Stamp = tuple[int, int, int]


# Some file systems keep modification times in coarse steps: a file saved twice within one
# step, at the same size, keeps its stamp. As git does for "racily clean" files, a file whose
# stamp is this close to the time it was read is compared by content as well.
RACY_NS = 2_000_000_000


def file_stamp(path: str | Path) -> Stamp:
    """Modification time, size and inode: changes on every save, including save-by-rename."""
    try:
        st = os.stat(path)
    except OSError:
        return (0, -1, 0)
    return (st.st_mtime_ns, st.st_size, st.st_ino)


def relisted(
    root: Path, events_dir: Path, listed: list[tuple[str, str]] | None, only: Collection[str]
) -> tuple[list[tuple[str, str]], set[str]] | None:
    """The event files as ``event_files`` would list them now, from the last listing and the
    only paths that can have changed, and which of them (relative to the project) are among
    those paths; None where only listing the folder can tell (a name that is not UTF-8, a
    file in a folder that is a link)."""
    if listed is None:
        return None
    top = str(events_dir) + os.sep
    base = project_rel(events_dir, root)
    if (same := same_listing(top, base, listed, only)) is not None:
        return listed, same
    files = {rel: path for path, rel in listed}
    changed = set()
    for given in only:
        if not given.startswith(top):
            continue
        name = given[len(top) :].replace(os.sep, "/")
        parts = name.split("/")
        if not name.endswith(".md") or any(p.startswith(("_", ".")) for p in parts):
            continue  # never an event file (see event_names)
        if not safe_files.is_utf8_name(name):
            return None
        folder = top
        for part in parts[:-1]:  # os.walk lists no folder behind a link
            folder += part + os.sep
            if os.path.islink(folder[:-1]):
                return None
        path, rel = top + name.replace("/", os.sep), f"{base}/{name}"
        changed.add(rel)
        if os.path.lexists(path) and not os.path.isdir(path):
            files[rel] = path
        else:
            files.pop(rel, None)
    if len(files) == len(listed) and all(rel in files for _, rel in listed):
        return listed, changed
    return [(files[rel], rel) for rel in sorted(files)], changed


def same_listing(
    top: str, base: str, listed: list[tuple[str, str]], only: Collection[str]
) -> set[str] | None:
    """The changed files (relative to the project), when each is a plain name in the events
    folder itself that was listed and is still a file: the listing stays as it was, found by
    halving the sorted listing rather than by a dictionary of all of it; else None."""
    changed = set()
    for given in only:
        if not given.startswith(top):
            continue
        name = given[len(top) :]
        if os.sep in name or "/" in name:
            return None  # in a folder: let relisted tell
        if not name.endswith(".md") or name.startswith(("_", ".")):
            continue  # never an event file (see event_names)
        rel = f"{base}/{name}"
        at = bisect.bisect_left(listed, rel, key=lambda f: f[1])
        if at == len(listed) or listed[at][1] != rel or not os.path.isfile(given):
            return None
        changed.add(rel)
    return changed


def project_rel(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()
