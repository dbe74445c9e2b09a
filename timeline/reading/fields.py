"""Typed access to located YAML values, with messages that say which field and how to fix it."""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

from timeline.errors import Problems
from timeline.reading.dates import EDTFDate, EDTFError, parse_edtf
from timeline.reading.frontmatter import Located, Path_
from timeline.reading.yaml_errors import quoted

_CONTROL = re.compile(r"[\x00-\x1f\x7f\s]")


def describe(value: Any) -> str:
    """Name a YAML value's type the way a non-programmer would understand it."""
    if isinstance(value, bool):
        return f"true/false ({str(value).lower()})"
    if isinstance(value, int | float):
        return f"a number ({value})"
    if isinstance(value, dt.date):
        return "a date"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a set of 'key: value' pairs"
    if value is None:
        return "nothing"
    if isinstance(value, str):
        return f"text ({value!r})"
    return type(value).__name__


_TIMESTAMP = re.compile(
    r"(\d{4})-(\d\d?)-(\d\d?)(?:[Tt]|[ \t]+)(\d\d?):(\d\d):(\d\d)(\.\d*)?"
    r"(?:[ \t]*(Z|[-+]\d\d?(?::\d\d)?))?"
)


def timestamp_to_edtf(raw: str) -> str:
    """A YAML timestamp as EDTF: ``2007-8-22 10:00:00 +3`` -> ``2007-08-22T10:00:00+03:00``
    (a fraction of a second is kept, for the date parser to refuse by name)."""
    m = _TIMESTAMP.fullmatch(raw.strip())
    if m is None:
        return raw
    year, month, day, hour, minute, second, fraction, zone = m.groups()
    text = f"{year}-{int(month):02d}-{int(day):02d}T{int(hour):02d}:{minute}:{second}"
    if zone and zone != "Z":
        hours, _, minutes = zone[1:].partition(":")
        zone = f"{zone[0]}{int(hours):02d}:{minutes or '00'}"
    return text + (fraction or "") + (zone or "")


def field_name(path: Path_) -> str:
    """``('sources', 0, 'url')`` -> ``sources[1].url`` (items counted from 1 for people)."""
    out = ""
    for part in path:
        out += f"[{part + 1}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """A hint naming the closest known word, or an empty string."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"; did you mean '{close[0]}'?" if close else ""


def safe_url(url: str, *, allow_relative: bool) -> bool:
    """True for http(s) URLs with a host, and (if allowed) plain relative paths."""
    if _CONTROL.search(url):
        return False
    try:
        parts = urlsplit(url)
        _ = parts.port  # a port beyond 65535 raises as well
    except ValueError:  # e.g. "https://[x": an unclosed IPv6 address
        return False
    if parts.scheme:
        return parts.scheme.lower() in ("http", "https") and bool(parts.netloc)
    if not allow_relative or url.startswith(("/", "\\")) or parts.netloc:
        return False
    return ".." not in url.replace("\\", "/").split("/")


def _owner(key: Path_) -> str:
    """What a field belongs to, for messages: an event, a source, an update, an image."""
    if len(key) == 1:
        return "event"
    return {"updates": "update", "image": "image"}.get(str(key[0]), "source")


_MISSING = object()


