"""YAML syntax errors said in the writer's words: what is wrong, on which line, and the fix.

PyYAML (and libyaml, whose messages differ) speak of tokens and contexts: "mapping values are
not allowed here", "found character that cannot start any token". The mistakes behind them are
few and can be told from the text around the error's marks, whichever loader read it: an
unquoted ': ' or '#', a tab, a quote or bracket never closed, text after a closing quote.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

# key: value, or - key: value in a list of mappings
_KEY_LINE = re.compile(
    r"^(?P<indent>[ ]*)(?:-[ ]+)?(?P<key>[^\s:#'\"\[\]{},&*!|>%@`-][^:#]*?)[ ]*:(?:[ \t]+|$)"
    r"(?P<value>.*)$"
)
_SPECIAL_START = {
    "@": "'@'", "`": "'`'", "%": "'%'", "*": "'*' (YAML reads it as an alias)",
    "|": "'|' (YAML reads it as a block of text on the lines below)",
    ">": "'>' (YAML reads it as a folded block of text on the lines below)",
    "- ": "'- ' (YAML reads it as a list)", "!": "'!' (YAML reads it as a tag)",
}  # fmt: skip


@dataclass(frozen=True)
class Explained:
    """A YAML error as a person would put it: ``line`` counts from 0 within the YAML text."""

    line: int
    field: str
    message: str


def quoted(key: str | int, value: str) -> str:
    """``key: "value"`` (``- "value"`` for a list item), the value in YAML double quotes (a
    JSON string is one)."""
    text = json.dumps(value.strip(), ensure_ascii=False)
    return f"{key}: {text}" if isinstance(key, str) else f"- {text}"


def _noun(key: str) -> str:
    return f"the {key}" if key.isidentifier() else "the value"


def explain(
    lines: list[str], problem_at: tuple[int, int] | None, context_at: tuple[int, int] | None
) -> Explained | None:
    """What went wrong, given the YAML text's lines and the error's marks (line, column);
    None when it is none of the common mistakes."""
    for check in (_tab, _unclosed, _after_quote, _colon_in_value, _bad_start, _indented):
        found = check(lines, problem_at, context_at)
        if found is not None:
            return found
    return None


def _char(lines: list[str], at: tuple[int, int] | None) -> str:
    if at is None or at[0] >= len(lines):
        return ""
    return lines[at[0]][at[1] : at[1] + 1]


def _key_of(lines: list[str], row: int) -> str:
    m = _KEY_LINE.match(lines[row].lstrip(" \t")) if row < len(lines) else None
    return m["key"] if m else ""


def _tab(lines: list[str], problem: tuple[int, int] | None, _: object) -> Explained | None:
    if problem is None or problem[0] >= len(lines):
        return None
    row, line = problem[0], lines[problem[0]]
    indent = line[: len(line) - len(line.lstrip(" \t"))]
    if "\t" in indent:
        return Explained(
            row,
            _key_of(lines, row),
            "is indented with a tab, and YAML allows "
            "only spaces there; indent the line with spaces instead",
        )
    if _char(lines, problem) == "\t":
        return Explained(
            row,
            _key_of(lines, row),
            "holds a tab where YAML allows only spaces; replace the tab with a space",
        )
    return None


def _unclosed(
    lines: list[str], problem: tuple[int, int] | None, context: tuple[int, int] | None
) -> Explained | None:
    """A quote, '[' or '{' opened (the context mark) and not closed where YAML looked."""
    opener = _char(lines, context)
    if context is None or opener not in ('"', "'", "[", "{"):
        return None
    row, key = context[0], _key_of(lines, context[0])
    closer = {"[": "]", "{": "}"}.get(opener, opener)
    if opener in "[{":
        kind = "list" if opener == "[" else "set of 'key: value' pairs"
        return Explained(
            row,
            key,
            f"the {kind} opened with '{opener}' is never closed: end it "
            f"with '{closer}' on this line (and put an item holding ',' ':' "
            "'[' or '{' in quotes)",
        )
    return Explained(
        row,
        key,
        f"the quote {opener} that starts {_noun(key)} is never closed; "
        f"end {_noun(key)} with {opener} on the same line",
    )


def _after_quote(lines: list[str], problem: tuple[int, int] | None, _: object) -> Explained | None:
    """``title: "Iraq" the war`` or ``title: 'Ba'ath'``: text after the closing quote."""
    if problem is None or problem[0] >= len(lines):
        return None
    m = _KEY_LINE.match(lines[problem[0]])
    if m is None or m["value"][:1] not in ("'", '"'):
        return None
    key, value = m["key"], m["value"].split(" #", 1)[0]
    if value[0] == "'" and value.count("'") > 2:
        return Explained(
            problem[0],
            key,
            "a ' inside single quotes ends them; write it twice "
            f"(''), or use double quotes: {quoted(key, value[1:-1])}",
        )
    return Explained(
        problem[0],
        key,
        f"text follows the closing quote; put all of {_noun(key)} in quotes (each quote inside it "
        f"written \\\"): {quoted(key, value)}",
    )


def _colon_in_value(
    lines: list[str], problem: tuple[int, int] | None, _: object
) -> Explained | None:
    """``title: Al-Douri: the break``: YAML reads the second ': ' as the start of a key."""
    if problem is None or _char(lines, problem) != ":":
        return None
    m = _KEY_LINE.match(lines[problem[0]])
    if m is None or problem[1] < m.start("value"):
        return None
    key = m["key"]
    return Explained(
        problem[0],
        key,
        f"{_noun(key)} holds ': ', which YAML reads as the start "
        f"of another key; put {_noun(key)} in quotes: {quoted(key, m['value'])}",
    )


def _bad_start(lines: list[str], problem: tuple[int, int] | None, _: object) -> Explained | None:
    """``title: @douri``, ``title: - A``: a value starting with a character YAML reserves."""
    if problem is None or problem[0] >= len(lines):
        return None
    m = _KEY_LINE.match(lines[problem[0]])
    if m is None or problem[1] < m.start("value"):
        return None
    value = m["value"]
    for start, name in _SPECIAL_START.items():
        if value.startswith(start):
            return Explained(
                problem[0],
                m["key"],
                f"YAML cannot read a value starting with "
                f"{name} unquoted; put it in quotes: {quoted(m['key'], value)}",
            )
    return None


def _indented(lines: list[str], problem: tuple[int, int] | None, _: object) -> Explained | None:
    """A key indented under a plain value, or a line above without its ':'."""
    if problem is None or _char(lines, problem) != ":" or problem[0] >= len(lines):
        return None
    row = problem[0]
    above = next((r for r in range(row - 1, -1, -1) if lines[r].strip()), None)
    if (
        above is not None
        and ":" not in lines[above]
        and not lines[above].lstrip().startswith(("-", "#"))
    ):
        return Explained(
            above,
            "",
            f"{lines[above].strip()!r} has no ':' after its key; write it as 'key: value'",
        )
    if lines[row].startswith(" "):
        return Explained(
            row,
            _key_of(lines, row),
            "is indented as if it belonged to the line "
            "above; start the key at the beginning of the line",
        )
    return None


# A plain value followed on its line by ' #': YAML drops what follows as a comment.
_ONE_SPACE_COMMENT = re.compile(r"^ (?P<comment>#(?!#).*?)\s*$")


def comment_after(line: str, column: int) -> str | None:
    """The comment after a plain value ending at ``column`` when it is written with a single
    space before '#', as text is, not as a deliberate comment (which takes two)."""
    m = _ONE_SPACE_COMMENT.match(line[column:])
    return m["comment"] if m and m["comment"].strip("# ") else None
