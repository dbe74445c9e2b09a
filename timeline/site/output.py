"""Writing the site (file I/O at the edge), so that a reader only ever sees a whole site.

``timeline build`` writes every file into a fresh staging folder, never into the published
one: a page whose bytes are unchanged since the last build is hard-linked from the old site
(neither rendered twice nor rewritten), a changed one is written. Only then is the staging
folder swapped with the output folder in one atomic step (Linux's ``renameat2`` with
``RENAME_EXCHANGE``), and the old site, now in the staging folder's place, deleted. A build
killed at any moment leaves the previous site whole or the new one; what it leaves behind
is in the cache folder, never inside the published tree, and the next build removes it.

Builds of one project take turns (a lock in the cache folder), so leftovers can be removed
safely. ``timeline serve`` updates its own folder file by file instead (``replace_file``):
the server holds requests meanwhile, so it never serves a half-updated site.
"""

from __future__ import annotations

import ctypes
import errno
import filecmp
import hashlib
import os
import shutil
import stat
import time
from collections.abc import Callable
from contextlib import suppress
from pathlib import Path, PurePosixPath
from types import TracebackType
from typing import BinaryIO, TypeVar

from timeline import files
from timeline.errors import TimelineError, UsageError

try:
    import fcntl
except ImportError:  # pragma: no cover - not POSIX: builds are not serialised
    fcntl = None  # type: ignore[assignment]


T = TypeVar("T")


class OutputPathError(UsageError):
    """A page would be written outside the output folder, or twice."""


class WriteError(TimelineError):
    """The site could not be written (a full or read-only disk, a folder in the way...)."""


LOCK = "build.lock"
LOCK_WAIT = 60.0  # seconds to wait for another build of the same project
STAGING = "staging-"  # the new site while it is made (see Publication)
OLD = "old-"  # the previous site between two renames, where an exchange is not possible
SPARE = "spare-"  # the site the last swap replaced, kept for the next one-edit build


class SiteWriter:
    """Writes pages under one new folder, refusing unsafe paths and a second write to a path.

    With ``previous`` (the site being replaced), a page whose bytes are those of the old
    page is hard-linked from it instead of written. Paths are plain strings: a large site
    has tens of thousands of files, and pathlib's objects cost more than the writes.
    """

    def __init__(self, folder: Path, *, previous: Path | None = None) -> None:
        self.folder = folder
        self.previous = previous
        self.written: set[str] = set()
        self.changed: list[str] = []
        self.stats: dict[str, tuple[int, int]] = {}  # file -> (size, mtime) as published
        self._root = os.fspath(folder)
        self._folders: set[str] = set()  # the folders made (or found) so far, relative

    def _remember(self, rel: str, st: os.stat_result) -> None:
        """A written file's size and time, for the build cache (a later rename keeps both)."""
        self.stats[rel] = (st.st_size, st.st_mtime_ns)

    def _target(self, rel: str) -> str:
        """Where ``rel`` goes, its folders made."""
        parts = rel.split("/")
        if any(part in ("", ".", "..") for part in parts):
            raise OutputPathError(f"refusing to write {rel!r}: not a plain path inside the site")
        key = rel.casefold()
        if key in self.written:
            raise OutputPathError(f"two pages want the same output file {rel!r}")
        self.written.add(key)
        parent = rel.rpartition("/")[0]
        if parent and parent not in self._folders:
            made = ""
            for part in parts[:-1]:  # each level once, checked to be a real folder
                made = f"{made}/{part}" if made else part
                if made not in self._folders:
                    files.make_one_folder(f"{self._root}/{made}")
                    self._folders.add(made)
        return f"{self._root}/{rel}"

    def _old(self, rel: str, size: int) -> tuple[str, os.stat_result] | None:
        """The previous site's file at ``rel``, if it is a regular file of ``size`` bytes."""
        if self.previous is None:
            return None
        old = f"{os.fspath(self.previous)}/{rel}"
        try:
            st = os.lstat(old)
        except OSError:
            return None
        if not stat.S_ISREG(st.st_mode) or st.st_size != size:
            return None
        return old, st

    def _link(self, old: str, target: str) -> bool:
        """Hard-link an unchanged page from the previous site; False where links fail."""
        try:
            os.link(old, target, follow_symlinks=False)
        except OSError:
            return False
        return True

    def write(self, rel: str, content: str | bytes) -> None:
        data = content.encode("utf-8") if isinstance(content, str) else content
        target = self._target(rel)
        found = self._old(rel, len(data))
        if found is not None:
            old, st = found
            try:
                same = files.read_regular(old, follow=False) == data
            except OSError:
                same = False
            if same and self._link(old, target):
                self._remember(rel, st)
                return
        self._remember(rel, files.create(target, data))
        self.changed.append(rel)

    def write_stream(self, rel: str, produce: Callable[[BinaryIO], T]) -> tuple[T, os.stat_result]:
        """Write a large file piece by piece (the timeline as data); returns what ``produce``
        returned, and the file's stat as written (or the old file's, linked in its place)."""
        target = self._target(rel)
        fd = os.open(target, files.CREATE_FLAGS, 0o644)
        with open(fd, "wb") as handle:
            made = produce(handle)
        st = os.lstat(target)
        found = self._old(rel, st.st_size)
        if found is not None and filecmp.cmp(found[0], target, shallow=False):
            folder, _, name = target.rpartition("/")
            linked = f"{folder}/.{name}{files.TEMPORARY}"
            if self._link(found[0], linked):  # the old file under the new one's name
                os.replace(linked, target)
                self._remember(rel, found[1])
                return made, found[1]
        self._remember(rel, st)
        self.changed.append(rel)
        return made, st

    def copy(self, rel: str, source: Path) -> None:
        """Copy a static file (a FIFO or device in its place is refused, never read)."""
        self.write(rel, files.read_regular(source))


