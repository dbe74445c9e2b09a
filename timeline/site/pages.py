"""The pages of a site, as small typed records: which page, its URL and its output file.

A build lists every page as one of these (``Renderer.keys``), spreads them over workers by
kind (``schedule``), describes each (``Renderer.spec``) and writes it; ``timeline serve``
plans which of them an edit changed. Every consumer dispatches with ``match``, so a new kind
of page is one more record here, and the type checker finds each place that must learn it.
"""

from __future__ import annotations

from dataclasses import dataclass

from timeline.reading.model import Taxonomy
from timeline.site.paging import page_url
from timeline.site.views import event_url, term_url, year_url

# The site's own views a menu may name, with their URLs, in the default order (the site's
# pages follow them); each one's label is the strings table's "nav.<name>".
MENU_VIEWS = {
    "timeline": "", "years": "years/", "tags": "tags/", "actors": "actors/",
    "places": "places/", "sources": "sources/", "story": "story/",
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Home:
    """The index: the whole chronology, or for a large timeline its years."""


@dataclass(frozen=True, slots=True)
class EventPage:
    slug: str


@dataclass(frozen=True, slots=True)
class Alias:
    """A former slug of an event: a page redirecting to the event."""

    alias: str


@dataclass(frozen=True, slots=True)
class Years:
    """The list of years, with their counts."""


@dataclass(frozen=True, slots=True)
class YearPage:
    year: int
    number: int = 1  # the page of a year of more than PAGE_SIZE events


@dataclass(frozen=True, slots=True)
class Terms:
    """The index of one taxonomy's names (all tags, all actors, all places)."""

    taxonomy: Taxonomy


@dataclass(frozen=True, slots=True)
class TermPage:
    taxonomy: Taxonomy
    slug: str
    number: int = 1


@dataclass(frozen=True, slots=True)
class SourcesPage:
    number: int = 1


@dataclass(frozen=True, slots=True)
class OwnPage:
    """A page of the site's own, from ``pages/`` ("About", "Methodology"...)."""

    slug: str


@dataclass(frozen=True, slots=True)
class Story:
    """The timeline as a slideshow, one event at a time (story/; see static/story.js)."""


@dataclass(frozen=True, slots=True)
class Embed:
    """The story without the site's menu and footer, for an <iframe> on another site."""


@dataclass(frozen=True, slots=True)
class NotFound:
    """404.html."""


@dataclass(frozen=True, slots=True)
class Feed:
    format: str  # "atom" (feed.xml) or "json" (feed.json)
    tag: str = ""  # a tag's slug, or "" for the site's feed


@dataclass(frozen=True, slots=True)
class Sitemap:
    pass


@dataclass(frozen=True, slots=True)
class Robots:
    pass


@dataclass(frozen=True, slots=True)
class Words:
    """static/words.js: the site's words in its language, for its scripts."""


@dataclass(frozen=True, slots=True)
class Shared:
    """A large timeline's data that several pages use, as a script of its own:
    ``overview-data.js`` (the whole timeline's chart: the index, story/ and embed/) or
    ``story-data.js`` (the story's filters: story/ and embed/)."""

    kind: str  # "overview" or "story"


@dataclass(frozen=True, slots=True)
class DataFile:
    format: str  # "json" (timeline.json) or "timelinejs" (timelinejs.json)


Page = (
    Home | EventPage | Alias | Years | YearPage | Terms | TermPage | SourcesPage | OwnPage
    | NotFound | Feed | Sitemap | Robots | Words | Shared | DataFile | Story | Embed
)  # fmt: skip


def listed_url(page: Page) -> str | None:
    """The URL path of an HTML page a reader may land on (in the sitemap), relative to the
    site's root; None for redirects, the not-found page and files that are not pages."""
    match page:
        case Home():
            return ""
        case EventPage(slug):
            return event_url(slug)
        case Years():
            return "years/"
        case YearPage(year, number):
            return page_url(year_url(year), number)
        case Terms(taxonomy):
            return f"{taxonomy.value}/"
        case TermPage(taxonomy, slug, number):
            return page_url(term_url(taxonomy, slug), number)
        case SourcesPage(number):
            return page_url("sources/", number)
        case OwnPage(slug):
            return f"{slug}/"
        case Story():
            return "story/"
        case _:  # the embed is the story again, for frames: its canonical page is story/
            return None


def output_file(url_path: str) -> str:
    """'events/x/' -> 'events/x/index.html'; '' -> 'index.html'; '404.html' unchanged."""
    return url_path + "index.html" if url_path.endswith("/") or not url_path else url_path


def path(page: Page) -> str:
    """The file a page is written to, inside the output folder."""
    match page:
        case Alias(alias):
            return output_file(event_url(alias))
        case NotFound():
            return "404.html"
        case Feed(format, tag):
            return (term_url(Taxonomy.TAGS, tag) if tag else "") + (
                "feed.xml" if format == "atom" else "feed.json")  # fmt: skip
        case Sitemap():
            return "sitemap.xml"
        case Robots():
            return "robots.txt"
        case Words():
            return "static/words.js"
        case Shared(kind):
            return f"{kind}-data.js"
        case DataFile(format):
            return "timeline.json" if format == "json" else "timelinejs.json"
        case Embed():
            return "embed/index.html"
        case _:
            url = listed_url(page)
            assert url is not None
            return output_file(url)
