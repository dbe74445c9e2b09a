"""Slugs for names in any script: readable, unique, stable, the same on every Python, and the
same whether made by `timeline new`, from a file name or for a tag's page."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from urllib.parse import unquote

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.conftest import Project, assert_clean_exit, event, text_of
from timeline.reading.events import default_slug
from timeline.reading.slugs import slugify

NAMES = [
    ("Arabic", "الدوري يطلب ضمانات", "الدوري-يطلب-ضمانات"),
    ("Cyrillic", "Дури и Аль-Каида", "дури-и-аль-каида"),
    ("Chinese", "杜里与基地组织决裂", "杜里与基地组织决裂"),
    ("Hebrew", "בית־לחם וצה״ל", "בית-לחם-וצהל"),
    ("Greek", "Συμφωνία της Αθήνας", "συμφωνια-της-αθηνας"),
    ("Devanagari", "हिन्दी समाचार", "हिन्दी-समाचार"),
    ("Japanese", "コーヒーとがっこう", "コーヒーとがっこう"),
]


@pytest.mark.parametrize(("title", "slug"), [n[1:] for n in NAMES], ids=[n[0] for n in NAMES])
def test_new_makes_a_readable_slug_that_the_file_name_and_the_page_agree_on(
    project: Project, title: str, slug: str
) -> None:
    result = project.run("new", title, "--date", "2007-08-22", "--tags", title)
    assert_clean_exit(result)
    assert result.exit_code == 0, result.output
    assert f"Created events/2007-08-22-{slug}.md" in result.output
    assert "note:" not in result.stderr  # the file name alone gives the slug
    assert default_slug(f"2007-08-22-{slug}.md") == slug

    project.build()
    page = project.html(f"events/{slug}/")
    assert text_of(page, "h1") == [title]
    # the tag, named like the title, has its page under the same slug, linked from the event
    tag_links = [unquote(a["href"]) for a in page.select(".terms a")]
    assert f"../../tags/{slug}/" in tag_links
    assert text_of(project.html(f"tags/{slug}/"), "h1") == [f"{title} 1 event"]


def test_a_file_named_in_cyrillic_after_a_date_and_a_space_gets_its_words(
    project: Project,
) -> None:
    project.write({"events/2007-08-22 Дури и Аль-Каида.md": event("Дури и Аль-Каида")})
    project.build()
    assert text_of(project.html("events/дури-и-аль-каида/"), "h1") == ["Дури и Аль-Каида"]
    assert not (project.site / "events" / "22").exists()


def test_new_takes_a_slug_of_any_script_and_refuses_one_that_is_not_a_slug(
    project: Project,
) -> None:
    result = project.run("new", "Al-Douri", "--date", "2007-08-22", "--slug", "الدوري")
    assert result.exit_code == 0, result.output
    assert "Created events/2007-08-22-الدوري.md" in result.output

    result = project.run("new", "Al-Douri", "--date", "2007-08-22", "--slug", "Al Douri")
    assert_clean_exit(result)
    assert result.exit_code == 2
    assert "--slug: 'Al Douri' is not a URL name" in result.stderr
    assert "e.g. 'al-douri'" in result.stderr


def test_new_numbers_a_taken_slug_and_names_the_file_that_has_it(project: Project) -> None:
    assert project.run("new", "ΑΘΗΝΑ", "--date", "2007-08-22").exit_code == 0
    result = project.run("new", "Αθήνα", "--date", "2007-08-22")
    assert result.exit_code == 0, result.output
    assert "Created events/2007-08-22-αθηνα-2.md" in result.output
    assert "note: events/2007-08-22-αθηνα.md already has the slug made from the title" in (
        result.stderr
    )
    project.build()


def test_new_writes_a_slug_of_digits_so_that_yaml_reads_it_as_text(project: Project) -> None:
    result = project.run("new", "A number", "--date", "2007-08", "--slug", "22")
    assert result.exit_code == 0, result.output
    project.build()
    assert text_of(project.html("events/22/"), "h1") == ["A number"]


@pytest.mark.parametrize(
    ("variants", "slug"),
    [
        (["Αθήνα", "ΑΘΗΝΑ", "αθηνα"], "αθηνα"),  # accents and case
        (["ΑΘΗΝΑΣ", "Αθήνας"], "αθηνας"),  # a final sigma stays one
        (["مُحَمَّد", "محمد"], "محمد"),  # Arabic vowel points are optional
        (["שָׁלוֹם", "שלום"], "שלום"),  # Hebrew points too
        (["Ва́ся", "Вася"], "вася"),  # Cyrillic stress marks...
        (["Йошкар-Ола"], "йошкар-ола"),  # ...but not the breve of й
        (["ﻣﺤﻤﺪ"], "محمد"),  # Arabic presentation forms
        (["Ｔｏｋｙｏ", "Tokyo"], "tokyo"),  # full-width Latin
    ],
)
def test_one_name_written_differently_gets_one_slug(variants: list[str], slug: str) -> None:
    assert {slugify(v) for v in variants} == {slug}


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("Al-Douri breaks with al-Qaeda", "al-douri-breaks-with-al-qaeda"),
        ("Ba'ath Party’s turn", "baath-partys-turn"),
        ("Café, Straße & Việt Nam", "cafe-strasse-viet-nam"),
        ("İstanbul talks", "istanbul-talks"),
        ("  --Hello__World--  ", "hello-world"),
        ("Co\u00adoperation", "cooperation"),  # a soft hyphen joins
    ],
)
def test_latin_slugs_are_what_they_always_were(title: str, slug: str) -> None:
    assert slugify(title) == slug


_LATIN = "".join(chr(c) for c in range(0x20, 0x250) if unicodedata.category(chr(c))[0] != "C")


def _slugify_before(text: str) -> str:
    """The slugify of Timeline 0.x, which kept ASCII only (losing Дури, دوري and 北京)."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = re.sub(r"['’]", "", text.casefold()).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")


@given(st.text(alphabet=_LATIN, max_size=40))
def test_a_latin_name_that_lost_no_letter_keeps_its_slug(text: str) -> None:
    """Where the old slug kept every letter (it dropped ł, ø, æ and every non-Latin one,
    and glued words around –), the slug is the same, so no URL moves."""
    kept_all = all(
        c.isascii() or unicodedata.normalize("NFKD", c)[0].isascii() or not c.isalnum()
        for c in text
    )
    glued = any(not c.isascii() and not c.isalnum() for c in unicodedata.normalize("NFKD", text))
    if kept_all and not glued:
        assert slugify(text) == _slugify_before(text)


# Assigned in Unicode 15.0 or 15.1 (Python 3.13) but not in 14.0 (Python 3.11): a CJK
# extension H ideograph, a Cyrillic modifier letter that 15.1 decomposes to а, a Kawi letter
# and a Kannada sign. Each would be a letter on one Python and nothing on the other.
NEWER = ["\U00031350", "\U0001e030", "\U00011f04", "\u0cf3"]


@pytest.mark.parametrize("char", NEWER, ids=[f"U+{ord(c):04X}" for c in NEWER])
def test_a_character_newer_than_unicode_14_is_dropped_on_every_python(char: str) -> None:
    assert slugify(f"дури{char}каида") == "дурикаида"
    assert slugify(f"{char} 北京") == "北京"


# sha256 of every code point's slug, alone after a Latin letter (whose marks go) and after a
# Devanagari one (whose marks stay). The same on 3.11 (Unicode 14) and 3.13 (Unicode 15.1);
# a Python with a newer Unicode fails here until slugs.NEWER_THAN_UNICODE_14 holds what it adds.
FINGERPRINT = "ab7e544e7803e3d5"


def test_every_code_point_gets_the_same_slug_on_every_python() -> None:
    digest = hashlib.sha256()
    for start in range(0, 0x110000, 4096):
        chars = [chr(c) for c in range(start, start + 4096) if not 0xD800 <= c <= 0xDFFF]
        digest.update(slugify(" ".join("क" + c for c in chars)).encode() + b"\n")
        digest.update(slugify(" ".join("a" + c for c in chars)).encode() + b"\n")
    assert digest.hexdigest()[:16] == FINGERPRINT, unicodedata.unidata_version
