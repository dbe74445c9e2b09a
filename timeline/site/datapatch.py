"""The whole-timeline data files of an update (the one-edit build): each event's item encoded
again only if what it is made from changed, the others copied from the file as last written.

``timeline.json`` and ``timelinejs.json`` hold every event's Markdown (and TimelineJS its
HTML), 130 MB at 10,000 events: encoding them whole took 4 of a one-edit build's 7 seconds.
A ``Layout`` says where each event's item lies in the file as last written (its bytes'
offset and length) and what it was made from (``Shape.inputs``); an update writes the new
file from the items whose inputs are unchanged, copied from the old file by the kernel
(``copy_file_range``), and the others encoded now. The layout is trusted only for the very
file it describes (size, time and inode). A cold build's worker writes each data file
whole with ``write``, which notes where it put each item (a ``Placement``: offsets only, small
to send back); the main process adds the inputs (``placed``) for the snapshot. Anything else
encodes every item: the bytes are the cold build's either way (``dump_json`` writes the text
around the items).
"""

from __future__ import annotations

import errno
import io
import os
from array import array
from collections.abc import Sequence
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from timeline import files
from timeline.reading.model import Event
from timeline.site.exports import Shape
from timeline.site.feeds import dump_json, to_json

FIRST, NEXT = b"\n  ", b",\n  "  # what dump_json writes before the first item, and the others
_MARK = "\0"  # never in JSON text (control characters are escaped): the events' place
_NO_COPY = {errno.EXDEV, errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP, errno.ENOTSUP}

Stamp = tuple[int, int, int]  # size, modification time (ns), inode


@dataclass
class Layout:
    """Where each event's item lies in one data file, and what it was made from."""

    stamp: Stamp  # of the file described: any other file is not
    head: int  # bytes before the events' first item (and its separator)
    tail: int  # where the text after the last item starts
    items: dict[str, tuple[int, int, tuple[object, ...]]]  # slug -> offset, length, inputs


def stamp_of(st: os.stat_result) -> Stamp:
    """The stamp of a file (its ``os.stat``) that a layout holds."""
    return (st.st_size, st.st_mtime_ns, st.st_ino)


def frame(shape: Shape) -> tuple[bytes, bytes]:
    """The file's bytes before the events' items, and after them."""
    out = io.StringIO()
    after = [(key, [to_json(item) for item in items]) for key, items in shape.after]
    dump_json(out, shape.head, [("events", [_MARK]), *after], encoded=True)
    before, rest = out.getvalue().split(f"\n  {_MARK}")
    return before.encode(), rest.encode()


@dataclass(frozen=True)
class Placement:
    """Where ``write`` put each event's item, in the events' order: what a worker sends back
    instead of a ``Layout``, whose inputs would carry every event's Markdown and HTML with it
    (the main process has them already)."""

    stamp: Stamp  # of the file as the build left it
    head: int
    tail: int
    spans: array[int]  # each item's offset, then its length


def write(out: BinaryIO, shape: Shape, events: Sequence[Event]) -> tuple[int, int, array[int]]:
    """Write a data file whole (the bytes of ``dump_json``'s text), noting where each item
    lies: the offset of the events' first item's separator, where the text after the items
    starts, and each item's offset and length (see ``Placement``)."""
    before, after = frame(shape)
    out.write(before)
    at = len(before)
    spans: array[int] = array("q")
    for n, event in enumerate(events):
        separator = FIRST if n == 0 else NEXT
        data = to_json(shape.item(event)).encode()
        out.write(separator)
        out.write(data)
        spans.append(at + len(separator))
        spans.append(len(data))
        at += len(separator) + len(data)
    out.write(after)
    return len(before), at, spans


def placed(placement: Placement, shape: Shape, events: Sequence[Event]) -> Layout | None:
    """The layout of a file ``write`` wrote for these events (``shape``: as it was written),
    its items' inputs made now; None if it holds another number of items."""
    spans = placement.spans
    if len(spans) != 2 * len(events):
        return None
    items = {event.slug: (spans[2 * n], spans[2 * n + 1], shape.inputs(event))
             for n, event in enumerate(events)}  # fmt: skip
    return Layout(placement.stamp, placement.head, placement.tail, items)


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
            # The old inputs, equal: the snapshot's shard holding them stays unwritten.
            offset, length, inputs = found
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
        if fd < 0 or old is None or old.stamp != stamp_of(os.fstat(fd)):
            old = None  # another file than the one described: every item encoded
        pieces, layout = _plan(old, fd, shape, events)
        if pieces.size == size and _same(fd, pieces):
            layout.stamp = stamp_of(os.fstat(fd))
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

        layout.stamp = stamp_of(files.replace_by(target, make))
        return True, layout
    finally:
        if fd >= 0:
            os.close(fd)
