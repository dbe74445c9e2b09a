"""Spreading a build's pages over its workers so that they finish together."""

from __future__ import annotations

from collections.abc import Callable

from timeline.site.pages import EventPage, Page

EVENT_RUNS = 16  # runs of event pages per worker, handed out to whichever is free


def schedule(pages: list[Page], cost: Callable[[Page], float], shares: int) -> list[list[Page]]:
    """Pages split into parts for ``shares`` workers: first one share per worker of the pages
    that reuse list entries, kept together by kind (all year pages to one worker, all
    tag/actor/place pages to one, and so on, unless a kind is too large for that) and
    balanced by an estimated cost; then event pages, which share little, in short runs of
    neighbouring pages, each taken by the first worker free. So the estimates' errors even
    out at the end instead of leaving one core idle. Each share lists its pages kind by kind,
    so that a worker can let one kind's entries go."""
    groups: dict[type, list[tuple[Page, float]]] = {}
    for page in pages:
        groups.setdefault(type(page), []).append((page, cost(page)))
    total = sum(c for group in groups.values() for _, c in group)
    runs: list[tuple[float, list[Page]]] = []
    tail: list[list[Page]] = []
    for kind, group in groups.items():
        limit = total / (EVENT_RUNS if kind is EventPage else 2) / shares
        cut: list[tuple[float, list[Page]]] = []
        run: list[Page] = []
        weight = 0.0
        for page, c in group:
            if run and weight + c > limit:
                cut.append((weight, run))
                weight, run = 0.0, []
            run.append(page)
            weight += c
        cut.append((weight, run))
        if kind is EventPage:
            tail += [run for _, run in cut]
        else:
            runs += cut
    loads = [0.0] * shares
    plan: list[list[Page]] = [[] for _ in range(shares)]
    for weight, run in sorted(runs, key=lambda r: -r[0]):  # heaviest first, to the lightest
        share = loads.index(min(loads))
        loads[share] += weight
        plan[share].extend(run)
    rank = {kind: n for n, kind in enumerate(groups)}  # each share's pages kind by kind
    return [sorted(share, key=lambda page: rank[type(page)]) for share in plan] + tail
