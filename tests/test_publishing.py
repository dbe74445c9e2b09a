"""docs/publishing.md works as written: its GitHub Pages workflow's `run:` steps and its
Netlify build command run verbatim in a project made by `timeline init`.

Offline, and without touching the test environment: each test makes a virtual environment
of its own, in which the documented `pip install -r requirements.txt` installs Timeline from a
wheel of this checkout (pip's own PIP_NO_INDEX and PIP_FIND_LINKS point it there instead of
PyPI, as a mirror would), and finds Timeline's dependencies already installed (a .pth file
lists a copy of the test environment's site-packages with Timeline itself left out, and its
pip is the test environment's: PyPI is the one thing the machine on GitHub has that this one
must not use). Everything else - the
commands, their arguments, the step's environment - is the doc's text, with the one `${{ }}`
expression that GitHub fills in replaced by what GitHub would put there.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml
from bs4 import BeautifulSoup
from click.testing import CliRunner

from tests.conftest import REPO
from timeline import __version__
from timeline.cli import main

DOC = (REPO / "docs" / "publishing.md").read_text(encoding="utf-8")
# What GitHub substitutes for each expression the workflow's steps use (here, what
# actions/configure-pages gives a project site).
GITHUB = {"steps.pages.outputs.base_url": "https://newsroom.github.io/chronology"}


def blocks(language: str) -> list[str]:
    return re.findall(rf"^```{language}\n(.*?)^```", DOC, flags=re.MULTILINE | re.DOTALL)


def workflow() -> dict[str, Any]:
    (text,) = [b for b in blocks("yaml") if "actions/deploy-pages" in b]
    data: dict[str, Any] = yaml.safe_load(text)
    return data


@pytest.fixture(scope="module")
def wheelhouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A wheel of this checkout, as `pip wheel --no-deps -w dist .` makes it."""
    folder = tmp_path_factory.mktemp("wheelhouse")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
         "--no-index", "-w", str(folder), str(REPO)],
        check=True, capture_output=True,
    )  # fmt: skip
    return folder


@pytest.fixture(scope="module")
def dependencies(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The test environment's installed packages, Timeline left out."""
    folder = tmp_path_factory.mktemp("dependencies")
    site = Path(sysconfig.get_paths()["purelib"])
    for entry in site.iterdir():
        if "timeline" not in entry.name.lower():
            (folder / entry.name).symlink_to(entry)
    return folder


@pytest.fixture
def project(tmp_path: Path, dependencies: Path) -> tuple[Path, dict[str, str]]:
    """A user's repository made by `timeline init`, and the environment of a machine that
    has Python and pip but no Timeline."""
    venv = tmp_path / "venv"
    # Without pip of its own (ensurepip takes seconds): the test environment's pip, run by
    # the new environment's Python, installs into the new environment.
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True,
                   capture_output=True)  # fmt: skip
    pip = venv / "bin" / "pip"
    pip.write_text(f"#!{venv / 'bin' / 'python'}\nimport sys\nfrom pip._internal.cli.main "
                   "import main\nsys.exit(main())\n")  # fmt: skip
    pip.chmod(0o755)
    purelib = subprocess.run(
        [venv / "bin" / "python", "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True, capture_output=True, text=True,
    ).stdout.strip()  # fmt: skip
    Path(purelib, "test-dependencies.pth").write_text(f"{dependencies}\n")
    root = tmp_path / "chronology"
    assert CliRunner().invoke(main, ["init", str(root)]).exit_code == 0
    env = {
        key: value for key, value in os.environ.items()
        if not key.startswith(("PIP_", "VIRTUAL_ENV", "PYTHON"))
    }  # fmt: skip
    env.update(PATH=f"{venv / 'bin'}{os.pathsep}{env['PATH']}", PIP_NO_INDEX="1",
               PIP_DISABLE_PIP_VERSION_CHECK="1")  # fmt: skip
    assert shutil.which("timeline", path=env["PATH"]) != str(venv / "bin" / "timeline")
    return root, env


def run(script: str, cwd: Path, env: dict[str, str]) -> None:
    """One step, the way GitHub's runner (and Netlify's) runs it: bash, stopping at an error."""
    result = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script],
                            cwd=cwd, env=env, capture_output=True, text=True)  # fmt: skip
    assert result.returncode == 0, f"{script}\n{result.stdout}\n{result.stderr}"


def github(value: str) -> str:
    def substitute(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in GITHUB:
            pytest.fail(f"the test does not know what GitHub puts for ${{{{ {name} }}}}")
        return GITHUB[name]

    return re.sub(r"\$\{\{\s*(.*?)\s*\}\}", substitute, value)


def canonical(site: Path) -> str:
    soup = BeautifulSoup((site / "index.html").read_text(encoding="utf-8"), "html.parser")
    link = soup.select_one('link[rel="canonical"]')
    assert link is not None
    return str(link["href"])


def test_the_install_line_names_this_package_and_release() -> None:
    name = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["name"]
    pypi, wheel = blocks("text")
    assert pypi.strip() == f"{name}=={__version__}"
    assert wheel.strip() == f"./vendor/{name.replace('-', '_')}-{__version__}-py3-none-any.whl"
    assert "    pip install -r requirements.txt\n" in DOC


@pytest.mark.parametrize("requirement", ["from the index", "a wheel in the repository"])
def test_the_github_pages_workflow_builds_a_new_project(
    project: tuple[Path, dict[str, str]], wheelhouse: Path, requirement: str
) -> None:
    root, env = project
    pypi, vendored = blocks("text")
    if requirement == "from the index":
        (root / "requirements.txt").write_text(pypi)
        env["PIP_FIND_LINKS"] = str(wheelhouse)  # where PyPI would be
    else:
        (root / "requirements.txt").write_text(vendored)
        (root / "vendor").mkdir()
        for wheel in wheelhouse.glob("*.whl"):
            shutil.copy(wheel, root / "vendor")

    steps = workflow()["jobs"]["build"]["steps"]
    runs = [step for step in steps if "run" in step]
    assert [step["run"].split()[:2] for step in runs] == [["pip", "install"], ["timeline", "build"]]
    for step in runs:
        step_env = {**env, **{k: github(str(v)) for k, v in step.get("env", {}).items()}}
        run(github(step["run"]), root, step_env)

    assert (Path(env["PATH"].split(os.pathsep)[0]) / "timeline").is_file()  # installed by the step
    (upload,) = [step for step in steps if step.get("uses", "").startswith("actions/upload-pages")]
    site = root / upload["with"]["path"]
    assert canonical(site) == "https://newsroom.github.io/chronology/"
    assert (site / "pagefind" / "pagefind.js").is_file()
    assert (site / "404.html").is_file()


def test_the_netlify_config_builds_a_new_project(
    project: tuple[Path, dict[str, str]], wheelhouse: Path
) -> None:
    root, env = project
    (config_text,) = [b for b in blocks("toml") if "[build]" in b]
    config = tomllib.loads(config_text)
    (root / "netlify.toml").write_text(config_text)
    (root / "requirements.txt").write_text(blocks("text")[0])
    env.update(PIP_FIND_LINKS=str(wheelhouse), URL="https://chronology.netlify.app",
               **config["build"]["environment"])  # fmt: skip
    run("pip install -r requirements.txt", root, env)  # what Netlify does before the command
    run(config["build"]["command"], root, env)
    site = root / config["build"]["publish"]
    assert canonical(site) == "https://chronology.netlify.app/"
