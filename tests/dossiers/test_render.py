"""The dossier PDF: its parts, page count, outline, contents numbers and links, stamps and
metadata, checked by opening the output (see render_support for the expected pages)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pikepdf
import pypdf
import pytest
import typst

from app.dossiers.render import build_dossier_pdf
from app.dossiers.render_spec import (
    CommentDigestSpec,
    DossierLabels,
    DossierResult,
    DossierSpec,
    SectionSpec,
)
from tests.dossiers.render_support import (
    BUILT_AT,
    EXPECTED,
    HOSTILE,
    PAPER_PAGES,
    SCRIPTS,
    TOTAL,
    make_paper,
    make_spec,
    page_texts,
    paper,
    stamp_box,
)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[DossierResult, Path]:
    folder = tmp_path_factory.mktemp("dossier")
    out = folder / "dossier.pdf"
    return build_dossier_pdf(make_spec(folder), out), out


def test_page_count_is_the_sum_of_the_parts(built: tuple[DossierResult, Path]) -> None:
    result, path = built
    cover = contents = contributors = annex = 1
    sections = [1 + (1 + 3) + (1 + 2) + 1, 1 + (1 + 1)]  # intro, separator + pages, comments
    assert result.page_count == cover + contents + contributors + sum(sections) + annex == TOTAL
    assert len(pikepdf.open(path).pages) == TOTAL
    assert result.paper_pages == PAPER_PAGES


def test_papers_pages_follow_their_separators_in_order(built: tuple[DossierResult, Path]) -> None:
    _result, path = built
    texts = page_texts(path)
    for tracking, name, (first, last) in [
        ("P-1", "alpha", PAPER_PAGES["P-1"]),
        ("P-2", "beta", PAPER_PAGES["P-2"]),
        ("P-4", "gamma", PAPER_PAGES["P-4"]),
    ]:
        separator = texts[first - 2]
        assert tracking in separator and "Green Future Network" in separator
        for number, page in enumerate(range(first, last + 1), start=1):
            assert f"{name} page {number}" in texts[page - 1]


def test_outline_mirrors_sections_and_papers(built: tuple[DossierResult, Path]) -> None:
    result, path = built
    reader = pypdf.PdfReader(path)

    def flatten(items: list[Any], level: int = 0) -> list[tuple[str, int, int]]:
        found = []
        for item in items:
            if isinstance(item, list):
                found.extend(flatten(item, level + 1))
            else:
                found.append((item.title, reader.get_destination_page_number(item) + 1, level))
        return found

    assert flatten(reader.outline) == [
        ("Contents", EXPECTED["contents"], 0),
        ("Contributing organisations", EXPECTED["contributors"], 0),
        ("Item 1: Financing for development", EXPECTED["section-1"], 0),
        ("P-1 · Climate finance now", EXPECTED["P-1"], 1),
        ("P-2 · Debt relief", EXPECTED["P-2"], 1),
        ("Comments on item 1", EXPECTED["comments-1"], 1),
        ("Item 2: Follow-up", EXPECTED["section-2"], 0),
        ("P-4 · Monitoring", EXPECTED["P-4"], 1),
        ("Annex: papers not included in this PDF", EXPECTED["annex"], 0),
    ]
    assert [(e.title, e.page, e.level) for e in result.outline] == flatten(reader.outline)


def contents_lines(path: Path) -> dict[str, int]:
    """Each contents line's text (without leader dots) -> the number at its end."""
    lines = {}
    for line in page_texts(path)[EXPECTED["contents"] - 1].splitlines():
        words = line.replace(".", " ").split()
        if len(words) > 1 and words[-1].isdigit():
            lines[" ".join(words[:-1])] = int(words[-1])
    return lines


