"""What every page of a site shows the same: its title and language, the menu, the brand and
the footer (``SiteView``, made once a build)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup

from timeline.config import Config
from timeline.reading.model import PageFile
from timeline.site.branding import brand_css, footer_html
from timeline.site.pages import MENU_VIEWS
from timeline.site.theme import hedged
from timeline.site.viewmodels import Link
from timeline.words import Words


@dataclass(frozen=True)
class SiteView:
    """Site-wide values every template sees."""

    title: str
    description: str
    language: str
    direction: str  # "ltr" or "rtl", the language's (timeline.words)
    arrows: tuple[str, str]  # towards earlier and later: ← →, or → ← right to left
    author: str
    base_url: str
    nav: tuple[Link, ...]
    event_count: int
    search: bool  # a Pagefind index is built with the site
    base_path: str
    # The site's own look (site.branding): files in static/, CSS, the footer's HTML.
    logo: str
    favicon: str
    extra_css: tuple[str, ...]
    brand_css: Markup
    footer: Markup
    # The same on every page, so made once: the footer's credit line ("Generated timeline ·
    # 10,000 events..."), and the titles of the links to the site's Atom and JSON feeds.
    credit: Markup
    feed_titles: tuple[Markup, Markup]


def credit(words: Words, title: str, author: str, events: int) -> Markup:
    """The footer's line: the site, its author and its number of events, how dates are
    hedged."""
    return words.html(
        "site.footer", title=title + (f" · {author}" if author else ""),
        events=words.html_count("count.events", events), circa=hedged(words("dates.circa")),
        uncertain=hedged("?"),
    )  # fmt: skip


def menu(config: Config, own_pages: Sequence[PageFile]) -> tuple[Link, ...]:
    """The site's menu: the names of ``config.menu`` in order, or by default every view,
    then the pages numbered by ``menu:`` (lowest first), then those without (by title);
    pages with ``menu: false`` are left out."""
    links = {name: Link(url, config.words(f"nav.{name}")) for name, url in MENU_VIEWS.items()}
    links.update((page.slug, Link(f"{page.slug}/", page.title)) for page in own_pages)
    if config.menu:
        return tuple(links[name] for name in config.menu if name in links)
    shown = [page for page in own_pages if page.menu is not False]
    shown.sort(key=lambda page: (page.menu is None, page.menu or 0, page.title.casefold()))
    return tuple(links[name] for name in [*MENU_VIEWS, *(page.slug for page in shown)])


def site_view(config: Config, own_pages: Sequence[PageFile], events: int, *,
              search: bool) -> SiteView:  # fmt: skip
    """The site-wide values of a build of ``events`` events."""
    return SiteView(
        title=config.title,
        description=config.description,
        language=config.language,
        direction=config.words.direction,
        arrows=("→", "←") if config.words.direction == "rtl" else ("←", "→"),
        author=config.author,
        base_url=config.base_url,
        nav=menu(config, own_pages),
        event_count=events,
        search=search,
        base_path=config.base_path,
        logo=config.logo,
        favicon=config.favicon,
        extra_css=config.extra_css,
        brand_css=brand_css(config),
        footer=footer_html(config),
        credit=credit(config.words, config.title, config.author, events),
        feed_titles=(config.words.html("site.feed_atom", title=config.title),
                     config.words.html("site.feed_json", title=config.title)),
    )  # fmt: skip
