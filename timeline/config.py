"""Project configuration: ``timeline.toml`` or ``[tool.timeline]`` in ``pyproject.toml``."""

from __future__ import annotations

import os
import re
import tomllib
import zoneinfo
from dataclasses import dataclass, field, fields, replace
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from timeline import files, words
from timeline.errors import ContentError, Problems, UsageError
from timeline.reading.dates import DateFormat
from timeline.reading.fields import did_you_mean
from timeline.words import Words

# Where a project's config is looked for, in this order: a file of its own, or the
# [tool.timeline] table of pyproject.toml.
CONFIG_FILES = ("timeline.toml", "pyproject.toml")


@dataclass(frozen=True)
class Group:
    """A lane of the visual timeline, in the configured order, with its colour."""

    name: str
    colour: str


@dataclass(frozen=True)
class Config:
    """Everything a build needs to know besides the event files themselves."""

    root: Path
    title: str = "Timeline"
    description: str = ""
    base_url: str = ""  # absolute, ending in '/', or empty
    language: str = "en"
    author: str = ""
    date_format: str = "dmy"
    allow_html: bool = False
    groups: tuple[Group, ...] = ()
    timezone: str = ""
    events_dir: str = "events"
    output_dir: str = "site"
    theme_dir: str = "theme"
    static_dir: str = "static"
    pages_dir: str = "pages"  # the site's own pages: About, Methodology...
    # The menu, in order: built-in views (see MENU_VIEWS) and page slugs; () for the default.
    menu: tuple[str, ...] = ()
    # The site's own look (see site.branding): files in static/, colours, font stacks.
    logo: str = ""
    favicon: str = ""
    accent: str = ""  # "#rrggbb": links of the period headings, marks; light scheme
    accent_dark: str = ""  # the same in the dark scheme (default: derived from accent)
    font_text: str = ""  # a CSS font stack for reading text
    font_ui: str = ""  # a CSS font stack for headings, lists and controls
    footer: str = ""  # inline Markdown
    extra_css: tuple[str, ...] = ()
    offline: bool = False  # links that work opened from disk (see site.offline)
    # The site's words: overrides of its language's strings table, as ("nav.story", text).
    strings: tuple[tuple[str, str | tuple[str, ...]], ...] = ()
    cache_dir: str = ".timeline-cache"  # staging folders, the build record and lock
    config_file: str = field(default="", compare=False)

    @property
    def events_path(self) -> Path:
        return self.root / self.events_dir

    @property
    def output_path(self) -> Path:
        return self.root / self.output_dir

    @property
    def theme_path(self) -> Path:
        return self.root / self.theme_dir

    @property
    def static_path(self) -> Path:
        return self.root / self.static_dir

    @property
    def pages_path(self) -> Path:
        return self.root / self.pages_dir

    @property
    def cache_path(self) -> Path:
        return self.root / self.cache_dir

    @property
    def base_path(self) -> str:
        """The URL path the site lives under: '/' or e.g. '/iraq/'."""
        if not self.base_url:
            return "/"
        path = self.base_url.split("://", 1)[-1].split("/", 1)
        return "/" + (path[1] if len(path) > 1 else "")

    @property
    def words(self) -> Words:
        """The site's words: its language's strings table under the config's [strings]."""
        return _words(self.language, self.strings)

    @property
    def date_style(self) -> DateFormat:
        style = self.words.date_format
        return replace(style, order=self.date_format, local_zone=self.timezone)

    def with_overrides(self, **overrides: Any) -> Config:
        """A copy with command-line values (those not None) taking precedence."""
        changes = {k: v for k, v in overrides.items() if v is not None}
        if "base_url" in changes:
            if why := base_url_problem(changes["base_url"]):
                raise UsageError(f"--base-url: {why}")
            changes["base_url"] = _normal_base_url(changes["base_url"])
        return replace(self, **changes)


# The keys a config may hold: declared once, by Config's fields (all but where it was found).
KEYS = tuple(f.name for f in fields(Config) if f.name not in ("root", "config_file"))


@lru_cache(maxsize=8)
def _words(language: str, strings: tuple[tuple[str, Any], ...]) -> Words:
    return Words(language, strings)


_HEX = re.compile(r"#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})")
_FONTS = re.compile(r"[\w \-,\"']+")


def _not_inside(name: str) -> bool:
    """True for a path that is not a file name inside a folder: absolute, or climbing out."""
    return not name or Path(name).is_absolute() or ".." in Path(name).parts


