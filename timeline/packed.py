"""Many texts kept in a few large buffers, for forked workers to read without copying memory.

A forked worker shares its parent's memory until it writes to a page, and merely reading a
Python object writes to it (its reference count). Markdown sources and rendered bodies, one
string each, would thus be copied into every page worker that reads them (at 100,000 events,
hundreds of megabytes a worker). Packed into one ``bytes`` buffer per run of work by the read
and Markdown workers, they never exist as separate strings in the parent; a page worker
slices out the text it uses, which copies only that text, and the buffers' pages stay shared.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import TypeVar

from timeline.parallel import map_runs

T = TypeVar("T")
R = TypeVar("R")

Chunk = tuple[bytes, tuple[int, ...]]  # texts as UTF-8, one after another; where each ends


def pack(texts: Sequence[str]) -> Chunk:
    """Texts as one buffer and the offset at which each ends."""
    parts = [text.encode("utf-8") for text in texts]
    ends: list[int] = []
    end = 0
    for part in parts:
        end += len(part)
        ends.append(end)
    return b"".join(parts), tuple(ends)


class PackedTexts(Mapping[str, str]):
    """A read-only ``{key: text}`` stored as chunks made by ``pack`` (one per run of work)."""

    def __init__(self) -> None:
        self._chunks: list[bytes] = []
        self._spans: dict[str, tuple[int, int, int]] = {}  # key -> chunk, start, end

    def add(self, keys: Sequence[str], chunk: Chunk) -> None:
        data, ends = chunk
        number = len(self._chunks)
        self._chunks.append(data)
        start = 0
        for key, end in zip(keys, ends, strict=True):
            self._spans[key] = (number, start, end)
            start = end

    def __getitem__(self, key: str) -> str:
        number, start, end = self._spans[key]
        return self._chunks[number][start:end].decode("utf-8")

    def __iter__(self) -> Iterator[str]:
        return iter(self._spans)

    def __len__(self) -> int:
        return len(self._spans)


def map_packed(
    function: Callable[[T], R], items: Sequence[T], workers: int, *, key: Callable[[T], str],
    split: Callable[[R], tuple[R, str]],
) -> tuple[list[R], PackedTexts]:  # fmt: skip
    """``[function(x) for x in items]`` in forked workers (see ``map_runs``), each result's
    long text taken out of it by ``split`` (the result without the text, and the text) and
    packed, one chunk per run, under ``key(item)``."""

    def run(part: Sequence[T]) -> tuple[list[str], list[R], Chunk]:
        results, texts = zip(*(split(function(item)) for item in part), strict=True)
        return [key(item) for item in part], list(results), pack(texts)

    found: list[R] = []
    packed = PackedTexts()
    for keys, results, chunk in map_runs(run, items, workers) if items else ():
        packed.add(keys, chunk)
        found += results
    return found, packed
