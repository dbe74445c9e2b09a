"""Long lists cut into pages: which items each page holds, and the pager between them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeVar

PAGE_SIZE = 500  # events (or sources) on one list page; longer lists get more pages
T = TypeVar("T")


@dataclass(frozen=True)
class Pager:
    """Where a page sits in a paginated list; ``url`` is its own root-relative URL."""

    url: str
    number: int
    count: int
    previous: str | None
    next: str | None


def page_count(items: int) -> int:
    return max(1, -(-items // PAGE_SIZE))


def weighted_bounds(weights: Sequence[int], limit: int = PAGE_SIZE) -> list[int]:
    """Page starts such that each page holds at most ``limit`` items and, where possible,
    items whose weights add up to at most ``limit`` (a source cited by many events is heavy)."""
    bounds = [0]
    total = 0
    for i, weight in enumerate(weights):
        if i > bounds[-1] and (total + weight > limit or i - bounds[-1] >= limit):
            bounds.append(i)
            total = 0
        total += weight
    return bounds


def page_url(base: str, number: int) -> str:
    """'years/2007/' for page 1, 'years/2007/page/2/' after."""
    return base if number == 1 else f"{base}page/{number}/"


def paginate(
    items: Sequence[T], number: int, base: str, bounds: Sequence[int] | None = None
) -> tuple[Sequence[T], Pager]:
    """The items on page ``number`` and the pager around it (``bounds``: where each page
    starts, when pages are not all PAGE_SIZE items long)."""
    bounds = bounds or list(range(0, max(1, len(items)), PAGE_SIZE))
    count = len(bounds)
    end = bounds[number] if number < count else len(items)
    chunk = items[bounds[number - 1] : end]
    previous = page_url(base, number - 1) if number > 1 else None
    following = page_url(base, number + 1) if number < count else None
    return chunk, Pager(page_url(base, number), number, count, previous, following)
