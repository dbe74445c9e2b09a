"""Bad input: a precise `path:line: field: message`, exit code 1, no traceback, site intact."""

from __future__ import annotations

import pytest

from tests.conftest import Project, assert_clean_exit, event

GOOD = {"events/2007-01-01-good.md": event("Good event", "2007-01-01")}
NO_SOURCE = "sources: []\n"

CASES: list[tuple[str, dict[str, str | bytes], list[str], tuple[str, ...]]] = [
    (
        "missing title",
        {"events/a.md": '---\ndate: "2007"\n' + NO_SOURCE + "---\nBody\n"},
        ["events/a.md:2: title: missing; every event needs a title"], (),
    ),
    (
        "missing date",
        {"events/a.md": "---\ntitle: A\n---\nBody\n"},
        ["events/a.md:2: date: missing; give an EDTF date"], (),
    ),
    (
        "month 13",
        {"events/a.md": event(date="2007-13")},
        ["events/a.md:3: date: '2007-13': month 13 does not exist"], (),
    ),
    (
        "30 February",
        {"events/a.md": event(date="2007-02-30")},
        ["events/a.md:3: date: '2007-02-30': day 30 does not exist in February 2007"], (),
    ),
    (
        "unquoted impossible YAML date",
        {"events/a.md": "---\ntitle: A\ndate: 2007-02-30\n---\nBody\n"},
        ["events/a.md:3: date: '2007-02-30': day 30 does not exist"], (),
    ),
    (
        "interval ending before it starts",
        {"events/a.md": event(date="2008-01/2007-05")},
        ["events/a.md:3: date: '2008-01/2007-05' ends before it starts"], (),
    ),
    (
        "title read as an octal number",
        {"events/a.md": "---\ntitle: 010\ndate: 2007\n---\nBody\n"},
        ['events/a.md:2: title: expected text but YAML read a number (8); put it in quotes: title: "010"'], (),
    ),
    (
        "title read as a boolean",
        {"events/a.md": "---\ntitle: no\ndate: 2007\n---\nBody\n"},
        ['events/a.md:2: title: expected text but YAML read true/false (false); put it in quotes: title: "no"'], (),
    ),
    (
        "time-like value read as a number",
        {"events/a.md": event(extra="group: 19:30")},
        ['events/a.md:4: group: expected text but YAML read a number (1170); put it in quotes: group: "19:30"'], (),
    ),
    (
        "image missing from static/",
        {"events/a.md": event(extra="image:\n  src: img/none.png\n  alt: A map")},
        ["events/a.md:5: image.src: 'img/none.png' is not a file in static/"], (),
    ),
    (
        "error lines counted right in a CRLF file with a BOM",
        {"events/a.md": "\ufeff---\r\ntitle: A\r\ndate: 2007-13\r\n---\r\n"},
        ["events/a.md:3: date: '2007-13': month 13 does not exist"], (),
    ),
    (
        "unknown status with a hint",
        {"events/a.md": event(extra="status: confimred")},
        ["events/a.md:4: status: 'confimred' is not a status; did you mean 'confirmed'?"], (),
    ),
    (
        "tags not a list",
        {"events/a.md": event(extra="tags: Diyala")},
        ["events/a.md:4: tags: expected a list, e.g. tags: [Diyala]"], (),
    ),
    (
        "a tag that YAML reads as a boolean",
        {"events/a.md": event(extra="tags:\n  - Diyala\n  - on")},
        ['events/a.md:6: tags[2]: expected text but YAML read true/false (true); put it in quotes: - "on"'], (),
    ),
    (
        "javascript: URL in a source",
        {"events/a.md": event(sources="sources:\n  - title: S\n    url: javascript:alert(1)\n")},
        ["events/a.md:6: sources[1].url: 'javascript:alert(1)' is not an http(s) URL"], (),
    ),
    (
        "entity-disguised javascript URL in archived",
        {"events/a.md": event(sources="sources:\n  - title: S\n    archived: java&#115;cript:x\n")},
        ["events/a.md:6: sources[1].archived: 'java&#115;cript:x' is not an http(s) URL"], (),
    ),
    (
        "source without title",
        {"events/a.md": event(sources="sources:\n  - url: https://example.org/\n")},
        ["events/a.md:5: sources[1].title: missing; every source needs a title"], (),
    ),
    (
        "unknown bibliography id",
        {"events/a.md": event(sources="sources:\n  - cnn-rfit\n"),
         "events/_sources.yaml": "cnn-rift:\n  title: Rift\n  url: https://example.org/\n"},
        ["events/a.md:5: sources[1]: unknown source id 'cnn-rfit'; did you mean 'cnn-rift'?"], (),
    ),
    (
        "related slug that does not exist",
        {"events/a.md": event(extra="related:\n  - good\n  - ghost")},
        ["events/a.md:6: related: unknown event 'ghost'"], (),
    ),
    (
        "unknown relation name",
        {"events/a.md": event(extra="related:\n  - slug: good\n    relation: contradict")},
        ["events/a.md:6: related[1].relation: 'contradict' is not a relation; did you mean 'contradicts'?"], (),
    ),
    (
        "wiki link to an unknown event",
        {"events/a.md": event(body="First line.\n\nSee [[gost]] for more.")},
        ["events/a.md:11: body: [[gost]] links to an unknown event"], (),
    ),
    (
        "citation of a source the event does not list",
        {"events/a.md": event(body="Claim [@nowhere].")},
        ["events/a.md:9: body: [@nowhere] cites a source this event does not list"], (),
    ),
    (
        "relative link to a missing event file",
        {"events/a.md": event(body="Para.\n\nSee [this](2007-01-02-missing.md).")},
        ["events/a.md:11: body: links to 2007-01-02-missing.md, which is not an event file"], (),
    ),
    (
        "duplicate key",
        {"events/a.md": event(extra="title: Again")},
        ["events/a.md:4: title: appears twice; YAML would keep only the last"], (),
    ),
    (
        "no front matter",
        {"events/a.md": "# Just Markdown\n"},
        ["events/a.md:1: an event file must start with a line '---'"], (),
    ),
    (
        "front matter never closed",
        {"events/a.md": "---\ntitle: A\ndate: 2007\n\nBody\n"},
        ["events/a.md:5: the front matter that starts on line 1 is never closed; add a line '---' "
         "before this line, where the text seems to start"], (),
    ),
    (
        "a list never closed",
        {"events/a.md": "---\ntitle: A\ndate: 2007\ntags: [a, b\n---\nBody\n"},
        ["events/a.md:4: tags: the list opened with '[' is never closed: end it with ']' on this "
         "line (and put an item holding ',' ':' '[' or '{' in quotes)"], (),
    ),
    (
        "front matter that is a list",
        {"events/a.md": "---\n- title\n- date\n---\nBody\n"},
        ["events/a.md:2: the front matter must be 'key: value' lines, not a list"], (),
    ),
    (
        "slug with a path in it",
        {"events/a.md": event(extra="slug: ../x")},
        ["events/a.md:4: slug: '../x' is not a URL name: use lower-case letters and digits (of any script) joined by single '-', e.g. 'x'"], (),
    ),
    (
        "absolute path as slug",
        {"events/a.md": event(extra="slug: /etc/x")},
        ["events/a.md:4: slug: '/etc/x' is not a URL name: use lower-case letters and digits (of any script) joined by single '-', e.g. 'etc-x'"], (),
    ),
    (
        "empty slug",
        {"events/a.md": event(extra='slug: ""')},
        ["events/a.md:4: slug: is empty; remove the line to use the file name, or give a slug"], (),
    ),
    (
        "interval mixing a zoned and an unzoned time",
        {"events/a.md": event(date="2007-08-22T10:00Z/2007-08-22T12:00")},
        ["events/a.md:3: date: '2007-08-22T10:00Z/2007-08-22T12:00' mixes a time with a zone and one without"], (),
    ),
    (
        "a file too large to be an event",
        {"events/a.md": "---\ntitle: A\ndate: 2007\n---\n" + "x" * (50 * 1024 * 1024)},
        ["events/a.md: is 50 MB; event files and the bibliography are limited to 5 MB"], (),
    ),
    (
        "a file a little over the limit: its size with one decimal, not rounded to the limit",
        {"events/a.md": "---\ntitle: A\ndate: 2007\n---\n" + "x" * int(5.3 * 1024 * 1024)},
        ["events/a.md: is 5.3 MB; event files and the bibliography are limited to 5 MB"], (),
    ),
    (
        "two events with one slug",
        {"events/a.md": event(extra="slug: same"), "events/b.md": event(extra="slug: same")},
        ["events/b.md:4: slug: 'same' is already used by events/a.md"], (),
    ),
    (
        "slugs colliding by case of the file name",
        {"events/Douri.md": event(), "events/douri.md": event()},
        ["events/douri.md:1: slug: 'douri' is already used by events/Douri.md"], (),
    ),
    (
        "slugs colliding by Unicode normalisation",
        {"events/caf\u00e9.md": event(), "events/cafe\u0301.md": event()},
        ["slug: 'cafe' is already used by events/caf"], (),
    ),
    (
        "two file names in Cyrillic giving one slug: both files named",
        {"events/2007-08-22 Дури.md": event(), "events/2007-08-23-дури.md": event(date="2007-08-23")},
        ["events/2007-08-23-дури.md:1: slug: 'дури' is already used by events/2007-08-22 Дури.md"], (),
    ),
    (
        "slugs colliding by case in Greek (σ and ς)",
        {"events/a.md": event(extra="slug: αθηνας"), "events/b.md": event(date="2007-08-23", extra="slug: αθηνασ")},
        ["events/b.md:4: slug: 'αθηνασ' is already used by events/a.md"], (),
    ),
    (
        "a slug of another script in capitals",
        {"events/a.md": event(extra="slug: Дури")},
        ["events/a.md:4: slug: 'Дури' is not a URL name: use lower-case letters and digits (of any script) joined by single '-', e.g. 'дури'"], (),
    ),
    (
        "a file name with no letters or digits",
        {"events/2007-08-22 ---.md": event()},
        ["events/2007-08-22 ---.md:1: slug: cannot make a URL name from the file name; add slug:"], (),
    ),
    (
        "image without alt text",
        {"events/a.md": event(extra="image:\n  src: https://example.org/a.jpg")},
        ["events/a.md:4: image: needs alt"], (),
    ),
    (
        "non-UTF-8 bytes",
        {"events/a.md": b"---\ntitle: A\ndate: 2007\n---\nCaf\xe9\n"},
        ["events/a.md:5: is not UTF-8 text (byte 0xe9)"], (),
    ),
    (
        "python object tag",
        {"events/a.md": "---\ntitle: !!python/object/apply:os.system ['echo hi']\ndate: 2007\n---\n"},
        ["events/a.md:2: YAML value error"], (),
    ),
    (
        "alias bomb",
        {"events/a.md": "---\ntitle: A\ndate: 2007\n"
         + 'a: &a ["x","x","x","x","x","x","x","x","x","x"]\n'
         + "".join(f"{n}: &{n} [*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p}]\n"
                   for p, n in zip("abcdefg", "bcdefgh", strict=True))
         + "---\n"},
        ["aliases repeat more than 10000 values (a YAML alias bomb?)"], (),
    ),
    (
        "a merge key merging something that is not key: value pairs",
        {"events/a.md": event(extra="<<: [1, 2]")},
        ["events/a.md:4: '<<' merges key: value pairs"], (),
    ),
    (
        "a source URL that cannot be parsed (an unclosed IPv6 address)",
        {"events/a.md": event(sources='sources:\n  - title: S\n    url: "https://[x"\n')},
        ["events/a.md:6: sources[1].url: 'https://[x' is not an http(s) URL"], (),
    ),
    (
        "a year of 300 digits",
        {"events/a.md": event(date="Y1" + "0" * 300)},
        ["events/a.md:3: date: 'Y100000000000000000000000000000000000000'...: years of more "
         "than 12 digits are not supported"], (),
    ),
    (
        "a long year with a month",
        {"events/a.md": event(date="Y20000-05")},
        ["events/a.md:3: date: 'Y20000-05': 'Y' marks a year only"], (),
    ),
    (
        "a time zone offset that does not exist",
        {"events/a.md": event(date="2007-08-22T10:00+99:99")},
        ["events/a.md:3: date: '2007-08-22T10:00+99:99': UTC+99:99 is not a time zone offset"],
        (),
    ),
    (
        "a slug from a file name of more than 120 characters",
        {f"events/2007-{'long-' * 30}name.md": event()},
        ["slug: is longer than 120 characters; give a shorter slug: (or rename the file)"], (),
    ),

    (
        "update without a note",
        {"events/a.md": event(extra='updates:\n  - date: "2007-09"')},
        ["events/a.md:5: updates[1].note: missing; every update needs a note"], (),
    ),
    (
        "draft that is not true/false",
        {"events/a.md": event(extra="draft: maybe")},
        ["events/a.md:4: draft: expected true or false, got text ('maybe')"], (),
    ),
    (
        "bibliography entry without title",
        {"events/_sources.yaml": "\n\nsrc:\n  url: https://example.org/\n"},
        ["events/_sources.yaml:3: src.title: missing; every source needs a title"], (),
    ),
    (
        "invalid base_url in the config",
        {"timeline.toml": 'title = "T"\nbase_url = "ftp://example.org/"\n'},
        ["timeline.toml:2: base_url: 'ftp://example.org/' must be an absolute http(s) URL"], (),
    ),
    (
        "unknown key under --strict",
        {"events/a.md": event(extra="tgas: [x]")},
        ["events/a.md:4: tgas: unknown key; did you mean 'tags'?"], ("--strict",),
    ),
    (
        "event without a source under --strict",
        {"events/a.md": event(sources="")},
        ["events/a.md:1: sources: this event cites no source"], ("--strict",),
    ),
    (
        "an unquoted colon in a title",
        {"events/a.md": "---\ntitle: Al-Douri: the break\ndate: 2007\n---\n"},
        ["events/a.md:2: title: the title holds ': ', which YAML reads as the start of another key; "
         'put the title in quotes: title: "Al-Douri: the break"'], (),
    ),
    (
        "an unquoted colon in a source's title, in a list",
        {"events/a.md": event(sources="sources:\n  - title: Iraq: a report\n")},
        ["events/a.md:5: title: the title holds ': '", 'put the title in quotes: title: "Iraq: a report"'], (),
    ),
    (
        "a line indented with a tab",
        {"events/a.md": "---\ntitle: A\n\tdate: 2007\n---\n"},
        ["events/a.md:3: date: is indented with a tab, and YAML allows only spaces there; indent the "
         "line with spaces instead"], (),
    ),
    (
        "an unquoted ' #' cutting a title short, under --strict",
        {"events/a.md": event(extra="summary: Iraq # the war")},
        ["events/a.md:4: summary: YAML read only 'Iraq': ' #' starts a comment, so '# the war' is "
         'left out; if it belongs to the text, put it all in quotes: summary: "Iraq # the war"'], ("--strict",),
    ),
    (
        "a quote never closed",
        {"events/a.md": '---\ntitle: "Iraq\ndate: 2007\n---\n'},
        ['events/a.md:2: title: the quote " that starts the title is never closed; end the title with " '
         "on the same line"], (),
    ),
    (
        "text after the closing quote",
        {"events/a.md": '---\ntitle: "Iraq" at war\ndate: 2007\n---\n'},
        ["events/a.md:2: title: text follows the closing quote; put all of the title in quotes",
         'title: "\\"Iraq\\" at war"'], (),
    ),
    (
        "an apostrophe inside single quotes",
        {"events/a.md": "---\ntitle: 'Ba'ath split'\ndate: 2007\n---\n"},
        ["events/a.md:2: title: a ' inside single quotes ends them; write it twice (''), or use "
         "double quotes: title: \"Ba'ath split\""], (),
    ),
    (
        "a value starting with a character YAML reserves",
        {"events/a.md": "---\ntitle: @douri speaks\ndate: 2007\n---\n"},
        ["events/a.md:2: title: YAML cannot read a value starting with '@' unquoted; put it in quotes: "
         'title: "@douri speaks"'], (),
    ),
    (
        "a list where a title belongs",
        {"events/a.md": "---\ntitle:\n  - Al-Douri\n  - al-Qaeda\ndate: 2007\n---\n"},
        ["events/a.md:2: title: is a list, but a title is one text; write it on one line, in quotes: "
         'title: "Al-Douri, al-Qaeda"'], (),
    ),
    (
        "a key without its colon",
        {"events/a.md": "---\ntitle\ndate: 2007\n---\n"},
        ["events/a.md:2: 'title' has no ':' after its key; write it as 'key: value'"], (),
    ),
    (
        "every error of a run, across files",
        {"events/a.md": event(date="2007-13", extra="status: rumour"),
         "events/b.md": "---\ntitle: 5\ndate: 2007\n---\n"},
        ["events/a.md:3: date:", "events/a.md:4: status:", "events/b.md:2: title:"], (),
    ),
]  # fmt: skip


