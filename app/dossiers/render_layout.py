"""Typeset the generated pages so that the contents carry the final page numbers.

Where a target lands in the merged dossier depends on where it lands among the generated pages
and on how many paper pages come before it. Typst tells the first (its labelled headings are
named destinations in its output); the papers' page counts give the second. So: one pass of
the whole document with the numbers left blank in slots of fixed width, then a second pass of
just the cover and contents with the numbers in the same slots (the same pages, checked), which
replace the first pass's. Typst is never asked where something landed, so each compile is a
single layout. Typst releases the GIL: all this runs in two threads while the papers' pages
are copied, and the page stamps, which need the page total, follow the first pass in chunks
that the caller lays over the pages as each one arrives.
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pikepdf
import typst
from pikepdf import Array, Dictionary, Name, Pdf

from app.dossiers import render_typst
from app.dossiers.render_output import opened_typeset
from app.dossiers.render_spec import DossierError, DossierSpec

TARGET_PREFIX = "plenary-"
MAX_PASSES = 3


@dataclass(frozen=True, slots=True)
class Layout:
    generated_pages: int
    front_pages: int  # cover and contents: the pages the second pass replaces
    targets: dict[str, int]  # target name (unprefixed) -> 0-based index among generated pages
    paper_counts: tuple[int, ...]  # page counts of the included papers, in order
    _separators: list[int] = field(default_factory=list)
    _pages_before: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        separators = [self.targets[f"paper-{i}"] for i in range(len(self.paper_counts))]
        self._separators.extend(separators)
        self._pages_before.extend(itertools.accumulate(self.paper_counts, initial=0))

    def total_pages(self) -> int:
        return self.generated_pages + self._pages_before[-1]

    def final_index(self, generated_index: int) -> int:
        """Where a generated page lands once every paper follows its separator."""
        papers_before = bisect.bisect_left(self._separators, generated_index)
        return generated_index + self._pages_before[papers_before]

    def page_of(self, target: str) -> int:
        """The target's 1-based page number in the dossier."""
        return self.final_index(self.targets[target]) + 1

    def numbers(self) -> dict[str, str]:
        return {name: str(self.page_of(name)) for name in self.targets}


@dataclass(frozen=True, slots=True)
class Body:
    full: bytes  # first pass: every generated page, contents numbers blank
    front: bytes  # second pass: cover and contents with the numbers
    layout: Layout
    data: dict[str, Any]  # what the template was given (headings, labels) for the outline


@dataclass(frozen=True, slots=True)
class Typesetting:
    body: Future[Body]
    # The stamps in STAMP_CHUNKS documents, each (index of the first page it stamps, PDF or
    # b"" if it has none), done as they come: laying one over the pages overlaps typesetting
    # the next.
    stamps: list[Future[tuple[int, bytes]]]


STAMP_CHUNKS = 4


