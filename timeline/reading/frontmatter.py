"""Split an event file into YAML front matter and Markdown body, keeping line numbers.

YAML is read with PyYAML's safe loader (the C one where available). Beyond safe_load, this
reports duplicate keys, bounds alias expansion ("billion laughs"), honours merge keys
(``<<: *defaults``) and remembers, for every value,
the file line it came from and its source text (so `date: 2007-08` and `date: 2007-08-22` read
the same way, and `010` is never silently 8).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from timeline.reading.yaml_errors import comment_after, explain

_Loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

# Values that aliases (``*name``) may repeat in one document: far more than any real file
# needs, while an alias bomb ("billion laughs") reaches it after a few thousand. Values
# written out are not counted: a bibliography of 10,000 sources is fine.
MAX_REPEATED = 10_000
MAX_DEPTH = 50
_MERGE = "tag:yaml.org,2002:merge"

Path_ = tuple[str | int, ...]

# Collections must be plain; scalars with an unsafe tag are refused by the safe constructor.
_PLAIN_TAGS: dict[type, str] = {
    yaml.MappingNode: "tag:yaml.org,2002:map",
    yaml.SequenceNode: "tag:yaml.org,2002:seq",
}


_STR = "tag:yaml.org,2002:str"


class FrontMatterError(Exception):
    """The front matter cannot be read at all; ``line`` counts from the top of the file."""

    def __init__(self, line: int, message: str, field: str = "") -> None:
        super().__init__(message)
        self.line = line
        self.message = message
        self.field = field


@dataclass(frozen=True)
class Located:
    """A YAML document as Python values, with each value's file line and source text."""

    data: Any
    lines: dict[Path_, int]
    raw: dict[Path_, str]
    duplicates: tuple[tuple[Path_, int], ...]
    # plain values followed by ' #...' on their line: YAML dropped that as a comment
    comments: dict[Path_, str] = field(default_factory=dict)

    def line(self, path: Path_) -> int:
        """File line of the value at ``path``, or of its nearest located parent."""
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.lines.get((), 1)


@dataclass(frozen=True)
class Document:
    """An event file split into located front matter and its Markdown body."""

    meta: Located
    body: str
    body_line: int  # file line on which the body starts


def normalise_text(text: str) -> str:
    """Drop a byte-order mark and turn CRLF/CR line ends into LF."""
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


def split_document(text: str) -> Document:
    """Read an event file's text; raise FrontMatterError if its front matter is unreadable."""
    text = normalise_text(text)
    if text.split("\n", 1)[0].rstrip() != "---":
        raise FrontMatterError(
            1, "an event file must start with a line '---' opening the front matter"
        )
    lines = text.split("\n")
    for index in range(1, len(lines)):
        if lines[index].rstrip() in ("---", "..."):
            break
    else:
        raise FrontMatterError(*_unclosed_front_matter(lines))
    yaml_text = "\n".join(lines[1:index])
    meta = load_yaml(yaml_text, first_line=2)
    if meta.data is None:
        meta = Located({}, {(): 1}, {}, meta.duplicates)
    if not isinstance(meta.data, dict):
        kind = "a list" if isinstance(meta.data, list) else "a single value"
        raise FrontMatterError(2, f"the front matter must be 'key: value' lines, not {kind}")
    body = "\n".join(lines[index + 1 :])
    return Document(meta, body, index + 2)


