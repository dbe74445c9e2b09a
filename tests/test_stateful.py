"""Exact incremental builds, guarded: a state machine edits a project at random (every field,
respellings by case and accents, bodies, several files at once, new, deleted and renamed files,
the bibliography, the config and the theme) and after every step the site `timeline serve`
keeps up to date is, byte for byte, the site a cold build makes of the same files.

CI runs a bounded number of examples, always the same ones (Hypothesis's ``derandomize``: a
seed fixed by the test itself); ask for more, and new ones, with
``TIMELINE_STATEFUL_EXAMPLES=500 TIMELINE_STATEFUL_RANDOM=1 pytest tests/test_stateful.py``
(a failure prints the ``@reproduce_failure`` line that replays it).
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import tempfile
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    consumes,
    initialize,
    invariant,
    multiple,
    rule,
)

from tests.conftest import folder_differences
from timeline.build import Builder
from timeline.config import Config, load_config
from timeline.errors import ContentError
from timeline.serving.preview import Preview
from timeline.serving.watch import ChangeKind

EXAMPLES = int(os.environ.get("TIMELINE_STATEFUL_EXAMPLES", "12"))
RANDOM = os.environ.get("TIMELINE_STATEFUL_RANDOM") == "1"

NAMES = ["Diyala", "diyala", "Diyālā", "DIYALA", "Baquba", "baquba", "Anbar", "al-Anbar",
         "Ba'ath Party", "Ba’ath party", "Awakening", "بغداد", "Zürich", "zurich"]  # fmt: skip
TITLES = ["Talks in Baquba", "Al-Douri breaks with al-Qaeda", "Raid", "Raid again", "محادثات",
          "Q&A <b>", "A very long title " * 4]  # fmt: skip
DATES = ["2007-08-22", "2007-08", "2007", "2007-08~", "2007?", "2007-21", "199X", "2006-05-01",
         "2007-05/2007-08", "2007-05/..", "-0499", "2007-08-22T10:00Z", "2008-01-01",
         "2007-08-23", "2007-08-22%"]  # fmt: skip
STATUSES = ["reported", "confirmed", "disputed", "denied", "retracted"]
GROUPS = [None, "Insurgency", "Awakening", "Iraqi government", "Unlisted lane"]
SOURCE_IDS = ["aki", "cole", "hayat"]


def _strip(value: Any) -> Any:
    return {k: v for k, v in value.items() if v not in (None, [], "")}


class ServeMatchesColdBuild(RuleBasedStateMachine):
    events = Bundle("events")

    def __init__(self) -> None:
        super().__init__()
        self.root = Path(tempfile.mkdtemp(prefix="stateful-"))
        self.meta: dict[str, dict[str, Any]] = {}  # file name -> front matter
        self.bodies: dict[str, str] = {}
        self.counter = 0
        self.preview: Preview | None = None
        self.steps: list[str] = []  # what was rebuilt, for a failure's message

    # --- the project on disk --------------------------------------------------------------

    def _write_event(self, name: str) -> None:
        front = yaml.safe_dump(_strip(self.meta[name]), allow_unicode=True, sort_keys=False)
        path = self.root / "events" / name
        path.write_text(f"---\n{front}---\n\n{self.bodies[name]}\n", encoding="utf-8")

    def _bibliography(self, titles: list[str]) -> None:
        entries = {key: {"title": title, "url": f"https://example.org/{key}", "publisher": "P"}
                   for key, title in zip(SOURCE_IDS, titles, strict=True)}  # fmt: skip
        (self.root / "events" / "_sources.yaml").write_text(yaml.safe_dump(entries))

    def _config(self, title: str, base_url: bool, colour: str) -> None:
        lines = [f'title = "{title}"']
        if base_url:
            lines.append('base_url = "https://example.org/t/"')
        lines += ["[groups]", f'"Insurgency" = "{colour}"', '"Awakening" = "#8a6d1f"']
        (self.root / "timeline.toml").write_text("\n".join(lines) + "\n")

    def _load(self) -> Config:
        return load_config(self.root)[0]  # base_url as configured: feeds and sitemap too

    def _rebuild(self, kind: ChangeKind, *changed: str) -> None:
        """Rebuild as serve does after the watcher saw these files of events/ change (none
        named: as after a change it cannot pin down, which looks at every file), with the
        index and the page of the first of them open in a browser: those are made first,
        and once the update says so, every file it has not still to write is as it ends."""
        assert self.preview is not None
        preview, folder = self.preview, self.preview.server.folder
        paths = frozenset(str(self.root / "events" / name) for name in changed) or None
        edited = [name for name in changed if name in self.meta][:1]
        open_pages = ["", *(f"events/{slug}/" for n in edited if (slug := self._slug(n)))]
        seen: list[tuple[frozenset[str], dict[str, bytes]]] = []
        real_ready = preview.state.ready

        def ready(pending: frozenset[str]) -> None:
            seen.append((pending, _files(folder)))
            real_ready(pending)

        preview.state.ready = ready  # type: ignore[method-assign]
        try:
            with contextlib.ExitStack() as polls:
                for page in open_pages:
                    polls.enter_context(preview.state.polling(page))
                preview.rebuild({kind}, paths)
        finally:
            del preview.state.ready
        self.steps.append(kind.value)
        if paths is not None:  # every changed file was named: the check after finds nothing
            assert not preview.builder.collector.unnoticed(), self.steps
        final = _files(folder)
        for pending, then in seen:
            early = {rel for rel in then.keys() | final.keys()
                     if rel not in pending and then.get(rel) != final.get(rel)}  # fmt: skip
            assert not early, ("served before it was made", sorted(early)[:8], self.steps)

    def _new_name(self, date: str) -> str:
        self.counter += 1
        day = re.match(r"\d{4}-\d{2}-\d{2}", date)
        return f"{day[0] + '-' if day else ''}event-{self.counter}.md"

    # --- rules ----------------------------------------------------------------------------

    @initialize(target=events, titles=st.lists(st.sampled_from(TITLES), min_size=4, max_size=4),
                base_url=st.booleans())  # fmt: skip
    def start(self, titles: list[str], base_url: bool) -> Any:
        (self.root / "events").mkdir()
        self._config("Stateful", base_url, "#b5452b")
        self._bibliography(["AKI", "Informed Comment", "Al Hayat"])
        names = []
        for n, title in enumerate(titles):
            name = self._new_name(DATES[n])
            self.meta[name] = {"title": title, "date": DATES[n], "tags": NAMES[n : n + 2],
                               "group": GROUPS[n % len(GROUPS)], "sources": [SOURCE_IDS[n % 3]]}
            self.bodies[name] = f"Event {n} [@{SOURCE_IDS[n % 3]}]."
            self._write_event(name)
            names.append(name)
        self._begin()
        return multiple(*names)

    def _begin(self) -> None:
        """The first build of the project the rules will edit."""
        self.preview = Preview(self._load(), load=self._load, port=0, report=lambda line: None)
        self.preview.builder.workers = 1
        self.preview.first_build()

    @rule(name=events, key=st.sampled_from(["title", "date", "status", "group", "summary"]),
          data=st.data())  # fmt: skip
    def edit_a_field(self, name: str, key: str, data: st.DataObject) -> None:
        pools = {"title": TITLES, "date": DATES, "status": STATUSES, "group": GROUPS,
                 "summary": [None, "One sentence.", "Another <i>one</i>."]}  # fmt: skip
        self.meta[name][key] = data.draw(st.sampled_from(pools[key]))
        self._write_event(name)
        self._rebuild(ChangeKind.CONTENT, name)

    @rule(name=events, key=st.sampled_from(["tags", "actors", "places"]),
          names=st.lists(st.sampled_from(NAMES), max_size=3, unique=True))  # fmt: skip
    def file_under(self, name: str, key: str, names: list[str]) -> None:
        self.meta[name][key] = names
        self._write_event(name)
        self._rebuild(ChangeKind.CONTENT, name)

    @rule(name=events, data=st.data())
    def relate_cite_and_link(self, name: str, data: st.DataObject) -> None:
        others = [slug for other in self.meta if other != name
                  and (slug := self._slug(other))]  # fmt: skip
        related = data.draw(st.lists(st.sampled_from(others), max_size=2, unique=True)) \
            if others else []  # fmt: skip
        kind = data.draw(st.sampled_from([None, "follows", "contradicts"]))
        self.meta[name]["related"] = [{"slug": s, "relation": kind} if kind else s
                                      for s in related]  # fmt: skip
        source = data.draw(st.sampled_from(SOURCE_IDS))
        self.meta[name]["sources"] = sorted({*self.meta[name].get("sources", []), source})
        link = f"[[{related[0]}]] and [[{related[0]}|the other one]]" if related else "no link"
        self.bodies[name] = data.draw(st.sampled_from([
            f"See {link}; cited [@{source}].",
            f"A footnote.[^1] {link}\n\n[^1]: Its text [@{source}].",
            f"| a | b |\n|---|---|\n| {link} | x |",
        ]))  # fmt: skip
        self._write_event(name)
        self._rebuild(ChangeKind.CONTENT, name)

    @rule(name=events, aliases=st.lists(st.sampled_from(["old-a", "old-b", "older"]),
                                        max_size=2, unique=True),
          updates=st.booleans(), draft=st.booleans())  # fmt: skip
    def aliases_updates_and_drafts(
        self, name: str, aliases: list[str], updates: bool, draft: bool
    ) -> None:
        self.meta[name]["aliases"] = aliases  # two events may claim one: an error, then fixed
        self.meta[name]["updates"] = [{"date": "2008", "note": "Corrected."}] if updates else []
        self.meta[name]["draft"] = draft or None
        self._write_event(name)
        self._rebuild(ChangeKind.CONTENT, name)

    @rule(first=events, second=events, title=st.sampled_from(TITLES),
          date=st.sampled_from(DATES))  # fmt: skip
    def edit_two_files_at_once(self, first: str, second: str, title: str, date: str) -> None:
        self.meta[first]["title"] = title
        self.meta[second]["date"] = date
        self._write_event(first)
        self._write_event(second)
        self._rebuild(ChangeKind.CONTENT, first, second)

    @rule(target=events, title=st.sampled_from(TITLES), date=st.sampled_from(DATES),
          tags=st.lists(st.sampled_from(NAMES), max_size=2, unique=True))  # fmt: skip
    def add_an_event(self, title: str, date: str, tags: list[str]) -> str:
        name = self._new_name(date)
        self.meta[name] = {"title": title, "date": date, "tags": tags, "sources": ["aki"]}
        self.bodies[name] = "A new one."
        self._write_event(name)
        self._rebuild(ChangeKind.CONTENT, name)
        return name

    @rule(name=consumes(events))
    def delete_an_event(self, name: str) -> None:
        if len(self.meta) <= 1:
            return
        (self.root / "events" / name).unlink()
        del self.meta[name], self.bodies[name]
        self._rebuild(ChangeKind.CONTENT, name)

    @rule(target=events, name=consumes(events), slug=st.sampled_from([None, "fixed-slug"]))
    def rename_a_file(self, name: str, slug: str | None) -> str:
        new = self._new_name(str(self.meta[name]["date"]))
        (self.root / "events" / name).rename(self.root / "events" / new)
        self.meta[new], self.bodies[new] = self.meta.pop(name), self.bodies.pop(name)
        self.meta[new]["slug"] = slug
        self._write_event(new)
        self._rebuild(ChangeKind.CONTENT, name, new)
        return new

    @rule(titles=st.lists(st.sampled_from(["AKI", "aki wire", "Informed Comment", "Hayat"]),
                          min_size=3, max_size=3))  # fmt: skip
    def edit_the_bibliography(self, titles: list[str]) -> None:
        self._bibliography(titles)
        self._rebuild(ChangeKind.CONTENT, "_sources.yaml")

    @rule(title=st.sampled_from(["Stateful", "Another title"]), base_url=st.booleans(),
          colour=st.sampled_from(["#b5452b", "#2b6cb5"]))  # fmt: skip
    def edit_the_config(self, title: str, base_url: bool, colour: str) -> None:
        self._config(title, base_url, colour)
        self._rebuild(ChangeKind.CONFIG)

    @rule(kind=st.sampled_from(["404", "css", "none"]))
    def edit_the_theme(self, kind: str) -> None:
        theme = self.root / "theme"
        shutil.rmtree(theme, ignore_errors=True)
        if kind == "404":
            (theme / "templates").mkdir(parents=True)
            (theme / "templates" / "404.html").write_text(
                "{% extends 'base.html' %}{% block content %}<h1>Gone</h1>{% endblock %}")
        elif kind == "css":
            (theme / "static").mkdir(parents=True)
            (theme / "static" / "style.css").write_text("body { color: red; }\n")
        self._rebuild(ChangeKind.THEME)

    def _slug(self, name: str) -> str | None:
        given = self.meta[name].get("slug")
        stem = name.removesuffix(".md")
        return given or (stem[11:] if stem[:4].isdigit() and stem[4] == "-" else stem)

    # --- the property ---------------------------------------------------------------------

    @invariant()
    def served_site_is_a_cold_build(self) -> None:
        self._check()

    def _check(self) -> None:
        if self.preview is None:
            return
        cold = self.root.parent / f"{self.root.name}-cold"
        shutil.rmtree(cold, ignore_errors=True)
        config = self._load().with_overrides(output_dir=str(cold))
        try:
            Builder(config, data_files=False).build()
        except ContentError as exc:
            assert self.preview.state.problems, f"serve built what a cold build refuses: {exc}"
            return
        finally:
            shutil.rmtree(self.root / ".timeline-cache", ignore_errors=True)
        assert not self.preview.state.problems, self.preview.state.problems
        differences = _differences(self.preview.server.folder, cold)
        assert differences == [], (differences[:8], self.steps)

    def teardown(self) -> None:
        if self.preview is not None:
            self.preview.server.server_close()
        shutil.rmtree(self.root, ignore_errors=True)
        shutil.rmtree(self.root.parent / f"{self.root.name}-cold", ignore_errors=True)


def _files(folder: Path) -> dict[str, bytes]:
    """Every file of a folder by its path in it."""
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in folder.rglob("*") if p.is_file()}  # fmt: skip


def _differences(served: Path, cold: Path) -> list[str]:
    return sorted(folder_differences(served, cold))


ServeMatchesColdBuild.TestCase.settings = settings(
    max_examples=EXAMPLES, stateful_step_count=10, deadline=None, derandomize=not RANDOM,
    database=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)  # fmt: skip
test_serve_matches_a_cold_build = ServeMatchesColdBuild.TestCase
test_serve_matches_a_cold_build.__test__ = True  # type: ignore[attr-defined]
