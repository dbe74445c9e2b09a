"""Golden output: the sample site and a small site of the format's corners, built and compared
file by file with reviewed snapshots under tests/golden/, so any change to what users get shows
as a diff. `TIMELINE_UPDATE_GOLDEN=1 pytest tests/test_golden.py` rewrites them (docs/testing.md).
"""

from __future__ import annotations

import difflib
import os
import shutil
from pathlib import Path

import pytest

from tests.conftest import REPO, Project, assert_clean_exit
from timeline.site import fastmd

GOLDEN = REPO / "tests" / "golden"
THEME_STATIC = REPO / "theme" / "static"
BASE_URL = "https://example.org/timeline/"
UPDATE = os.environ.get("TIMELINE_UPDATE_GOLDEN", "") not in ("", "0")
SHOWN_DIFFS = 3  # changed files whose diff a failure prints
SHOWN_LINES = 80  # of each diff

# A small project touching every corner of the event format (docs/events.md, docs/dates.md):
# every status; exact, approximate, uncertain, unspecified, seasonal, decade, timed and BCE
# dates; closed, open and unknown-ended intervals; tags, actors, places and groups; every
# relation; aliases, updates, images, a bibliography, footnotes, tables, wiki links,
# citations, links to event files, Arabic text, and the Markdown the fast path must get right.
CORNERS: dict[str, str | bytes] = {
    "timeline.toml": """\
title = "Corners of the format"
description = "Every kind of date, status and body the event format allows."
author = "Timeline tests"
timezone = "Asia/Baghdad"

[groups]
"Talks" = "#2b6cb5"
"Fighting" = "#b5452b"
""",
    "static/img/map.svg": """\
<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20"><rect width="40" height="20" fill="#8a6d1f"/></svg>
""",
    "events/_sources.yaml": """\
wire:
  title: "Baathists 'disown al-Qaeda'"
  publisher: Adnkronos International
  author: A. Correspondent
  url: https://example.com/wire/2007/08/22
  date: 2007-08-22
  via: "AKI, quoting Al Hayat"
  archived: https://web.archive.org/web/2007/https://example.com/wire/2007/08/22
  quote: "He has decided to sever ties."
  accessed: 2026-11-26
hayat:
  title: "الدوري يقطع علاقته بالقاعدة"
  publisher: الحياة
  url: https://example.com/alhayat/2007/08/22
  date: 2007-08~
book:
  title: "A history without a URL"
  publisher: A Press
  date: 199X
""",
    "events/2007-08-22-talks-confirmed.md": """\
---
title: "Talks confirmed: a day, with everything in it"
date: 2007-08-22
status: confirmed
group: Talks
tags: [Talks, Diyala operations]
actors: [Izzat Ibrahim al-Douri, United Nations]
places: [Baghdad, Diyala]
aliases: [talks-day, old-talks]
image:
  src: img/map.svg
  alt: A map of Diyala
  caption: Diyala province, shaded
  credit: Timeline tests
updates:
  - date: 2007-08-24
    note: The date was checked against a second report.
  - date: 2026-11-26
    note: "Corrected the spelling of al-Douri."
sources:
  - wire
  - hayat
  - title: A written-out source
    url: https://example.org/written-out
    publisher: Example Daily
    id: daily
related:
  - talks-reported-season
  - {slug: fighting-disputed, relation: causes}
  - {slug: denial-uncertain, relation: contradicts}
  - {slug: arabic-report, relation: same-as}
---

The talks were confirmed by a wire report [@wire] and by the Arabic press [@hayat], and a daily
[@daily]. See [[fighting-disputed]], [[denial-uncertain|the denial]] and the
[season's report](2007-21-talks-reported-season.md#background).

# A heading written as h1

Text with *emphasis*, **strong**, ~~struck~~ and `code`, a footnote[^one] and another[^two].

| Who | What | When |
|:----|:----:|-----:|
| al-Douri | asked for guarantees | [[arabic-report]] |
| the UN | said *nothing* | 22 August |

## A heading written as h2

> A quotation, with a [link](https://example.org/quoted "its title").

1. First
2. Second
   - nested, with <b>raw HTML</b> shown as text
   - [a script link](javascript:alert(1)) shown as text, and {{ 7*7 }} kept

```python
print("a fenced block with [[not-a-link]] and [@wire] kept as written")
```

[^one]: The first footnote, citing [@wire].
[^two]: The second footnote.
""",
    "events/2007-08-fighting-disputed.md": """\
---
title: Fighting, disputed, in an approximate month
date: 2007-08~
status: disputed
group: Fighting
tags: [Fighting, diyala operations]
places: [Diyala, Buhriz]
sources: [wire]
related:
  - {slug: talks-confirmed, relation: responds-to}
---

Reports of fighting in August [@wire]; the month is approximate.
""",
    "events/2007-denial-uncertain.md": """\
---
title: A denial in an uncertain year
date: 2007?
status: denied
group: Talks
actors: [Izzat Ibrahim al-Douri]
summary: The party denied it, some time in 2007 (perhaps).
sources: [hayat]
---

The denial came in a year that is itself uncertain.
""",
    "events/2007-08-retraction.md": """\
---
title: A retraction, approximate and uncertain
date: 2007-08%
status: retracted
sources: [wire]
related:
  - {slug: talks-confirmed, relation: follows}
  - fighting-disputed
---

The story was withdrawn. The first paragraph is the summary.

A second paragraph is not.
""",
    "events/2007-21-talks-reported-season.md": """\
---
title: Talks reported in the spring
date: 2007-21
tags: [Talks]
sources: [book]
---

## Background

A season, reported (the default status), citing a source without a URL.
""",
    "events/199X-decade.md": """\
---
title: Something in the 1990s
date: 199X
tags: [Background]
sources: [book]
---

An unspecified decade. A month of an unspecified year follows in [[unspecified-month]].
""",
    "events/2006-unspecified-month.md": """\
---
title: An unspecified month of 2006
date: 2006-XX
sources: [book]
---

Some month of 2006.
""",
    "events/2007-05-interval.md": """\
---
title: A ceasefire from May to August
date: 2007-05/2007-08
group: Fighting
places: [Anbar]
sources: [wire]
---

A closed interval of months.
""",
    "events/2007-08-19-day-interval.md": """\
---
title: Three days of talks
date: 2007-08-19/2007-08-21
group: Talks
sources: [wire]
---

A closed interval of days.
""",
    "events/2007-05-approximate-ends.md": """\
---
title: Cooperation with approximate ends
date: 2007-05~/2007-08~
sources: [wire]
---

Both ends approximate.
""",
    "events/2007-06-open-end.md": """\
---
title: Talks that are still going
date: 2007-06/..
tags: [Talks]
sources: [wire]
---

An open end.
""",
    "events/open-start.md": """\
---
title: A rivalry until August 2007
date: ../2007-08
sources: [book]
---

An open start.
""",
    "events/unknown-end.md": """\
---
title: An exile of unknown end
date: 2007-05/
sources: [book]
---

An unknown end.
""",
    "events/ancient/bce-year.md": """\
---
title: A battle in 500 BCE
date: "-0499"
tags: [Background]
places: [Babylon]
sources: [book]
---

Astronomical year -0499 is 500 BCE; this file sits in a subfolder.
""",
    "events/ancient/year-zero.md": """\
---
title: The year 1 BCE
date: "0000"
sources: [book]
---

Year zero.
""",
    "events/2007-08-22T10-timed.md": """\
---
title: A statement at ten in the morning
date: 2007-08-22T10:00
slug: timed-statement
status: confirmed
sources: [wire]
---

A time without an offset, in the configured time zone. A link to a file:
[the talks](2007-08-22-talks-confirmed.md).
""",
    "events/2007-08-23-arabic-report.md": """\
---
title: "الدوري يطلب ضمانات"
date: 2007-08-23
status: reported
tags: [حزب البعث, Talks]
actors: [عزة إبراهيم الدوري]
places: [بغداد]
sources: [hayat]
---

قال مسؤول سابق في حزب البعث إن **عزة الدوري** طلب ضمانات [@hayat]. Mixed with English:
Ba’ath, البعث, and a link <https://ar.wikipedia.org/wiki/%D8%B9%D8%B2%D8%A9_%D8%A7%D9%84%D8%AF%D9%88%D8%B1%D9%8A>.

A footnote whose text starts four spaces after the colon.[^x]

[^x]:    Its text.
""",
    "events/2007-09-no-source.md": """\
---
title: An event without a source
date: 2007-09
---

Nothing cites this; the Sources page lists it.
""",
    "events/2007-09-draft.md": """\
---
title: A draft, left out
date: 2007-09
draft: true
sources: [wire]
---

Not built without --drafts.
""",
}


