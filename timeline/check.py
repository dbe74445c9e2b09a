"""``timeline check`` and ``timeline export``: the project read and checked as a build would,
nothing written."""

from __future__ import annotations

from timeline.build import Builder
from timeline.config import Config
from timeline.errors import ContentError, Problem
from timeline.parallel import cores, few_collections
from timeline.site import exports
from timeline.site.content import Content
from timeline.site.shares import render_page
from timeline.site.theme import check_templates, make_environment
from timeline.site.views import Views


def collect(config: Config, *, drafts: bool = False, strict: bool = False) -> Content:
    """Check a project without building it: everything a build would refuse, its theme's
    templates included (each compiled, and one page of each kind rendered in memory, which
    finds what only shows while rendering, such as an undefined name)."""
    with few_collections():
        builder = Builder(config, drafts=drafts, strict=strict)
        builder.env = make_environment(config)  # compiled in memory: a check writes nothing
        try:
            content = builder.collect(cores())
        except ContentError as exc:
            raise ContentError([*exc.problems, *check_templates(config)], exc.warnings) from None
        broken = check_templates(config) or _render_each_kind(builder, content)
        if broken:
            raise ContentError(broken, content.warnings)
        return content


def _render_each_kind(builder: Builder, content: Content) -> list[Problem]:
    """Render the first page of each kind (not the data files, which Python writes)."""
    renderer = builder.renderer(content)
    problems: list[Problem] = []
    kinds: set[type] = set()
    keys = renderer.keys()
    for key in keys:
        if type(key) in kinds:
            continue
        kinds.add(type(key))
        spec = renderer.spec(key)
        if spec.template.startswith("@"):
            continue
        try:
            render_page(renderer, spec)
        except ContentError as exc:
            problems += exc.problems
    return problems


def export_timeline(config: Config, kind: str, *, drafts: bool = False) -> str:
    """The timeline as data: ``json`` (timeline.json), ``timelinejs`` or ``csv``."""
    builder = Builder(config, drafts=drafts)
    content = builder.collect()
    views = Views(config, content.index, content.summaries)
    return exports.export(kind, config, content.index, views, content.bodies, content.markdown)
