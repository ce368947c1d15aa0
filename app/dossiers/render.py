"""Build a meeting dossier PDF from a `DossierSpec`: typeset, merge, stamp, bookmark.

The generated pages (cover, contents, contributors, section introductions, one separator page
per paper, comments digests, annex) and the page stamps are typeset with Typst in two threads
(render_layout) while the papers' pages are copied into a new PDF with pikepdf (render_merge).
The page tree is then written in order, a stamp is laid over every page (render_stamp), the
contents links, outline and metadata are written, and the file is saved under a temporary name
that is renamed into place only when complete (render_output).

Blocking and CPU-bound: run it in the worker, never on the event loop.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pikepdf
from pikepdf import Array, Dictionary, Name, OutlineItem, Pdf

from app.dossiers import render_typst
from app.dossiers.render_layout import Layout, typeset_in_background
from app.dossiers.render_merge import copy_pages, link_contents, pdf_version, write_page_tree
from app.dossiers.render_output import atomic_output, opened_typeset, sha256_file
from app.dossiers.render_spec import (
    DossierError,
    DossierResult,
    DossierSpec,
    OutlineEntry,
    PaperSpec,
)
from app.dossiers.render_stamp import Stamper


def build_dossier_pdf(
    spec: DossierSpec, out_path: Path, *, font_paths: Sequence[Path] = ()
) -> DossierResult:
    """Write the dossier to `out_path` (atomically) and describe what was written.

    Raises DossierError, and writes nothing, when a paper's PDF cannot be read or the spec is
    inconsistent. `font_paths`: extra font folders for Typst (e.g. for CJK scripts).
    """
    _check_spec(spec)
    with ExitStack() as stack:  # every Pdf stays open until the dossier is saved

        def opened(data: bytes) -> Pdf:
            return stack.enter_context(opened_typeset(data))

        pool = stack.enter_context(ThreadPoolExecutor(2, thread_name_prefix="dossier-typst"))
        counts: Future[list[int]] = Future()
        typesetting = typeset_in_background(pool, spec, counts, font_paths)
        try:
            papers = _open_papers(spec, stack)
        except BaseException as exc:
            counts.set_exception(exc)  # or the typesetting thread would wait for ever
            raise
        counts.set_result([len(source.pages) for _paper, source in papers])
        dossier = stack.enter_context(pikepdf.new())
        copies = [copy_pages(dossier, source) for _paper, source in papers]
        body = typesetting.body.result()
        layout = body.layout
        full, front = opened(body.full), opened(body.front)
        generated = copy_pages(dossier, front)
        generated += copy_pages(dossier, full, list(full.pages)[layout.front_pages :])
        write_page_tree(dossier, _in_order(generated, copies, layout))
        pages = list(dossier.pages)
        link_contents(pages, range(layout.front_pages), layout.page_of)
        stamper = Stamper(dossier, pages)
        for chunk in as_completed(typesetting.stamps):
            first, stamps = chunk.result()
            if stamps:
                stamper.apply(opened(stamps), first)
        if stamper.stamped != len(pages):
            raise DossierError("not every page got its stamp")
        outline = _outline(body.data, layout)
        _write_outline(dossier, pages, outline)
        _set_metadata(dossier, spec, body.data)
        with atomic_output(out_path) as temp:
            sources = [source for _paper, source in papers]
            dossier.save(temp, min_version=pdf_version(full, *sources))
            sha256 = sha256_file(temp)
    paper_pages = {}
    for index, ((paper, _source), paper_copies) in enumerate(zip(papers, copies, strict=True)):
        first = layout.page_of(f"paper-{index}") + 1
        paper_pages[paper.tracking_number] = (first, first + len(paper_copies) - 1)
    return DossierResult(len(pages), sha256, outline, paper_pages)


def _in_order(generated: list[Any], papers: list[list[Any]], layout: Layout) -> list[Any]:
    """Generated pages in their order, each paper's pages right after its separator."""
    after = {layout.targets[f"paper-{index}"]: pages for index, pages in enumerate(papers)}
    ordered: list[Any] = []
    for index, page in enumerate(generated):
        ordered.append(page)
        ordered.extend(after.get(index, ()))
    if len(ordered) != layout.total_pages():
        raise DossierError("the dossier's pages do not add up")
    return ordered


def _check_spec(spec: DossierSpec) -> None:
    seen: set[str] = set()
    for _section, paper in spec.all_papers():
        if not paper.tracking_number:
            raise DossierError("a paper has no tracking number")
        if paper.tracking_number in seen:
            raise DossierError(f"paper {paper.tracking_number} appears twice")
        seen.add(paper.tracking_number)
    if spec.built_at.tzinfo is None:
        raise DossierError("built_at must be an aware datetime")


def _open_papers(spec: DossierSpec, stack: ExitStack) -> list[tuple[PaperSpec, Pdf]]:
    """Open every included paper; each stays open until the dossier is saved."""
    papers: list[tuple[PaperSpec, Pdf]] = []
    for _section, paper in spec.all_papers():
        if paper.pdf_path is None:
            continue
        try:
            source = stack.enter_context(pikepdf.open(paper.pdf_path))
            page_count = len(source.pages)
        except (pikepdf.PdfError, OSError) as exc:
            raise DossierError(f"paper {paper.tracking_number}: cannot read its PDF") from exc
        if page_count == 0:
            raise DossierError(f"paper {paper.tracking_number}: its PDF has no pages")
        papers.append((paper, source))
    return papers


def _outline(data: dict[str, Any], layout: Layout) -> list[OutlineEntry]:
    """The bookmarks, in the order of the contents."""

    page = layout.page_of
    labels = data["labels"]
    entries = [
        OutlineEntry(labels["contents"], 2, 0),  # the cover is always exactly one page
        OutlineEntry(labels["contributors"], page("contributors"), 0),
    ]
    for section in data["sections"]:
        entries.append(OutlineEntry(section["heading"], page(f"section-{section['index']}"), 0))
        for paper in section["papers"]:
            title = f"{paper['tracking']} · {paper['title']}"
            entries.append(OutlineEntry(title, page(f"paper-{paper['index']}"), 1))
        if section["comments"]:
            target = f"comments-{section['index']}"
            entries.append(OutlineEntry(section["comments_heading"], page(target), 1))
    if data["annex"]:
        entries.append(OutlineEntry(labels["annex"], page("annex"), 0))
    return entries


def _write_outline(dossier: Pdf, pages: list[pikepdf.Page], outline: list[OutlineEntry]) -> None:
    with dossier.open_outline() as tree:
        tree.root.clear()
        parent: OutlineItem | None = None
        for entry in outline:
            item = OutlineItem(entry.title, Array([pages[entry.page - 1].obj, Name.Fit]))
            if entry.level == 0 or parent is None:
                tree.root.append(item)
                parent = item
            else:
                parent.children.append(item)
    dossier.Root.PageMode = Name.UseOutlines


def _set_metadata(dossier: Pdf, spec: DossierSpec, data: dict[str, Any]) -> None:
    dossier.Root.Lang = pikepdf.String(data["lang"])
    dossier.Root.ViewerPreferences = Dictionary(DisplayDocTitle=True)
    created = render_typst.creation_date(spec).isoformat()
    with dossier.open_metadata(set_pikepdf_as_editor=False) as meta:
        meta["dc:title"] = data["title"]
        meta["dc:creator"] = ["Plenary"]
        meta["dc:description"] = data["subject"]
        meta["dc:language"] = [data["lang"]]
        meta["xmp:CreatorTool"] = "Plenary"
        meta["xmp:CreateDate"] = created
        meta["xmp:ModifyDate"] = created