def _files(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` by its path inside it."""
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _snapshot(site: Path) -> dict[str, bytes]:
    """What the golden holds of a built site: every file but the theme's static assets, which
    are copied as they are and checked here to be so (docs/testing.md says why)."""
    files = _files(site)
    for name, data in _files(THEME_STATIC).items():
        assert files.pop(f"static/{name}", None) == data, f"static/{name} is not the theme's"
    return files


def _build(project: Project, out: Path) -> dict[str, bytes]:
    result = project.run(
        "build", "--no-cache", "--no-search", "--base-url", BASE_URL, "--out", str(out)
    )
    assert_clean_exit(result)
    assert result.exit_code == 0, result.output
    return _snapshot(out)


def _project(site: str, tmp_path: Path) -> Project:
    """The sample is built where it is, with the repository's config; the corners in tmp."""
    if site == "sample":
        return Project(REPO)
    (tmp_path / site).mkdir()
    return Project(tmp_path / site).write(CORNERS)


def _unified(name: str, old: bytes, new: bytes) -> list[str]:
    lines = list(
        difflib.unified_diff(
            old.decode("utf-8", "replace").splitlines(),
            new.decode("utf-8", "replace").splitlines(),
            f"golden/{name}", f"built/{name}", lineterm="",
        )
    )  # fmt: skip
    if len(lines) > SHOWN_LINES:
        lines[SHOWN_LINES:] = [f"... {len(lines) - SHOWN_LINES} more lines of diff"]
    return lines


def _differences(site: str, golden: dict[str, bytes], built: dict[str, bytes]) -> str:
    """A report that explains itself: what is missing, extra and changed, and the first diffs."""
    missing = sorted(golden.keys() - built.keys())
    extra = sorted(built.keys() - golden.keys())
    changed = sorted(k for k in golden.keys() & built.keys() if golden[k] != built[k])
    if not (missing or extra or changed):
        return ""
    report = [
        f"the {site} site differs from tests/golden/{site}/: {len(missing)} missing, "
        f"{len(extra)} extra, {len(changed)} changed"
    ]
    report += [f"  missing (in the golden, not built): {name}" for name in missing]
    report += [f"  extra (built, not in the golden):   {name}" for name in extra]
    report += [f"  changed:                            {name}" for name in changed]
    for name in changed[:SHOWN_DIFFS]:
        report += ["", *_unified(name, golden[name], built[name])]
    if len(changed) > SHOWN_DIFFS:
        report += ["", f"(diffs of {len(changed) - SHOWN_DIFFS} more changed files not shown)"]
    report += [
        "",
        "If the change is intended: TIMELINE_UPDATE_GOLDEN=1 pytest tests/test_golden.py,",
        f"then review `git diff tests/golden/{site}` and commit it with the change.",
    ]
    return "\n".join(report)


def _rewrite(folder: Path, built: dict[str, bytes]) -> None:
    """Make ``folder`` hold exactly ``built``: files no longer produced go too."""
    if folder.exists():
        shutil.rmtree(folder)
    for name, data in built.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


@pytest.mark.parametrize("site", ["sample", "corners"])
def test_the_built_site_is_the_golden_one(
    site: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Built with markdown-it-py alone, the renderer the fast path promises to equal (and the
    only one on Python 3.13+): the golden is the same whichever Python updates it."""
    monkeypatch.setattr(fastmd, "markdown_it_pyrs", None)
    built = _build(_project(site, tmp_path), tmp_path / "out")
    golden = GOLDEN / site
    report = _differences(site, _files(golden) if golden.is_dir() else {}, built)
    if report and UPDATE:
        _rewrite(golden, built)
        pytest.skip(f"rewrote tests/golden/{site}/ (review the diff): {report.splitlines()[0]}")
    if report:
        pytest.fail(report, pytrace=False)
    assert len(built) > 20


@pytest.mark.skipif(not fastmd.available(), reason="markdown-it-pyrs is not installed")
@pytest.mark.parametrize("site", ["sample", "corners"])
def test_the_fast_markdown_path_gives_the_golden_site(site: str, tmp_path: Path) -> None:
    """As built where markdown-it-pyrs is installed (CPython 3.11, 3.12): the same bytes. Never
    used to update the golden, so a difference between the renderers fails even then."""
    built = _build(_project(site, tmp_path), tmp_path / "out")
    report = _differences(site, _files(GOLDEN / site), built)
    if report:
        pytest.fail("with the fast Markdown path, " + report, pytrace=False)
