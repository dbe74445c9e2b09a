"""Pages from templates: the theme's Jinja2 environment and one function per kind of page.

Event text is only ever template *data*: it is never compiled as a template, and autoescaping
is on for every template, so `{{ 7*7 }}` or `<script>` in an event stays literal.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import jinja2

from timeline.config import Config
from timeline.reading.model import Taxonomy
from timeline.site.index import TimelineIndex
from timeline.site.views import (
    Link,
    Views,
    YearCount,
    YearSection,
    event_url,
    term_url,
    year_url,
)

PACKAGE = Path(__file__).resolve().parent.parent


def default_theme() -> Path:
    """The default theme: inside the installed package, or ``theme/`` beside it in a checkout."""
    for candidate in (PACKAGE / "theme", PACKAGE.parent / "theme"):
        if (candidate / "templates").is_dir():
            return candidate
    raise FileNotFoundError("the default theme is missing from this installation")


def theme_folders(config: Config) -> list[Path]:
    """Theme folders in order of precedence: the project's own, then the default."""
    folders = [default_theme()]
    if config.theme_path.is_dir() and config.theme_path.resolve() != folders[0].resolve():
        folders.insert(0, config.theme_path)
    return folders


def make_environment(config: Config) -> jinja2.Environment:
    """One environment per build: templates are compiled once and reused for every page."""
    loaders = [jinja2.FileSystemLoader(folder / "templates") for folder in theme_folders(config)]
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    return env


def static_files(config: Config) -> dict[str, Path]:
    """Output path -> file: theme static files (project theme overriding the default by
    name), then the project's ``static/`` folder, copied to the site root."""
    files: dict[str, Path] = {}
    for folder in reversed(theme_folders(config)):
        files.update(_walk(folder / "static", "static/"))
    if config.static_path.is_dir():
        files.update(_walk(config.static_path, ""))
    return files


def _walk(folder: Path, prefix: str) -> Iterator[tuple[str, Path]]:
    if not folder.is_dir():
        return
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder)
        if path.is_file() and not any(p.startswith(".") for p in rel.parts):
            if path.is_symlink() and not path.resolve().is_relative_to(folder.resolve()):
                continue  # never copy what a link points to outside the folder
            yield prefix + rel.as_posix(), path


@dataclass(frozen=True)
class SiteView:
    """Site-wide values every template sees."""

    title: str
    description: str
    language: str
    author: str
    base_url: str
    nav: tuple[Link, ...]
    event_count: int


@dataclass(frozen=True)
class PageSpec:
    """One output file before rendering: its path, template and view context.

    The context holds only frozen view objects and plain values, so two specs for the same
    path compare equal exactly when the page would render the same: an incremental build
    re-renders only pages whose spec changed.
    """

    path: str  # output file, e.g. "events/x/index.html"
    template: str
    context: dict[str, Any]


def output_file(url_path: str) -> str:
    """'events/x/' -> 'events/x/index.html'; '' -> 'index.html'; '404.html' unchanged."""
    return url_path + "index.html" if url_path.endswith("/") or not url_path else url_path


class Renderer:
    """Describes every page of the site from the index and views, and renders specs."""

    def __init__(self, config: Config, env: jinja2.Environment, index: TimelineIndex,
                 views: Views, bodies: dict[str, str]) -> None:  # fmt: skip
        self.config = config
        self.env = env
        self.index = index
        self.views = views
        self.bodies = bodies
        self.site = SiteView(
            title=config.title,
            description=config.description,
            language=config.language,
            author=config.author,
            base_url=config.base_url,
            nav=(
                Link("", "Timeline"),
                Link("years/", "Years"),
                Link("tags/", "Tags"),
                Link("actors/", "Actors"),
                Link("places/", "Places"),
                Link("sources/", "Sources"),
            ),
            event_count=len(index.events),
        )

    def _spec(self, template: str, path: str, **context: Any) -> PageSpec:
        """A page at URL ``path`` (relative to the site root) rendered from ``template``."""
        root = "../" * path.count("/") if path != "404.html" else self.config.base_path
        canonical = self.config.base_url + path if self.config.base_url else None
        context.update(site=self.site, root=root, path=path, canonical=canonical)
        return PageSpec(output_file(path), template, context)

    def render(self, spec: PageSpec) -> str:
        return self.env.get_template(spec.template).render(spec.context)

    def specs(self) -> Iterator[PageSpec]:
        """Every page of the site, in a fixed order."""
        yield self.home()
        for event in self.index.events:
            yield self.event(event.slug)
        for alias, event in sorted(self.index.aliases.items()):
            yield self._spec("redirect.html", event_url(alias), target=event_url(event.slug),
                             title=event.title)  # fmt: skip
        counts = tuple(YearCount(y.label, y.url, y.count) for y in self.all_years)
        yield self._spec("years.html", "years/", years=counts, title="Years")
        for year in self.index.years:
            yield self.year(year)
        for taxonomy in Taxonomy:
            yield self.terms(taxonomy)
            for term in self.index.terms[taxonomy]:
                yield self._spec(
                    "term.html", term_url(taxonomy, term.slug),
                    title=term.name, kind=taxonomy.singular, kind_url=f"{taxonomy.value}/",
                    kind_label=taxonomy.value.capitalize(),
                    years=self.views.years(term.events), count=len(term.events),
                )  # fmt: skip
        yield self.sources()
        yield self._spec("404.html", "404.html", title="Page not found")

    def home(self) -> PageSpec:
        return self._spec("index.html", "", title=self.config.title, years=self.all_years)

    def event(self, slug: str) -> PageSpec:
        event = self.index.by_slug[slug]
        page = self.views.event_page(event, self.bodies[slug])
        return self._spec("event.html", event_url(slug), title=event.title, event=page)

    @cached_property
    def all_years(self) -> tuple[YearSection, ...]:
        """The whole chronology by year, shared by the home, years and year pages."""
        return self.views.years(self.index.events)

    def year(self, year: int) -> PageSpec:
        years = self.all_years
        i = next(i for i, section in enumerate(years) if section.year == year)
        return self._spec(
            "year.html", year_url(year), title=years[i].label, year=years[i],
            previous=years[i - 1] if i > 0 else None,
            next=years[i + 1] if i + 1 < len(years) else None,
        )  # fmt: skip

    def terms(self, taxonomy: Taxonomy) -> PageSpec:
        return self._spec(
            "terms.html", f"{taxonomy.value}/", title=taxonomy.value.capitalize(),
            kind=taxonomy.singular, terms=self.views.term_links(self.index.terms[taxonomy]),
        )  # fmt: skip

    def sources(self) -> PageSpec:
        entries = tuple(
            (self.views.source(n, e.source), e.anchor, self.views.refs_of(e.events))
            for n, e in enumerate(self.index.sources, 1)
        )
        return self._spec(
            "sources.html", "sources/", title="Sources", entries=entries,
            unsourced=self.views.refs_of(self.index.unsourced),
        )  # fmt: skip
