"""The build pipeline: read -> index -> render Markdown -> render pages -> swap into site/.

Every check runs before anything is written, so a build with errors leaves the previous site
untouched; the new site is written beside it and swapped in whole.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from timeline.config import Config
from timeline.errors import Problem
from timeline.reading.load import load_corpus
from timeline.site.index import TimelineIndex, build_index
from timeline.site.markdown import LinkMap, render_body
from timeline.site.output import SiteWriter, check_replaceable, discard, publish, staging_folder
from timeline.site.render import Renderer, static_files
from timeline.site.views import Views

EVENT_ROOT = "../../"  # from events/<slug>/ back to the site root


@dataclass(frozen=True)
class Content:
    """A validated timeline, ready to render: the index and every body as HTML."""

    index: TimelineIndex
    bodies: dict[str, str]
    summaries: dict[str, str]
    warnings: tuple[Problem, ...]


@dataclass(frozen=True)
class BuildResult:
    """What a successful build did, for the summary line and for tests."""

    events: int
    pages: int
    output: Path
    warnings: tuple[Problem, ...]
    rendered: dict[str, int] = field(default_factory=dict)  # template -> pages rendered


def collect(config: Config, *, drafts: bool = False, strict: bool = False) -> Content:
    """Read and check everything (both phases); raise ContentError listing all problems."""
    corpus = load_corpus(config.root, config.events_path, drafts=drafts)
    problems = corpus.problems
    if not corpus.events and not problems.errors:
        problems.warn(config.events_dir, 0, "", "no event files found; the site will be empty")
    for event in corpus.events:
        image = event.image
        if image and not image.external and not (config.static_path / image.src).is_file():
            problems.error(
                event.path, image.line, "image.src",
                f"{image.src!r} is not a file in {config.static_dir}/; put the image there",
            )  # fmt: skip
    index = build_index(corpus.events, problems)
    links = LinkMap(
        titles={slug: event.title for slug, event in index.by_slug.items()},
        paths={event.path: slug for slug, event in index.by_slug.items()},
    )
    bodies: dict[str, str] = {}
    summaries: dict[str, str] = {}
    for event in index.events:
        rendered = render_body(
            event, links, problems, allow_html=config.allow_html, root=EVENT_ROOT
        )
        bodies[event.slug] = rendered.html
        summaries[event.slug] = rendered.first_paragraph
    problems.raise_if_errors(strict=strict)
    return Content(index, bodies, summaries, tuple(problems.warnings))


def build(config: Config, *, drafts: bool = False, strict: bool = False) -> BuildResult:
    """Build the whole site into ``config.output_path``, replacing what was there."""
    content = collect(config, drafts=drafts, strict=strict)
    output = config.output_path
    check_replaceable(output)
    views = Views(config, content.index, content.summaries)
    renderer = Renderer(config, content.index, views, content.bodies)
    staging = staging_folder(output)
    try:
        writer = SiteWriter(staging)
        pages = 0
        for page in renderer.pages():
            writer.write(page.path, page.html)
            pages += 1
        for rel, source in static_files(config).items():
            writer.copy(rel, source)
        publish(staging, output)
    except BaseException:
        discard(staging)
        raise
    return BuildResult(
        events=len(content.index.events),
        pages=pages,
        output=output,
        warnings=content.warnings,
        rendered=dict(renderer.counter),
    )
