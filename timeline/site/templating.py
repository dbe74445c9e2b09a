"""The Jinja2 environment class for themes: Jinja's own, with cheaper output escaping and a
cheaper start of each render.

Every ``{{ value }}`` in an autoescaped template compiles to ``escape(value)``, which makes a
``Markup`` object only for the page to join it into a plain string at once. A page of a large
timeline writes a few hundred values, so that wrapper is 10-20 % of its rendering time. Here
the compiled output calls ``escape_output`` instead: the same characters escaped the same way
by MarkupSafe's own C function, returned as the string that is joined. It is used only where
Jinja writes a value *out* (``_output_child_pre``, the hook Jinja's ``NativeEnvironment``
also overrides); filters, macros, ``Markup`` and ``|e`` are untouched, and any template
whose escaping is switched at run time (``{% autoescape %}`` blocks) compiles as Jinja does.

``Template.render`` also copies the template's globals (a ``ChainMap`` of the environment's,
slow to read whole) into the new context on every call: about 20 us, for each of the 11,000
pages and 20,000 list entries of a 10,000-event site. ``Environment.render_template`` copies
them from a plain dict made once per template instead; the template sees the same names.

Every call in a template (``{{ t("nav.skip") }}``, ``{{ macros.date(d) }}``, ``items_html(...)``)
compiles to ``context.call(f, ...)``, which looks for Jinja's ``pass_context`` marks on ``f``
and on ``f.__call__`` before calling it: about 1.1 us a call, over 1.5 us for a macro, where
calling them costs 0.05 and 0.85 us. A 10,000-event site makes about 600,000 such calls.
``_Context.call`` calls a macro, or a Python function or method without those marks, at once;
anything else goes through Jinja's own ``call``.
"""

from __future__ import annotations

import inspect
from functools import cached_property
from types import FunctionType, MethodType
from typing import Any

import jinja2
from jinja2.compiler import CodeGenerator, Frame
from jinja2.runtime import Context, Macro
from markupsafe import escape

try:  # MarkupSafe 3: the C function behind ``escape``, before it wraps the result
    from markupsafe._speedups import _escape_inner
except ImportError:  # pragma: no cover - pure-Python MarkupSafe, or an older one

    def _escape_inner(text: str, /) -> str:
        return str(escape(text))


def escape_output(value: Any) -> str:
    """``str(markupsafe.escape(value))``, without making the ``Markup`` in between."""
    if type(value) is str:
        return _escape_inner(value)
    html = getattr(value, "__html__", None)
    if html is not None:
        return str(html())
    return _escape_inner(str(value))


class _CodeGenerator(CodeGenerator):
    def _output_child_pre(
        self, node: jinja2.nodes.Expr, frame: Frame, finalize: CodeGenerator._FinalizeInfo
    ) -> None:
        if not frame.eval_ctx.autoescape or frame.eval_ctx.volatile:
            super()._output_child_pre(node, frame, finalize)
            return
        self.write("environment.escape_output(")
        if finalize.src is not None:
            self.write(finalize.src)


class _Context(Context):
    # Named as in Jinja: a keyword argument may be called "self" or "obj".
    def call(__self, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        """``Context.call``, without its checks for a macro or a plain function or method:
        none of them wants the context (a function marked ``pass_context`` and the like
        carries ``jinja_pass_arg``, a method its function's)."""
        kind = type(__obj)
        if kind is not Macro and (
            (kind is not FunctionType and kind is not MethodType)
            or getattr(__obj, "jinja_pass_arg", None) is not None
        ):
            return super().call(__obj, *args, **kwargs)
        if kwargs:  # what Jinja passes for a context it would derive
            kwargs.pop("_block_vars", None)
            kwargs.pop("_loop_vars", None)
        try:
            return __obj(*args, **kwargs)
        except StopIteration:  # as Jinja's own call does
            return __self.environment.undefined(
                "value was undefined because a callable raised a StopIteration exception"
            )


def hook_known() -> bool:
    """True if this Jinja's output hook is the one ``_CodeGenerator`` overrides (Jinja 3.1):
    another Jinja compiles with its own code generator, slower and just as right."""
    hook = getattr(CodeGenerator, "_output_child_pre", None)
    names = list(inspect.signature(hook).parameters) if hook else []
    return names == ["self", "node", "frame", "finalize"]


class Environment(jinja2.Environment):
    """Jinja2's environment, compiling output to ``escape_output`` (see the module)."""

    code_generator_class = _CodeGenerator if hook_known() else CodeGenerator
    escape_output = staticmethod(escape_output)
    context_class = _Context

    def render_template(self, name: str, context: dict[str, Any]) -> str:
        """``self.get_template(name).render(context)``, with the template's globals taken
        from a dict made on its first render (the environment is complete by then: its
        globals are never changed after ``site.theme.make_environment``)."""
        found = self._rendered.get(name)
        if found is None:
            template = self.get_template(name)
            found = self._rendered[name] = (template, dict(template.globals))
        template, names = found
        ctx = self.context_class(self, {**names, **context}, template.name, template.blocks,
                                 globals=names)  # fmt: skip
        try:
            return self.concat(template.root_render_func(ctx))
        except Exception:
            self.handle_exception()

    @cached_property
    def _rendered(self) -> dict[str, tuple[jinja2.Template, dict[str, Any]]]:
        return {}
