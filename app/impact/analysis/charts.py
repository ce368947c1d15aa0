"""Charts drawn on the server as SVG: the status matrix, progress over time, and participation
against progress. Each takes the same plain data the page shows in its table, so the picture and
the table cannot disagree. Colours follow the Okabe-Ito palette (distinguishable with the common
colour-vision deficiencies) and the matrix also marks each cell with a symbol, so colour is never
the only cue.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from app.i18n import gettext as _
from app.impact.analysis.svg import Svg, shorten

NO_REPORT = "no_report"
STATUS_ORDER = (
    "not_started",
    "in_progress",
    "partially_implemented",
    "implemented",
    "not_applicable",
    NO_REPORT,
)
STATUS_COLOURS = {
    "not_started": "#D55E00",
    "in_progress": "#E69F00",
    "partially_implemented": "#56B4E9",
    "implemented": "#009E73",
    "not_applicable": "#BBBBBB",
    NO_REPORT: "#FFFFFF",
}
STATUS_MARKS = {
    "not_started": "0",
    "in_progress": "\u2026",
    "partially_implemented": "\u00bd",
    "implemented": "\u2713",
    "not_applicable": "\u2013",
    NO_REPORT: "?",
}
SERIES_COLOURS = (
    "#0072B2",
    "#D55E00",
    "#009E73",
    "#CC79A7",
    "#E69F00",
    "#56B4E9",
    "#000000",
    "#F0E442",
)
SERIES_DASHES = (None, "6 3", "2 3", "8 3 2 3")


def status_label(status: str) -> str:
    labels = {
        "not_started": _("Not started"),
        "in_progress": _("In progress"),
        "partially_implemented": _("Partially implemented"),
        "implemented": _("Implemented"),
        "not_applicable": _("Not applicable"),
        NO_REPORT: _("No report yet"),
    }
    return labels.get(status, status)


@dataclass(frozen=True)
class Column:
    id: int
    label: str  # short: the recommendation's number
    text: str  # long: shown on hover


@dataclass(frozen=True)
class MatrixData:
    rows: Sequence[tuple[str, str]]  # (country code, country name)
    columns: Sequence[Column]
    # (country, recommendation id) -> status or NO_REPORT; a missing key: not addressed
    cells: dict[tuple[str, int], str] = field(default_factory=dict)


@dataclass(frozen=True)
class Series:
    label: str
    points: Sequence[tuple[date, float | None]]  # value 0..1, None: no score at that date
    key: str = ""  # what the series is of: a country code, a recommendation id


@dataclass(frozen=True)
class ScatterPoint:
    label: str
    x: float
    y: float


def _empty(svg: Svg, message: str) -> str:
    svg.text(svg.width / 2, svg.height / 2, message, text_anchor="middle", fill="#333333")
    return svg.render()


def status_matrix(data: MatrixData, *, ident: str, title: str, desc: str) -> str:
    label_width, cell, top = 170, 26, 70
    width = max(label_width + cell * len(data.columns) + 20, 620)
    legend_top = top + cell * len(data.rows) + 24
    height = legend_top + 26 * ((len(STATUS_ORDER) + 2) // 3) + 20
    svg = Svg(width, height, ident=ident, title=title, desc=desc)
    if not data.rows or not data.columns:
        return _empty(svg, _("No recommendations or countries to show."))
    for j, column in enumerate(data.columns):
        x = label_width + j * cell + cell / 2
        svg.open("g", {"transform": f"translate({x:.1f},{top - 8}) rotate(-60)"})
        svg.text(0, 0, shorten(column.label, 12), font_size=11)
        svg.close()
    for i, (code, name) in enumerate(data.rows):
        y = top + i * cell
        svg.text(label_width - 8, y + cell / 2 + 4, shorten(name, 24), text_anchor="end")
        for j, column in enumerate(data.columns):
            status = data.cells.get((code, column.id))
            x = label_width + j * cell
            if status is None:
                svg.element("rect", _cell(x, y, cell, "#F7F7F7", "#F7F7F7"))
                continue
            tip = f"{name} \u00b7 {column.label}: {status_label(status)}"
            svg.tooltip("rect", _cell(x, y, cell, STATUS_COLOURS.get(status, "#FFFFFF")), tip)
            mark_colour = "#FFFFFF" if status in ("not_started", "implemented") else "#000000"
            svg.text(
                x + cell / 2,
                y + cell / 2 + 4,
                STATUS_MARKS.get(status, ""),
                text_anchor="middle",
                fill=mark_colour,
                aria_hidden="true",
            )
    for k, status in enumerate(STATUS_ORDER):
        x = 10 + (k % 3) * 200
        y = legend_top + (k // 3) * 26
        svg.element("rect", _cell(x, y, 18, STATUS_COLOURS[status]))
        svg.text(x + 9, y + 13, STATUS_MARKS[status], text_anchor="middle", font_size=11)
        svg.text(x + 26, y + 13, status_label(status))
    return svg.render()


def _cell(x: float, y: float, size: float, fill: str, stroke: str = "#666666") -> dict[str, str]:
    return {
        "x": f"{x + 1:.1f}",
        "y": f"{y + 1:.1f}",
        "width": f"{size - 2:.1f}",
        "height": f"{size - 2:.1f}",
        "fill": fill,
        "stroke": stroke,
    }


@dataclass(frozen=True)
class _Frame:
    left: float
    top: float
    width: float
    height: float

    def y(self, value: float) -> float:
        return self.top + self.height * (1 - value)

    def x(self, share: float) -> float:
        return self.left + self.width * share


def _percent_axis(svg: Svg, frame: _Frame, label: str) -> None:
    for tick in (0, 0.25, 0.5, 0.75, 1):
        y = frame.y(tick)
        svg.element(
            "line",
            {"x1": frame.left, "x2": frame.left + frame.width, "y1": y, "y2": y, "stroke": "#DDD"},
        )
        svg.text(frame.left - 6, y + 4, f"{round(tick * 100)} %", text_anchor="end", font_size=11)
    mid = frame.top + frame.height / 2
    svg.open("g", {"transform": f"translate(14,{mid:.1f}) rotate(-90)"})
    svg.text(0, 0, label, text_anchor="middle")
    svg.close()


def progress_lines(series: Sequence[Series], *, ident: str, title: str, desc: str) -> str:
    dates = sorted({when for s in series for when, _v in s.points})
    legend_rows = (len(series) + 1) // 2
    frame = _Frame(left=70, top=20, width=560, height=260)
    height = int(frame.top + frame.height + 60 + legend_rows * 20)
    svg = Svg(700, height, ident=ident, title=title, desc=desc)
    if not dates or not series:
        return _empty(svg, _("No reports yet."))
    _percent_axis(svg, frame, _("Progress score"))
    first, last = dates[0], dates[-1]
    span = max((last - first).days, 1)

    def share(when: date) -> float:
        return 0.5 if first == last else (when - first).days / span

    for when in dict.fromkeys([first, dates[len(dates) // 2], last]):
        svg.text(frame.x(share(when)), frame.y(0) + 18, when.isoformat(), text_anchor="middle")
    for k, one in enumerate(series):
        colour = SERIES_COLOURS[k % len(SERIES_COLOURS)]
        dash = SERIES_DASHES[(k // len(SERIES_COLOURS)) % len(SERIES_DASHES)]
        known = [(when, v) for when, v in one.points if v is not None]
        coords = " ".join(f"{frame.x(share(w)):.1f},{frame.y(v):.1f}" for w, v in known)
        if len(known) > 1:
            svg.element(
                "polyline",
                {
                    "points": coords,
                    "fill": "none",
                    "stroke": colour,
                    "stroke-width": 2,
                    "stroke-dasharray": dash,
                },
            )
        for when, value in known:
            tip = f"{one.label}, {when.isoformat()}: {round(value * 100)} %"
            svg.tooltip(
                "circle",
                {"cx": frame.x(share(when)), "cy": frame.y(value), "r": 3.5, "fill": colour},
                tip,
            )
        lx = 20 + (k % 2) * 340
        ly = frame.top + frame.height + 44 + (k // 2) * 20
        svg.element(
            "line",
            {
                "x1": lx,
                "x2": lx + 28,
                "y1": ly - 4,
                "y2": ly - 4,
                "stroke": colour,
                "stroke-width": 3,
                "stroke-dasharray": dash,
            },
        )
        svg.text(lx + 34, ly, shorten(one.label, 40))
    return svg.render()


def scatter(
    points: Sequence[ScatterPoint], *, x_label: str, ident: str, title: str, desc: str
) -> str:
    frame = _Frame(left=70, top=20, width=520, height=300)
    svg = Svg(640, 390, ident=ident, title=title, desc=desc)
    if not points:
        return _empty(svg, _("No countries with both measures."))
    _percent_axis(svg, frame, _("Progress score"))
    top = max(max(p.x for p in points), 1.0)
    ticks = _ticks(top)
    top = ticks[-1]
    for tick in ticks:
        x = frame.x(tick / top)
        svg.element("line", {"x1": x, "x2": x, "y1": frame.top, "y2": frame.y(0), "stroke": "#EEE"})
        label = f"{tick:g}"
        svg.text(x, frame.y(0) + 16, label, text_anchor="middle", font_size=11)
    svg.text(frame.left + frame.width / 2, frame.y(0) + 40, x_label, text_anchor="middle")
    for point in points:
        cx, cy = frame.x(point.x / top), frame.y(point.y)
        tip = f"{point.label}: {point.x:g}, {round(point.y * 100)} %"
        svg.tooltip("circle", {"cx": cx, "cy": cy, "r": 5, "fill": "#0072B2"}, tip)
        svg.text(cx + 7, cy - 6, shorten(point.label, 14), font_size=10, fill="#333333")
    return svg.render()


def _ticks(top: float) -> list[float]:
    """About five round ticks from 0 to at least `top`."""
    step = 1.0
    for candidate in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000):
        step = float(candidate)
        if top / step <= 6:
            break
    count = int(-(-top // step))
    return [step * i for i in range(count + 1)]
