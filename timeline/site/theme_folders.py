"""Where a project's theme comes from: its own ``theme/`` folder, then the default theme.

Apart from ``site.theme`` (which loads Jinja and the chart code) so that a build that finds
nothing changed (``timeline.cache.last_build``) can name the theme's files without loading
what renders them.
"""

from __future__ import annotations

from pathlib import Path

from timeline.config import Config

PACKAGE = Path(__file__).resolve().parent.parent
KEPT_TEMPLATES = "templates"  # the cache folder's folder of compiled templates (site.compiled)


def default_theme() -> Path:
    """The default theme: inside the installed package, or ``theme/`` beside it in a checkout."""
    for candidate in (PACKAGE / "theme", PACKAGE.parent / "theme"):
        if (candidate / "templates").is_dir():
            return candidate
    raise FileNotFoundError("the default theme is missing from this installation")


def theme_folders(config: Config) -> list[Path]:
    """Theme folders in order of precedence: the project's own, then the default."""
    folders = [default_theme()]
    if config.theme_path.is_dir() and config.theme_path.resolve() != folders[0].resolve():
        folders.insert(0, config.theme_path)
    return folders
