"""The same input gives byte-identical output whatever the hash seed, time zone, locale,
SOURCE_DATE_EPOCH or the order in which the file system lists files."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import REPO, Project, event


def _tree(site: Path) -> dict[str, str]:
    """Every file Timeline writes. Not Pagefind's index: Pagefind names its filter files
    differently from run to run (documented in docs/site.md)."""
    return {
        rel: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(site.rglob("*"))
        if p.is_file()
        and not p.name.startswith(".timeline-build")
        and not (rel := p.relative_to(site).as_posix()).startswith("pagefind/")
    }


def _build(root: Path, out: Path, env: dict[str, str]) -> dict[str, str]:
    result = subprocess.run(
        [sys.executable, "-m", "timeline", "build", "--no-cache", "--out", str(out)],
        cwd=root, env={**os.environ, **env}, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return _tree(out)


def test_output_is_identical_across_environments(tmp_path: Path) -> None:
    project = tmp_path / "sample"
    shutil.copytree(REPO / "events", project / "events")
    shutil.copy(REPO / "pyproject.toml", project / "pyproject.toml")
    reference = _build(project, tmp_path / "a", {"PYTHONHASHSEED": "1", "TZ": "UTC"})
    variants = [
        {"PYTHONHASHSEED": "4242", "TZ": "Asia/Baghdad", "LC_ALL": "C.UTF-8"},
        {"PYTHONHASHSEED": "random", "TZ": "America/Los_Angeles", "LANG": "fr_FR.UTF-8"},
        {"SOURCE_DATE_EPOCH": "0", "TZ": "Pacific/Kiritimati"},
    ]
    for n, env in enumerate(variants):
        assert _build(project, tmp_path / f"v{n}", env) == reference, env
    assert len(reference) > 60


def test_output_does_not_depend_on_directory_listing_order(
    project: Project, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    shutil.copytree(REPO / "events", project.root / "events")
    project.build("--no-cache")
    first = _tree(project.site)
    real_walk = os.walk

    def reversed_walk(
        top: str, *args: object, **kwargs: object
    ) -> Iterator[tuple[str, list[str], list[str]]]:
        for folder, dirs, files in real_walk(top, *args, **kwargs):  # type: ignore[arg-type]
            dirs.reverse()
            files.reverse()
            yield folder, dirs, files

    monkeypatch.setattr("timeline.reading.project_files.os.walk", reversed_walk)
    project.build("--no-cache")
    assert _tree(project.site) == first


def test_a_parallel_build_is_identical_to_a_single_process_one(project: Project) -> None:
    """Pages are spread over worker processes by kind and cost: nothing may depend on which
    worker made a page, or on what a worker had rendered before."""
    from timeline.build import SMALL_SITE, Builder
    from timeline.config import load_config

    tags = ["army", "tribes", "talks", "exile"]
    files: dict[str, str | bytes] = {
        f"events/e{n:03d}.md": event(
            f"Event {n}", f"{2000 + n % 9}-{1 + n % 12:02d}-{1 + n % 28:02d}",
            body=f"Body {n} cites [[e{(n * 7) % 300:03d}]].\n\nMore of {n}: Ba’ath, البعث.",
            extra=f"tags: [{tags[n % 4]}, {tags[(n + 1) % 4]}]\nactors: [A{n % 13}]",
        )
        for n in range(300)
    }  # fmt: skip
    project.write(files)
    (project.root / "timeline.toml").write_text('title = "T"\nbase_url = "https://e.org/t/"\n')
    config = load_config(project.root)[0]
    trees = []
    for workers in (1, 2):
        out = project.root / f"out-{workers}"
        builder = Builder(config.with_overrides(output_dir=str(out)), workers=workers)
        result = builder.build()
        assert result.pages >= SMALL_SITE
        trees.append(_tree(out))
    assert trees[0] == trees[1]