@pytest.mark.parametrize(
    ("files", "messages", "args"),
    [pytest.param(files, messages, args, id=name) for name, files, messages, args in CASES],
)
def test_bad_input_is_reported_and_the_site_kept(
    project: Project, files: dict[str, str | bytes], messages: list[str], args: tuple[str, ...]
) -> None:
    project.write(GOOD).build()
    before = project.snapshot()

    project.write(files)
    result = project.run("build", *args)

    assert_clean_exit(result)
    assert result.exit_code == 1, result.output
    for message in messages:
        assert message in result.stderr, result.stderr
    assert "nothing was written" in result.stderr
    assert project.snapshot() == before
    assert not list(project.root.glob(".site.*")), "staging folder left behind"


def test_check_reports_the_same_errors_without_building(project: Project) -> None:
    project.write({"events/a.md": event(date="2007-13")})
    result = project.run("check")
    assert result.exit_code == 1
    assert "events/a.md:3: date: '2007-13': month 13 does not exist" in result.stderr
    assert not project.site.exists()


def test_warnings_do_not_fail_a_normal_build(project: Project) -> None:
    project.write({"events/a.md": event(extra="tgas: [x]", sources="")})
    result = project.build()
    assert result.exit_code == 0
    assert "events/a.md:4: tgas: warning: unknown key; did you mean 'tags'?" in result.stderr
    assert "events/a.md:1: sources: warning: this event cites no source" in result.stderr
    assert (project.site / "index.html").is_file()


