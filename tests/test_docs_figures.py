"""The speed figures the README and docs/serve.md quote come from one table (issue 19.6):
docs/performance.md's "Current figures". A figure changed in one place and not in the table
fails here, naming the figure and where it is quoted."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# 4.6 s, 0.54 s, 239 ms, 382 MB, 2.9 GB (a range such as 229-261 ms is two figures)
FIGURE = re.compile(r"(?<![\w.])(\d+(?:\.\d+)?) ?(ms|s|MB|GB)\b")


def figures(text: str) -> set[str]:
    return {f"{number} {unit}" for number, unit in FIGURE.findall(text)}


def section(text: str, heading: str) -> str:
    """The lines under a Markdown heading, up to the next heading of its level or above."""
    level = heading.split(" ", 1)[0]
    lines = text.splitlines()
    start = lines.index(heading) + 1
    end = next(
        (i for i in range(start, len(lines))
         if lines[i].startswith("#") and lines[i].split(" ", 1)[0] <= level),
        len(lines),
    )  # fmt: skip
    return "\n".join(lines[start:end])


def paragraph(text: str, opening: str) -> str:
    """The paragraph holding ``opening``, up to the next blank line."""
    start = text.index(opening)
    end = text.find("\n\n", start)
    return text[start : end if end >= 0 else len(text)]


def table() -> set[str]:
    text = (ROOT / "docs" / "performance.md").read_text(encoding="utf-8")
    rows = [line for line in section(text, "## Current figures").splitlines() if line.startswith("|")]
    assert len(rows) > 5, "docs/performance.md has lost its Current figures table"
    return figures("\n".join(rows))


def quoted() -> dict[str, set[str]]:
    """Where the README and docs/serve.md give speed figures, and which."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    serve = (ROOT / "docs" / "serve.md").read_text(encoding="utf-8")
    speed = section(serve, "## Speed").split("What an edit re-renders")[0]
    return {
        "README.md, the speed paragraph": figures(paragraph(readme, "Speed at 10,000 events")),
        "docs/serve.md, Speed": figures(speed),
    }


def test_the_figures_quoted_are_the_tables() -> None:
    known = table()
    for where, found in quoted().items():
        assert found, f"{where}: no figures found (has the text moved?)"
        missing = sorted(found - known)
        assert not missing, (
            f"{where} quotes {', '.join(missing)}, which docs/performance.md's Current figures "
            "table does not give: change both, from one measurement"
        )


def test_a_figure_only_in_the_readme_is_found() -> None:
    """The check itself: a made-up figure in a copy of the README's paragraph is reported."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    text = paragraph(readme, "Speed at 10,000 events") + " It also builds in 0.123 s."
    assert "0.123 s" in figures(text) - table()
