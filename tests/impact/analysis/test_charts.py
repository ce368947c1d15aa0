"""SVG charts are well-formed, accessible and escaped; the PNG copy is a real PNG of its size."""

from __future__ import annotations

import struct
import xml.etree.ElementTree as ET
from datetime import date

import pytest

from app.impact.analysis import charts, png
from app.impact.analysis.charts import Column, MatrixData, ScatterPoint, Series
from app.impact.analysis.svg import Svg

NS = "{http://www.w3.org/2000/svg}"
HOSTILE = "Evil <script>alert('x')</script> & \"quotes\" \x01"


def _parse(svg: str) -> ET.Element:
    root = ET.fromstring(svg)  # noqa: S314 - our own output
    assert root.tag == f"{NS}svg"
    assert root.get("role") == "img"
    title_id, desc_id = root.get("aria-labelledby", "").split()
    assert root.find(f"{NS}title").get("id") == title_id  # type: ignore[union-attr]
    assert root.find(f"{NS}desc").get("id") == desc_id  # type: ignore[union-attr]
    return root


def _texts(root: ET.Element) -> list[str]:
    return [el.text or "" for el in root.iter() if el.tag in (f"{NS}text", f"{NS}title")]


def _matrix() -> MatrixData:
    return MatrixData(
        rows=[("KE", "Kenya"), ("XX", HOSTILE)],
        columns=[Column(1, "1.1", "First"), Column(2, HOSTILE, "Second")],
        cells={("KE", 1): "implemented", ("KE", 2): charts.NO_REPORT, ("XX", 1): "not_started"},
    )


def test_matrix_is_well_formed_escaped_and_has_a_legend() -> None:
    svg = charts.status_matrix(_matrix(), ident="m", title=HOSTILE, desc="A grid")
    assert "<script>" not in svg
    root = _parse(svg)
    texts = _texts(root)
    assert root.find(f"{NS}title").text == HOSTILE.replace("\x01", " ")  # type: ignore[union-attr]
    # a tooltip per addressed cell, none for the cell not addressed
    tips = [t for t in texts if t.startswith(("Kenya \u00b7", "Evil"))]
    assert "Kenya \u00b7 1.1: Implemented" in tips
    assert any(t.endswith(": Not started") for t in tips)
    for label in ("Not started", "Implemented", "Not applicable", "No report yet"):
        assert label in texts
    filled = [r.get("fill") for r in root.iter(f"{NS}rect")]
    assert charts.STATUS_COLOURS["implemented"] in filled
    assert charts.STATUS_COLOURS["not_started"] in filled


def test_lines_and_scatter_are_well_formed() -> None:
    series = [
        Series("Kenya", [(date(2025, 3, 31), 0.0), (date(2025, 12, 31), 0.5)]),
        Series(HOSTILE, [(date(2025, 3, 31), None), (date(2025, 12, 31), 1.0)]),
    ]
    lines = _parse(charts.progress_lines(series, ident="l", title="Lines", desc="d"))
    assert len(list(lines.iter(f"{NS}polyline"))) == 1  # the second series has one known point
    assert len(list(lines.iter(f"{NS}circle"))) == 3
    assert "Kenya, 2025-12-31: 50 %" in _texts(lines)

    points = [ScatterPoint("KE", 3, 0.75), ScatterPoint(HOSTILE, 0, 0.0)]
    root = _parse(
        charts.scatter(points, x_label="Meetings attended", ident="s", title="S", desc="d")
    )
    texts = _texts(root)
    assert "Meetings attended" in texts
    assert "Progress score" in texts
    assert "KE: 3, 75 %" in texts
    assert len(list(root.iter(f"{NS}circle"))) == 2


def test_empty_charts_say_so() -> None:
    root = _parse(charts.scatter([], x_label="x", ident="s", title="S", desc="d"))
    assert "No countries with both measures." in _texts(root)
    root = _parse(charts.status_matrix(MatrixData([], []), ident="m", title="M", desc="d"))
    assert "No recommendations or countries to show." in _texts(root)


def test_writer_escapes_attributes_and_ids() -> None:
    svg = Svg(10, 10, ident='a"b c', title="t", desc="d")
    svg.element("rect", {"data-name": '"><script>x</script>'})
    out = svg.render()
    root = ET.fromstring(out)  # noqa: S314
    assert root.get("aria-labelledby") == "a-b-c-title a-b-c-desc"
    assert "<script>" not in out


@pytest.mark.parametrize("width", [320, 640])
def test_png_is_a_real_png_twice_the_svg_size(width: int) -> None:
    svg = charts.scatter(
        [ScatterPoint("KE", 1, 0.5)], x_label="x", ident="s", title="S", desc="d"
    ).replace('width="640"', f'width="{width}"', 1)
    data = png.svg_to_png(svg, width)
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert data[12:16] == b"IHDR"
    px_width, px_height = struct.unpack(">II", data[16:24])
    assert px_width == pytest.approx(width * png.PPI / 72, abs=2)
    assert 100 < px_height < 2000
    assert len(data) > 1000
