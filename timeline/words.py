"""The site's words in its language: one strings table per language, overridable by the config.

Every word a reader sees that is not the timeline's own content - headings, menu labels,
status names and notes, relation words, the overview's captions, the scripts' buttons, date
words - comes from ``timeline/locales/<language>.toml`` (docs/languages.md says why TOML and
not gettext). English is complete and is the reference: another language's table holds the
same keys, and a key it lacks falls back to English. A site overrides any key under
``[strings]`` in its config (``[strings.nav] story = "Slideshow"``).

A text's ``{name}`` is replaced by a value; a plural text is a table of CLDR plural categories
("one", "other"; Arabic also "zero", "two", "few", "many"), chosen by ``count``.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

from markupsafe import Markup, escape

from timeline.reading.date_display import DateFormat
from timeline.reading.fields import did_you_mean

LOCALES = Path(__file__).parent / "locales"
CATEGORIES = ("zero", "one", "two", "few", "many", "other")
_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")

Value = str | list[str]


def _flatten(table: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """``{"nav": {"story": "Story"}}`` -> ``{"nav.story": "Story"}``."""
    flat: dict[str, Any] = {}
    for key, value in table.items():
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = value
    return flat


def flatten(table: Mapping[str, Any]) -> dict[str, Any]:
    return _flatten(table)


@lru_cache(maxsize=1)
def shipped() -> tuple[str, ...]:
    """The languages Timeline has a table for, English first."""
    names = sorted(path.stem for path in LOCALES.glob("*.toml"))
    return ("en", *(name for name in names if name != "en"))


def base_language(language: str) -> str:
    """The table a language tag reads: "fr-CA" -> "fr" (BCP 47's primary subtag)."""
    return language.split("-")[0].split("_")[0].lower()


@lru_cache(maxsize=16)
def table(language: str) -> Mapping[str, Value]:
    """A shipped language's own table, flattened ({} for a language without one)."""
    path = LOCALES / f"{language}.toml"
    if language not in shipped():
        return {}
    with path.open("rb") as handle:
        return _flatten(tomllib.load(handle))


def known_keys(language: str) -> frozenset[str]:
    """Every key a config may override for ``language``: English's, and the plural forms of
    the language's own table (Arabic's "few" has no English key)."""
    own = table(base_language(language))
    plurals = {key.rpartition(".")[0] for key in table("en") if key.endswith(".other")}
    every_form = {f"{key}.{category}" for key in plurals for category in CATEGORIES}
    return frozenset(table("en")) | frozenset(own) | every_form


def plural_category(language: str, n: int) -> str:
    """The CLDR plural category of a whole number ``n`` in ``language``: CLDR 45's cardinal
    rules for the shipped languages (but for French and Spanish "many", which is for a
    million and more: their tables have no such form), "one" for 1 and "other" elsewhere."""
    match base_language(language):
        case "fr":
            return "one" if n in (0, 1) else "other"
        case "ar":
            if n in (0, 1, 2):
                return ("zero", "one", "two")[n]
            rest = n % 100
            return "few" if 3 <= rest <= 10 else "many" if 11 <= rest <= 99 else "other"
        case _:
            return "one" if n == 1 else "other"


def _fill(text: str, values: Mapping[str, object]) -> str:
    return _PLACEHOLDER.sub(lambda m: str(values.get(m[1], m[0])), text)


@dataclass(frozen=True)
class Words:
    """The words of one site: its language's table under the config's overrides."""

    language: str
    overrides: tuple[tuple[str, str | tuple[str, ...]], ...] = ()

    @cached_property
    def entries(self) -> dict[str, Value]:
        entries = dict(table("en"))
        entries.update(table(base_language(self.language)))
        entries.update((k, list(v) if isinstance(v, tuple) else v) for k, v in self.overrides)
        return entries

    @property
    def direction(self) -> str:
        """"rtl" or "ltr": the direction of the language's script."""
        return str(self.entries["meta.direction"])

    def __call__(self, key: str, /, **values: object) -> str:
        """The text of ``key`` with its ``{name}``s filled in."""
        text = self.entries[key]
        assert isinstance(text, str), key
        return _fill(text, values) if values else text

    def _form(self, key: str, n: int) -> str:
        """The key of the plural text of ``key`` for ``n`` (its "other" if the table has no
        text for n's category)."""
        form = f"{key}.{plural_category(self.language, n)}"
        return form if form in self.entries else f"{key}.other"

    def count(self, key: str, n: int, /, **values: object) -> str:
        """The plural text of ``key`` for ``n`` ({n} is filled in too)."""
        return self(self._form(key, n), n=n, **values)

    @cached_property
    def _escaped(self) -> dict[str, str]:
        """Each text escaped as HTML, made once: pages call ``html`` about 25 times each."""
        return {}

    def html(self, key: str, /, **values: object) -> Markup:
        """``key``'s text as HTML: the text escaped, values escaped unless they are Markup."""
        text = self._escaped.get(key)
        if text is None:
            text = self._escaped[key] = str(escape(self.entries[key]))
        if not values:
            return Markup(text)
        escaped = {name: escape(value) for name, value in values.items()}
        return Markup(_fill(text, escaped))

    def html_count(self, key: str, n: int, /, **values: object) -> Markup:
        if values:
            return self.html(self._form(key, n), n=n, **values)
        text = self._counted.get((key, n))  # "3 sources", on every list entry: made once
        if text is None:
            text = self._counted[(key, n)] = self.html(self._form(key, n), n=n)
        return text

    @cached_property
    def _counted(self) -> dict[tuple[str, int], Markup]:
        return {}

    def status(self, value: str) -> str:
        """A status's name: "reported" -> "Reported"."""
        return self(f"status.{value}")

    @cached_property
    def date_format(self) -> DateFormat:
        e = self.entries
        return DateFormat(
            months=tuple(e["dates.months"]), circa=self("dates.circa"), bce=self("dates.bce"),
            decade=self("dates.decade"), seasons=tuple(e["dates.seasons"]),  # type: ignore[arg-type]
            open_end=self("dates.open_end"), open_start=self("dates.open_start"),
            unknown=self("dates.unknown"), hedges=(self("dates.approximate"),
                                                    self("dates.uncertain")),
            both=self("dates.both"), day_date=self("dates.day_date"),
            day_alone=self("dates.day_alone"), edtf=self("dates.edtf"),
            edtf_note=self("dates.edtf_note"),
            short_months=tuple(e.get("dates.short_months", ())),
        )  # fmt: skip

    @cached_property
    def script_json(self) -> str:
        """What static/words.js hands the scripts: the [js] texts, the status names, the
        language (for Intl.PluralRules) and its direction, as JSON."""
        words: dict[str, Any] = {}
        for key, value in self.entries.items():
            if key.startswith("js."):
                name, _, category = key.removeprefix("js.").rpartition(".")
                if category in CATEGORIES:  # a plural text: {"events": {"one": ..}}
                    words.setdefault(name, {})[category] = value
                else:
                    words[key.removeprefix("js.")] = value
        words["statuses"] = {k.removeprefix("status."): v for k, v in self.entries.items()
                             if k.startswith("status.") and "note" not in k}  # fmt: skip
        # CLDR's plural rules where Python knows the language's (plural_category), else one
        # and other in both, so that a page and its script always agree.
        plurals = base_language(self.language) in shipped()
        text = json.dumps({"language": self.language, "direction": self.direction,
                           "plurals": plurals, "words": words},
                          ensure_ascii=False, sort_keys=True)  # fmt: skip
        return text.replace("<", "\\u003c")


def problems_of(overrides: Mapping[str, Any], language: str) -> list[tuple[str, str]]:
    """(key, message) for each override a config cannot make: an unknown key, a text that
    is not text, a list of the wrong length."""
    known = known_keys(language)
    reference = {**table("en"), **table(base_language(language))}
    out: list[tuple[str, str]] = []
    for key, value in overrides.items():
        if key not in known:
            out.append((key, f"unknown string{did_you_mean(key, sorted(known))}"))
        elif key == "meta.direction" and value not in ("ltr", "rtl"):
            out.append((key, 'expected "ltr" or "rtl"'))
        elif isinstance(reference.get(key), list):
            want = len(reference[key])
            if not (isinstance(value, list) and len(value) == want
                    and all(isinstance(v, str) for v in value)):  # fmt: skip
                out.append((key, f"expected a list of {want} texts in quotes"))
        elif not isinstance(value, str):
            out.append((key, "expected text in quotes"))
    return out
