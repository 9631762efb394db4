"""A TextArea for framing templates: Jinja tags and the TOML front matter highlighted.

tree-sitter has no Jinja grammar bundled with Textual, so highlighting is a small
line-based lexer (:func:`highlight_template`) feeding TextArea's highlight map. It is
deliberately forgiving: half-typed tags must never break editing.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable

from textual.widgets import TextArea

#: (start byte, end byte or None for end of line, highlight name) per line
Highlights = dict[int, list[tuple[int, int | None, str]]]
Emit = Callable[[tuple[int, int | None, str]], None]

_TAG = re.compile(r"\{%-?.*?-?%\}|\{\{-?.*?-?\}\}|\{#.*?#\}")
_OPEN_COMMENT = re.compile(r"\{#(?!---)")
_STRING = re.compile(r"\"(?:[^\"\\]|\\.)*\"?|'(?:[^'\\]|\\.)*'?")
_NUMBER = re.compile(r"(?<![\w.])-?\d+(?:\.\d+)?(?![\w.])")
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_KEYWORDS = frozenset({
    "block", "endblock", "if", "elif", "else", "endif", "for", "endfor", "set", "endset",
    "in", "not", "and", "or", "is", "with", "endwith", "macro", "endmacro", "filter",
    "endfilter", "raw", "endraw", "loop",
})
_CONSTANTS = frozenset({"true", "false", "True", "False", "none", "None"})
_TOML_TABLE = re.compile(r"^\s*\[[^\]]*\]?")
_TOML_KEY = re.compile(r"^\s*([A-Za-z0-9_.\-\"]+)\s*=")


def _b(line: str, index: int) -> int:
    """Byte offset of character ``index`` in ``line`` (TextArea highlights are in bytes)."""
    return len(line[:index].encode("utf-8"))


def highlight_template(text: str) -> Highlights:
    """Highlight ranges for a template: front matter as TOML, the body as Jinja."""
    out: Highlights = defaultdict(list)
    lines = text.split("\n")
    in_front = False
    in_comment = False
    for row, line in enumerate(lines):
        add = out[row].append
        stripped = line.strip()
        if row < 3 and not in_front and stripped.startswith("{#---"):
            in_front = True
            add((0, None, "comment"))
            continue
        if in_front:
            if stripped.startswith("---#}"):
                in_front = False
                add((0, None, "comment"))
            else:
                _toml_line(line, add)
            continue
        if in_comment:
            end = line.find("#}")
            add((0, None if end < 0 else _b(line, end + 2), "comment"))
            if end < 0:
                continue
            in_comment = False
        _jinja_line(line, add)
        last_open = _OPEN_COMMENT.search(line)
        if last_open and "#}" not in line[last_open.start():]:
            in_comment = True
            add((_b(line, last_open.start()), None, "comment"))
    return out


def _toml_line(line: str, emit: Emit) -> None:
    hashes = [i for i, ch in enumerate(line) if ch == "#" and not _inside_string(line, i)]
    code = line[: hashes[0]] if hashes else line
    if hashes:
        emit((_b(line, hashes[0]), None, "comment"))
    table = _TOML_TABLE.match(code)
    if table:
        emit((_b(line, 0), _b(line, table.end()), "toml.type"))
        return
    key = _TOML_KEY.match(code)
    if key:
        emit((_b(line, key.start(1)), _b(line, key.end(1)), "yaml.field"))
    rest_start = key.end() if key else 0
    _literals(line, code, rest_start, emit)


def _inside_string(line: str, index: int) -> bool:
    return any(m.start() < index < m.end() for m in _STRING.finditer(line))


def _literals(line: str, code: str, start: int, emit: Emit) -> None:
    spans = []
    for m in _STRING.finditer(code, start):
        spans.append((m.start(), m.end()))
        emit((_b(line, m.start()), _b(line, m.end()), "string"))
    for m in _NUMBER.finditer(code, start):
        if not any(a <= m.start() < b for a, b in spans):
            emit((_b(line, m.start()), _b(line, m.end()), "number"))
    for m in _WORD.finditer(code, start):
        if m.group() in _CONSTANTS and not any(a <= m.start() < b for a, b in spans):
            emit((_b(line, m.start()), _b(line, m.end()), "boolean"))


def _jinja_line(line: str, emit: Emit) -> None:
    for tag in _TAG.finditer(line):
        start, end = tag.start(), tag.end()
        body = tag.group()
        if body.startswith("{#"):
            emit((_b(line, start), _b(line, end), "comment"))
            continue
        emit((_b(line, start), _b(line, start + 2), "tag"))
        emit((_b(line, end - 2), _b(line, end), "tag"))
        inner = line[: end - 2]
        spans = []
        for m in _STRING.finditer(inner, start + 2):
            spans.append((m.start(), m.end()))
            emit((_b(line, m.start()), _b(line, m.end()), "string"))
        for m in _WORD.finditer(inner, start + 2):
            if any(a <= m.start() < b for a, b in spans):
                continue
            word = m.group()
            name = ("keyword" if word in _KEYWORDS else "boolean" if word in _CONSTANTS
                    else "constant.builtin" if word == "sample" else None)
            if name:
                emit((_b(line, m.start()), _b(line, m.end()), name))
        for m in _NUMBER.finditer(inner, start + 2):
            if not any(a <= m.start() < b for a, b in spans):
                emit((_b(line, m.start()), _b(line, m.end()), "number"))


class TemplateEditor(TextArea):
    """The template source editor (soft-wrapped, line numbers, template highlighting)."""

    def __init__(self, text: str = "", **kwargs: object) -> None:
        super().__init__(text, soft_wrap=True, show_line_numbers=True,
                         tab_behavior="focus", **kwargs)  # type: ignore[arg-type]

    def get_cursor_line_end_location(self) -> tuple[int, int]:
        """End goes to the end of the template's line, not of the wrapped screen row."""
        row, _ = self.cursor_location
        return (row, len(self.document.get_line(row)))

    def _build_highlight_map(self) -> None:
        # TextArea calls this after every edit; without a tree-sitter grammar for Jinja,
        # our lexer fills the same map (line -> byte ranges -> highlight names).
        self._line_cache.clear()
        self._highlights.clear()
        self._highlights.update(highlight_template(self.text))
