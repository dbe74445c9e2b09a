"""The whole-timeline data files of an update (the one-edit build): each event's item encoded
again only if what it is made from changed, the others copied from the file as last written.

``timeline.json`` and ``timelinejs.json`` hold every event's Markdown (and TimelineJS its
HTML), 130 MB at 10,000 events: encoding them whole took 4 of a one-edit build's 7 seconds.
A ``Layout`` says where each event's item lies in the file as last written (its bytes'
offset and length) and what it was made from (``Shape.inputs``); an update writes the new
file from the items whose inputs are unchanged, copied from the old file by the kernel
(``copy_file_range``), and the others encoded now. The layout is trusted only for the very
file it describes (size, time and inode); one made by reading a file (``describe``, after a
cold build) is checked item by item against the events. Anything else encodes every item:
the bytes are the cold build's either way (``dump_json`` writes the text around the items).
"""

from __future__ import annotations

import errno
import io
import mmap
import os
from collections.abc import Sequence
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path

from timeline import files
from timeline.reading.model import Event
from timeline.site.exports import Shape
from timeline.site.feeds import dump_json, to_json

FIRST, NEXT = b"\n  ", b",\n  "  # what dump_json writes before the first item, and the others
_MARK = "\0"  # never in JSON text (control characters are escaped): the events' place
_NO_COPY = {errno.EXDEV, errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP, errno.ENOTSUP}

Stamp = tuple[int, int, int]  # size, modification time (ns), inode
# Every page of the file mapped at once (Linux): faulting them in one by one took most of the
# time of reading a 130 MB file.
_MAP = mmap.MAP_SHARED | getattr(mmap, "MAP_POPULATE", 0)


@dataclass
class Layout:
    """Where each event's item lies in one data file, and what it was made from."""

    stamp: Stamp  # of the file described: any other file is not
    head: int  # bytes before the events' first item (and its separator)
    tail: int  # where the text after the last item starts
    items: dict[str, tuple[int, int, tuple[object, ...]]]  # slug -> offset, length, inputs


def _stamp(st: os.stat_result) -> Stamp:
    return (st.st_size, st.st_mtime_ns, st.st_ino)


def frame(shape: Shape) -> tuple[bytes, bytes]:
    """The file's bytes before the events' items, and after them."""
    out = io.StringIO()
    after = [(key, [to_json(item) for item in items]) for key, items in shape.after]
    dump_json(out, shape.head, [("events", [_MARK]), *after], encoded=True)
    before, rest = out.getvalue().split(f"\n  {_MARK}")
    return before.encode(), rest.encode()


def describe(path: Path, shape: Shape, events: Sequence[Event]) -> Layout | None:
    """The layout of a data file written whole (a cold build's), if it holds exactly one
    item per event, in order, framed as ``shape`` frames them; else None."""
    before, after = frame(shape)
    try:
        fd = files.open_regular(path, follow=False)
    except OSError:
        return None
    try:
        st = os.fstat(fd)
        if st.st_size < len(before) + len(after):
            return None
        with mmap.mmap(fd, st.st_size, flags=_MAP, prot=mmap.PROT_READ) as data:
            if data[: len(before)] != before:
                return None
            items: dict[str, tuple[int, int, tuple[object, ...]]] = {}
            at, last = len(before), len(events) - 1
            for n, event in enumerate(events):
                separator = FIRST if n == 0 else NEXT
                start = at + len(separator)
                opening = f'{{"{shape.first}": {to_json(event.slug)}, '.encode()
                if data[at:start] != separator or data[start : start + len(opening)] != opening:
                    return None
                end = data.find(b"\n", start)  # an item is one line: JSON escapes newlines
                if end < 0:
                    return None
                if n < last:
                    end -= 1  # the comma before the next item's line
                items[event.slug] = (start, end - start, shape.inputs(event))
                at = end
            if data[at:] != after:
                return None
    except (OSError, ValueError):
        return None
    finally:
        os.close(fd)
    return Layout(_stamp(st), len(before), at, items)


class _Pieces:
    """The new file as a list of pieces: bytes to write, or (offset, length) of the old
    file's bytes to copy (adjacent ranges joined)."""

    def __init__(self) -> None:
        self.pieces: list[bytes | tuple[int, int]] = []
        self.size = 0

    def text(self, data: bytes) -> None:
        self.pieces.append(data)
        self.size += len(data)

    def copy(self, offset: int, length: int) -> None:
        last = self.pieces[-1] if self.pieces else None
        if isinstance(last, tuple) and sum(last) == offset:
            self.pieces[-1] = (last[0], last[1] + length)
        else:
            self.pieces.append((offset, length))
        self.size += length