def _normal_base_url(url: str) -> str:
    return url if not url or url.endswith("/") else url + "/"


# A character RFC 3986 does not let a URL hold as it is, a '%' that starts no escape, or the
# apostrophe (RFC 3986 allows it, but TimelineJS splices URLs into src='...'): base_url goes
# into pages, feeds and exports as it is written.
_NOT_IN_URL = re.compile(r"[^A-Za-z0-9\-._~:/?#\[\]@!$&()*+,;=%]|%(?![0-9A-Fa-f]{2})")
_CHARACTER_NAMES = {" ": "a space", '"': "a double quote", "'": "an apostrophe",
                    "\\": "a backslash"}  # fmt: skip


def base_url_problem(url: str) -> str | None:
    """Why ``url`` cannot be the base_url, or None ('' means none is set): it must be an
    absolute http(s) URL with every character RFC 3986 does not allow percent-encoded."""
    if not url:
        return None
    try:
        parts = urlsplit(url)
        _ = parts.port  # reading it raises ValueError for a port that is not 0 to 65535
    except ValueError:
        parts = None
    if parts is None or parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return f"{url!r} must be an absolute http(s) URL such as https://example.org/"
    if bad := _NOT_IN_URL.search(url):
        char = bad[0]
        if char == "%":
            return f"{url!r} holds a '%' that starts no escape such as %20; write '%' as %25"
        name = _CHARACTER_NAMES.get(char) or (
            f"'{char}'" if char.isprintable() else f"the character U+{ord(char):04X}"
        )
        domain = "" if char.isascii() else ", or write a domain name in its xn-- form"
        return f"{url!r} holds {name}; percent-encode it ({quote(char)}){domain}"
    if "?" in url or "#" in url:
        return (f"{url!r} has a query or fragment ('?' or '#'); base_url is the address of the "
                "folder the site is published in, such as https://example.org/iraq/")  # fmt: skip
    return None


def load_config(root: Path) -> tuple[Config, Problems]:
    """Read the project's config; return it with any problems (unknown keys are warnings)."""
    problems = Problems()
    table: dict[str, Any] = {}
    name = ""
    for candidate, section in zip(CONFIG_FILES, (None, ("tool", "timeline")), strict=True):
        path = root / candidate
        if not os.path.lexists(path):
            continue
        try:
            data = tomllib.loads(files.read_regular(path).decode("utf-8-sig"))
        except OSError as exc:  # a FIFO or device is named, never read
            problems.error(candidate, 0, "", files.why_unreadable(exc))
            return Config(root=root), problems
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            match = re.search(r"line (\d+)", str(exc))
            problems.error(candidate, int(match[1]) if match else 1, "", f"invalid TOML: {exc}")
            return Config(root=root), problems
        if section is None:
            table, name = data, candidate
            break
        tool = data.get("tool")
        if isinstance(tool, dict) and isinstance(tool.get("timeline"), dict):
            table, name = data["tool"]["timeline"], candidate
            break
    config = _from_table(root, table, name, problems)
    return config, problems


def line_of(root: Path, name: str, key: str) -> int:
    """Best-effort line of ``key = ...`` in the config file (tomllib keeps no positions)."""
    if not name:
        return 0
    text = files.read_regular(root / name).decode("utf-8-sig", "replace")
    for number, line in enumerate(text.splitlines(), 1):
        if re.match(rf"\s*\"?{re.escape(key)}\"?\s*=|\s*\[(tool\.timeline\.)?{key}\]", line):
            return number
    return 0


