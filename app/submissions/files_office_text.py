"""Plain text of DOCX and ODT documents, streamed one paragraph at a time with defusedxml.

Only the outermost paragraphs are rendered (a text box's paragraphs come with the paragraph
holding them); each is dropped from the tree once read, so memory stays flat however long the
document. The parse is also the check that the XML is sound: no DTD, no entities.
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable, Iterator
from typing import IO
from xml.etree.ElementTree import Element

from defusedxml.ElementTree import iterparse

from app.submissions.files_rules import MACROS, ExtractedText
from app.uploads.refusals import RejectedFile

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
_TEXT = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
_SCRIPT = "{urn:oasis:names:tc:opendocument:xmlns:script:1.0}"


def docx_text(archive: zipfile.ZipFile, max_chars: int) -> ExtractedText:
    with archive.open("word/document.xml") as source:
        return _paragraphs(source, {f"{_W}p"}, _render_word_paragraph, max_chars)


def _render_word_paragraph(paragraph: Element) -> str:
    """w:t text, tabs and breaks; tracked deletions, field codes and the duplicate fallback
    copy of text boxes (mc:Fallback) are left out."""
    out: list[str] = []
    stack = [paragraph]
    while stack:
        element = stack.pop()
        tag = element.tag
        if tag in _WORD_SKIPPED:
            continue
        if tag == f"{_W}t":
            out.append(element.text or "")
        elif tag in _WORD_MARKS and element is not paragraph:
            out.append(_WORD_MARKS[tag])
        stack.extend(reversed(element))
    return "".join(out)


_WORD_SKIPPED = {f"{_MC}Fallback", f"{_W}delText", f"{_W}instrText"}
_WORD_MARKS = {f"{_W}tab": "\t", f"{_W}br": "\n", f"{_W}cr": "\n", f"{_W}p": "\n"}


def odt_text(archive: zipfile.ZipFile, max_chars: int) -> ExtractedText:
    with archive.open("content.xml") as source:
        return _paragraphs(source, {f"{_TEXT}p", f"{_TEXT}h"}, _render_odf_paragraph, max_chars)


def _render_odf_paragraph(paragraph: Element) -> str:
    """Mixed content: text and tails in order; text:s is N spaces; footnote bodies left out."""
    out: list[str] = []
    stack: list[tuple[Element, bool]] = [(paragraph, False)]
    while stack:
        element, closing = stack.pop()
        if closing:
            if element is not paragraph and element.tail:
                out.append(element.tail)
            continue
        stack.append((element, True))
        tag = element.tag
        if tag == f"{_TEXT}note":
            continue
        if tag == f"{_TEXT}s":
            out.append(" " * min(positive_int(element.get(f"{_TEXT}c")) or 1, 100))
        elif tag in _ODF_MARKS and element is not paragraph:
            out.append(_ODF_MARKS[tag])
        if element.text:
            out.append(element.text)
        stack.extend((child, False) for child in reversed(element))
    return "".join(out)


_ODF_MARKS = {
    f"{_TEXT}tab": "\t",
    f"{_TEXT}line-break": "\n",
    f"{_TEXT}p": "\n",
    f"{_TEXT}h": "\n",
}


def _paragraphs(
    source: IO[bytes],
    paragraph_tags: set[str],
    render: Callable[[Element], str],
    max_chars: int,
) -> ExtractedText:
    """Stream the XML; render each outermost paragraph when it closes, then drop it."""
    parts: list[str] = []
    total = 0
    for text in _outermost(source, paragraph_tags, render):
        parts.append(text)
        total += len(text) + 1
        if total > max_chars:
            break
    return ExtractedText.from_parts(parts, "\n", max_chars)


def _outermost(
    source: IO[bytes], paragraph_tags: set[str], render: Callable[[Element], str]
) -> Iterator[str]:
    open_elements: list[Element] = []
    depth = 0  # paragraphs open (a text box's paragraphs sit inside another paragraph)
    for event, element in iterparse(source, events=("start", "end"), forbid_dtd=True):
        if event == "start":
            if element.tag in _SCRIPT_BINDINGS:
                raise RejectedFile(MACROS)
            open_elements.append(element)
            if element.tag in paragraph_tags:
                depth += 1
            continue
        open_elements.pop()
        if element.tag in paragraph_tags:
            depth -= 1
            if depth == 0:
                yield render(element)
                if open_elements and len(open_elements[-1]) and open_elements[-1][-1] is element:
                    del open_elements[-1][-1]  # keep memory flat on long documents


# An ODF event bound to a macro (the document's own, or one of the office's, e.g. LibreLogo).
_SCRIPT_BINDINGS = {f"{_SCRIPT}event-listener"}


def positive_int(value: str | None) -> int | None:
    try:
        number = int((value or "").strip())
    except ValueError:
        return None
    return number if number > 0 else None
