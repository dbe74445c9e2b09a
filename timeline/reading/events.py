"""Turn one event file (or the bibliography) into validated model objects."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from timeline.errors import Problems
from timeline.media import classify
from timeline.reading.fields import Fields, did_you_mean
from timeline.reading.frontmatter import FrontMatterError, Path_, load_yaml, split_document
from timeline.reading.model import (
    Event,
    Image,
    Media,
    Relation,
    RelationKind,
    Source,
    Status,
    Update,
    keys_of,
)

# slugify and shorten live in slugs.py; imported from here by importing.py and site/index.py
from timeline.reading.slugs import MAX_SLUG, MAX_SLUG_BYTES
from timeline.reading.slugs import shorten as shorten
from timeline.reading.slugs import slugify as slugify

# What each mapping may hold: declared once, by the model's fields.
EVENT_KEYS = keys_of(Event)
SOURCE_KEYS = keys_of(Source)
IMAGE_KEYS = keys_of(Image)
MEDIA_KEYS = keys_of(Media)
UPDATE_KEYS = keys_of(Update)
RELATION_KEYS = keys_of(Relation)

SOURCE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:-]*")
# A date the file name starts with, then '-', '_' or a space: "2007-08-22 Дури.md" -> Дури
_DATE_PREFIX = re.compile(r"^\d{4}(?:-\d{2}){0,2}[-_ ]")


def default_slug(path: str) -> str:
    """The file stem without a leading YYYY-MM-DD-/YYYY-MM-/YYYY- prefix, slugified."""
    stem = path.rsplit("/", 1)[-1].removesuffix(".md")
    return slugify(_DATE_PREFIX.sub("", stem) or stem)


def check_slug(slug: str) -> str | None:
    """Why ``slug`` is not a valid URL name, or None."""
    if slugify(slug) != slug or not slug:
        hint = f", e.g. {slugify(slug)!r}" if slugify(slug) else ""
        return (
            f"{slug!r} is not a URL name: use lower-case letters and digits (of any script) "
            f"joined by single '-'{hint} (it becomes a folder name in site/)"
        )
    if len(slug) > MAX_SLUG or len(slug.encode()) > MAX_SLUG_BYTES:
        limit = (
            f"{MAX_SLUG} characters"
            if slug.isascii()
            else f"{MAX_SLUG} characters or {MAX_SLUG_BYTES} bytes of UTF-8 (about 100 "
            "Arabic, Cyrillic or Greek letters, or 66 Chinese characters)"
        )
        return (
            f"is longer than {limit}; give a shorter slug: (or rename the file), e.g. "
            + shorten(slug, max_bytes=MAX_SLUG_BYTES)
        )
    return None


def parse_event(
    path: str, text: str, bibliography: Mapping[str, Source]
) -> tuple[Event | None, str, Problems]:
    """Validate one event file; returns the event (None if unusable), its Markdown and every
    problem found (every key is read whatever else is wrong, so one run reports them all)."""
    problems = Problems()
    try:
        doc = split_document(text)
    except FrontMatterError as exc:
        problems.error(path, exc.line, exc.field, exc.message)
        return None, "", problems
    f = Fields(path, doc.meta, problems)
    f.report_duplicates()
    f.unknown_keys((), doc.meta.data, EVENT_KEYS)

    title = f.text(("title",), required=True)
    date = f.edtf(("date",), required=True)

    slug = f.text(("slug",))
    given = doc.meta.data.get("slug", ...)
    if given is None or (isinstance(given, str) and not given.strip()):
        f.error(("slug",), "is empty; remove the line to use the file name, or give a slug")
    elif slug is None and given is ...:
        slug = default_slug(path)
        if not slug:
            problems.error(path, 1, "slug", "cannot make a URL name from the file name; add slug:")
    if slug and (why := check_slug(slug)):
        f.error(("slug",), why)
        slug = None

    status = Status.REPORTED
    raw_status = f.text(("status",))
    if raw_status is not None:
        try:
            status = Status(raw_status.lower())
        except ValueError:
            names = [s.value for s in Status]
            f.error(
                ("status",),
                f"{raw_status!r} is not a status{did_you_mean(raw_status.lower(), names)} "
                f"(use one of: {', '.join(names)})",
            )

    related = _relations(f)

    aliases = f.names(("aliases",))
    for index, alias in enumerate(aliases):
        if why := check_slug(alias):
            f.error(("aliases", index), why)

    summary, group = f.text(("summary",)), f.text(("group",))
    tags, actors, places = f.names(("tags",)), f.names(("actors",)), f.names(("places",))
    sources, image, updates = _sources(f, bibliography), _image(f), _updates(f)
    media = _media(f, has_image="image" in doc.meta.data)
    draft = f.flag(("draft",))
    if problems.errors or title is None or date is None or not slug:
        return None, doc.body, problems
    event = Event(
        path=path, slug=slug, title=title, date=date, status=status, body_line=doc.body_line,
        summary=summary, tags=tags, actors=actors, places=places, group=group, sources=sources,
        related=tuple(related), image=image, media=media, aliases=aliases, updates=updates,
        draft=draft,
        slug_line=doc.meta.line(("slug",)) if "slug" in doc.meta.data else 1,
    )  # fmt: skip
    return event, doc.body, problems


def _relations(f: Fields) -> list[Relation]:
    """``related``: slugs, or mappings {slug: ..., relation: follows|causes|...}."""
    value = f.value(("related",))
    if value is None:
        return []
    if not isinstance(value, list):
        f.error(("related",), "expected a list of slugs, or of '- slug: ...' / 'relation: ...'")
        return []
    out = []
    kinds = [k.value for k in RelationKind]
    for index, item in enumerate(value):
        key: Path_ = ("related", index)
        line = f.located.line(key)
        if not isinstance(item, dict):
            slug = f.text(key)
            if slug is not None:
                out.append(Relation(slug, line))
            continue
        if f.mapping(key, RELATION_KEYS) is None:
            continue
        slug = f.text((*key, "slug"), required=True)
        name = f.text((*key, "relation"))
        kind = None
        if name is not None:
            try:
                kind = RelationKind(name.lower())
            except ValueError:
                hint = did_you_mean(name.lower(), kinds)
                choices = ", ".join(kinds)
                f.error((*key, "relation"), f"{name!r} is not a relation{hint} (use: {choices})")
                continue
        if slug is not None:
            out.append(Relation(slug, line, kind))
    return out


def _source(
    f: Fields, key: Path_, *, from_bibliography: bool, key_name: str | None
) -> Source | None:
    """One source mapping, validated."""
    if f.mapping(key, SOURCE_KEYS) is None:
        return None
    title = f.text((*key, "title"), required=True)
    own_id = f.text((*key, "id"))
    if own_id is not None and not SOURCE_ID.fullmatch(own_id):
        f.error((*key, "id"), f"{own_id!r} may only hold letters, digits and - _ . :")
    source = Source(
        title=title or "",
        key=key_name or own_id,
        url=f.url((*key, "url")),
        publisher=f.text((*key, "publisher")),
        author=f.text((*key, "author")),
        date=f.edtf((*key, "date")),
        via=f.text((*key, "via")),
        archived=f.url((*key, "archived")),
        quote=f.text((*key, "quote")),
        accessed=f.edtf((*key, "accessed")),
        from_bibliography=from_bibliography,
    )
    return source if title else None


def _sources(f: Fields, bibliography: Mapping[str, Source]) -> tuple[Source, ...]:
    value = f.value(("sources",))
    if value is None:
        return ()
    if not isinstance(value, list):
        f.error(("sources",), "expected a list of sources (each '- title: ...' or a source id)")
        return ()
    out: list[Source] = []
    for index, item in enumerate(value):
        key: Path_ = ("sources", index)
        if isinstance(item, str):
            known = bibliography.get(item.strip())
            if known is None:
                f.error(
                    key,
                    f"unknown source id {item!r}{did_you_mean(item, bibliography)}; "
                    "define it in events/_sources.yaml or write the source out here",
                )
            else:
                out.append(known)
            continue
        source = _source(f, key, from_bibliography=False, key_name=None)
        if source is not None:
            out.append(source)
    return tuple(out)


def _image(f: Fields) -> Image | None:
    if f.value(("image",)) is None:
        return None
    if f.mapping(("image",), IMAGE_KEYS) is None:
        return None
    src = f.url(("image", "src"), allow_relative=True)
    if not f.has(("image", "src")):
        f.error(("image",), "needs src: an http(s) URL or a path inside static/")
    alt = f.text(("image", "alt"))
    if alt is None:
        f.error(("image",), "needs alt: a text describing the image for people who cannot see it")
    if src is None or alt is None:
        return None
    caption, credit = f.text(("image", "caption")), f.text(("image", "credit"))
    return Image(src, alt, caption, credit, f.located.line(("image", "src")))


def _media(f: Fields, has_image: bool) -> Media | None:
    """``media``: a URL (of an image, a video, a post, a map, a page...) or a mapping with
    url, alt (required for an image), caption and credit."""
    value = f.value(("media",))
    if value is None:
        return None
    if has_image:
        f.error(("media",), "an event shows one image or one media; put the image's URL under "
                            "media: url: (or remove one of them)")  # fmt: skip
        return None
    key: Path_ = ("media",)
    if isinstance(value, dict):
        if f.mapping(key, MEDIA_KEYS) is None:
            return None
        key = ("media", "url")
        if not f.has(key):
            f.error(("media",), "needs url: an http(s) URL or a path inside static/")
            return None
    url = f.url(key, allow_relative=True)
    if url is None:
        return None
    line = f.located.line(key)
    alt = f.text(("media", "alt")) if isinstance(value, dict) else None
    if alt is None and classify(url).kind == "image":
        f.error(("media",), "is an image, so it needs alt: a text describing it for people who "
                            "cannot see it (write media: as url: and alt:)")  # fmt: skip
        return None
    if not isinstance(value, dict):
        return Media(url, line=line)
    caption, credit = f.text(("media", "caption")), f.text(("media", "credit"))
    return Media(url, alt, caption, credit, line)


def _updates(f: Fields) -> tuple[Update, ...]:
    value = f.value(("updates",))
    if value is None:
        return ()
    if not isinstance(value, list):
        f.error(("updates",), "expected a list of '- date: ...' / 'note: ...' entries")
        return ()
    out = []
    for index in range(len(value)):
        key: Path_ = ("updates", index)
        if f.mapping(key, UPDATE_KEYS) is None:
            continue
        date = f.edtf((*key, "date"), required=True)
        note = f.text((*key, "note"), required=True)
        if date is not None and note is not None:
            out.append(Update(date, note))
    return tuple(out)


def parse_bibliography(path: str, text: str) -> tuple[dict[str, Source], Problems]:
    """Read ``events/_sources.yaml``: a mapping of source ids to source fields."""
    problems = Problems()
    try:
        located = load_yaml(text.removeprefix("\ufeff").replace("\r\n", "\n"))
    except FrontMatterError as exc:
        problems.error(path, exc.line, exc.field, exc.message)
        return {}, problems
    data: Any = located.data
    if data is None:
        return {}, problems
    f = Fields(path, located, problems)
    f.report_duplicates()
    if not isinstance(data, dict):
        problems.error(path, 1, "", "expected 'source-id:' entries, each with title, url, ...")
        return {}, problems
    out: dict[str, Source] = {}
    for name in data:
        if not SOURCE_ID.fullmatch(name):
            f.error((name,), f"source id {name!r} may only hold letters, digits and - _ . :")
            continue
        source = _source(f, (name,), from_bibliography=True, key_name=name)
        if source is not None:
            out[name] = source
    return out, problems
