"""One worker's share of a cold build: its pages rendered from their specs and written into
the staging folder (``Builder.build`` spreads the pages over the workers: ``site.schedule``)."""

from __future__ import annotations

import functools
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import jinja2

from timeline import cache
from timeline.progress import STEP, Progress
from timeline.site import search as search_index
from timeline.site.datapatch import Placement, stamp_of
from timeline.site.offline import file_links
from timeline.site.output import SiteWriter
from timeline.site.pages import Page
from timeline.site.render import PageSpec, Renderer
from timeline.site.theme import template_error


@dataclass
class Share:
    """What one worker of a cold build did."""

    rendered: Counter[str]
    changed: list[str]  # files written (or staged) because their bytes changed
    stats: cache.Stats  # every file of the share: (size, mtime) as committed
    paths: list[str]  # every page of the share
    specs: list[PageSpec]
    searched: dict[str, bytes] = field(default_factory=dict)  # page_digest of indexed pages
    placed: dict[str, Placement] = field(default_factory=dict)  # data file kind -> its items


def write_share(
    renderer: Renderer, plan: list[list[Page]], folder: Path, previous: Path | None,
    statics: dict[str, Path], part: int, *, search: bool, allow_html: bool,
    progress: Progress | None,
) -> Share:  # fmt: skip
    """Render and write the pages of ``plan[part]`` into the staging ``folder`` (linking
    those unchanged from ``previous``, the site being replaced); the first share copies the
    static files too."""
    writer = SiteWriter(folder, previous=previous)
    result = Share(Counter(), writer.changed, writer.stats, [], [])
    kind: type | None = None
    for done, key in enumerate(plan[part], 1):
        if len(plan) > 1 and type(key) is not kind:  # kinds share no entries:
            renderer.forget_entries()  # let the last kind's go (a worker's memory)
            kind = type(key)
        spec = renderer.spec(key)
        if spec.template == "@data":
            made, st = writer.write_stream(
                spec.path, functools.partial(renderer.write_data, spec))
            result.placed[str(spec.context["kind"])] = Placement(stamp_of(st), *made)
        else:
            page = render_page(renderer, spec)
            writer.write(spec.path, page)
            if search and (found := search_index.page_digest(
                page, raw_html=allow_html)):  # fmt: skip
                result.searched[spec.path] = found
        result.rendered[spec.template] += 1
        if progress and done % STEP == 0:
            progress.advance(STEP)
        result.paths.append(spec.path)
        if len(plan) == 1:  # kept in-process only, for serve's next update
            result.specs.append(spec)
    if progress:
        progress.advance(len(plan[part]) % STEP)
    if part == 0:
        for rel, source in statics.items():
            writer.copy(rel, source)
    return result


def render_page(renderer: Renderer, spec: PageSpec) -> str:
    """Render one page (for an offline copy, with links that work from disk); a broken theme
    template is a content error naming file and line."""
    try:
        text = renderer.render(spec)
    except jinja2.TemplateError as exc:
        raise template_error(exc, spec.template) from None
    if renderer.config.offline and spec.path.endswith(".html"):
        return file_links(text)
    return text
