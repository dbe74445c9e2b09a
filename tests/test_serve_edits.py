"""Serve's updates told which event files changed: only those events are looked at.

An update given the watcher's paths patches the last read, index and bodies with the events
read again instead of walking every event (``Corpus.edited``, ``Content.edited``); where
that cannot be known (a file gained or lost its event, its problems changed, the last update
failed), it walks them all. Each case ends byte-identical to a cold build.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import Project, event, folder_differences
from timeline.build import Builder
from timeline.config import load_config
from timeline.errors import ContentError

FILES: dict[str, str | bytes] = {
    "events/_sources.yaml": "un:\n  title: A UN report\n  url: https://example.org/un\n",
    **{
        f"events/2007-{m:02d}-01-e{m}.md": event(
            f"Event {m}", f"2007-{m:02d}-01",
            body=f"First paragraph {m}." + (" See [[e1]]." if m == 7 else ""),
            extra=f"tags: [t{m % 3}]",
            sources="sources: [un]\n" if m % 2 else "sources:\n  - title: Own report\n",
        )
        for m in range(1, 9)
    },
}  # fmt: skip


@pytest.fixture
def builder(project: Project) -> Builder:
    project.write(FILES)
    builder = Builder(load_config(project.root)[0], data_files=False, remember=True)
    builder.build()
    return builder


def _save(project: Project, builder: Builder, name: str, old: str, new: str) -> None:
    """Edit one event file, and update as serve does after the watcher named it."""
    path = project.root / "events" / name
    text = path.read_text()
    assert old in text, f"{name} has no {old!r} to edit"
    path.write_text(text.replace(old, new))
    builder.update(only=[str(path)])


def _edited(builder: Builder) -> frozenset[str] | None:
    content = builder.collector.content
    assert content is not None
    return content.edited


def _same_as_cold_build(project: Project, builder: Builder) -> None:
    cold = project.root / "cold"
    config = load_config(project.root)[0].with_overrides(output_dir=str(cold))
    Builder(config, data_files=False).build()
    assert folder_differences(builder.config.output_path, cold) == []


@pytest.mark.parametrize(
    ("name", "old", "new"),
    [
        ("2007-03-01-e3.md", "First paragraph 3.", "First paragraph, edited."),  # a body
        ("2007-01-01-e1.md", 'title: "Event 1"', 'title: "Event one"'),  # linked to by e7
        ("2007-03-01-e3.md", "2007-03-01", "2007-06-15"),  # moved in time, cites a source
        ("2007-04-01-e4.md", "tags: [t1]", "tags: [t2]"),  # filed under another tag
    ],
)  # fmt: skip
def test_a_told_edit_looks_only_at_the_event_read_again(
    project: Project, builder: Builder, name: str, old: str, new: str
) -> None:
    _save(project, builder, name, old, new)
    slug = name.split("-", 3)[3].removesuffix(".md")
    assert _edited(builder) == {slug, "e7"} if "title" in old else {slug}
    _same_as_cold_build(project, builder)


def test_an_event_turned_draft_is_looked_for_everywhere(project: Project, builder: Builder) -> None:
    _save(project, builder, "2007-05-01-e5.md", 'title: "Event 5"', 'title: "Event 5"\ndraft: true')
    assert _edited(builder) is None  # it left the corpus: every event looked at
    assert not (builder.config.output_path / "events/e5").exists()
    _same_as_cold_build(project, builder)


def test_an_edit_that_changes_a_file_s_warnings_reports_them_as_a_cold_build(
    project: Project, builder: Builder
) -> None:
    for summary in ("summery: A misspelt key", "summary: Spelt right"):  # a warning, then none
        _save(project, builder, "2007-06-01-e6.md", 'title: "Event 6"',
              f'title: "Event 6"\n{summary}')  # fmt: skip
        warnings = builder.collector.content.warnings if builder.collector.content else ()
        cold = Builder(load_config(project.root)[0]).collect()
        assert [str(w) for w in warnings] == [str(w) for w in cold.warnings]
        assert any("summery" in str(w) for w in warnings) == summary.startswith("summery")
        _same_as_cold_build(project, builder)
        (project.root / "events/2007-06-01-e6.md").write_text(FILES["events/2007-06-01-e6.md"])
        builder.update(only=[str(project.root / "events/2007-06-01-e6.md")])


def test_after_a_failed_update_a_told_edit_of_another_event_still_fails(
    project: Project, builder: Builder
) -> None:
    with pytest.raises(ContentError):  # parsed, but its link is refused when rendered
        _save(project, builder, "2007-02-01-e2.md", "First paragraph 2.", "See [[nowhere]].")
    with pytest.raises(ContentError) as raised:  # e2 is still broken: not the last good e2
        _save(project, builder, "2007-03-01-e3.md", "First paragraph 3.", "Third, edited.")
    assert any("nowhere" in str(p) for p in raised.value.problems)
    _save(project, builder, "2007-02-01-e2.md", "See [[nowhere]].", "See [[e3]].")
    html = (builder.config.output_path / "events/e3/index.html").read_text()
    assert "Third, edited." in html
    _same_as_cold_build(project, builder)


def test_a_renamed_event_s_new_title_reaches_the_bodies_linking_to_it(
    project: Project, builder: Builder
) -> None:
    _save(project, builder, "2007-01-01-e1.md", 'title: "Event 1"', 'title: "The first one"')
    page = Path(builder.config.output_path / "events/e7/index.html").read_text()
    assert "The first one" in page
    _same_as_cold_build(project, builder)
