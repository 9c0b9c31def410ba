"""HTML of the chapter cells' Markdown outputs, for Jupyter's output area (the notebooks of reviewers).

The book's engines read the Markdown (pandoc syntax: ``[17 988]{.num title=".."}``, ``::: {.source}``, raw
Typst and HTML blocks); Jupyter renders Markdown without those extensions, so tables and source lines also
carry this HTML, which Jupyter prefers. Only the few constructs the helpers write are translated: a number's
span keeps its origin as a tooltip, a source line or gap note is a small italic paragraph, a Typst block is
left out.
"""

from __future__ import annotations

import html
import re

SPAN = re.compile(r'\[(?P<text>[^\[\]]*)\]\{(?P<attrs>[^{}]*)\}')
TITLE = re.compile(r'title="(?P<title>(?:[^"\\]|\\.)*)"')
STRONG = re.compile(r"\*\*(.+?)\*\*")
EM = re.compile(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])")
ESCAPED = re.compile(r"\\([\\`*_{}\[\]()#+\-.!%|<>~^$\"'])")
RAW = re.compile(r"```\{=(?P<fmt>\w+)\}\n(?P<body>.*?)\n```", re.S)
DIV = re.compile(r"^:::+\s*\{\.(?P<cls>[\w-]+)[^}]*\}\n(?P<body>.*?)\n:::+\s*$", re.S | re.M)


def _plain(text: str) -> str:
    out = html.escape(ESCAPED.sub(r"\1", text), quote=False)
    out = STRONG.sub(r"<strong>\1</strong>", out)
    return EM.sub(r"<em>\1</em>", out)


def inline_html(markdown: str) -> str:
    """A line of the helpers' Markdown as HTML: emphasis, escapes, and spans (a number's origin as its title)."""
    out, pos = [], 0
    for m in SPAN.finditer(markdown):
        out.append(_plain(markdown[pos:m.start()]))
        text, attrs = _plain(m.group("text")), m.group("attrs")
        title = TITLE.search(attrs)
        if ".num" in attrs.split() and title:
            tip = html.escape(re.sub(r"\\(.)", r"\1", title.group("title")))
            out.append(f'<span class="num" title="{tip}">{text}</span>')
        elif ".nowrap" in attrs.split():
            out.append(f'<span style="white-space: nowrap">{text}</span>')
        else:
            out.append(text)
        pos = m.end()
    out.append(_plain(markdown[pos:]))
    return "".join(out)


def markdown_html(markdown: str) -> str:
    """A Markdown output of a chapter cell (source line, gap note, a caption's raw blocks) as HTML."""
    def raw(m: re.Match) -> str:
        if m.group("fmt") != "html":
            return ""
        body = re.sub(r"</?figure[^>]*>", "", m.group("body"))  # a float's frame, opened and closed apart
        return re.sub(r"<figcaption>(.*?)</figcaption>", r"<p>\1</p>", body, flags=re.S).strip()

    def div(m: re.Match) -> str:
        return f'<p class="{m.group("cls")}"><small><em>{inline_html(" ".join(m.group("body").split()))}</em></small></p>'

    text = RAW.sub(raw, markdown)
    text = DIV.sub(div, text)
    return "\n".join(line if line.startswith("<") else f"<p>{inline_html(line)}</p>"
                     for line in (p.strip() for p in text.split("\n\n")) if line)


def table_html(header: list[str], rows: list[list[str]], align: list[str]) -> str:
    """A formatted table as an HTML table; each number keeps its origin as a tooltip."""
    def cells(tag: str, row: list[str]) -> str:
        return "".join(f'<{tag} style="text-align: {"left" if a == "l" else "right"}">{inline_html(str(c))}</{tag}>'
                       for c, a in zip(row, align))

    body = "".join(f"<tr>{cells('td', row)}</tr>" for row in rows)
    return f"<table><thead><tr>{cells('th', header)}</tr></thead><tbody>{body}</tbody></table>"
