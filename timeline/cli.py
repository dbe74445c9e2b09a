"""The ``timeline`` command: one function per subcommand, user errors printed without tracebacks.

Exit codes: 0 ok, 1 content errors (bad event files, config or bibliography), 2 usage errors.
"""

from __future__ import annotations

import gc
import sys
import time
from collections.abc import Callable, Iterable
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import click

# Only what every command needs is imported here: `timeline build` on a site that is up to
# date never loads the build pipeline (Jinja, Markdown, the page code), about half of its time.
from timeline import __version__, cache, files
from timeline.config import Config, require_config
from timeline.errors import ContentError, Problem, TimelineError, UsageError, plural
from timeline.progress import Progress
from timeline.reading.model import Status

F = TypeVar("F", bound=Callable[..., Any])


def _echo_problems(problems: Iterable[Problem]) -> None:
    for problem in problems:
        click.echo(str(problem), err=True)


def _handle_errors(func: F) -> F:
    """Turn the Timeline error family into tidy messages and the documented exit codes."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except ContentError as exc:
            _echo_problems(sorted([*exc.problems, *exc.warnings]))
            files = len({p.path for p in exc.problems})
            click.secho(
                f"Error: {plural(len(exc.problems), 'problem')} in {plural(files, 'file')}; "
                "nothing was written.", err=True, fg="red",
            )  # fmt: skip
            sys.exit(1)
        except UsageError as exc:
            click.secho(f"Error: {exc}", err=True, fg="red")
            sys.exit(2)
        except TimelineError as exc:  # e.g. the search index could not be built
            click.secho(f"Error: {exc}", err=True, fg="red")
            sys.exit(1)

    return wrapper  # type: ignore[return-value]


def _config(root: Path, **overrides: Any) -> Config:
    if not root.is_dir():
        raise UsageError(f"{root} is not a folder")
    config, problems = require_config(root.resolve())
    _echo_problems(problems.warnings)
    return config.with_overrides(**overrides)


ROOT = click.option(
    "--root", type=click.Path(file_okay=False, path_type=Path), default=Path("."),
    show_default=True, help="The timeline project folder (holding events/ and its config).",
)  # fmt: skip
DRAFTS = click.option("--drafts", is_flag=True, help="Include events marked draft: true.")
STRICT = click.option(
    "--strict", is_flag=True,
    help="Treat warnings (unknown keys, events without sources) as errors.",
)  # fmt: skip


@click.group(name="timeline", context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="timeline")
def main() -> None:
    """Timeline: build a sourced, chronological website from Markdown event files."""


@main.command("build")
@ROOT
@click.option(
    "--out", type=click.Path(file_okay=False, path_type=Path), default=None,
    help="Output folder; on success it holds exactly the new site. [default: site/ in the project]",
)  # fmt: skip
@click.option(
    "--base-url",
    default=None,
    help="Absolute URL the site is published at, e.g. https://example.org/iraq/ "
    "(used for canonical links; pages link relatively and work under any sub-path).",
)
@DRAFTS
@STRICT
@click.option(
    "--no-cache", is_flag=True,
    help="Build from nothing. Without it, a build whose inputs and output are unchanged "
    "since the last build does nothing, and with --no-search one after an edit renders "
    "only the pages it changed (both from what .timeline-cache/ keeps).",
)  # fmt: skip
@click.option(
    "--no-search", is_flag=True,
    help="Skip the Pagefind search index (and the search box): a faster build.",
)  # fmt: skip
@click.option(
    "--offline", is_flag=True,
    help="An offline copy: every link works with the site opened from disk (file://), to "
    "zip or hand over; search then needs a web server.",
)  # fmt: skip
@click.option("-q", "--quiet", is_flag=True, help="Print only errors.")
@click.option("-v", "--verbose", is_flag=True, help="Also list how many pages of each kind.")
@_handle_errors
def build_command(
    root: Path, out: Path | None, base_url: str | None, drafts: bool, strict: bool,
    no_cache: bool, no_search: bool, offline: bool, quiet: bool, verbose: bool,
) -> None:  # fmt: skip
    """Build the site into site/ (or --out); a failed build leaves the old site untouched."""
    started = time.perf_counter()
    output_dir = str(out.resolve()) if out is not None else None
    config = _config(root, base_url=base_url, output_dir=output_dir)
    if offline:
        config = config.with_overrides(offline=True)
    options = cache.build_options(drafts=drafts, strict=strict, search=not no_search)
    if not no_cache and (last := cache.skip_build(config, options)):
        if not quiet:
            _note_base_url(config)
            counts = f"{plural(last['events'], 'event')}, {plural(last['pages'], 'page')}"
            elapsed = time.perf_counter() - started
            click.echo(f"{_shown(config.output_path, config.root)} is up to date ({counts}; "
                       f"no input changed) in {elapsed:.2f} s")  # fmt: skip
            if verbose:
                click.echo(f"  cache check {elapsed:.2f} s")
        return
    from timeline.build import build  # the pipeline: only when there is something to build

    progress = Progress(sys.stderr, enabled=sys.stderr.isatty() and not quiet)
    try:
        result = build(config, drafts=drafts, strict=strict, use_cache=not no_cache,
                       progress=progress, search=not no_search, checked=True)  # fmt: skip
    finally:
        progress.close()
    if not quiet:
        _echo_problems(result.warnings)
        _note_base_url(config)
        elapsed = time.perf_counter() - started
        where = _shown(result.output, config.root)
        click.echo(f"Built {plural(result.events, 'event')}, {plural(result.pages, 'page')} "
                   f"into {where} in {elapsed:.2f} s")  # fmt: skip
        if (search := result.timings.get("search")) is not None:
            click.echo(f"  of which the search index (Pagefind): {search:.2f} s")
        elif (kept := result.timings.get("search kept")) is not None:
            click.echo(f"  the search index kept, no page's searchable text changed: "
                       f"{kept:.2f} s")  # fmt: skip
        if verbose:
            for template, count in sorted(result.rendered.items()):
                click.echo(f"  {template}: {count}")
            click.echo("  " + ", ".join(f"{k} {v:.2f} s" for k, v in result.timings.items()))
    # Exit without the collector walking the build's millions of objects once more on the
    # way out (about 0.2 s at 10,000 events); they are freed with the process.
    gc.freeze()


def _note_base_url(config: Config) -> None:
    if not config.base_url:
        click.echo(
            "note: base_url is not set, so feed.xml, feed.json and sitemap.xml were not "
            "written (they need absolute URLs); set base_url or pass --base-url", err=True,
        )  # fmt: skip


def _shown(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix() + "/"
    except ValueError:
        return str(path)


@main.command("check")
@ROOT
@DRAFTS
@STRICT
@click.option(
    "--links", is_flag=True,
    help="Also check every internal link and #anchor of the built site (build first).",
)  # fmt: skip
@click.option(
    "--out", type=click.Path(file_okay=False, path_type=Path), default=None,
    help="The built site to check with --links. [default: site/ in the project]",
)  # fmt: skip
@click.option(
    "--sources", is_flag=True,
    help="Also fetch every source URL: dead links, redirects, timeouts; the only command "
    "that uses the network (docs/sources.md).",
)  # fmt: skip
@click.option("--recheck", is_flag=True,
              help="With --sources: ask again for URLs checked in the last days.")  # fmt: skip
@click.option("--timeout", type=click.FloatRange(min=0.1), default=10.0, show_default=True,
              help="With --sources: seconds to wait for each server.")  # fmt: skip
@_handle_errors
def check_command(
    root: Path, drafts: bool, strict: bool, links: bool, out: Path | None, sources: bool,
    recheck: bool, timeout: float,
) -> None:  # fmt: skip
    """Validate every event file, the bibliography and the config; build nothing."""
    config = _config(root, output_dir=str(out.resolve()) if out is not None else None)
    from timeline.check import collect
    from timeline.site.links import check_links

    content = collect(config, drafts=drafts, strict=strict)
    _echo_problems(content.warnings)
    count = len(content.index.events)
    warned = len(content.warnings)
    if links:
        site = config.output_path
        if not (site / "index.html").is_file():
            raise UsageError(f"{_shown(site, config.root)} holds no built site; run timeline build")
        broken = check_links(site, config.base_path)
        for link in broken:
            click.echo(f"{_shown(site, config.root)}{link}", err=True)
        if broken:
            click.secho(f"Error: {plural(len(broken), 'broken link')}.", err=True, fg="red")
            sys.exit(1)
        pages = sum(1 for _ in site.rglob("*.html"))
        click.echo(f"Links OK: every internal link and anchor on {plural(pages, 'page')} resolves.")
    if sources:
        from timeline.sourcecheck import report_sources

        if code := report_sources(config, content.index.events, recheck=recheck,
                                  timeout=timeout, strict=strict):  # fmt: skip
            sys.exit(code)
    click.echo(f"OK: {plural(count, 'event')}, no errors"
               + (f", {plural(warned, 'warning')}" if warned else ""))  # fmt: skip


@main.command("serve")
@ROOT
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on. Anything but 127.0.0.1/localhost exposes your drafts "
                   "to the network; 0.0.0.0 must be asked for explicitly.")  # fmt: skip
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535),
              help="Port to listen on (0 picks a free one).")  # fmt: skip
@click.option("--open", "open_browser", is_flag=True, help="Open the site in a web browser.")
@DRAFTS
@_handle_errors
def serve_command(root: Path, host: str, port: int, open_browser: bool, drafts: bool) -> None:
    """Preview the site: build, serve it locally, rebuild on save and reload the browser."""
    import webbrowser

    from timeline.serving.preview import Preview, preview_config

    def load() -> Config:
        config, problems = require_config(root.resolve())
        _echo_problems(problems.warnings)
        return preview_config(config)

    if host not in ("127.0.0.1", "localhost", "::1"):
        click.secho(
            f"Warning: serving on {host} lets other machines on the network see this preview.",
            err=True, fg="yellow",
        )  # fmt: skip
    preview = Preview(load(), load=load, host=host, port=port, drafts=drafts)
    try:
        preview.start()
        click.echo(f"Serving {preview.server.url} (Ctrl-C to stop)")
        if open_browser:
            webbrowser.open(preview.server.url)
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        click.echo("Stopping.")
    finally:
        preview.stop()


@main.command("export")
@click.option(
    "--format", "kind", type=click.Choice(["json", "timelinejs", "csv"]), required=True,
    help="json: timeline.json (schema in docs/data.md); timelinejs: TimelineJS 3 JSON; "
    "csv: one row per event.",
)  # fmt: skip
@click.option(
    "--out", "out_file", type=click.Path(dir_okay=False, path_type=Path), default=None,
    help="File to write. [default: standard output]",
)  # fmt: skip
@ROOT
@DRAFTS
@_handle_errors
def export_command(kind: str, out_file: Path | None, root: Path, drafts: bool) -> None:
    """Export the whole timeline as data (the same files a build writes, and CSV)."""
    config = _config(root)
    from timeline.check import export_timeline

    text = export_timeline(config, kind, drafts=drafts)
    if out_file is None:
        click.echo(text, nl=False)
    else:
        if out_file.is_symlink() or (out_file.exists() and not out_file.is_file()):
            raise UsageError(f"--out {out_file} is a link or not a file; refusing to write there")
        try:
            files.replace(out_file, text.encode("utf-8"))
        except OSError as exc:
            raise UsageError(f"cannot write {out_file}: {exc.strerror or exc}") from None
        click.echo(f"Wrote {out_file}", err=True)


@main.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@ROOT
@_handle_errors
def import_command(file: Path, root: Path) -> None:
    """Turn a TimelineJS JSON file, or its spreadsheet template saved as CSV, into event
    files in events/; never overwrites a file."""
    config = _config(root)
    from timeline.importing import import_file

    report = import_file(file, config)
    for outcome in report.slides:
        if outcome.file is not None:
            click.echo(f"{report.label} {outcome.number}: "
                       f"{_shown(outcome.file, config.root).rstrip('/')}")  # fmt: skip
    for line in [*report.warnings(), *report.problems]:
        click.echo(line, err=True)
    click.echo(
        f"Imported {plural(len(report.written), 'event')} into "
        f"{_shown(config.events_path, config.root)}"
    )
    if report.problems:
        click.secho(f"{plural(len(report.problems), report.label)} not imported (see above).",
                    err=True, fg="yellow")  # fmt: skip
        sys.exit(1)


@main.command("new")
@click.argument("title")
@click.option(
    "--date", "date_text", default=None,
    help="EDTF date, e.g. 2007-08-22, 2007-08~ (about August 2007) or 2007?. [default: today]",
)  # fmt: skip
@click.option("--tags", default="", help="Comma-separated tags, e.g. --tags Diyala,Awakening.")
@click.option(
    "--status", default="reported", show_default=True,
    type=click.Choice([status.value for status in Status]),
    help="How established the claim is.",
)  # fmt: skip
@click.option(
    "--slug", default=None,
    help="The event's URL name: lower-case letters and digits of any script, joined by '-'. "
    "[default: made from the title]",
)  # fmt: skip
@ROOT
@_handle_errors
def new_command(
    title: str, date_text: str | None, tags: str, status: str, slug: str | None, root: Path
) -> None:
    """Write a new event file in events/ from a title; never overwrites a file."""
    from timeline.scaffold import new_event

    config = _config(root)
    path, placed = new_event(config, title, date_text, [t.strip() for t in tags.split(",")],
                             status, slug)  # fmt: skip
    click.echo(f"Created {_shown(path, config.root).rstrip('/')}")
    if placed.taken_by:
        wanted = "the slug you gave" if slug else "the slug made from the title"
        click.echo(f"note: {placed.taken_by} already has {wanted}; this event's slug is "
                   f"{placed.slug!r}", err=True)  # fmt: skip
    if placed.shortened:
        click.echo(f"note: the slug was cut to {len(placed.slug)} characters", err=True)
    elif placed.explicit:
        click.echo(f"note: the file name alone would give another slug, so it says "
                   f"slug: {placed.slug}", err=True)  # fmt: skip


@main.command("init")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@_handle_errors
def init_command(directory: Path) -> None:
    """Create a new timeline project in DIRECTORY that builds at once."""
    from timeline.scaffold import init_project

    skipped = init_project(directory)
    for name in skipped:
        click.echo(f"note: {directory / name} already exists (or is a link); not written", err=True)
    click.echo(f"Created a timeline project in {directory}/")
    click.echo(f"Next: cd {directory} && timeline build")


if __name__ == "__main__":  # pragma: no cover
    main()
