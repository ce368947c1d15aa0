"""A small writer for SVG documents: every attribute value and every text node passes through XML
escaping, so names typed by users (countries, recommendations, organisations) can never inject
markup. Charts are built with it in charts.py; nothing here knows about the data.

Each document is an accessible image: role="img", a <title> and a <desc> referenced by
aria-labelledby, so a screen reader announces the chart's name and summary; the numbers
themselves are in the HTML table rendered beside it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from xml.sax.saxutils import escape, quoteattr

SVG_NS = "http://www.w3.org/2000/svg"
FONT = "DejaVu Sans, Verdana, Arial, sans-serif"
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_ID = re.compile(r"[^A-Za-z0-9_-]")

Attrs = Mapping[str, str | int | float | None]


def clean(text: str) -> str:
    """Text as XML 1.0 accepts it: control characters (not allowed in XML) become spaces."""
    return _CONTROL.sub(" ", text)


def _value(value: str | int | float) -> str:
    if isinstance(value, float):
        return f"{value:.2f}".rstrip("0").rstrip(".")
    return str(value)


def _attrs(attrs: Attrs) -> str:
    parts = []
    for name, value in attrs.items():
        if value is None:
            continue
        parts.append(f" {name.rstrip('_').replace('_', '-')}={quoteattr(clean(_value(value)))}")
    return "".join(parts)


def shorten(text: str, limit: int) -> str:
    text = " ".join(clean(text).split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "\u2026"


class Svg:
    def __init__(self, width: int, height: int, *, ident: str, title: str, desc: str) -> None:
        self.width = width
        self.height = height
        self.ident = _ID.sub("-", ident)
        self._parts: list[str] = []
        self._open: list[str] = []
        title_id, desc_id = f"{self.ident}-title", f"{self.ident}-desc"
        self._parts.append(
            "<svg"
            + _attrs(
                {
                    "xmlns": SVG_NS,
                    "width": width,
                    "height": height,
                    "viewBox": f"0 0 {width} {height}",
                    "role": "img",
                    "aria-labelledby": f"{title_id} {desc_id}",
                    "font-family": FONT,
                    "font-size": 12,
                }
            )
            + ">"
        )
        self.element("title", {"id": title_id}, title)
        self.element("desc", {"id": desc_id}, desc)
        self.element("rect", {"x": 0, "y": 0, "width": width, "height": height, "fill": "#ffffff"})

    def element(self, tag: str, attrs: Attrs | None = None, text: str | None = None) -> None:
        opening = f"<{tag}{_attrs(attrs or {})}"
        if text is None:
            self._parts.append(opening + "/>")
        else:
            self._parts.append(f"{opening}>{escape(clean(text))}</{tag}>")

    def text(self, x: float, y: float, text: str, **attrs: str | int | float | None) -> None:
        self.element("text", {"x": x, "y": y, **attrs}, text)

    def open(self, tag: str, attrs: Attrs | None = None) -> None:
        self._parts.append(f"<{tag}{_attrs(attrs or {})}>")
        self._open.append(tag)

    def close(self) -> None:
        self._parts.append(f"</{self._open.pop()}>")

    def tooltip(self, tag: str, attrs: Attrs, tip: str) -> None:
        """A shape with a <title> child: browsers show it on hover."""
        self.open(tag, attrs)
        self.element("title", None, tip)
        self.close()

    def render(self) -> str:
        while self._open:
            self.close()
        return "".join(self._parts) + "</svg>"
