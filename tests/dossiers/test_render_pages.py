"""The dossier PDF with awkward papers (rotated, cropped, tiny, sharing resources, inheriting
attributes, a dossier inside a dossier) and failures that must leave no file behind."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pikepdf
import pypdf
import pytest

from app.dossiers.render import build_dossier_pdf
from app.dossiers.render_spec import (
    DossierError,
)
from app.dossiers.render_stamp import stamp_rect
from tests.dossiers.render_support import (
    TOTAL,
    inherit_from_page_tree,
    make_paper,
    make_spec,
    page_texts,
    paper,
    stamp_box,
)


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


def test_a_dossier_can_be_a_paper_of_another(tmp_path: Path) -> None:
    inner = tmp_path / "inner.pdf"
    build_dossier_pdf(make_spec(tmp_path), inner)
    spec = make_spec(tmp_path)
    spec.sections[1].papers[0] = paper("P-4", "Last year's dossier", inner)
    out = tmp_path / "outer.pdf"
    result = build_dossier_pdf(spec, out)
    first, last = result.paper_pages["P-4"]
    assert last - first + 1 == TOTAL
    texts = page_texts(out)
    assert f"Page {first} of {result.page_count}" in texts[first - 1]
    assert f"Page 1 of {TOTAL}" in texts[first - 1]  # its own stamp stays too


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
