"""A non-editable install carries the default theme: build a copy of the sample elsewhere."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from bs4 import BeautifulSoup

from tests.conftest import REPO


def test_installed_wheel_builds_a_project_outside_the_checkout(tmp_path: Path) -> None:
    # Build the wheel and install it (not editable) into its own folder, which then comes
    # first on the path; the test environment supplies the dependencies, so nothing downloads.
    target = tmp_path / "installed"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation",
         "--no-index", "--target", str(target), str(REPO)],
        check=True, capture_output=True,
    )  # fmt: skip
    env = {**os.environ, "PYTHONPATH": str(target)}
    where = subprocess.run(
        [sys.executable, "-c", "import timeline; print(timeline.__file__)"],
        check=True, capture_output=True, text=True, cwd=tmp_path, env=env,
    ).stdout  # fmt: skip
    assert where.startswith(str(target)), where
    assert (target / "timeline" / "theme" / "templates" / "base.html").is_file()

    project = tmp_path / "elsewhere"
    shutil.copytree(REPO / "events", project / "events")
    result = subprocess.run(
        [target / "bin" / "timeline", "build"], cwd=project, capture_output=True, text=True,
        check=False, env=env,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Built ")
    assert (project / "site" / "static" / "style.css").is_file()
    soup = BeautifulSoup((project / "site" / "index.html").read_text(), "html.parser")
    assert len(soup.select(".event-title")) >= 15