def check_replaceable(output: Path) -> None:
    """Refuse to replace a folder that is not a previous build (e.g. ``--out ~``)."""
    if output.is_symlink() or (output.exists() and not output.is_dir()):
        raise UsageError(f"{output} is not a folder; choose another --out")
    if output.is_dir() and any(output.iterdir()) and not (output / "index.html").is_file():
        raise UsageError(
            f"{output} is not empty and does not look like a Timeline build (no index.html); "
            "empty it or choose another --out"
        )


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _exchange(a: Path, b: Path) -> bool:
    """Swap two folders in one step (Linux 3.15+); False where the system cannot."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p,
                          ctypes.c_uint]  # fmt: skip
    if renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(b))


def _same_device(a: Path, b: Path) -> bool:
    try:
        return os.stat(a).st_dev == os.stat(b).st_dev
    except OSError:
        return False


class Publication:
    """One build's way into the output folder: the project's build lock, a fresh staging
    folder, and the swap that publishes it (``publish``). Leaving the ``with`` block
    without publishing discards the staging folder; the output is untouched.

    Where things go while a build runs, each name made here only (``_place``): in the cache
    folder, ``staging-<tag>-<pid>`` (the new site) and ``old-<tag>`` (the old one between
    two renames, where the system cannot swap); beside the output instead when the cache
    folder is on another file system, ``.<output>.timeline-staging-<pid>`` and
    ``.<output>.timeline-old-<pid>``. ``<tag>`` tells outputs apart (``--out``).
    """

    def __init__(self, output: Path, cache: Path) -> None:
        self.output = output
        self.cache = cache
        self.tag = hashlib.blake2b(os.fsencode(output), digest_size=4).hexdigest()
        self.staging = Path()
        self.previous: Path | None = None  # the site being replaced, to link pages from
        self._lock = -1
        self._took_spare = False

    def _place(self, kind: str, pid: str) -> Path:
        """Where a build's staging folder or old site goes (``pid`` "*": a glob of all)."""
        if _same_device(self.cache, self.output.parent):
            return self.cache / (f"{STAGING}{self.tag}-{pid}" if kind == STAGING
                                 else f"{OLD}{self.tag}")  # fmt: skip
        return self.output.parent / f".{self.output.name}.timeline-{kind}{pid}"

    def __enter__(self) -> Publication:
        try:
            self._prepare()
        except OSError as exc:
            self._unlock()
            raise write_error(exc) from None
        except BaseException:
            self._unlock()
            raise
        return self

    def _prepare(self) -> None:
        parent = self.output.parent
        if not parent.is_dir():
            parent.mkdir(parents=True)
        if os.path.ismount(self.output):
            raise UsageError(
                f"{self.output} is a mount point, and a build replaces the output folder "
                "whole (so that readers see the old site or the new one, never a mix); "
                f"build into a folder inside it (--out {self.output / 'site'}) or mount the "
                "folder above it"
            )
        self.lock()
        self._recover()
        self.staging = self._place(STAGING, str(os.getpid()))
        os.mkdir(self.staging)  # fails on anything already there, a link included
        self.previous = self.output if files.real_folder(self.output) else None

    def lock(self, *, wait: float = LOCK_WAIT) -> bool:
        """Take the project's build lock (False if another build holds it past ``wait``)."""
        if self.cache.is_symlink() or (self.cache.exists() and not self.cache.is_dir()):
            raise UsageError(f"the cache folder {self.cache} is not a folder; remove it")
        self.cache.mkdir(parents=True, exist_ok=True)
        if fcntl is None:  # pragma: no cover
            return True
        flags = os.O_RDWR | os.O_CREAT | files.NOFOLLOW | getattr(os, "O_CLOEXEC", 0)
        self._lock = os.open(self.cache / LOCK, flags, 0o644)
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(self._lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return True
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    if not wait:
                        self._unlock()
                        return False
                    raise UsageError(
                        "another timeline build of this project is still running; "
                        "wait for it to finish"
                    ) from None
                time.sleep(0.05)

    def _unlock(self) -> None:
        if self._lock >= 0:
            os.close(self._lock)  # closing the file is what releases a flock
            self._lock = -1

    def _recover(self) -> None:
        """Put back a previous site left between two renames, then remove every leftover
        (this build holds the lock: no other build of the project is using them)."""
        old = self._place(OLD, "*")
        if not self.output.exists():
            for found in [*old.parent.glob(old.name), *self.output.parent.glob(
                    f".{self.output.name}.old-*")]:  # fmt: skip
                if files.real_folder(found):
                    os.rename(found, self.output)
                    break
        staging = self._place(STAGING, "*")
        legacy = [f".{self.output.name}.partial-*", f".{self.output.name}.old-*"]
        for path in [*staging.parent.glob(staging.name), *old.parent.glob(old.name),
                     *(p for pattern in legacy for p in self.output.parent.glob(pattern))]:
            if files.real_folder(path):
                shutil.rmtree(path, ignore_errors=True)
            else:
                with suppress(OSError):
                    path.unlink()

    def tidy(self) -> None:
        """Remove what killed builds left, if no build is running (for a build that finds
        the site up to date and so builds nothing)."""
        try:
            if self.lock(wait=0):
                self._recover()
        except OSError:
            pass  # leftovers stay for the next build
        finally:
            self._unlock()

    def spare(self) -> Path | None:
        """The spare (the site the last swap replaced, see ``site.patch``), if there is one."""
        spare = self._spare()
        return spare if spare is not None and files.real_folder(spare) else None

    def take_spare(self) -> bool:
        """Use the spare as this build's staging folder; False if there is none (the
        staging folder stays empty)."""
        spare = self.spare()
        if spare is None:
            return False
        os.rmdir(self.staging)
        os.rename(spare, self.staging)
        self._took_spare = True
        return True

    def _spare(self) -> Path | None:
        """Where the old site is kept after a swap: in the cache folder only."""
        if self.staging.parent != self.cache:
            return None
        return self.cache / f"{SPARE}{self.tag}"

    def _keep(self, old: Path) -> None:
        """Keep the site just replaced as the spare (its files are mostly hard links of the
        new site's: it costs the disk only the pages that changed), else delete it."""
        spare = self._spare()
        if spare is not None:
            if os.path.lexists(spare):
                shutil.rmtree(spare, ignore_errors=True)
            with suppress(OSError):
                os.rename(old, spare)
                return
        shutil.rmtree(old, ignore_errors=True)

    def publish(self) -> None:
        """Make the staging folder the output folder, in one step where the system can."""
        try:
            if not self.output.exists():
                os.rename(self.staging, self.output)
            else:
                _keep_mode_and_owner(self.output, self.staging)
                if not _exchange(self.staging, self.output):
                    old = self._place(OLD, str(os.getpid()))
                    os.rename(self.output, old)  # the one moment with no site: see _recover
                    os.rename(self.staging, self.output)
                    self._keep(old)
                    return
        except OSError as exc:
            raise write_error(exc) from None
        self._keep(self.staging)  # the old site, after a swap

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        try:
            if self.staging.name and self.staging.exists():
                if self._took_spare:  # a mirror in any state: the next one checks each file
                    self._keep(self.staging)
                else:
                    shutil.rmtree(self.staging, ignore_errors=True)
        finally:
            self._unlock()


def _keep_mode_and_owner(old: Path, new: Path) -> None:
    """Give the new site's folder the old one's permissions and owner (a group-writable
    folder shared with a web server stays so), as far as this user may."""
    st = os.stat(old)
    with suppress(OSError):
        os.chmod(new, stat.S_IMODE(st.st_mode))
    with suppress(OSError):
        if (st.st_uid, st.st_gid) != (os.getuid(), os.getgid()):
            os.chown(new, st.st_uid, st.st_gid)


def write_error(exc: OSError) -> WriteError:
    """A failed write, in a user's words."""
    where = f" {exc.filename}" if exc.filename else ""
    return WriteError(f"cannot write{where}: {exc.strerror or exc}; the previous site is kept")


def replace_file(output: Path, rel: str, data: bytes) -> bool:
    """Replace one file of a served site atomically, unless it already holds ``data``
    (``timeline serve``'s rebuilds: the server holds requests meanwhile, so no commit step)."""
    pure = PurePosixPath(rel)
    target = output.joinpath(*pure.parts)
    try:
        st = os.lstat(target)
        same_size = stat.S_ISREG(st.st_mode) and st.st_size == len(data)
        if same_size and files.read_regular(target, follow=False) == data:
            return False
    except OSError:
        pass
    files.make_folder(target.parent, under=output)
    files.replace(target, data)
    return True


def remove_file(output: Path, rel: str) -> None:
    """Delete a page that no longer exists, and the folders it leaves empty."""
    target = output.joinpath(*rel.split("/"))
    target.unlink(missing_ok=True)
    folder = target.parent
    while folder != output and files.real_folder(folder) and not any(folder.iterdir()):
        folder.rmdir()
        folder = folder.parent