def _chunk(total: int, chunk: int) -> range:
    """The 0-based page indexes that stamp document `chunk` covers."""
    return range(chunk * total // STAMP_CHUNKS, (chunk + 1) * total // STAMP_CHUNKS)


def typeset_in_background(
    pool: ThreadPoolExecutor,
    spec: DossierSpec,
    paper_counts: Future[list[int]],
    font_paths: Sequence[Path],
) -> Typesetting:
    """Typeset on `pool` (two threads): the body, and the stamps, which need the page total.

    Thread one: first pass, second pass, then the last stamp chunk. Thread two: waits for the
    first pass, then typesets the other chunks (about as long as the second pass and a chunk).
    The first pass starts at once; its layout waits for `paper_counts` (the caller opens the
    papers meanwhile, and must set it, to a result or an exception).
    """
    layout_done: Future[Layout] = Future()
    body_done: Future[Body] = Future()
    chunks: list[Future[tuple[int, bytes]]] = [Future() for _ in range(STAMP_CHUNKS)]

    def fail(exc: BaseException, futures: list[Future[Any]]) -> None:
        for future in futures:
            if not future.done():
                future.set_exception(exc)

    def stamps(engine: typst.Compiler, total: int, chunk: int) -> None:
        pages = _chunk(total, chunk)
        first, last = pages.start + 1, pages.stop  # 1-based page numbers
        try:
            pdf = render_typst.typeset_stamps(engine, spec, first, last, total) if pages else b""
        except BaseException as exc:
            fail(exc, chunks[chunk:])
            raise
        chunks[chunk].set_result((pages.start, pdf))

    def body_then_last_chunk() -> None:
        try:
            engine = render_typst.compiler(font_paths)
            full, layout, data = first_pass(engine, spec, paper_counts)
            layout_done.set_result(layout)
            front = front_pass(engine, spec, data, layout)
            body_done.set_result(Body(full=full, front=front, layout=layout, data=data))
        except BaseException as exc:
            fail(exc, [layout_done, body_done, chunks[-1]])
            raise
        stamps(engine, layout.total_pages(), STAMP_CHUNKS - 1)

    def other_chunks() -> None:
        try:
            engine = render_typst.compiler(font_paths)  # meanwhile the first pass runs
            total = layout_done.result().total_pages()
        except BaseException as exc:
            fail(exc, chunks[:-1])
            raise
        for chunk in range(STAMP_CHUNKS - 1):
            stamps(engine, total, chunk)

    pool.submit(body_then_last_chunk)
    pool.submit(other_chunks)
    return Typesetting(body=body_done, stamps=chunks)


def first_pass(
    engine: typst.Compiler, spec: DossierSpec, paper_counts: Future[list[int]]
) -> tuple[bytes, Layout, dict[str, Any]]:
    """Every generated page, the contents' numbers blank; where each target landed."""
    data = render_typst.body_data(spec)
    data.update(front_only=False, numbers=None)
    for _attempt in range(MAX_PASSES):
        full = render_typst.typeset(engine, "dossier.typ", data, spec)
        layout = _layout(full, tuple(paper_counts.result()), data)
        digits = len(str(layout.total_pages()))
        if digits <= data["digits"]:
            return full, layout, data
        data["digits"] = digits  # a slot too narrow for the numbers: once more, wider
    raise DossierError("the page numbers did not fit their slots")


def front_pass(
    engine: typst.Compiler, spec: DossierSpec, data: dict[str, Any], layout: Layout
) -> bytes:
    """Cover and contents again, numbered, in the same slots: the same pages, checked."""
    front_data = {**data, "front_only": True, "numbers": layout.numbers()}
    front = render_typst.typeset(engine, "dossier.typ", front_data, spec)
    with opened_typeset(front) as pdf:
        if len(pdf.pages) != layout.front_pages:
            raise DossierError("the contents changed length when numbered")
    return front


def _layout(full: bytes, counts: tuple[int, ...], data: dict[str, Any]) -> Layout:
    with opened_typeset(full) as pdf:
        position = {page.obj.objgen: index for index, page in enumerate(pdf.pages)}
        targets = {
            name.removeprefix(TARGET_PREFIX): position[dest[0].objgen]
            for name, dest in named_destinations(pdf).items()
            if name.startswith(TARGET_PREFIX) and dest[0].objgen in position
        }
        generated = len(pdf.pages)
    missing = sorted(set(_expected_targets(data)) - set(targets))
    if missing:
        raise DossierError(f"the typeset pages lack link targets: {', '.join(missing[:3])}")
    separators = [targets[f"paper-{i}"] for i in range(len(counts))]
    if any(later <= earlier for earlier, later in itertools.pairwise(separators)):
        raise DossierError("the separator pages are out of order")
    return Layout(generated, targets["contributors"], targets, counts)


def _expected_targets(data: dict[str, Any]) -> list[str]:
    names = ["contributors"] + (["annex"] if data["annex"] else [])
    for section in data["sections"]:
        names.append(f"section-{section['index']}")
        names.extend(f"paper-{paper['index']}" for paper in section["papers"])
        if section["comments"]:
            names.append(f"comments-{section['index']}")
    return names


def named_destinations(pdf: Pdf) -> dict[str, Array]:
    """The document's named destinations as explicit ones ([page, /XYZ, …])."""
    names = pdf.Root.get(Name.Names)
    dests = names.get(Name.Dests) if isinstance(names, Dictionary) else None
    if dests is None:
        return {}
    explicit: dict[str, Array] = {}
    for key, value in pikepdf.NameTree(dests).items():
        dest = value.get(Name.D) if isinstance(value, Dictionary) else value
        if isinstance(dest, Array) and len(dest) > 0 and isinstance(dest[0], Dictionary):
            explicit[str(key)] = dest
    return explicit
