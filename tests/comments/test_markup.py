"""The comment markup and its sanitiser: formatting that works, and hostile input neutralised."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from app.comments.markup import render_markup, sanitise, to_source

REL = 'rel="nofollow noopener noreferrer"'


@pytest.mark.parametrize(
    ("text", "html"),
    [
        ("Hello", "<p>Hello</p>"),
        ("one\ntwo\n\nthree", "<p>one<br>two</p><p>three</p>"),
        ("one\r\ntwo", "<p>one<br>two</p>"),
        ("**bold** and *soft*", "<p><strong>bold</strong> and <em>soft</em></p>"),
        ("- a\n- b\n* c", "<ul><li>a</li><li>b</li><li>c</li></ul>"),
        ("1. first\n2) second", "<ol><li>first</li><li>second</li></ol>"),
        ("Intro:\n- a\nafter", "<p>Intro:</p><ul><li>a</li></ul><p>after</p>"),
        ("5 * 3 * 2 = 30", "<p>5 * 3 * 2 = 30</p>"),
        ("a < b & c > d", "<p>a &lt; b &amp; c &gt; d</p>"),
        ("[UN](https://un.org/x)", f'<p><a href="https://un.org/x" {REL}>UN</a></p>'),
        ("see https://un.org.", f'<p>see <a href="https://un.org" {REL}>https://un.org</a>.</p>'),
        ("[me](mailto:a@b.org)", f'<p><a href="mailto:a@b.org" {REL}>me</a></p>'),
    ],
)
def test_markup_makes_the_allowed_html(text: str, html: str) -> None:
    assert render_markup(text) == html


HOSTILE_TEXT = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    '<a href="javascript:alert(1)">x</a>',
    "[click](javascript:alert)",
    "[click](JaVaScRiPt:alert)",
    "[click](data:text/html;base64,PHNjcmlwdD4=)",
    "[click](vbscript:msgbox)",
    "[relative](/auth/logout)",
    '<p style="position:fixed">x</p>',
    '<a href="https://ok.org" onclick="alert(1)">x</a>',
    "<iframe src=https://evil.org></iframe>",
    '"><svg onload=alert(1)>',
]


class _Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, dict(attrs)))


def elements(html: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = _Elements()
    parser.feed(html)
    return parser.found


@pytest.mark.parametrize("text", HOSTILE_TEXT)
def test_hostile_text_is_neutralised(text: str) -> None:
    """Only allow-listed elements come out; links only to http(s)/mailto, with our rel."""
    for tag, attrs in elements(render_markup(text)):
        assert tag in {"p", "br", "ul", "ol", "li", "a", "em", "strong"}
        if tag == "a":
            assert set(attrs) <= {"href", "rel"}
            assert attrs["rel"] == "nofollow noopener noreferrer"
            href = attrs.get("href") or "https://"
            assert href.startswith(("https://", "http://", "mailto:"))
        else:
            assert attrs == {}


def test_typed_html_shows_as_text() -> None:
    html = render_markup("<script>alert(1)</script>")
    assert html == "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>"


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        ("<script>alert(1)</script><p>ok</p>", "<p>ok</p>"),
        ('<p><img src="x" onerror="alert(1)">t</p>', "<p>t</p>"),
        ('<a href="javascript:alert(1)">x</a>', f"<a {REL}>x</a>"),
        ('<a href=" JAVASCRIPT:alert(1)">x</a>', f"<a {REL}>x</a>"),
        ('<a href="data:text/html,hi">x</a>', f"<a {REL}>x</a>"),
        ('<a href="/relative">x</a>', f"<a {REL}>x</a>"),
        ('<a href="//evil.org">x</a>', f"<a {REL}>x</a>"),
        ('<p style="color:red" class="c" id="i">x</p>', "<p>x</p>"),
        (
            '<a href="https://ok.org" rel="opener" target="_blank">x</a>',
            f'<a href="https://ok.org" {REL}>x</a>',
        ),
        ("<h1>big</h1><div><em>e</em></div>", "big<em>e</em>"),
        ("<!-- note --><strong>s</strong>", "<strong>s</strong>"),
        ("<style>p{}</style><ul><li>i</li></ul>", "<ul><li>i</li></ul>"),
    ],
)
def test_the_sanitiser_keeps_only_the_allow_list(html: str, expected: str) -> None:
    assert sanitise(html) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Hello\nworld\n\nSecond **strong** *em*",
        "Intro:\n- a *x*\n- b\n\n1. one\n2. two",
        "see https://un.org/a?b=1&c=2 and [site](https://un.org) and [*it*](mailto:a@b.org)",
        "<b>not html</b> & 5 * 3",
        "[bad](javascript:x) https://un.org/).",
    ],
)
def test_stored_html_turns_back_into_the_same_markup(text: str) -> None:
    html = render_markup(text)
    assert render_markup(to_source(html)) == html