def _from_table(root: Path, table: dict[str, Any], name: str, problems: Problems) -> Config:
    values: dict[str, Any] = {}

    def bad(key: str, message: str) -> None:
        problems.error(name, line_of(root, name, key), key, message)

    for key, value in table.items():
        if key not in KEYS:
            problems.warn(
                name, line_of(root, name, key), key, f"unknown key{did_you_mean(key, KEYS)}"
            )
            continue
        if key in ("allow_html", "offline"):
            if not isinstance(value, bool):
                bad(key, "expected true or false")
                continue
        elif key == "groups":
            if not isinstance(value, dict) or not all(
                isinstance(v, str) and re.fullmatch(r"#[0-9a-fA-F]{3,8}|[a-z]+", v)
                for v in value.values()
            ):
                bad(key, 'expected a table of group = "#colour" entries')
                continue
            value = tuple(Group(str(k), v) for k, v in value.items())
        elif key == "strings":
            if not isinstance(value, dict):
                bad(key, 'expected a table of texts, e.g. [strings.nav] story = "Slideshow"')
                continue
            flat = words.flatten(value)
            for unknown, message in words.problems_of(flat, str(table.get("language", "en"))):
                line = line_of(root, name, unknown) or line_of(root, name, unknown.split(".")[-1])
                problems.warn(name, line, f"strings.{unknown}", message)
                flat.pop(unknown)
            value = tuple(sorted((k, tuple(v) if isinstance(v, list) else v)
                                 for k, v in flat.items()))  # fmt: skip
        elif key in ("menu", "extra_css"):
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                example = '["timeline", "about", "years"]' if key == "menu" else '["ours.css"]'
                bad(key, f"expected a list of names in quotes, e.g. {example}")
                continue
            if key == "extra_css" and (wrong := [v for v in value if _not_inside(v)]):
                bad(key, f"{wrong[0]!r} must be a file inside the static folder")
                continue
            value = tuple(value)
        elif not isinstance(value, str):
            bad(key, "expected text in quotes")
            continue
        elif key == "base_url" and (why := base_url_problem(value)):
            bad(key, why)
            continue
        elif key == "language" and not re.fullmatch(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*", value):
            bad(key, f"{value!r} is not a language tag; write it as BCP 47 does, e.g. 'fr' or "
                     "'fr-CA' (a hyphen, not an underscore)")  # fmt: skip
            continue
        elif key == "date_format" and value not in ("dmy", "mdy"):
            bad(key, "expected 'dmy' (22 August 2007) or 'mdy' (August 22, 2007)")
            continue
        elif key in ("accent", "accent_dark") and value and not _HEX.fullmatch(value):
            bad(key, f"{value!r} is not a colour; write it as \"#rrggbb\", e.g. \"#8a3b12\"")
            continue
        elif key in ("font_text", "font_ui") and value and not _FONTS.fullmatch(value):
            bad(key, "expected a CSS font stack of names and commas, e.g. "
                     "'Georgia, \"Noto Serif\", serif'")  # fmt: skip
            continue
        elif key in ("logo", "favicon") and value and _not_inside(value):
            bad(key, f"{value!r} must be a file inside the static folder, e.g. \"logo.svg\"")
            continue
        elif key == "timezone" and value:
            try:
                zoneinfo.ZoneInfo(value)
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                bad(key, f"{value!r} is not a known time zone, e.g. 'Asia/Baghdad' or 'UTC'")
                continue
        elif key.endswith("_dir") and (
            not value or Path(value).is_absolute() or ".." in Path(value).parts
        ):
            bad(key, "must be a folder inside the project")
            continue
        values[key] = value
    if "base_url" in values:
        values["base_url"] = _normal_base_url(values["base_url"])
    language = values.get("language", "en")
    if words.base_language(language) not in words.shipped():
        problems.warn(name, line_of(root, name, "language"), "language",
                      f"Timeline has no strings table for {language!r}: English words are used "
                      f"(tables: {', '.join(words.shipped())}); translate them under [strings], "
                      "see docs/languages.md")  # fmt: skip
    config = Config(root=root, config_file=name, **values)
    if "cache_dir" in values and (clash := _cache_clash(config)):
        bad("cache_dir", f"{config.cache_dir!r} {clash}; builds delete what they leave in it, "
                         "so give it a folder of its own, such as .timeline-cache")  # fmt: skip
        config = replace(config, cache_dir=Config.cache_dir)
    return config


def _cache_clash(config: Config) -> str | None:
    """Why the cache folder cannot be where the config puts it, or None."""
    cache = Path(config.cache_dir)
    if cache.parts in ((), (".",)):
        return "is the project folder itself"
    for key in ("events_dir", "output_dir", "theme_dir", "static_dir", "pages_dir"):
        other = Path(getattr(config, key))
        if cache == other or cache.is_relative_to(other) or other.is_relative_to(cache):
            return f"is, holds or is inside {key.removesuffix('_dir')} ({other.as_posix()})"
    return None


def require_config(root: Path) -> tuple[Config, Problems]:
    """load_config, raising ContentError if the config itself has errors."""
    config, problems = load_config(root)
    if problems.errors:
        raise ContentError(problems.errors)
    return config, problems