def test_contents_numbers_are_the_real_pages(built: tuple[DossierResult, Path]) -> None:
    _result, path = built
    texts = page_texts(path)
    lines = contents_lines(path)
    expected = {
        "Contributing organisations": "contributors",
        "Item 1: Financing for development": "section-1",
        "P-1 · Climate finance now — Green Future Network": "P-1",
        "P-2 · Debt relief — Green Future Network": "P-2",
        "Comments on item 1": "comments-1",
        "Item 2: Follow-up": "section-2",
        "P-4 · Monitoring — Green Future Network": "P-4",
        "Annex: papers not included in this PDF": "annex",
    }
    assert {text: lines.get(text) for text in expected} == {
        text: EXPECTED[target] for text, target in expected.items()
    }
    # and those pages are what the entries say
    assert "Financing for development" in texts[lines["Item 1: Financing for development"] - 1]
    assert (
        "Climate finance now"
        in texts[lines["P-1 · Climate finance now — Green Future Network"] - 1]
    )
    assert "Scanned letter" in texts[lines["Annex: papers not included in this PDF"] - 1]


def test_contents_links_go_to_the_entries_pages(built: tuple[DossierResult, Path]) -> None:
    _result, path = built
    reader = pypdf.PdfReader(path)
    contents = reader.pages[EXPECTED["contents"] - 1]
    heights: dict[str, float] = {}

    def visit(text: str, cm: list[float], tm: list[float], *_: Any) -> None:
        y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
        for key in ("P-1", "P-2", "P-4", "Item 1", "Item 2", "Annex", "Comments"):
            if text.startswith(key):
                heights.setdefault(key, y)

    contents.extract_text(visitor_text=visit)
    targets = {"P-1": "P-1", "P-2": "P-2", "P-4": "P-4", "Item 1": "section-1",
               "Item 2": "section-2", "Annex": "annex", "Comments": "comments-1"}  # fmt: skip
    assert set(heights) == set(targets)
    links = [annot.get_object() for annot in contents["/Annots"]]
    assert links and all("/A" not in link for link in links)  # no stray URI actions
    for key, y in heights.items():
        on_line = [link for link in links if link["/Rect"][1] - 2 <= y <= link["/Rect"][3] + 2]
        assert on_line, key
        for link in on_line:
            page = reader.get_page_number(link["/Dest"][0].get_object()) + 1
            assert page == EXPECTED[targets[key]], key


def test_every_page_carries_its_stamp(built: tuple[DossierResult, Path]) -> None:
    _result, path = built
    for number, text in enumerate(page_texts(path), start=1):
        assert f"Page {number} of {TOTAL}" in text


def test_stamps_lie_inside_each_visible_page(built: tuple[DossierResult, Path]) -> None:
    _result, path = built
    with pikepdf.open(path) as pdf:
        for page in pdf.pages:
            left, bottom, right, top = stamp_box(page)
            x0, y0, x1, y1 = (float(v) for v in page.cropbox)
            assert x0 <= left < right <= x1 and y0 <= bottom < top <= y1
            assert right > (x0 + x1) / 2 and bottom < (y0 + y1) / 2  # bottom right


def test_paper_page_sizes_are_kept(built: tuple[DossierResult, Path]) -> None:
    _result, path = built
    with pikepdf.open(path) as pdf:
        sizes = [tuple(round(float(v)) for v in pdf.pages[n - 1].mediabox) for n in (6, 10, 15)]
    assert sizes == [(0, 0, 595, 842), (0, 0, 612, 792), (0, 0, 595, 420)]


def test_metadata(built: tuple[DossierResult, Path]) -> None:
    _result, path = built
    with pikepdf.open(path) as pdf:
        info = pdf.docinfo
        assert str(info.Title) == "Second session — Sustainable finance consultation"
        assert str(info.Author) == "Plenary"
        assert str(info.Subject) == "Dossier build 3"
        assert str(info.CreationDate).startswith("D:20260504093000")
        with pdf.open_metadata() as xmp:
            assert xmp["dc:title"] == "Second session — Sustainable finance consultation"
        assert pdf.Root.PageMode == pikepdf.Name.UseOutlines
        assert Path(path).stat().st_size > 0


def test_result_hash_is_the_files(built: tuple[DossierResult, Path]) -> None:

    result, path = built
    assert result.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()


def test_paper_without_pdf_is_in_the_annex_only(built: tuple[DossierResult, Path]) -> None:
    result, path = built
    texts = page_texts(path)
    annex = texts[EXPECTED["annex"] - 1]
    assert "P-3" in annex and "Scanned letter" in annex and "letter.odt" in annex
    assert "P-3" not in result.paper_pages
    assert not any("P-3" in text for text in texts[3:-1])


