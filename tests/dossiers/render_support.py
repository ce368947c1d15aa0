"""Papers, specs and readers for the dossier engine's tests.

Papers are small PDFs typeset with Typst; each page says "<name> page <n>", so a test can tell
which paper page landed where. `make_spec` is kept short enough that every generated part
(cover, contents, contributors, each section's introduction, each comments digest, the annex)
is one page, which lets the tests know every page number (EXPECTED) without asking the engine.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pikepdf
import pypdf
import typst

from app.dossiers.render_spec import (
    CommentDigestSpec,
    Contributor,
    DossierSpec,
    PaperSpec,
    SectionSpec,
)

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


def page_texts(path: Path) -> list[str]:
    return [page.extract_text() for page in pypdf.PdfReader(path).pages]


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
