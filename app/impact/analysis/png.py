"""PNG copies of the SVG charts, for slides and reports, without a system graphics library: Typst
(the typesetter the dossiers already use) places the SVG on a page of exactly its size and
rasterises it. One SVG pixel becomes one Typst point; at 144 ppi the PNG is twice the SVG's size.
"""

from __future__ import annotations

import typst

from app.errors import AppError
from app.i18n import N_

PPI = 144
_DOCUMENT = (
    "#set page(width: auto, height: auto, margin: 0pt, fill: white)\n"
    '#image(bytes(sys.inputs.svg), format: "svg", width: {width}pt)\n'
)


def svg_to_png(svg: str, width: int) -> bytes:
    """Rasterise one chart; `width` is the SVG's own width in pixels."""
    document = _DOCUMENT.replace("{width}", str(int(width)))
    try:
        png = typst.compile(document.encode(), format="png", ppi=PPI, sys_inputs={"svg": svg})
    except typst.TypstError as exc:  # the SVG is ours, so this is a bug, never user input
        raise AppError(N_("The chart could not be converted to PNG."), status=500) from exc
    if isinstance(png, list):  # one page per element when a document has several pages
        png = png[0]
    return bytes(png)
