"""Publishing a build, so that a reader only ever sees a whole site.

``timeline build`` writes every file into a fresh staging folder, never into the published
one: a page whose bytes are unchanged since the last build is hard-linked from the old site
(neither rendered twice nor rewritten), a changed one is written. Only then is the staging
folder swapped with the output folder in one atomic step (Linux's ``renameat2`` with
``RENAME_EXCHANGE``), and the old site, now in the staging folder's place, deleted. A build
killed at any moment leaves the previous site whole or the new one; what it leaves behind
is in the cache folder, never inside the published tree, and the next build removes it.

Builds of one project take turns (a lock in the cache folder), so leftovers can be removed
safely.
"""

from __future__ import annotations

import ctypes
import errno
import hashlib
import os
import shutil
import stat
import time
from contextlib import suppress
from pathlib import Path
from types import TracebackType

from timeline import files
from timeline.errors import UsageError
from timeline.site.output import write_error
from timeline.site.theme_folders import KEPT_TEMPLATES

try:
    import fcntl
except ImportError:  # pragma: no cover - not POSIX: builds are not serialised
    fcntl = None  # type: ignore[assignment]


LOCK = "build.lock"
LOCK_WAIT = 60.0  # seconds to wait for another build of the same project
STAGING = "staging-"  # the new site while it is made (see Publication)
OLD = "old-"  # the previous site between two renames, where an exchange is not possible
SPARE = "spare-"  # the site the last swap replaced, kept for the next one-edit build


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
        # A killed process's half-written record, snapshot or compiled template.
        for folder in (self.cache, self.cache / KEPT_TEMPLATES):
            files.remove_abandoned(folder)

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
