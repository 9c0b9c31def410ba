"""Reading Quarto ``.qmd`` chapters: front matter, Markdown, Python cells with ``#|`` options, inline code."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from helpers.core.errors import BuildError

FENCE_OPEN = re.compile(r"^```+\s*\{python[^}]*\}\s*$")
INLINE = re.compile(r"`\{python\}\s+([^`]+?)`")


@dataclass
class Cell:
    code: str
    options: dict
    line: int  # 1-based line of the opening fence in the .qmd


@dataclass
class Chapter:
    path: Path
    meta: dict
    parts: list  # str (Markdown) and Cell, in order
    inline: list[tuple[str, int]] = field(default_factory=list)  # (expression, line)

    @property
    def cells(self) -> list[Cell]:
        return [p for p in self.parts if isinstance(p, Cell)]


def parse(path: Path) -> Chapter:
    """Split a chapter into Markdown and cells; errors name the file and line."""
    text = path.read_text(encoding="utf-8")
    lines = text.split("\n")
    meta, start = {}, 0
    if lines and lines[0].strip() == "---":
        try:
            end = lines.index("---", 1)
        except ValueError:
            raise BuildError(f"{path}: the front matter opened on line 1 is never closed with '---'") from None
        try:
            meta = yaml.safe_load("\n".join(lines[1:end])) or {}
        except yaml.YAMLError as err:
            raise BuildError(f"{path}: front matter is not valid YAML: {err}") from None
        start = end + 1
    parts: list = []
    buf: list[str] = []
    inline: list[tuple[str, int]] = []
    i = start
    while i < len(lines):
        line = lines[i]
        if FENCE_OPEN.match(line.strip()):
            fence = line.strip().split("{")[0]
            opened = i + 1
            body = []
            i += 1
            while i < len(lines) and lines[i].strip() != fence:
                body.append(lines[i])
                i += 1
            if i == len(lines):
                raise BuildError(f"{path}:{opened}: a code cell opened here is never closed with {fence}")
            parts.append("\n".join(buf))
            buf = []
            parts.append(_cell(path, body, opened))
        else:
            buf.append(line)
            inline += [(m.group(1).strip(), i + 1) for m in INLINE.finditer(line)]
        i += 1
    parts.append("\n".join(buf))
    return Chapter(path, meta, parts, inline)


def _cell(path: Path, body: list[str], line: int) -> Cell:
    opts, code_start = [], 0
    for code_start, l in enumerate(body):
        if l.startswith("#|"):
            opts.append(l[2:].strip())
        else:
            break
    else:
        code_start = len(body)
    try:
        options = yaml.safe_load("\n".join(opts)) or {} if opts else {}
    except yaml.YAMLError as err:
        raise BuildError(f"{path}:{line}: the cell's '#|' options are not valid YAML: {err}") from None
    return Cell("\n".join(body[code_start:]), options, line)
