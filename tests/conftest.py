"""Whole-site fixtures: a project written from a dict of files, built, and read back as HTML."""

from __future__ import annotations

import contextlib
import filecmp
import functools
import hashlib
import http.server
import os
import signal
import textwrap
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from bs4 import BeautifulSoup
from click.testing import CliRunner, Result

from timeline.cli import main
from timeline.config import Config, load_config
from timeline.serving.preview import Preview, preview_config

if TYPE_CHECKING:
    from playwright.sync_api import Browser

REPO = Path(__file__).resolve().parent.parent
SOURCE = "sources:\n  - title: A source\n    url: https://example.org/a\n"


def event(
    title: str = "An event",
    date: str = "2007-08-22",
    body: str = "Something happened.",
    extra: str = "",
    sources: str = SOURCE,
) -> str:
    """The text of a valid event file; ``extra`` is more front matter, verbatim."""
    extra = textwrap.dedent(extra).strip("\n")
    meta = f'title: "{title}"\ndate: "{date}"\n' + (extra + "\n" if extra else "") + sources
    return f"---\n{meta}---\n\n{textwrap.dedent(body).strip()}\n"


@dataclass
class Project:
    """A timeline project in a temporary folder."""

    root: Path

    def write(self, files: dict[str, str | bytes]) -> Project:
        for name, content in files.items():
            path = self.root / name
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(content, encoding="utf-8")
        return self

    def run(self, *args: str) -> Result:
        """Run the CLI in-process, as a user would from the project folder."""
        runner = CliRunner()
        old = Path.cwd()
        os.chdir(self.root)
        try:
            return runner.invoke(main, list(args), catch_exceptions=True)
        finally:
            os.chdir(old)

    def build(self, *args: str) -> Result:
        result = self.run("build", *args)
        assert_clean_exit(result)
        return result

    @property
    def site(self) -> Path:
        return self.root / "site"

    def html(self, rel: str) -> BeautifulSoup:
        path = self.site / rel
        if path.is_dir() or rel.endswith("/") or rel == "":
            path = path / "index.html"
        return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")

    def snapshot(self) -> dict[str, str]:
        """Every file under the site with a hash of its bytes."""
        return {
            p.relative_to(self.site).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(self.site.rglob("*"))
            if p.is_file()
        }


def save_keeping_the_stamp(path: Path, old: str, new: str) -> None:
    """Replace ``old`` by ``new`` (the same size) in the file, its modification time put back:
    what a second save within one step of a coarse clock leaves (same time, size, inode)."""
    assert len(old.encode()) == len(new.encode())
    stamp = path.stat()
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")
    os.utime(path, ns=(stamp.st_atime_ns, stamp.st_mtime_ns))
    st = path.stat()
    assert (st.st_mtime_ns, st.st_size, st.st_ino) == (
        stamp.st_mtime_ns, stamp.st_size, stamp.st_ino)  # fmt: skip


def assert_clean_exit(result: Result) -> None:
    """No traceback: the command ended through its own exit code, never an uncaught error."""
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"uncaught {result.exception!r}\n{result.output}") from (
            result.exception
        )
    assert "Traceback" not in result.output


@pytest.fixture
def project(tmp_path: Path) -> Project:
    root = tmp_path / "project"
    root.mkdir()
    return Project(root)


def text_of(soup: BeautifulSoup, selector: str) -> list[str]:
    """Whitespace-normalised text of every element matching ``selector``."""
    return [" ".join(el.get_text(" ", strip=True).split()) for el in soup.select(selector)]


CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Debian's Chromium driven by Playwright; under CI a missing browser fails the test."""
    if not CHROMIUM.exists():
        if os.environ.get("CI") == "true":
            pytest.fail("Chromium is missing at /usr/bin/chromium (apt-get install chromium)")
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield browser
        browser.close()


AXE = REPO / "tests" / "js" / "node_modules" / "axe-core" / "axe.min.js"


@pytest.fixture(scope="session")
def axe_source() -> str:
    """axe-core from npm (tests/js), injected into pages; under CI a missing copy fails."""
    if not AXE.exists():
        if os.environ.get("CI") == "true":
            pytest.fail("axe-core is missing: run `npm ci --prefix tests/js`")
        pytest.skip("axe-core is not installed (npm ci --prefix tests/js)")
    return AXE.read_text(encoding="utf-8")


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@contextlib.contextmanager
def static_server(folder: Path, port: int = 0) -> Iterator[str]:
    """Serve ``folder`` over HTTP on 127.0.0.1 (as a static host would); yields its URL."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def preview(project: Project) -> Iterator[Preview]:
    """`timeline serve` on a free port over the project's files (write them first)."""

    def load() -> Config:
        return preview_config(load_config(project.root)[0])

    server = Preview(load(), load=load, port=0, report=lambda line: None)
    server.start()
    yield server
    server.stop()


def folder_differences(left: Path, right: Path) -> list[str]:
    """Every file that is in one folder only, or differs, byte for byte (no ignore list:
    filecmp's default one skips folders named "tags", like the site's own)."""
    differ: list[str] = []
    stack = [filecmp.dircmp(left, right, ignore=[])]
    while stack:
        d = stack.pop()
        differ += [f"only in {d.left}: {n}" for n in d.left_only]
        differ += [f"only in {d.right}: {n}" for n in d.right_only]
        _, diff, errors = filecmp.cmpfiles(d.left, d.right, d.common_files, shallow=False)
        differ += [f"differs: {d.left}/{n}" for n in [*diff, *errors]]
        stack.extend(d.subdirs.values())
    return differ


def default_sigint() -> None:
    """For preexec_fn: a test run started in the background of a script ignores SIGINT, and
    so would the processes it starts; give them the default, as a terminal would."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
