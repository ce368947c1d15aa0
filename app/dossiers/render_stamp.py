"""Lay the typeset page stamps over the dossier's pages.

Page i of the stamp document (Typst, exactly the stamp's size) becomes a Form XObject drawn on
page i of the dossier at the bottom right of the visible page as the reader sees it (crop box,
/Rotate). That is what `Page.add_overlay` does, done here in bulk for thousands of pages:

- the stamp pages' content streams become the forms in place (no copy of their data);
- every page names its stamp alike in its own resources, so pages of the same geometry and
  stamp size share one placement stream, and all share one "save state" stream;
- each page's content streams are left as they are, not coalesced (add_overlay's last step,
  which would decompress and recompress every paper page on save).
"""

from __future__ import annotations

from typing import Any

import pikepdf
from pikepdf import Array, Dictionary, Name, Operator, Page, Pdf, Rectangle

from app.dossiers.render_spec import DossierError

MARGIN = (28.0, 14.0)  # points from the reader's right and bottom edges of the visible page
STAMP = Name("/PlenaryPageStamp")


class Stamper:
    """Lays stamp documents over the dossier's pages; shares placements across calls."""

    def __init__(self, dossier: Pdf, pages: list[Page]) -> None:
        self.dossier = dossier
        self.pages = pages
        # Separate content streams of a page are read as one: each of ours ends on a newline.
        q = pikepdf.unparse_content_stream([([], Operator("q"))]) + b"\n"
        self.save = dossier.make_stream(q)
        self.restore = pikepdf.unparse_content_stream([([], Operator("Q"))]) + b"\n"
        self.placements: dict[tuple[Any, ...], pikepdf.Stream] = {}
        self.private: set[tuple[int, int]] = set()  # resource dictionaries already ours
        self.ours: set[tuple[int, int]] = set()  # the stamp forms
        self.stamped = 0

    def apply(self, stamps: Pdf, first: int) -> None:
        """Lay page i of `stamps` over page first + i of the dossier (0-based)."""
        if first + len(stamps.pages) > len(self.pages):
            raise DossierError("more stamps than pages")
        forms = _as_forms(stamps)
        # One call for all: what they share (the font) is copied once.
        copies = self.dossier.copy_foreign(stamps.make_indirect(Array([f for f, _ in forms])))
        self.ours.update(form.objgen for form in copies)
        targets = self.pages[first : first + len(forms)]
        self.stamped += len(targets)
        for page, form, (_, size) in zip(targets, copies, forms, strict=True):
            name = _register(page, form, self.private, self.ours)
            geometry = (page.mediabox.unparse(), page.cropbox.unparse(), page.rotation, size)
            placement = self.placements.get(geometry) if name == STAMP else None
            if placement is None:
                rect = stamp_rect(page, *size)
                drawing = page.calc_form_xobject_placement(form, name, rect, allow_expand=False)
                placement = self.dossier.make_stream(self.restore + drawing + b"\n")
                if name == STAMP:
                    self.placements[geometry] = placement
            page.contents_add(self.save, prepend=True)
            page.contents_add(placement)


def _register(
    page: Page, form: Any, private: set[tuple[int, int]], ours: set[tuple[int, int]]
) -> Name:
    """Put the form in this page's own XObject resources; return the name it has there.

    Pages often share a resource dictionary (a paper's pages); a shared one is copied for
    this page first, so that a stamp never lands in another page's resources. The name is
    STAMP unless the page already uses it for something else (a dossier included as a paper).
    """
    resources: Any = page.resources
    if resources.is_indirect:
        if resources.objgen in private:
            resources = page.obj.Resources = resources.__copy__()
        else:
            private.add(resources.objgen)
    xobjects: Any = resources.get(Name.XObject)
    if not isinstance(xobjects, Dictionary):
        xobjects = resources.XObject = Dictionary()
    elif xobjects.is_indirect:
        if xobjects.objgen in private:
            xobjects = resources.XObject = xobjects.__copy__()
        else:
            private.add(xobjects.objgen)
    name = STAMP
    while name in xobjects and xobjects[name].objgen not in ours:
        name = Name.random(prefix="PlenaryPageStamp")
    xobjects[name] = form
    return name


def _as_forms(stamps: Pdf) -> list[tuple[Any, tuple[float, float]]]:
    """Each stamp page as a Form XObject (its content stream turned into one), and its size.

    Typst gives every page a resource dictionary of its own; those of the stamp pages say the
    same (one font, one colour space), so the forms share the first one: a few thousand
    objects fewer to copy, write and free. A page whose dictionary differs keeps its own.
    """
    forms = []
    shared = None
    for page in stamps.pages:
        box = page.mediabox
        size = (float(box[2]) - float(box[0]), float(box[3]) - float(box[1]))
        contents = page.obj.Contents
        if not isinstance(contents, pikepdf.Stream):
            forms.append((page.as_form_xobject(), size))
            continue
        resources = page.obj.Resources
        if shared is None:
            shared, shared_text = resources, resources.unparse(resolved=True)
        elif resources.unparse(resolved=True) == shared_text:
            resources = shared
        contents.Subtype = Name.Form
        contents.BBox = box
        contents.Resources = resources
        forms.append((contents, size))
    return forms


def stamp_rect(page: Page, width: float, height: float) -> Rectangle:
    """Bottom right of the visible page (crop box within media box) as the reader sees it.

    /Rotate decides which corner of the unrotated page that is; the placement then turns the
    stamp upright (calc_form_xobject_placement undoes the page's rotation).
    """
    media, crop = _normal(page.mediabox), _normal(page.cropbox)
    x0, y0 = max(media[0], crop[0]), max(media[1], crop[1])
    x1, y1 = min(media[2], crop[2]), min(media[3], crop[3])
    if x1 <= x0 or y1 <= y0:
        x0, y0, x1, y1 = media
    # On a page too small for stamp and margins, the stamp shrinks into its lower part.
    mx, my = min(MARGIN[0], (x1 - x0) / 4), min(MARGIN[1], (y1 - y0) / 4)
    rotate = page.rotation % 360
    if rotate == 90:  # the reader's bottom edge is the right edge, their right the top
        return Rectangle(max(x1 - my - height, x0), max(y1 - mx - width, y0), x1 - my, y1 - mx)
    if rotate == 180:
        return Rectangle(x0 + mx, max(y1 - my - height, y0), min(x0 + mx + width, x1), y1 - my)
    if rotate == 270:
        return Rectangle(x0 + my, y0 + mx, min(x0 + my + height, x1), min(y0 + mx + width, y1))
    return Rectangle(max(x1 - mx - width, x0), y0 + my, x1 - mx, min(y0 + my + height, y1))


def _normal(box: Any) -> tuple[float, float, float, float]:
    a, b, c, d = (float(value) for value in box)
    return min(a, c), min(b, d), max(a, c), max(b, d)