def test_output_folder_that_is_not_a_build_is_not_replaced(project: Project) -> None:
    project.write(GOOD)
    precious = project.root / "docs"
    precious.mkdir()
    (precious / "notes.txt").write_text("keep me")
    result = project.run("build", "--out", "docs")
    assert result.exit_code == 2
    assert "does not look like a Timeline build" in result.stderr
    assert (precious / "notes.txt").read_text() == "keep me"


def test_a_failing_run_also_shows_its_warnings_in_file_order(project: Project) -> None:
    project.write({"events/a.md": event(date="2007-13", extra="tgas: [x]")})
    result = project.run("build")
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert lines[:2] == [
        "events/a.md:3: date: '2007-13': month 13 does not exist (01-12, or seasons 21-24)",
        "events/a.md:4: tgas: warning: unknown key; did you mean 'tags'?",
    ]
    assert lines[2] == "Error: 1 problem in 1 file; nothing was written."


def test_check_finds_a_broken_template_a_build_would_refuse(project: Project) -> None:
    project.write({**GOOD, "theme/templates/year.html": "{% extends 'base.html' %}{% block x %}"})
    result = project.run("check")
    assert_clean_exit(result)
    assert result.exit_code == 1
    assert "year.html:1: template:" in result.stderr
    build = project.run("build")
    assert build.exit_code == 1 and "year.html:1: template:" in build.stderr


