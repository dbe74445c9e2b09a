"""The whole loop, on random valid timelines (issue 16.9): build -> export -> import -> build
gives the same timeline.json: dates (precision and qualifiers), statuses, names, sources and
text. Derandomized with a bounded count in CI; TIMELINE_ROUNDTRIP_EXAMPLES=200 for more."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import Project, assert_clean_exit

EXAMPLES = int(os.environ.get("TIMELINE_ROUNDTRIP_EXAMPLES", "12"))

# Text as people write it: accents, Arabic, quotes, colons, hashes, Markdown punctuation.
WORDS = ["Ba'ath", "al-Douri", "Diyala", "Baqubah", "البعث", "Дури", "ceasefire", "talks",
         "1920", "#1", "50%", "a: b", '"quoted"', "*not emphasis*", "x < y", "[brackets]",
         "Sons of Iraq", "Anbar", "Q&A", "e.g.", "–", "—"]  # fmt: skip
words = st.lists(st.sampled_from(WORDS), min_size=1, max_size=6).map(" ".join)
names = st.lists(st.sampled_from(["Diyala", "Baghdad", "Anbar", "Ba'ath Party", "البعث",
                                  "US Army", "Al Hayat", "Interpol"]),
                 max_size=3, unique=True)  # fmt: skip
DATES = ["2007-08-22", "2007-08", "2007", "2007-08~", "2007-08?", "2007-08-22%", "2006/2007",
         "2007-05/2007-08", "2007-06-07/2007-06-09", "200X", "2007-21", "-0500",
         "2007-08-22T10:30:00Z", "2007-08/..", "../2006-09", "Y-13800000000"]  # fmt: skip
STATUSES = ["reported", "confirmed", "disputed", "denied", "retracted"]


@st.composite
def a_source(draw: st.DrawFn) -> dict[str, Any]:
    source: dict[str, Any] = {"title": draw(words)}
    if draw(st.booleans()):
        source["url"] = f"https://example.org/{draw(st.integers(1, 999))}"
    if draw(st.booleans()):
        source["publisher"] = draw(st.sampled_from(["AKI", "CNN", "Al Hayat", "AFP"]))
    if draw(st.booleans()):
        source["date"] = draw(st.sampled_from(["2007-08-22", "2007-06", "2007"]))
    return source


@st.composite
def an_event(draw: st.DrawFn, n: int) -> tuple[str, str]:
    meta: dict[str, Any] = {"title": f"{draw(words)} {n}", "date": draw(st.sampled_from(DATES)),
                            "status": draw(st.sampled_from(STATUSES))}  # fmt: skip
    for key in ("tags", "actors", "places"):
        if found := draw(names):
            meta[key] = found
    if draw(st.booleans()):
        meta["group"] = draw(st.sampled_from(["Insurgency", "Awakening", "International"]))
    meta["sources"] = draw(st.lists(a_source(), min_size=1, max_size=2))
    body = "\n\n".join(draw(st.lists(words, min_size=1, max_size=3)))
    if draw(st.booleans()):  # cited in the text, as well as listed
        meta["sources"][0]["id"] = "s1"
        body += " [@s1]"
    front = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False)
    return f"events/e{n}.md", f"---\n{front}---\n\n{body}\n"


@st.composite
def a_timeline(draw: st.DrawFn) -> dict[str, str]:
    count = draw(st.integers(1, 5))
    return dict(draw(an_event(n)) for n in range(count))


def _events(project: Project) -> list[dict[str, Any]]:
    result = project.run("export", "--format", "json")
    assert result.exit_code == 0, result.output
    events: list[dict[str, Any]] = json.loads(result.stdout)["events"]
    for event in events:
        event.pop("file")  # a file name is the importer's choice; the slug is kept
    return events


@settings(max_examples=EXAMPLES, derandomize=True, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])  # fmt: skip
@given(timeline=a_timeline(), kind=st.sampled_from(["timelinejs", "json"]))
def test_export_then_import_gives_the_same_timeline(timeline: dict[str, str], kind: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        base = Path(folder)
        original = Project(base / "original")
        original.write({"timeline.toml": 'title = "Loop"\n', **timeline})
        checked = original.run("check", "--strict")
        assert_clean_exit(checked)
        assert checked.exit_code == 0, checked.output  # the strategy makes valid timelines
        exported = base / f"export.{kind}.json"
        result = original.run("export", "--format", kind, "--out", str(exported))
        assert result.exit_code == 0, result.output

        copy = Project(base / "copy")
        copy.write({"timeline.toml": 'title = "Loop"\n'})
        imported = copy.run("import", str(exported))
        assert_clean_exit(imported)
        assert imported.exit_code == 0, imported.output
        again = copy.run("check", "--strict")
        assert again.exit_code == 0, again.output
        assert _events(copy) == _events(original)
        shutil.rmtree(base)
