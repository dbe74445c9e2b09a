"""The theme: its folders, its Jinja2 environment (templates compiled once, list entries
rendered once per event), the check of its templates and its static files.

Event text is only ever template *data*: it is never compiled as a template, and autoescaping
is on for every template, so `{{ 7*7 }}` or `<script>` in an event stays literal.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import jinja2
from markupsafe import Markup

from timeline import files
from timeline.config import Config
from timeline.errors import ContentError, Problem, Problems
from timeline.site.compiled import KeptTemplates
from timeline.site.overview import svg
from timeline.site.templating import Environment
from timeline.site.theme_folders import default_theme as default_theme
from timeline.site.theme_folders import theme_folders as theme_folders
from timeline.site.viewmodels import EventItem, EventRef


class Entries:
    """Events' entries in lists, each rendered once per build for each page depth (and heading
    level), then reused on every page that lists the event: ``event_item.html`` on the index,
    year and taxonomy pages, ``compact_item.html`` in the related, neighbour and source lists.

    A template global, so that macros imported into templates can call it (Jinja caches
    imported macro modules, so the function itself must stay the same from build to build).
    """

    def __init__(self, env: Environment, template: str) -> None:
        self.env = env
        self.template = template
        self.cache: dict[tuple[str, str, int], str] = {}  # the entries this build used
        self.kept: dict[tuple[str, str, int], str] = {}  # the last build's, not yet used

    def forget(self, slugs: set[str] | None) -> None:
        """Start a build: drop the entries of these events (of every event: None), and keep
        the others only if the last build used them. A serving process so holds the entries
        of the lists its last two updates showed, not every entry it ever rendered."""
        if slugs is None:
            self.cache, self.kept = {}, {}
        else:
            self.kept = {key: html for key, html in self.cache.items() if key[0] not in slugs}
            self.cache = {}

    def __call__(self, items: Iterable[EventItem | EventRef], root: str, level: int = 0) -> Markup:
        out = []
        for item in items:
            key = (item.slug, root, level)
            html = self.cache.get(key)
            if html is None:
                html = self.kept.pop(key, None)
                if html is None:
                    context = {"e": item, "root": root, "level": level}
                    html = self.env.render_template(self.template, context).strip()
                self.cache[key] = html
            out.append(html)
        return Markup("\n".join(out))

ENTRIES = {"items_html": "event_item.html", "compact_html": "compact_item.html"}


def template_error(exc: jinja2.TemplateError, name: str) -> ContentError:
    """A broken theme template as a content error naming its file and line: where Jinja
    could not compile it, or for an error while rendering (an undefined name, say), the
    innermost template line in the traceback Jinja rewrites to point into templates."""
    where = getattr(exc, "filename", None) or getattr(exc, "name", None) or name
    line = getattr(exc, "lineno", None) or 0
    if not line:
        tb = exc.__traceback__
        while tb is not None:
            filename = tb.tb_frame.f_code.co_filename
            if not filename.endswith(".py") and not filename.startswith("<"):  # a template's
                where, line = filename, tb.tb_lineno
            tb = tb.tb_next
    return ContentError([Problem(str(where), line, "template", str(exc))])


def check_templates(config: Config) -> list[Problem]:
    """Compile every template of the theme, as a build would while rendering (``timeline
    check`` renders nothing). Not while a template is not a file (a FIFO would never be
    read to its end): ``static_files`` reports those."""
    found = [files.walk_files(folder / "templates") for folder in theme_folders(config)]
    if any(wrong for _, wrong in found):
        return []
    try:
        env = make_environment(config)
    except ContentError as exc:
        return list(exc.problems)
    names = {rel for regular, _ in found for rel, _ in regular}
    problems: list[Problem] = []
    for name in sorted(names):
        try:
            env.get_template(name)
        except jinja2.TemplateError as exc:
            problems += template_error(exc, name).problems
    return problems


def _code(text: str) -> Markup:
    return Markup("<code>{}</code>").format(text)


def _link(href: str, text: str) -> Markup:
    return Markup('<a href="{}">{}</a>').format(href, text)


def _isolate(text: str) -> Markup:
    return Markup('<span dir="auto">{}</span>').format(text)


def _isolated(text: str) -> Markup:
    return Markup("<bdi>{}</bdi>").format(text)


def hedged(text: str) -> Markup:
    return Markup('<span class="date date-hedged">{}</span>').format(text)


def make_environment(config: Config, *, kept: bool = False) -> Environment:
    """One environment per Builder: templates are compiled once and reused for every page;
    ``kept``: compiled once for every later process too (``site.compiled``, in the cache
    folder: a build's, not a check's)."""
    loaders = [jinja2.FileSystemLoader(folder / "templates") for folder in theme_folders(config)]
    env = Environment(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        # Templates do not change during a build, and serve makes a new environment when
        # the theme changes: no stat of the template file on every page.
        auto_reload=False,
        bytecode_cache=KeptTemplates(config.cache_path) if kept else None,
    )
    env.globals["chart_svg"] = svg
    # The site's words (timeline.words): t("key", name=value) and tn("key", count) give
    # HTML-escaped text; code, link, isolate and hedged make the markup a text may hold.
    words = config.words
    env.globals.update(t=words.html, tn=words.html_count, words=words, code=_code, link=_link,
                       isolate=_isolate, isolated=_isolated, hedged=hedged)  # fmt: skip
    for name, template in ENTRIES.items():
        env.globals[name] = Entries(env, template)
    # The theme's macros, loaded once: `{% from "macros.html" import ... %}` works too, but
    # costs about 40 us a page (Jinja compares the globals on every import), which the
    # 30,000 entries and pages of a 10,000-event timeline would pay in full.
    try:
        env.globals["macros"] = env.get_template("macros.html").module
    except jinja2.TemplateError as exc:
        raise template_error(exc, "macros.html") from None
    return env


def static_files(config: Config, problems: Problems | None = None) -> dict[str, Path]:
    """Output path -> file: theme static files (project theme overriding the default by
    name), then the project's ``static/`` folder, copied to the site root. What cannot be
    copied (a FIFO, a device, an unreadable folder) is added to ``problems``, and so is
    anything but a file among the theme's templates."""
    out: dict[str, Path] = {}
    folders = [(folder / "static", "static/") for folder in reversed(theme_folders(config))]
    for folder, prefix in [*folders, (config.static_path, "")]:
        found, wrong = files.walk_files(folder)
        out.update((prefix + rel, path) for rel, path in found)
        _report(config, folder, wrong, problems)
    if problems is not None:
        for folder in theme_folders(config):
            _report(config, folder / "templates", files.walk_files(folder / "templates")[1],
                    problems)  # fmt: skip
    return out


def _report(
    config: Config, folder: Path, wrong: list[tuple[str, str]], problems: Problems | None
) -> None:
    if problems is None:
        return
    try:
        shown = folder.relative_to(config.root).as_posix()
    except ValueError:
        shown = folder.as_posix()
    for rel, why in wrong:
        problems.error(f"{shown}/{rel}", 0, "", why)
