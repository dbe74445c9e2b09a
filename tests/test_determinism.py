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

from tests.conftest import REPO, Project


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

    monkeypatch.setattr("timeline.reading.load.os.walk", reversed_walk)
    project.build("--no-cache")
    assert _tree(project.site) == first
