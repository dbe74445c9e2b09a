"""Read events travel from the reading workers to the main process as pickles
(timeline.reading.pickling): they must come back equal, whatever they hold."""

from __future__ import annotations

import pickle

from tests.conftest import REPO, Project, event
from timeline.config import load_config
from timeline.reading.load import load_corpus


def test_the_sample_events_come_back_equal() -> None:
    config = load_config(REPO)[0]
    events = load_corpus(REPO, config.events_path, drafts=False).events
    assert len(events) > 10
    assert pickle.loads(pickle.dumps(events, protocol=pickle.HIGHEST_PROTOCOL)) == events


def test_every_part_of_an_event_comes_back(project: Project) -> None:
    project.write({
        "events/a.md": event("A", "2007-08~/2007-09-15?", extra="""
            tags: [one, two]
            actors: [Someone]
            places: [Somewhere]
            status: disputed
            group: Insurgency
            summary: A summary.
            image: {src: "https://example.org/a.png", alt: "An image", caption: "C", credit: "D"}
            updates:
              - {date: "2007-09-01", note: "Denied."}
            related: [b]
            aliases: [old-a]
        """, body="Text [[b]]."),
        "events/b.md": event("B", "2007-08-23T10:00Z"),
    })  # fmt: skip
    corpus = load_corpus(project.root, project.root / "events", drafts=False)
    assert not corpus.problems.errors
    a = next(e for e in corpus.events if e.slug == "a")
    assert a.image is not None and a.updates and a.related and a.date.interval
    back = pickle.loads(pickle.dumps(a))
    assert back == a and hash(back) == hash(a)
    assert back.date.approximate and back.date.uncertain
