"""The dossier PDF engine: structure, numbers, links, stamps, metadata, hostile text, failures.

Papers are small PDFs typeset with Typst; each page says "<name> page <n>", so a test can tell
which paper page landed where. The spec is kept short enough that every generated part (cover,
contents, contributors, each section's introduction, each comments digest, the annex) is one
page, which lets the tests know every page number without asking the engine.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pikepdf
import pypdf
import pytest
import typst

from app.dossiers.render import build_dossier_pdf
from app.dossiers.render_spec import (
    CommentDigestSpec,
    Contributor,
    DossierError,
    DossierResult,
    DossierSpec,
    PaperSpec,
    SectionSpec,
)
from app.dossiers.render_stamp import stamp_rect

BUILT_AT = datetime(2026, 5, 4, 9, 30, tzinfo=UTC)
HOSTILE = 'Tricky #set $x^2$ *bold* _it_ @ref <label> [link] \\ "quoted" \'single\' #panic("x")'
SCRIPTS = "مرحبا بالعالم Привет мир 你好世界"

PAPER_SOURCE = """
#let name = sys.inputs.name
#set page(paper: sys.inputs.paper, flipped: sys.inputs.flipped == "yes")
#for n in range(int(sys.inputs.pages)) {
  if n > 0 { pagebreak() }
  [#name page #(n + 1)]
  lorem(40)
}
"""


def make_paper(
    folder: Path, name: str, pages: int, paper: str = "a4", flipped: bool = False
) -> Path:
    source = folder / "paper.typ"
    source.write_text(PAPER_SOURCE, encoding="utf-8")
    path = folder / f"{name}.pdf"
    inputs = {
        "name": name,
        "pages": str(pages),
        "paper": paper,
        "flipped": "yes" if flipped else "",
    }
    typst.compile(str(source), output=str(path), root=str(folder), sys_inputs=inputs)
    return path


def paper(tracking: str, title: str, pdf: Path | None, **extra: Any) -> PaperSpec:
    fields: dict[str, Any] = {
        "tracking_number": tracking,
        "title": title,
        "organisations": ["Green Future Network"],
        "country": "Kenya",
        "language": "English",
        "pdf_path": pdf,
        "original_name": f"{tracking}.docx",
        "sha256": "",
        "organisation_type": "Non-governmental organisation",
    }
    return PaperSpec(**(fields | extra))


def make_spec(folder: Path, **extra: Any) -> DossierSpec:
    """Section 1: P-1 (A4, 3 pages), P-2 (Letter, 2 pages), P-3 (no PDF), comments.
    Section 2: P-4 (A5 landscape, 1 page). Expected pages: see EXPECTED."""
    sections = [
        SectionSpec(
            number="1",
            title="Financing for development",
            background="Background of the item.\n\nSecond paragraph.",
            summary="Most contributions ask for a review.",
            papers=[
                paper("P-1", "Climate finance now", make_paper(folder, "alpha", 3)),
                paper("P-2", "Debt relief", make_paper(folder, "beta", 2, "us-letter")),
                paper("P-3", "Scanned letter", None, original_name="letter.odt"),
            ],
            comments=[CommentDigestSpec("Ana Lima", "Rede Sul", "4 May 2026", "We agree.")],
        ),
        SectionSpec(
            number="2",
            title="Follow-up",
            papers=[paper("P-4", "Monitoring", make_paper(folder, "gamma", 1, "a5", True))],
        ),
    ]
    fields: dict[str, Any] = {
        "process_title": "Sustainable finance consultation",
        "meeting_title": "Second session",
        "dates_text": "4-8 May 2026",
        "venue_text": "Geneva",
        "build_number": 3,
        "built_at": BUILT_AT,
        "built_by": "Olga Organiser",
        "sections": sections,
        "contributors": [
            Contributor("Green Future Network", "Kenya", "NGO"),
            Contributor("Rede Sul", "Brazil", "NGO"),
            Contributor("Uni Lab", "Kenya", "Academic"),
        ],
    }
    return DossierSpec(**(fields | extra))


# Where everything must be (1-based), worked out from the structure, not asked from the engine.
EXPECTED = {
    "contents": 2,
    "contributors": 3,
    "section-1": 4,
    "P-1": 5,  # separator; its pages 6-8
    "P-2": 9,  # separator; its pages 10-11
    "comments-1": 12,
    "section-2": 13,
    "P-4": 14,  # separator; its page 15
    "annex": 16,
}
PAPER_PAGES = {"P-1": (6, 8), "P-2": (10, 11), "P-4": (15, 15)}
TOTAL = 16


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[DossierResult, Path]:
    folder = tmp_path_factory.mktemp("dossier")
    out = folder / "dossier.pdf"
    return build_dossier_pdf(make_spec(folder), out), out


def page_texts(path: Path) -> list[str]:
    return [page.extract_text() for page in pypdf.PdfReader(path).pages]


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


def stamp_box(page: pikepdf.Page) -> tuple[float, float, float, float]:
    """Where the stamp form's box lands on the page (from the placement's cm)."""
    form = page.resources.XObject["/PlenaryPageStamp"]
    instructions = pikepdf.parse_content_stream(page.obj.Contents[-1])
    a, b, c, d, e, f = next(float_ops(i.operands) for i in instructions if str(i.operator) == "cm")
    bx0, by0, bx1, by1 = (float(v) for v in form.BBox)
    xs = [a * x + c * y + e for x, y in [(bx0, by0), (bx1, by1), (bx0, by1), (bx1, by0)]]
    ys = [b * x + d * y + f for x, y in [(bx0, by0), (bx1, by1), (bx0, by1), (bx1, by0)]]
    return min(xs), min(ys), max(xs), max(ys)


def float_ops(operands: Any) -> tuple[float, ...]:
    return tuple(float(value) for value in operands)


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
    import hashlib

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


def test_rotated_cropped_and_tiny_pages_get_stamps_inside(tmp_path: Path) -> None:
    source = pikepdf.open(make_paper(tmp_path, "r", 5, "a5"))
    for page, angle in zip(source.pages, (0, 90, 180, 270), strict=False):
        page.Rotate = angle
    source.pages[4].CropBox = [50, 60, 350, 500]
    tiny = pikepdf.open(make_paper(tmp_path, "t", 1, "a5"))
    tiny.pages[0].MediaBox = [0, 0, 60, 40]
    source.pages.append(tiny.pages[0])
    source.save(tmp_path / "rotated.pdf")
    spec = make_spec(tmp_path)
    spec.sections[0].papers[0] = paper("P-1", "Rotated", tmp_path / "rotated.pdf")
    out = tmp_path / "d.pdf"
    result = build_dossier_pdf(spec, out)
    first, last = result.paper_pages["P-1"]
    with pikepdf.open(out) as pdf:
        for number in range(first, last + 1):
            page = pdf.pages[number - 1]
            left, bottom, right, top = stamp_box(page)
            x0, y0, x1, y1 = (float(v) for v in page.cropbox)
            assert x0 - 0.01 <= left < right <= x1 + 0.01, number
            assert y0 - 0.01 <= bottom < top <= y1 + 0.01, number
    texts = page_texts(out)
    assert all(f"Page {n} of {result.page_count}" in texts[n - 1] for n in range(first, last + 1))


def test_stamp_corner_follows_rotation() -> None:
    pdf = pikepdf.new()
    page = pdf.add_blank_page(page_size=(600, 800))
    corners = {}
    for angle in (0, 90, 180, 270):
        page.Rotate = angle
        rect = stamp_rect(page, 60, 10)
        corners[angle] = (rect.llx > 300, rect.lly > 400)
    # the reader's bottom right: right-bottom, then right-top, left-top, left-bottom unrotated
    assert corners == {0: (True, False), 90: (True, True), 180: (False, True), 270: (False, False)}


def test_pages_sharing_resources_each_get_their_own_stamp(tmp_path: Path) -> None:
    shared = pikepdf.open(make_paper(tmp_path, "s", 1))
    for _ in range(3):
        shared.pages.append(shared.pages[0])  # copies of the page dictionary, one /Resources
    assert len({page.obj.Resources.objgen for page in shared.pages}) == 1
    shared.save(tmp_path / "shared.pdf")
    spec = make_spec(tmp_path)
    spec.sections[0].papers[0] = paper("P-1", "Shared", tmp_path / "shared.pdf")
    out = tmp_path / "d.pdf"
    result = build_dossier_pdf(spec, out)
    texts = page_texts(out)
    first, last = result.paper_pages["P-1"]
    assert last - first == 3
    for number in range(first, last + 1):
        assert f"Page {number} of {result.page_count}" in texts[number - 1]
        assert texts[number - 1].count(" of ") == 1


def test_a_dossier_can_be_a_paper_of_another(
    built: tuple[DossierResult, Path], tmp_path: Path
) -> None:
    _result, inner = built
    spec = make_spec(tmp_path)
    spec.sections[1].papers[0] = paper("P-4", "Last year's dossier", inner)
    out = tmp_path / "outer.pdf"
    result = build_dossier_pdf(spec, out)
    first, last = result.paper_pages["P-4"]
    assert last - first + 1 == TOTAL
    texts = page_texts(out)
    assert f"Page {first} of {result.page_count}" in texts[first - 1]
    assert f"Page 1 of {TOTAL}" in texts[first - 1]  # its own stamp stays too


def test_a_corrupt_paper_fails_without_leaving_a_file(tmp_path: Path) -> None:
    spec = make_spec(tmp_path)
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.7\nthis is not a PDF at all")
    spec.sections[1].papers[0] = paper("P-4", "Broken", broken)
    out_folder = tmp_path / "out"
    out_folder.mkdir()
    out = out_folder / "dossier.pdf"
    with pytest.raises(DossierError, match="P-4"):
        build_dossier_pdf(spec, out)
    assert list(out_folder.iterdir()) == []


def test_a_failure_while_saving_keeps_the_previous_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out_folder = tmp_path / "out"
    out_folder.mkdir()
    out = out_folder / "dossier.pdf"
    out.write_bytes(b"previous build")

    def fail(self: pikepdf.Pdf, target: Path, *args: Any, **kwargs: Any) -> None:
        Path(target).write_bytes(b"half a PDF")
        raise OSError("disk full")

    monkeypatch.setattr(pikepdf.Pdf, "save", fail)
    with pytest.raises(OSError, match="disk full"):
        build_dossier_pdf(make_spec(tmp_path), out)
    assert list(out_folder.iterdir()) == [out]
    assert out.read_bytes() == b"previous build"


def test_duplicate_tracking_numbers_are_refused(tmp_path: Path) -> None:
    spec = make_spec(tmp_path)
    spec.sections[1].papers[0] = paper("P-1", "Again", make_paper(tmp_path, "z", 1))
    with pytest.raises(DossierError, match="twice"):
        build_dossier_pdf(spec, tmp_path / "d.pdf")
    assert not (tmp_path / "d.pdf").exists()


def test_a_dossier_without_papers(tmp_path: Path) -> None:
    spec = make_spec(tmp_path, sections=[SectionSpec("1", "Opening")], contributors=[])
    out = tmp_path / "d.pdf"
    result = build_dossier_pdf(spec, out)
    texts = page_texts(out)
    assert result.page_count == 4 == len(texts)  # cover, contents, contributors, item 1
    assert "No contributions." in texts[2] and "Page 4 of 4" in texts[3]
    assert result.paper_pages == {}


def test_typst_gets_the_data_as_json_only() -> None:
    from app.dossiers import render_typst

    source = (render_typst.TEMPLATE_DIR / "dossier.typ").read_text(encoding="utf-8")
    assert "json(bytes(sys.inputs.data))" in source
    assert "eval(" not in source
    data = render_typst.body_data(make_spec_without_files(), {})
    assert json.loads(json.dumps(data)) == data


def make_spec_without_files() -> DossierSpec:
    return DossierSpec("P", "M", "d", "v", 1, BUILT_AT, "me", [SectionSpec("1", HOSTILE)])


def test_labels_can_be_translated(tmp_path: Path) -> None:
    from app.dossiers.render_spec import DossierLabels

    labels = DossierLabels(contents="Table des matières", page_stamp="Page {page} sur {total}")
    out = tmp_path / "d.pdf"
    build_dossier_pdf(make_spec(tmp_path, labels=labels, language="fr"), out)
    texts = page_texts(out)
    assert "Table des matières" in texts[1] and f"Page 7 sur {TOTAL}" in texts[6]
    assert str(pikepdf.open(out).Root.Lang) == "fr"


def test_attributes_inherited_from_the_page_tree_are_kept(tmp_path: Path) -> None:
    """LibreOffice puts /Resources and /MediaBox on the /Pages node, not on each page."""
    inherited = inherit_from_page_tree(make_paper(tmp_path, "inherit", 1, "us-letter"), tmp_path)
    tree = pypdf.PdfReader(inherited).trailer["/Root"]["/Pages"]  # pikepdf would push them down
    assert "/Resources" in tree and "/Resources" not in tree["/Kids"][0].get_object()
    spec = make_spec(tmp_path)
    spec.sections[0].papers[0] = paper("P-1", "Inherited", inherited)
    out = tmp_path / "d.pdf"
    result = build_dossier_pdf(spec, out)
    number = result.paper_pages["P-1"][0]
    text = page_texts(out)[number - 1]
    assert "inherit page 1" in text and f"Page {number} of {result.page_count}" in text
    with pikepdf.open(out) as pdf:
        assert [round(float(v)) for v in pdf.pages[number - 1].mediabox] == [0, 0, 612, 792]


def inherit_from_page_tree(path: Path, folder: Path) -> Path:
    """Move the one page's /Resources and /MediaBox up to /Pages.

    qpdf (hence pikepdf) writes such attributes onto the pages whenever it saves, so the file
    is saved in QDF form (one object per readable block) and the two lines are moved in its
    text; qpdf finds the objects again when the moved bytes have put its table off.
    """
    qdf = folder / "qdf.pdf"
    with pikepdf.open(path) as pdf:
        pdf.save(qdf, qdf=True, object_stream_mode=pikepdf.ObjectStreamMode.disable)
    text = qdf.read_bytes().decode("latin-1")
    resources = re.search(r"  /Resources \d+ 0 R\n", text)
    media_box = re.search(r"  /MediaBox \[\n(?:\s+[\d.]+\n){4}\s+\]\n", text)
    assert resources and media_box
    moved = resources.group(0) + media_box.group(0)
    text = text.replace(resources.group(0), "").replace(media_box.group(0), "")
    text = text.replace("  /Type /Pages\n", "  /Type /Pages\n" + moved, 1)
    out = folder / "inherited.pdf"
    out.write_bytes(text.encode("latin-1"))
    return out
