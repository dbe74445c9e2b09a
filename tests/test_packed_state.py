"""A builder that packs its texts for the page workers (every parallel build) and keeps its
state (``keep``, for the one-edit build's snapshot) still updates and builds again exactly:
the texts are put back before an update reads them (``Collector.unpack``)."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import Project, event, folder_differences
from timeline.build import Builder
from timeline.config import load_config

FILES: dict[str, str | bytes] = {
    f"events/e{n}.md": event(f"Event {n}", f"2007-0{n}-01", body=f"Body {n}, see [[e{n % 3 + 1}]].")
    for n in range(1, 4)
}  # fmt: skip


def _assert_as_cold(project: Project, tmp_path: Path, name: str) -> None:
    cold = tmp_path / name
    Builder(load_config(project.root)[0].with_overrides(output_dir=str(cold))).build()
    assert folder_differences(project.site, cold) == []


def test_a_packed_kept_build_updates_and_builds_again_as_a_cold_build(
    project: Project, tmp_path: Path
) -> None:  # fmt: skip
    project.write(FILES)
    builder = Builder(load_config(project.root)[0], workers=2, keep=True)
    builder.build()
    body = project.root / "events/e1.md"
    body.write_text(body.read_text().replace("Body 1", "A new body 1"))
    assert "events/e1/index.html" in builder.update().written
    assert "Body 2" in (project.site / "events/e2/index.html").read_text(encoding="utf-8")
    _assert_as_cold(project, tmp_path, "after-update")
    body.write_text(body.read_text().replace("A new body 1", "Another body 1"))
    builder.build()
    _assert_as_cold(project, tmp_path, "after-build")
