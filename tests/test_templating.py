"""Themes' templates write their output through timeline.site.templating, which escapes
values without Jinja's intermediate Markup: the pages must be exactly Jinja's own."""

from __future__ import annotations

from pathlib import Path

import jinja2
import pytest
from hypothesis import given
from hypothesis import strategies as st
from markupsafe import Markup, escape

from tests.conftest import REPO, Project
from timeline.site import theme
from timeline.site.templating import Environment, escape_output, hook_known


class Html:
    def __html__(self) -> str:
        return "<b>already safe</b>"


class Plain:
    def __str__(self) -> str:
        return "<i>plain</i> & 'more'"


@pytest.mark.parametrize(
    "value",
    ["", "plain", "<script>alert('x')</script>", 'a "b" & c', "é ü 漢 \x00",
     Markup("<em>safe</em>"), Html(), Plain(), 7, 2.5, True, None, ["<a>"]],
)  # fmt: skip
def test_escape_output_is_markupsafes_escape(value: object) -> None:
    assert escape_output(value) == str(escape(value))


@given(st.text())
def test_escape_output_escapes_any_text_as_markupsafe_does(text: str) -> None:
    assert escape_output(text) == str(escape(text))


TEMPLATES = {
    "values": "{{ text }}|{{ safe }}|{{ number }}|{{ text|e }}|{{ text|safe }}|{{ text ~ safe }}",
    "switched": "{% autoescape false %}{{ text }}{% endautoescape %}"
    "{% autoescape true %}{{ text }}{% endautoescape %}"
    "{% autoescape off %}{{ text }}{% endautoescape %}{% autoescape on %}{{ text }}{% endautoescape %}",
    "blocks": "{% set held %}<p>{{ text }}</p>{% endset %}{{ held }}"
    "{% filter upper %}{{ text }}{% endfilter %}",
    "macros": "{% macro m(x) %}<li>{{ x }}{{ caller() if caller }}</li>{% endmacro %}"
    "{{ m(text) }}{% call m(safe) %}{{ text }}{% endcall %}",
    "loops": "{% for t in [text, safe, number] %}{{ loop.index }}:{{ t }} {% endfor %}",
}


@pytest.mark.parametrize("autoescape", [True, False])
@pytest.mark.parametrize("name", sorted(TEMPLATES))
def test_templates_render_as_with_jinjas_environment(name: str, autoescape: bool) -> None:
    values = {"text": "<b>'T&C'</b>", "safe": Markup("<i>ok</i>"), "number": 3}
    values |= {"off": False, "on": True}  # switched at run time: Jinja's own escaping
    ours = Environment(autoescape=autoescape).from_string(TEMPLATES[name]).render(values)
    jinjas = jinja2.Environment(autoescape=autoescape).from_string(TEMPLATES[name]).render(values)
    assert ours == jinjas
    if autoescape:
        assert "&lt;b&gt;&#39;T&amp;C&#39;&lt;/b&gt;" in ours


def test_this_jinja_has_the_output_hook_overridden() -> None:
    """Elsewhere templates compile with Jinja's own code generator (right, but slower): this
    says when a Jinja release changed the hook."""
    assert hook_known()
    assert Environment.code_generator_class is not jinja2.compiler.CodeGenerator


def test_an_undefined_value_is_still_an_error() -> None:
    env = Environment(autoescape=True, undefined=jinja2.StrictUndefined)
    with pytest.raises(jinja2.UndefinedError, match="'missing' is undefined"):
        env.from_string("<p>{{ missing }}</p>").render()


def _files(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != ".timeline-build.json"
    }


class JinjasOwn(jinja2.Environment):
    """Jinja's own environment, rendering as Jinja does: the reference for ours."""

    def render_template(self, name: str, context: dict[str, object]) -> str:
        return self.get_template(name).render(context)


def test_the_sample_site_is_byte_for_byte_jinjas(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sample = Project(REPO)
    assert (
        sample.run("build", "--no-search", "--no-cache", "--out", str(tmp_path / "ours")).exit_code
        == 0
    )
    monkeypatch.setattr(theme, "Environment", JinjasOwn)
    assert (
        sample.run(
            "build", "--no-search", "--no-cache", "--out", str(tmp_path / "jinjas")
        ).exit_code
        == 0
    )
    ours, jinjas = _files(tmp_path / "ours"), _files(tmp_path / "jinjas")
    assert len(ours) > 50
    assert ours == jinjas