class Fields:
    """Reads one YAML mapping's fields, recording a problem for each wrong one."""

    def __init__(self, path: str, located: Located, problems: Problems) -> None:
        self.path = path
        self.located = located
        self.problems = problems

    def get(self, key: Path_) -> Any:
        value: Any = self.located.data
        for part in key:
            value = value[part]
        return value

    def has(self, key: Path_) -> bool:
        return self._found(key) is not _MISSING

    def value(self, key: Path_) -> Any:
        """The value at ``key``; None when it is missing or null (``key:`` left empty)."""
        value = self._found(key)
        return None if value is _MISSING else value

    def _found(self, key: Path_) -> Any:
        try:
            return self.get(key)
        except (KeyError, IndexError, TypeError):
            return _MISSING

    def error(self, key: Path_, message: str) -> None:
        self.problems.error(self.path, self.located.line(key), field_name(key), message)

    def warn(self, key: Path_, message: str) -> None:
        self.problems.warn(self.path, self.located.line(key), field_name(key), message)

    def _quote_hint(self, key: Path_) -> str:
        raw = self.located.raw.get(key)
        return "" if raw is None else f"; put it in quotes: {quoted(key[-1], raw)}"

    def text(self, key: Path_, *, required: bool = False) -> str | None:
        """A non-empty plain string."""
        value = self.value(key)
        if value is None:
            if required:
                self.error(key, f"missing; every {_owner(key)} needs a {key[-1]}")
            return None
        if isinstance(value, list | dict) and isinstance(key[-1], str):
            self._not_one_text(key, value)
            return None
        if not isinstance(value, str):
            self.error(key, f"expected text but YAML read {describe(value)}{self._quote_hint(key)}")
            return None
        if (comment := self.located.comments.get(key)) is not None:
            fix = quoted(key[-1], f"{value} {comment}")
            self.warn(key, f"YAML read only {value.strip()!r}: ' #' starts a comment, so "
                      f"{comment!r} is left out; if it belongs to the text, put it all in "
                      f"quotes: {fix}")  # fmt: skip
        value = value.strip()
        if not value:
            if required:
                self.error(key, "is empty")
            return None
        return value

    def _not_one_text(self, key: Path_, value: list[Any] | dict[str, Any]) -> None:
        """A list or 'key: value' pairs where one text belongs: say how to write it as one."""
        name = str(key[-1])
        if isinstance(value, list):
            items = [str(item) for item in value if isinstance(item, str | int | float)]
            self.error(key, f"is a list, but a {name} is one text; write it on one line, in "
                       f"quotes: {quoted(name, ', '.join(items) or '...')}")  # fmt: skip
            return
        self.error(key, f"YAML read 'key: value' pairs here, but a {name} is one text; if it "
                   f"holds ': ', put it in quotes: {name}: \"...\"")  # fmt: skip

    def names(self, key: Path_) -> tuple[str, ...]:
        """A list of non-empty strings (tags, actors, places, slugs)."""
        value = self.value(key)
        if value is None:
            return ()
        if not isinstance(value, list):
            example = value if isinstance(value, str) else "name"
            self.error(key, f"expected a list, e.g. {key[-1]}: [{example}]; got {describe(value)}")
            return ()
        out: list[str] = []
        for index, _item in enumerate(value):
            item = self.text((*key, index))
            if item is not None:
                out.append(item)
        return tuple(out)

    def edtf(self, key: Path_, *, required: bool = False) -> EDTFDate | None:
        """An EDTF date, read from the value's source text (YAML dates and years included)."""
        value = self.value(key)
        if value is None:
            if required:
                self.error(key, "missing; give an EDTF date such as 2007-08-22, 2007-08 or 2007?")
            return None
        raw = self.located.raw.get(key)
        if raw is None:
            self.error(key, f"expected an EDTF date but YAML read {describe(value)}")
            return None
        if isinstance(value, dt.datetime):  # a YAML timestamp: 2007-08-22 10:00:00
            raw = timestamp_to_edtf(raw)
        try:
            return parse_edtf(raw)
        except EDTFError as exc:
            self.error(key, str(exc))
            return None

    def url(self, key: Path_, *, allow_relative: bool = False) -> str | None:
        """An http(s) URL (or, where allowed, a relative path)."""
        value = self.text(key)
        if value is None:
            return None
        if not safe_url(value, allow_relative=allow_relative):
            kinds = "an http(s) URL or a relative path" if allow_relative else "an http(s) URL"
            self.error(key, f"{value!r} is not {kinds}")
            return None
        return value

    def flag(self, key: Path_) -> bool:
        value = self.value(key)
        if value is None:
            return False
        if not isinstance(value, bool):
            self.error(key, f"expected true or false, got {describe(value)}")
            return False
        return value

    def mapping(self, key: Path_, known: Iterable[str]) -> dict[str, Any] | None:
        """A nested mapping, warning about keys not in ``known``."""
        value = self.value(key)
        if not isinstance(value, dict):
            self.error(key, f"expected 'key: value' pairs, got {describe(value)}")
            return None
        self.unknown_keys(key, value, known)
        return value

    def unknown_keys(self, key: Path_, value: dict[str, Any], known: Iterable[str]) -> None:
        known = tuple(known)
        for name in value:
            if name not in known:
                self.warn((*key, name), f"unknown key{did_you_mean(name, known)}")

    def report_duplicates(self) -> None:
        for key, line in self.located.duplicates:
            self.problems.error(
                self.path, line, field_name(key), "appears twice; YAML would keep only the last"
            )