def test_contributors_by_country_then_type(built: tuple[DossierResult, Path]) -> None:
    _result, path = built
    text = page_texts(path)[EXPECTED["contributors"] - 1]
    order = [
        text.index(word) for word in ("Brazil", "Rede Sul", "Kenya", "Uni Lab", "Green Future")
    ]
    assert order == sorted(order)


def test_typst_special_characters_and_scripts_render_literally(tmp_path: Path) -> None:
    spec = make_spec(tmp_path, meeting_title=HOSTILE, venue_text=SCRIPTS)
    spec.sections[0].papers[0] = paper("P-1", HOSTILE, make_paper(tmp_path, "x", 1))
    spec.sections[0].comments[0] = CommentDigestSpec(
        HOSTILE, None, "today", HOSTILE + "\n" + SCRIPTS
    )
    out = tmp_path / "d.pdf"
    result = build_dossier_pdf(spec, out)
    texts = [" ".join(t.split()) for t in page_texts(out)]
    assert HOSTILE in texts[0]  # cover
    assert "Привет мир" in texts[0]
    assert HOSTILE in texts[result.paper_pages["P-1"][0] - 2]  # separator
    assert texts[EXPECTED["comments-1"] - 3].count(HOSTILE) == 2  # P-1 has 1 page now
    assert result.outline[3].title == f"P-1 · {HOSTILE}"


def test_chinese_renders_when_a_cjk_font_is_installed(tmp_path: Path) -> None:
    families = " ".join(typst.Fonts().families()).lower()
    if not any(name in families for name in ("cjk", "wenquanyi", "wqy", "han sans", "droid")):
        pytest.skip("no CJK font installed: Chinese would show as missing glyphs")
    out = tmp_path / "d.pdf"
    build_dossier_pdf(make_spec(tmp_path, venue_text=SCRIPTS), out)
    assert "你好世界" in page_texts(out)[0]


def test_a_long_title_keeps_its_separator_to_one_page(tmp_path: Path) -> None:
    spec = make_spec(tmp_path)
    spec.sections[0].papers[0] = paper(
        "P-1", "Very long title " * 200, make_paper(tmp_path, "y", 3)
    )
    result = build_dossier_pdf(spec, tmp_path / "d.pdf")
    assert result.paper_pages == PAPER_PAGES and result.page_count == TOTAL


def test_a_dossier_without_papers(tmp_path: Path) -> None:
    spec = make_spec(tmp_path, sections=[SectionSpec("1", "Opening")], contributors=[])
    out = tmp_path / "d.pdf"
    result = build_dossier_pdf(spec, out)
    texts = page_texts(out)
    assert result.page_count == 4 == len(texts)  # cover, contents, contributors, item 1
    assert "No contributions." in texts[2] and "Page 4 of 4" in texts[3]
    assert result.paper_pages == {}
    bare = make_spec(tmp_path, sections=[], contributors=[])
    assert build_dossier_pdf(bare, tmp_path / "bare.pdf").page_count == 3
    assert [
        f"Page {n} of 3" in text for n, text in enumerate(page_texts(tmp_path / "bare.pdf"), 1)
    ] == [True] * 3


def test_typst_gets_the_data_as_json_only() -> None:
    from app.dossiers import render_typst

    source = (render_typst.TEMPLATE_DIR / "dossier.typ").read_text(encoding="utf-8")
    assert "json(bytes(sys.inputs.data))" in source
    assert "eval(" not in source
    data = render_typst.body_data(make_spec_without_files())
    assert json.loads(json.dumps(data)) == data


def make_spec_without_files() -> DossierSpec:
    return DossierSpec("P", "M", "d", "v", 1, BUILT_AT, "me", [SectionSpec("1", HOSTILE)])


def test_labels_can_be_translated(tmp_path: Path) -> None:

    labels = DossierLabels(contents="Table des matières", page_stamp="Page {page} sur {total}")
    out = tmp_path / "d.pdf"
    build_dossier_pdf(make_spec(tmp_path, labels=labels, language="fr"), out)
    texts = page_texts(out)
    assert "Table des matières" in texts[1] and f"Page 7 sur {TOTAL}" in texts[6]
    assert str(pikepdf.open(out).Root.Lang) == "fr"