def test_a_config_file_that_is_a_fifo_is_named_not_read(project: Project) -> None:
    import os
    import subprocess
    import sys

    project.write(GOOD)
    os.mkfifo(project.root / "timeline.toml")
    result = subprocess.run([sys.executable, "-m", "timeline", "check"], cwd=project.root,
                            capture_output=True, text=True, timeout=60, check=False)  # fmt: skip
    assert result.returncode == 1
    assert "timeline.toml: is a named pipe (FIFO), not a file" in result.stderr


def test_check_finds_a_template_error_that_shows_only_while_rendering(project: Project) -> None:
    project.write({**GOOD, "theme/templates/year.html":
                   "{% extends 'base.html' %}{% block content %}{{ no_such_thing }}{% endblock %}"})
    result = project.run("check")
    assert_clean_exit(result)
    assert result.exit_code == 1
    assert "'no_such_thing' is undefined" in result.stderr and "year.html:1" in result.stderr


def test_a_cache_folder_over_the_events_is_refused(project: Project) -> None:
    project.write({**GOOD, "timeline.toml": 'cache_dir = "events"\n',
                   "events/old-news.md": event("Old news", "2006")})  # fmt: skip
    result = project.run("build")
    assert_clean_exit(result)
    assert result.exit_code == 1
    assert "timeline.toml:1: cache_dir: 'events' is, holds or is inside events (events); " \
           "builds delete what they leave in it" in result.stderr
    assert (project.root / "events" / "old-news.md").is_file()


def test_a_static_file_name_that_is_not_utf8_is_an_error_not_a_traceback(project: Project) -> None:
    """No URL can name it (and the build record could not hold it): named, with the fix."""
    import os

    project.write({"events/a.md": event()}).build()
    before = project.snapshot()
    os.makedirs(project.root / "static", exist_ok=True)
    with open(os.path.join(os.fsencode(project.root / "static"), b"caf\xe9.png"), "wb") as f:
        f.write(b"not really a png")
    for command in ("build", "check"):
        result = project.run(command)
        assert_clean_exit(result)
        assert result.exit_code == 1, result.output
        assert ("static/caf\\xe9.png: the file name is not UTF-8 text, so no URL can name it; "
                "rename the file") in result.output  # fmt: skip
    assert project.snapshot() == before
