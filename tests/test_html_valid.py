"""The Nu HTML Checker (vnu.jar from npm, run with Java) finds no error on any page."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import REPO, Project, event

VNU = REPO / "tests" / "js" / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"


def _vnu(folder: Path) -> list[dict[str, object]]:
    java = shutil.which("java")
    if java is None or not VNU.exists():
        if os.environ.get("CI") == "true":
            pytest.fail("the Nu HTML Checker needs java and `npm ci --prefix tests/js`")
        pytest.skip(
            "java or vnu.jar missing (apt-get install default-jre-headless; npm ci --prefix tests/js)"
        )
    result = subprocess.run(
        [java, "-jar", str(VNU), "--format", "json", "--skip-non-html", str(folder)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    messages: list[dict[str, object]] = json.loads(result.stderr or '{"messages": []}')["messages"]
    return messages


def test_every_page_of_the_sample_is_valid_html(tmp_path: Path) -> None:
    out = tmp_path / "site"
    assert Project(REPO).run("build", "--no-cache", "--out", str(out)).exit_code == 0
    pages = list(out.rglob("*.html"))
    assert len(pages) > 60
    assert _vnu(out) == []


def test_the_checker_reports_invalid_html(tmp_path: Path) -> None:
    """The check above can fail: a theme template with a stray end tag is reported."""
    project = Project(tmp_path)
    project.write({
        "events/a.md": event("A"),
        "theme/templates/404.html": "{% extends 'base.html' %}{% block content %}</p>{% endblock %}",
    })  # fmt: skip
    project.build()
    messages = _vnu(project.site)
    assert any(str(m.get("url", "")).endswith("404.html") for m in messages)
