"""Comment bodies: a tiny plain-text markup turned into HTML, then sanitised with nh3.

Writers type plain text; what they can use:
- a blank line starts a new paragraph, a single line break stays a line break;
- lines starting with "- " or "* " make a bulleted list, "1. " or "1) " a numbered one;
- **strong** and *emphasis* (within one line, not across a link);
- [text](https://example.org) links, bare http(s):// addresses, [text](mailto:a@b.org).
Anything else is text: HTML typed by the writer is escaped, never interpreted, and links to
other schemes (javascript:, data:, relative paths) stay plain text. The HTML we build still
passes through nh3 with an explicit allow-list (defence in depth); links always get
rel="nofollow noopener noreferrer". `to_source` turns stored HTML back into the markup, for the
edit form: render_markup(to_source(html)) == html for every html that render_markup made.
"""

from __future__ import annotations

import re
from html import escape
from html.parser import HTMLParser

import nh3

ALLOWED_TAGS = frozenset({"p", "br", "ul", "ol", "li", "a", "em", "strong"})
ALLOWED_URL_PREFIXES = ("http://", "https://", "mailto:")
LINK_REL = "nofollow noopener noreferrer"

_BULLET = re.compile(r"^\s*[-*]\s+(\S.*)$")
_NUMBERED = re.compile(r"^\s*\d{1,9}[.)]\s+(\S.*)$")
_LINK = re.compile(
    r"\[([^\[\]\n]+)\]\(\s*([^()\s]+)\s*\)"  # [text](url)
    r"|(?<![\w/])(https?://[^\s<>\"'()\[\]]+)"  # a bare address
)
_STRONG = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*")
_EMPHASIS = re.compile(r"\*(?=\S)(.+?)(?<=\S)\*")
_TRAILING_PUNCTUATION = ".,;:!?"


def _allowed_url(url: str) -> bool:
    url = url.strip()
    lower = url.lower()
    return any(lower.startswith(p) and len(url) > len(p) for p in ALLOWED_URL_PREFIXES)


def _keep_safe_href(tag: str, attribute: str, value: str) -> str | None:
    if tag == "a" and attribute == "href":
        return value.strip() if _allowed_url(value) else None
    return value


_CLEANER = nh3.Cleaner(
    tags=set(ALLOWED_TAGS),
    clean_content_tags={"script", "style"},
    attributes={"a": {"href"}},
    attribute_filter=_keep_safe_href,
    url_schemes={"http", "https", "mailto"},
    link_rel=LINK_REL,
    strip_comments=True,
)


def sanitise(html: str) -> str:
    """Only the allow-listed tags, href on links (http, https, mailto), rel forced."""
    return _CLEANER.clean(html)


def _emphasis(escaped: str) -> str:
    return _EMPHASIS.sub(r"<em>\1</em>", _STRONG.sub(r"<strong>\1</strong>", escaped))


def _anchor(url: str, text: str) -> str:
    return f'<a href="{escape(url.strip())}">{_emphasis(escape(text))}</a>'


def _inline(line: str) -> str:
    parts: list[str] = []
    position = 0
    for match in _LINK.finditer(line):
        parts.append(_emphasis(escape(line[position : match.start()])))
        text, url, bare = match.group(1), match.group(2), match.group(3)
        if bare:
            trailing = ""
            while bare and bare[-1] in _TRAILING_PUNCTUATION:
                bare, trailing = bare[:-1], bare[-1] + trailing
            if _allowed_url(bare):
                parts.append(_anchor(bare, bare) + escape(trailing))
            else:
                parts.append(escape(bare + trailing))
        elif _allowed_url(url):
            parts.append(_anchor(url, text))
        else:
            parts.append(_emphasis(escape(text)))
        position = match.end()
    parts.append(_emphasis(escape(line[position:])))
    return "".join(parts)


def render_markup(text: str) -> str:
    """The writer's text as sanitised HTML."""
    blocks: list[str] = []
    kind = ""
    lines: list[str] = []

    def close_block() -> None:
        nonlocal kind, lines
        if kind == "p":
            blocks.append("<p>" + "<br>".join(lines) + "</p>")
        elif kind:
            blocks.append(f"<{kind}>" + "".join(f"<li>{li}</li>" for li in lines) + f"</{kind}>")
        kind, lines = "", []

    for raw in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        if not raw.strip():
            close_block()
            continue
        bullet, numbered = _BULLET.match(raw), _NUMBERED.match(raw)
        line_kind = "ul" if bullet else "ol" if numbered else "p"
        content = bullet.group(1) if bullet else numbered.group(1) if numbered else raw.strip()
        if line_kind != kind:
            close_block()
            kind = line_kind
        lines.append(_inline(content.strip()))
    close_block()
    return sanitise("".join(blocks))


class _SourceWriter(HTMLParser):
    """Walks HTML made by render_markup and writes the markup that makes it."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[str] = []
        self.current: list[str] = []
        self.list_lines: list[str] = []
        self.list_kind = ""
        self.counter = 0
        self.href: str | None = None
        self.link_text: list[str] = []
        self.in_link = False

    def _emit(self, text: str) -> None:
        (self.link_text if self.in_link else self.current).append(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("p", "li"):
            self.current = []
            self.counter += tag == "li"
        elif tag == "br":
            self._emit("\n")
        elif tag in ("ul", "ol"):
            self.list_kind, self.counter, self.list_lines = tag, 0, []
        elif tag == "em":
            self._emit("*")
        elif tag == "strong":
            self._emit("**")
        elif tag == "a":
            self.href, self.link_text, self.in_link = dict(attrs).get("href"), [], True

    def handle_endtag(self, tag: str) -> None:
        if tag == "p":
            self.blocks.append("".join(self.current))
        elif tag == "li":
            prefix = "- " if self.list_kind == "ul" else f"{self.counter}. "
            self.list_lines.append(prefix + "".join(self.current))
        elif tag in ("ul", "ol"):
            self.blocks.append("\n".join(self.list_lines))
        elif tag == "em":
            self._emit("*")
        elif tag == "strong":
            self._emit("**")
        elif tag == "a" and self.in_link:
            self.in_link = False
            text = "".join(self.link_text)
            if not self.href:
                self._emit(text)
            else:
                self._emit(self.href if text == self.href else f"[{text}]({self.href})")

    def handle_data(self, data: str) -> None:
        self._emit(data)


def to_source(html: str) -> str:
    """The markup for stored HTML, to put back in the edit form."""
    writer = _SourceWriter()
    writer.feed(html)
    writer.close()
    return "\n\n".join(writer.blocks)
