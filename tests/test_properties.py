"""Property-based tests: whatever the front matter, dates and bodies, a build either succeeds
or raises the project's own errors; it writes only into the output folder; and a second
build gives byte-identical output."""

from __future__ import annotations

import hashlib
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from timeline.build import Builder
from timeline.config import load_config
from timeline.errors import TimelineError

scalars = st.one_of(
    st.text(max_size=30),  # control characters included: YAML must refuse them cleanly
    st.sampled_from(["no", "on", "19:30", "010", "~", "null", "2007-08-22", "2007-02-30",
                     "!!python/object:os.system", "&a x", "*a", "[a, b", "{x: 1}", "'", '"', "-"]),
    st.integers(),
)  # fmt: skip
good_dates = st.sampled_from(
    [
        "2007",
        "2007-08~",
        "2007?",
        "199X",
        "2007-05/2007-08",
        "2007-21",
        "-0499",
        "Y20000",
        "2007-08-22T10:00Z",
        "../2007",
        "2007-05/",
    ]
)
# Mostly valid, so that many examples build; sometimes anything at all.
dates = st.one_of(good_dates, good_dates, good_dates,
                  st.text(alphabet="0123456789-/X~?%.TZ:", max_size=22))  # fmt: skip
keys = st.sampled_from(
    ["title", "date", "slug", "status", "tags", "actors", "places", "group", "summary",
     "related", "draft", "aliases", "tgas", "sources"]
)  # fmt: skip
pieces = st.sampled_from([*"ab #*_[]()<>!`|~^@:/\\\n{}%-.", "<script>", "{{ 7*7 }}", "&#106;"])
bodies = st.lists(pieces, max_size=80).map("".join)
links = st.sampled_from(["", "", "", "", " [[e0]]", " [[nowhere]]", " [@x]"])


@st.composite
def event_files(draw: st.DrawFn) -> str:
    printable = st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp"))
    title = "T" + draw(st.text(printable, max_size=20)).replace('"', "").replace("\\", "")
    lines = [f'title: "{title}"', f'date: "{draw(dates)}"']
    for _ in range(draw(st.sampled_from([0, 0, 0, 1, 2, 4]))):
        key, value = draw(keys), draw(scalars)
        lines.append(f"{key}: {value}" if not draw(st.booleans()) else f"{key}:\n  - {value}")
    return "---\n" + "\n".join(lines) + "\n---\n" + draw(bodies) + draw(links)


def _snapshot(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(event_files(), min_size=1, max_size=4))
def test_any_input_builds_or_fails_cleanly(files: list[str]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        for n, text in enumerate(files):
            (root / "events").mkdir(exist_ok=True)
            (root / "events" / f"2007-0{n + 1}-e{n}.md").write_text(text, encoding="utf-8")
        inputs = _snapshot(root)
        config = load_config(root)[0]
        try:
            Builder(config).build()
        except TimelineError as exc:
            assert str(exc)
            assert not (root / "site").exists()
            assert _snapshot(root) == inputs
            return
        outside = {
            k: v for k, v in _snapshot(root).items()
            if not k.startswith(("site/", ".timeline-cache/"))
        }  # fmt: skip
        assert outside == inputs
        first = _snapshot(root / "site")
        Builder(config).build()
        assert _snapshot(root / "site") == first
