"""File I/O at the edges, done so that nothing hangs and nothing is written through a link.

Reading opens with ``O_NONBLOCK`` and checks what was opened: a FIFO, socket or device named
like an input would block a plain ``open`` forever, so it is refused by name instead.
Writing never follows a symbolic link: new files are created with ``O_CREAT | O_EXCL |
O_NOFOLLOW`` (which fails on any existing name, a dangling link included), replacements are
written under a fresh temporary name and renamed over the target (a rename replaces a link,
it never writes through it), and folders are made one level at a time, each checked to be
a real folder.
"""

from __future__ import annotations

import errno
import os
import stat
import time
from collections.abc import Callable
from contextlib import suppress
from pathlib import Path

_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
READ_FLAGS = os.O_RDONLY | _NONBLOCK | _CLOEXEC
CREATE_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | NOFOLLOW | _CLOEXEC
TEMPORARY = ".timeline-tmp"  # the suffix of a file being written, before its rename


class NotRegularFile(OSError):
    """A path that should be a file is a FIFO, socket, device or folder."""


def kind_of(mode: int) -> str:
    """What a file that is not a regular file is, in a user's words."""
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    if stat.S_ISREG(mode):
        return "a file"
    return "not a regular file"


def open_regular(path: str | Path, *, follow: bool = True) -> int:
    """A file descriptor for reading a regular file; raises NotRegularFile (never blocks)."""
    fd = os.open(path, READ_FLAGS | (0 if follow else NOFOLLOW))
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise NotRegularFile(errno.EINVAL, f"is {kind_of(mode)}, not a file", str(path))
        if _NONBLOCK:
            os.set_blocking(fd, True)
    except BaseException:
        os.close(fd)
        raise
    return fd


def read_regular(path: str | Path, *, follow: bool = True) -> bytes:
    """The bytes of a regular file; raises NotRegularFile or OSError."""
    with open(open_regular(path, follow=follow), "rb") as handle:
        return handle.read()


def why_unreadable(exc: OSError) -> str:
    """The reason an OSError gives, for a message after the file's name."""
    if isinstance(exc, NotRegularFile):
        return exc.strerror or "is not a regular file"
    return f"cannot be read: {exc.strerror or exc}"


def create(path: str | Path, data: bytes, *more: bytes) -> os.stat_result:
    """Write a new file at ``path`` (``data``, then each of ``more``: no large join made to
    write it); fails if anything, even a dangling link, is there."""
    fd = os.open(path, CREATE_FLAGS, 0o644)
    try:
        with open(fd, "wb", closefd=False) as handle:
            handle.write(data)
            for part in more:
                handle.write(part)
        return os.fstat(fd)
    except BaseException as exc:
        os.close(fd)
        fd = -1
        with suppress(OSError):
            os.unlink(path)
        if isinstance(exc, OSError) and exc.filename is None:  # a full disk names no file
            raise OSError(exc.errno, exc.strerror, str(path)) from None
        raise
    finally:
        if fd >= 0:
            os.close(fd)


def _temporary(path: Path) -> Path:
    return path.with_name(f".{path.name}.{os.getpid()}{TEMPORARY}")


ABANDONED_AFTER = 300.0  # seconds: a temporary file this old is a killed process's


def remove_entries(folder: Path, doomed: Callable[[os.DirEntry[str]], bool]) -> None:
    """Unlink each entry of ``folder`` that ``doomed`` picks, by its name (never what a link
    names), through the folder opened without following a link put in its place."""
    try:
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    except OSError:  # none, or not a folder of its own
        return
    try:
        with os.scandir(fd) as entries:
            for entry in entries:
                with suppress(OSError):
                    if doomed(entry):
                        os.unlink(entry.name, dir_fd=fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def left_long_ago(entry: os.DirEntry[str]) -> bool:
    """Whether an entry was last written more than ``ABANDONED_AFTER`` ago: a newer one may
    be another process's, still being written."""
    return entry.stat(follow_symlinks=False).st_mtime < time.time() - ABANDONED_AFTER


def remove_abandoned(folder: Path) -> None:
    """Delete the temporary files (see ``replace``) that killed processes left in ``folder``:
    each is named by its writer's process, so no later write reuses or removes it. One
    written in the last few minutes, or whose process still runs, may be another process's,
    still being written."""

    def abandoned(entry: os.DirEntry[str]) -> bool:
        name = entry.name
        return (name.startswith(".") and name.endswith(TEMPORARY) and left_long_ago(entry)
                and not _running(name.removesuffix(TEMPORARY).rpartition(".")[2]))  # fmt: skip

    remove_entries(folder, abandoned)


def _running(pid: str) -> bool:
    """Whether the process of that number (a temporary file's writer) still runs."""
    if not pid.isdigit() or int(pid) == os.getpid():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # someone else's
    return True


def replace(path: Path, data: bytes, *more: bytes) -> os.stat_result:
    """Write ``data`` to ``path`` atomically: a reader sees the old file or the new one, and a
    link at ``path`` is replaced, not written through."""
    return replace_by(path, lambda temporary: create(temporary, data, *more))


def replace_by(path: Path, make: Callable[[Path], os.stat_result]) -> os.stat_result:
    """As ``replace``, the new file made by ``make`` at the temporary path it is given (for
    a file written in pieces, some copied by the kernel from another file)."""
    temporary = _temporary(path)
    with suppress(OSError):
        os.unlink(temporary)
    st = make(temporary)
    try:
        os.replace(temporary, path)
    except BaseException:
        with suppress(OSError):
            os.unlink(temporary)
        raise
    return st


def create_whole(path: Path, data: bytes) -> None:
    """A new file at ``path`` holding all of ``data`` or nothing: written under a temporary
    name, then linked to its name (which fails if the name exists, even as a dangling link),
    so that a crash never leaves an empty or half-written file under the real name."""
    temporary = _temporary(path)
    with suppress(OSError):
        os.unlink(temporary)
    create(temporary, data)
    try:
        try:
            os.link(temporary, path, follow_symlinks=False)
        except OSError as exc:
            if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV):
                raise
            # No hard links here (some network and FAT file systems): an exclusive create.
            create(path, data)
    finally:
        with suppress(OSError):
            os.unlink(temporary)