def _plan(old: Layout | None, fd: int, shape: Shape, events: Sequence[Event]) -> tuple[
        _Pieces, Layout]:  # fmt: skip
    """The pieces of the new file and its layout (its stamp left for the caller)."""
    before, after = frame(shape)
    out = _Pieces()
    if old is not None and old.head == len(before) and os.pread(fd, old.head, 0) == before:
        out.copy(0, old.head)
    else:
        out.text(before)
    items: dict[str, tuple[int, int, tuple[object, ...]]] = {}
    known = old.items if old is not None else {}
    for n, event in enumerate(events):
        separator = FIRST if n == 0 else NEXT
        inputs = shape.inputs(event)
        found = known.get(event.slug)
        if found is not None and found[2] == inputs:
            offset, length, _ = found
            assert old is not None
            was_first = offset == old.head + len(FIRST)
            if was_first == (n == 0):  # the old separator before it is the one it needs
                out.copy(offset - len(separator), length + len(separator))
            else:
                out.text(separator)
                out.copy(offset, length)
        else:
            out.text(separator)
            data = to_json(shape.item(event)).encode()
            length = len(data)
            out.text(data)
        items[event.slug] = (out.size - length, length, inputs)
    head = len(before)
    tail = out.size
    if old is not None and os.pread(fd, len(after) + 1, old.tail) == after:
        out.copy(old.tail, len(after))
    else:
        out.text(after)
    return out, Layout((0, 0, 0), head, tail, items)


def _same(fd: int, pieces: _Pieces) -> bool:
    """Whether the new file would hold the bytes of the old one (``fd``, of the same size):
    each range copied stays in its place, each text is there already (an item encoded again
    the same, or every item where no layout was trusted)."""
    at = 0
    for piece in pieces.pieces:
        if isinstance(piece, bytes):
            if os.pread(fd, len(piece), at) != piece:
                return False
            at += len(piece)
        else:
            if piece[0] != at:
                return False
            at += piece[1]
    return True


def _copy(source: int, target: int, offset: int, length: int) -> None:
    """Append ``length`` bytes of ``source`` from ``offset`` to ``target``."""
    while length > 0:
        try:
            done = os.copy_file_range(source, target, length, offset)
        except OSError as exc:
            if exc.errno not in _NO_COPY:
                raise
            done = os.write(target, os.pread(source, min(length, 1 << 24), offset))
        if done <= 0:
            raise OSError(errno.EIO, "the data file being copied is shorter than it was")
        offset, length = offset + done, length - done


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def replace(
    output: Path, rel: str, shape: Shape, events: Sequence[Event], old: Layout | None
) -> tuple[bool, Layout]:  # fmt: skip
    """Bring the data file ``rel`` of ``output`` up to date (replacing it atomically, as
    ``output.replace_file`` does, unless its bytes are unchanged); returns whether it was
    written, and its layout."""
    target = output / rel
    files.make_folder(target.parent, under=output)
    try:
        fd = files.open_regular(target, follow=False)
    except OSError:
        fd = -1
    try:
        size = os.fstat(fd).st_size if fd >= 0 else -1
        if fd < 0 or old is None or old.stamp != _stamp(os.fstat(fd)):
            old = None  # another file than the one described: every item encoded
        pieces, layout = _plan(old, fd, shape, events)
        if pieces.size == size and _same(fd, pieces):
            layout.stamp = _stamp(os.fstat(fd))
            return False, layout

        def make(temporary: Path) -> os.stat_result:
            out = os.open(temporary, files.CREATE_FLAGS, 0o644)
            try:
                for piece in pieces.pieces:
                    if isinstance(piece, bytes):
                        _write_all(out, piece)
                    else:
                        _copy(fd, out, *piece)
                return os.fstat(out)
            except BaseException:
                with suppress(OSError):
                    os.unlink(temporary)
                raise
            finally:
                os.close(out)

        layout.stamp = _stamp(files.replace_by(target, make))
        return True, layout
    finally:
        if fd >= 0:
            os.close(fd)