def load_yaml(text: str, *, first_line: int = 1) -> Located:
    """Parse one YAML document safely, keeping lines and raw scalars; raise FrontMatterError."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        problem, context = exc.problem_mark, exc.context_mark
        found = explain(
            text.split("\n"),
            (problem.line, problem.column) if problem else None,
            (context.line, context.column) if context else None,
        )
        if found is not None:
            raise FrontMatterError(first_line + found.line, found.message, found.field) from None
        mark = problem or context
        line = first_line + (mark.line if mark else 0)
        raise FrontMatterError(line, f"this line is not valid YAML ({exc.problem or exc}); "
                               "see 'Front matter' in docs/events.md") from None  # fmt: skip
    except yaml.YAMLError as exc:
        raise FrontMatterError(first_line, f"YAML error: {exc}") from None
    finally:
        loader.dispose()
    if node is None:
        return Located(None, {(): first_line}, {}, ())
    walker = _Walker(loader, first_line, text.split("\n"))
    data = walker.walk(node, (), 0)
    return Located(data, walker.lines, walker.raw, tuple(walker.duplicates), walker.comments)


def _unclosed_front_matter(lines: list[str]) -> tuple[int, str]:
    """Where the front matter most likely ends (the first line after a blank one that is no
    'key: value'), and the message saying so."""
    for index in range(2, len(lines)):
        text = lines[index]
        if not lines[index - 1].strip() and text.strip() and not _YAML_LINE.match(text):
            return index + 1, (
                "the front matter that starts on line 1 is never closed; add a line '---' "
                "before this line, where the text seems to start"
            )
    return 1, "the front matter is never closed; add a line '---' after it"


_YAML_LINE = re.compile(r"^(?:[ #-]|[^\s:]+:(?:\s|$))")


class _Walker:
    """Turns a YAML node graph into Python values, recording lines and refusing bombs."""

    def __init__(self, loader: yaml.SafeLoader, first_line: int, text: list[str]) -> None:
        self.loader = loader
        self.first_line = first_line
        self.text = text
        self.comments: dict[Path_, str] = {}
        self.lines: dict[Path_, int] = {}
        self.raw: dict[Path_, str] = {}
        self.duplicates: list[tuple[Path_, int]] = []
        self.walked: set[int] = set()  # nodes walked once; walking one again is an alias
        self.repeated = 0  # values walked again through aliases

    def walk(self, node: yaml.Node, path: Path_, depth: int, *, again: bool = False) -> Any:
        line = self.first_line + node.start_mark.line
        if again or id(node) in self.walked:
            again = True
            self.repeated += 1
            if self.repeated > MAX_REPEATED:
                raise FrontMatterError(line, f"aliases repeat more than {MAX_REPEATED} values "
                                             "(a YAML alias bomb?); simplify the YAML")  # fmt: skip
        else:
            self.walked.add(id(node))
        if depth > MAX_DEPTH:
            raise FrontMatterError(line, f"values nested more than {MAX_DEPTH} levels deep")
        self.lines.setdefault(path, line)
        expected = _PLAIN_TAGS.get(type(node))
        if expected is not None and node.tag != expected:
            raise FrontMatterError(line, f"YAML value error: the tag {node.tag} is not allowed")
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path, depth, again)
        if isinstance(node, yaml.SequenceNode):
            return [self.walk(item, (*path, i), depth + 1, again=again)
                    for i, item in enumerate(node.value)]  # fmt: skip
        self.raw[path] = value = str(node.value)
        start, end = node.start_mark, node.end_mark
        plain = isinstance(node, yaml.ScalarNode) and not node.style  # libyaml: "", PyYAML: None
        if plain and start.line == end.line:
            comment = comment_after(self.text[end.line], end.column)
            if comment is not None:
                self.comments[path] = comment
        if node.tag == _STR:  # most values: what the safe constructor would return anyway
            return value
        try:
            return self.loader.construct_object(node)
        except yaml.YAMLError as exc:
            problem = getattr(exc, "problem", None) or str(exc)
            raise FrontMatterError(line, f"YAML value error: {problem}") from None
        except (ValueError, OverflowError):
            # An impossible timestamp such as 2007-02-30: keep the text and let the
            # field's own validation say what is wrong with it.
            return str(node.value)

    def _mapping(self, node: yaml.MappingNode, path: Path_, depth: int, again: bool) -> Any:
        """A mapping, with YAML merge keys (``<<: *defaults``) honoured: its own keys win
        over merged ones, and of several merged mappings the first wins."""
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag != _MERGE:
                continue
            line = self.first_line + key_node.start_mark.line
            merged = value_node.value if isinstance(value_node, yaml.SequenceNode) else [value_node]
            for source in reversed(merged):
                if not isinstance(source, yaml.MappingNode):
                    raise FrontMatterError(line, "'<<' merges key: value pairs (an &anchor of "
                                                 "them, or a list of such anchors)")  # fmt: skip
                result.update(self.walk(source, path, depth + 1, again=again))
        seen: set[str] = set()
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE:
                continue
            if not isinstance(key_node, yaml.ScalarNode):
                raise FrontMatterError(
                    self.first_line + key_node.start_mark.line, "a key must be plain text"
                )
            key = str(key_node.value)
            key_line = self.first_line + key_node.start_mark.line
            if key in seen:
                self.duplicates.append(((*path, key), key_line))
            seen.add(key)
            self.lines[(*path, key)] = key_line
            result[key] = self.walk(value_node, (*path, key), depth + 1, again=again)
        return result
