"""Wiki links and citations wherever Markdown lets them sit: wrapped onto the next line, in
emphasis, quotes, lists, tables and footnotes; rendered and checked on every path."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from bs4 import BeautifulSoup

from tests.conftest import REPO, Project, assert_clean_exit, event

SOURCES = "sources:\n  - title: AKI\n    url: https://example.org/aki\n    id: aki\n"
OTHER = "events/2007-08-23-the-other.md"


def _body(project: Project, markdown: str) -> BeautifulSoup:
    project.write({
        "events/2007-08-22-a.md": event("A", body=markdown, sources=SOURCES),
        OTHER: event("The other event", "2007-08-23"),
    }).build("--strict")  # fmt: skip
    body = project.html("events/a/").select_one(".event-body")
    assert body is not None
    return body


def _links(body: BeautifulSoup) -> list[tuple[str, str]]:
    return [(str(a["href"]), " ".join(a.get_text().split())) for a in body.select("a.wikilink")]


@pytest.mark.parametrize(("markdown", "shown"), [
    ("See [[the-other|the cooperation\nalready under way]]: many.", "the cooperation already under way"),
    ("See [[the-other|one\n   two\nthree]] there.", "one two three"),
    ("> Quoted, [[the-other|the cooperation\n> already under way]].", "the cooperation already under way"),
    ("- An item, [[the-other|the cooperation\n  already under way]].", "the cooperation already under way"),
    ("See [[the-other\n|wrapped before the pipe]].", "wrapped before the pipe"),
    ("*In emphasis, [[the-other]]*", "The other event"),
    ("**[[the-other|strong]]** and ~~[[the-other|struck]]~~", "strong"),
    ("| Event | Note |\n|---|---|\n| [[the-other|in a cell]] | x |", "in a cell"),
    ("| Event | Note |\n|---|---|\n| [[the-other\\|escaped pipe]] | x |", "escaped pipe"),
    ("Noted.[^1]\n\n[^1]: In a footnote, [[the-other|the\nnote]].", "the note"),
])  # fmt: skip
def test_a_wiki_link_is_a_link_wherever_it_sits(
    project: Project, markdown: str, shown: str
) -> None:
    body = _body(project, markdown)
    assert (("../../events/the-other/", shown)) in _links(body)
    assert "[[" not in body.get_text()


def test_a_wiki_link_in_a_table_keeps_the_row_whole(project: Project) -> None:
    body = _body(project, "| Event | Note |\n|---|---|\n| [[the-other|a link]] | the note |")
    assert [td.get_text() for td in body.select("td")] == ["a link", "the note"]


@pytest.mark.parametrize("markdown", [
    "*Emphasised [@aki]*", "| a | b |\n|---|---|\n| claim [@aki] | x |",
    "Text.[^1]\n\n[^1]: The note [@aki].", "> Quoted [@aki].",
])  # fmt: skip
def test_a_citation_is_a_numbered_reference_wherever_it_sits(
    project: Project, markdown: str
) -> None:
    body = _body(project, markdown)
    assert [a["href"] for a in body.select("sup.citation a")] == ["#source-1"]
    assert "[@" not in body.get_text()


@pytest.mark.parametrize("command", [("build", "--strict"), ("check",), ("check", "--strict")])
def test_a_misspelled_slug_in_a_wrapped_link_is_an_error(
    project: Project, command: tuple[str, ...]
) -> None:
    project.write({
        "events/2007-08-22-a.md": event(
            "A", body="First paragraph.\n\nSee [[the-othr|the cooperation\nalready under way]].",
        ),
        OTHER: event("The other event", "2007-08-23"),
    })  # fmt: skip
    result = project.run(*command)
    assert_clean_exit(result)
    assert result.exit_code == 1
    # Line 11: 7 lines of front matter, a blank line, a paragraph, a blank line, the link.
    assert (
        "events/2007-08-22-a.md:11: body: [[the-othr]] links to an unknown event; "
        "did you mean 'the-other'?" in result.output
    )


def test_a_misspelled_wrapped_link_in_the_sample_fails_build_and_check(tmp_path: Path) -> None:
    """The sample's own wrapped link, misspelled: ``build --strict`` and ``check --links``
    both fail, naming the file and line."""
    root = tmp_path / "sample"
    shutil.copytree(REPO / "events", root / "events")
    shutil.copy(REPO / "pyproject.toml", root / "pyproject.toml")
    page = root / "events" / "2007-08-22-douri-asks-guarantees.md"
    text = page.read_text(encoding="utf-8")
    assert "[[baathists-join-government-forces|the\ncooperation" in text
    page.write_text(text.replace("[[baathists-join-government-forces|", "[[baathists-join-govt|"))
    line = page.read_text().split("\n").index(
        next(row for row in page.read_text().split("\n") if "[[baathists-join-govt" in row)
    ) + 1  # fmt: skip
    sample = Project(root)
    for command in (("build", "--strict"), ("check", "--links")):
        result = sample.run(*command)
        assert_clean_exit(result)
        assert result.exit_code == 1, command
        assert (
            f"events/2007-08-22-douri-asks-guarantees.md:{line}: body: [[baathists-join-govt]] "
            "links to an unknown event" in result.output
        ), result.output


def _strings(value: Any, path: str = "") -> list[tuple[str, str]]:
    """Every string in a JSON value with where it is ('events[3].summary')."""
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in _strings(v, f"{path}.{k}")]
    if isinstance(value, list):
        return [s for i, v in enumerate(value) for s in _strings(v, f"{path}[{i}]")]
    return [(path, value)] if isinstance(value, str) else []


def test_no_raw_link_or_citation_reaches_any_built_file(tmp_path: Path) -> None:
    """Every HTML page, feed and data file of the built sample: no ``[[slug`` of an event
    and no ``[@id]`` of a source is left as text (timeline.json's ``body`` and the ``body`` of
    timelinejs.json's ``timeline`` records are the Markdown as written, by their schema:
    docs/data.md; TimelineJS never shows them)."""
    site = tmp_path / "site"
    result = Project(REPO).run("build", "--no-cache", "--no-search", "--base-url",
                               "https://example.org/iraq/", "--out", str(site))  # fmt: skip
    assert result.exit_code == 0, result.output
    slugs = [p.stem for p in (site / "events").iterdir() if p.is_dir()]
    bibliography = yaml.safe_load((REPO / "events" / "_sources.yaml").read_text())
    keys = list(bibliography)
    raw = re.compile(
        r"\[\[\s*(?:" + "|".join(map(re.escape, slugs)) + r")\s*(?:\\?\||\]\])"
        r"|\[@(?:" + "|".join(map(re.escape, keys)) + r")\]"
    )
    written = json.loads((site / "timeline.json").read_text())
    # Guard: the sample has what this test is about (a wrapped link, citations).
    bodies = " ".join(e["body"] for e in written["events"])
    assert re.search(r"\[\[[a-z-]+\|[^\]]*\n", bodies) and raw.search(bodies)
    checked = []
    for file in sorted(site.rglob("*")):
        if file.suffix not in (".html", ".xml", ".json", ".txt"):
            continue
        text = file.read_text(encoding="utf-8")
        if file.suffix == ".json":
            strings = _strings(json.loads(text))
            if file.name in ("timeline.json", "timelinejs.json"):
                markdown = "].body" if file.name == "timeline.json" else "].timeline.body"
                strings = [(p, s) for p, s in strings if not p.endswith(markdown)]
            found = [f"{p}: {m[0]}" for p, s in strings for m in raw.finditer(s)]
        else:
            found = [m[0] for m in raw.finditer(text)]
        assert found == [], file.relative_to(site).as_posix()
        checked.append(file.name)
    assert {"feed.xml", "feed.json", "timeline.json", "timelinejs.json", "index.html"} <= set(
        checked
    )
    # The wrapped link is a link on its page, in the feed and in TimelineJS.
    page = BeautifulSoup(
        (site / "events/douri-asks-guarantees/index.html").read_text(), "html.parser"
    )
    assert (
        "../../events/baathists-join-government-forces/",
        "the cooperation already under way",
    ) in _links(page)
    slide = next(e for e in json.loads((site / "timelinejs.json").read_text())["events"]
                 if e["unique_id"] == "douri-asks-guarantees")  # fmt: skip
    assert "events/baathists-join-government-forces/" in slide["text"]["text"]