def make_folder(path: Path, *, under: Path) -> None:
    """Make ``path`` and its missing parents below ``under`` (which must exist), refusing a
    symbolic link or a file at any level."""
    rel = path.relative_to(under)
    current = under
    for part in rel.parts:
        current = current / part
        make_one_folder(current)


def make_one_folder(path: str | Path) -> None:
    """Make the folder ``path`` (its parent must exist), or find a real folder there: a
    symbolic link or a file is refused."""
    try:
        os.mkdir(path)
    except FileExistsError:
        mode = os.lstat(path).st_mode
        if not stat.S_ISDIR(mode):
            raise NotRegularFile(
                errno.ENOTDIR, f"is {kind_of(mode)}, not a folder", str(path)
            ) from None


def not_a_folder(path: Path) -> str | None:
    """Why something at ``path`` is not a folder to write into (a link to one is not), or
    None if it is one, or if nothing is there yet."""
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return None
    if stat.S_ISDIR(mode):
        return None
    if stat.S_ISLNK(mode):
        return f"is a symbolic link (to {os.readlink(path)})"
    return f"is {kind_of(mode)}, not a folder"


def real_folder(path: Path) -> bool:
    """True if ``path`` is a folder itself, not a link to one."""
    try:
        return stat.S_ISDIR(os.lstat(path).st_mode)
    except OSError:
        return False


def is_utf8_name(name: str) -> bool:
    """False for a file name holding bytes that are not UTF-8 (surrogate escapes from the OS):
    no URL can name such a file."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def shown_name(name: str) -> str:
    """A file name that may hold undecodable bytes, printable (each such byte as \\xNN)."""
    return os.fsencode(name).decode("utf-8", "backslashreplace")


def walk_files(folder: Path) -> tuple[list[tuple[str, Path]], list[tuple[str, str]]]:
    """Every regular file under ``folder`` (sorted relative paths, dotfiles and links leading
    out of the folder left out), and what is wrong with the rest: (relative path, why) for
    a FIFO, socket or device, a name that is not UTF-8, and a folder that cannot be read."""
    found: list[tuple[str, Path]] = []
    wrong: list[tuple[str, str]] = []
    if not folder.is_dir():
        return found, wrong
    top = folder.resolve()

    def unreadable(exc: OSError) -> None:
        rel = os.path.relpath(exc.filename, folder).replace(os.sep, "/")
        wrong.append((f"{rel}/", f"this folder cannot be read ({exc.strerror})"))

    for current, dirs, names in os.walk(folder, onerror=unreadable):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(names):
            if name.startswith("."):
                continue
            path = Path(current, name)
            rel = path.relative_to(folder).as_posix()
            if not is_utf8_name(rel):
                wrong.append((shown_name(rel), "the file name is not UTF-8 text, so no URL can "
                                               "name it; rename the file"))  # fmt: skip
                continue
            try:
                st = os.lstat(path)
                if stat.S_ISLNK(st.st_mode):
                    if not path.resolve().is_relative_to(top):
                        continue  # never copy what a link points to outside the folder
                    st = os.stat(path)
            except (OSError, RuntimeError):
                wrong.append((rel, "is a broken symbolic link"))
                continue
            if stat.S_ISREG(st.st_mode):
                found.append((rel, path))
            elif not stat.S_ISDIR(st.st_mode):
                wrong.append((rel, f"is {kind_of(st.st_mode)}, not a file; remove it"))
    return found, wrong
