"""Each chart of the dashboard with the table of its numbers: one function per chart makes both
from the Dashboard, so the SVG, its PNG copy, the HTML table and the CSV download always agree.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from babel.numbers import format_percent

from app import i18n
from app.i18n import gettext as _
from app.impact.analysis import charts
from app.impact.analysis.charts import NO_REPORT, STATUS_ORDER
from app.impact.analysis.dashboard import Dashboard
from app.impact.analysis.filters import Measure, measure_label


class ChartName(enum.StrEnum):
    matrix = "matrix"
    countries = "countries"
    recommendations = "recommendations"
    participation = "participation"


class Kind(enum.StrEnum):
    text = "text"
    number = "number"
    share = "share"  # 0..1, shown as a percentage
    status = "status"


@dataclass(frozen=True)
class Table:
    caption: str
    header: list[str]
    kinds: list[Kind]
    rows: list[list[object]] = field(default_factory=list)


@dataclass(frozen=True)
class ChartView:
    name: ChartName
    title: str
    desc: str
    svg: str
    width: int
    table: Table


def percent(value: object) -> str:
    if value is None:
        return "\u2014"
    return str(format_percent(float(str(value)), locale=i18n.current_locale.get()))


def display(value: object, kind: Kind) -> str:
    """A cell as the HTML table shows it."""
    if kind is Kind.share:
        return percent(value)
    if kind is Kind.status:
        return charts.status_label(str(value)) if value else ""
    return "" if value is None else str(value)


def _width(svg: str) -> int:
    start = svg.index('width="') + 7
    return int(svg[start : svg.index('"', start)])


def _matrix(board: Dashboard) -> ChartView:
    counts = dict.fromkeys(STATUS_ORDER, 0)
    for status in board.matrix.cells.values():
        counts[status] = counts.get(status, 0) + 1
    title = _("Status of each recommendation by country")
    desc = _(
        "%(recs)s recommendations and %(countries)s countries, as of %(date)s: "
        "%(done)s implemented, %(partial)s partially implemented, %(progress)s in progress, "
        "%(none)s not started, %(na)s not applicable, %(missing)s without a report. "
        "Empty cells: the recommendation is not addressed to that country."
    ) % {
        "recs": len(board.matrix.columns),
        "countries": len(board.matrix.rows),
        "date": board.filters.as_of.isoformat(),
        "done": counts["implemented"],
        "partial": counts["partially_implemented"],
        "progress": counts["in_progress"],
        "none": counts["not_started"],
        "na": counts["not_applicable"],
        "missing": counts[NO_REPORT],
    }
    svg = charts.status_matrix(board.matrix, ident="chart-matrix", title=title, desc=desc)
    table = Table(
        caption=title,
        header=[_("Country"), *[c.label for c in board.matrix.columns]],
        kinds=[Kind.text, *[Kind.status for _c in board.matrix.columns]],
        rows=[
            [name, *[board.matrix.cells.get((code, c.id)) for c in board.matrix.columns]]
            for code, name in board.matrix.rows
        ],
    )
    return ChartView(ChartName.matrix, title, desc, svg, _width(svg), table)


def _lines(board: Dashboard, name: ChartName) -> ChartView:
    by_country = name is ChartName.countries
    series = board.country_series if by_country else board.recommendation_series
    if by_country:
        title = _("Progress over time, by country")
        desc = _(
            "Progress score of %(n)s countries at %(points)s dates up to %(date)s: the share of "
            "the recommendations addressed to each country that it reports implemented, "
            "partially implemented ones counting half."
        )
        first = _("Country")
    else:
        title = _("Progress over time, by recommendation")
        desc = _(
            "Progress of %(n)s recommendations at %(points)s dates up to %(date)s: the share of "
            "the countries each is addressed to that report it implemented, partially "
            "implemented counting half."
        )
        first = _("Recommendation")
    desc = desc % {
        "n": len(series),
        "points": len(board.dates),
        "date": board.filters.as_of.isoformat(),
    }
    svg = charts.progress_lines(series, ident=f"chart-{name.value}", title=title, desc=desc)
    table = Table(
        caption=title,
        header=[first, *[when.isoformat() for when in board.dates]],
        kinds=[Kind.text, *[Kind.share for _d in board.dates]],
        rows=[[s.label, *[value for _when, value in s.points]] for s in series],
    )
    return ChartView(name, title, desc, svg, _width(svg), table)


def participation_table(board: Dashboard) -> Table:
    return Table(
        caption=_("Participation and progress, by country"),
        header=[
            _("Country"),
            measure_label(Measure.meetings),
            measure_label(Measure.inputs),
            measure_label(Measure.responses),
            _("Progress score"),
            _("Recommendations counted"),
            _("Implemented"),
            _("Partially implemented"),
            _("Not applicable"),
            _("No report yet"),
        ],
        kinds=[Kind.text, *[Kind.number] * 3, Kind.share, *[Kind.number] * 5],
        rows=[
            [
                row.name,
                row.meetings,
                row.inputs,
                row.responses,
                row.progress,
                row.score.counted if row.score else 0,
                row.score.implemented if row.score else 0,
                row.score.partial if row.score else 0,
                row.score.not_applicable if row.score else 0,
                row.score.unreported if row.score else 0,
            ]
            for row in board.participation
        ],
    )


def _participation(board: Dashboard) -> ChartView:
    measure = board.filters.measure
    result = board.correlation
    title = _("%(measure)s and progress score, by country") % {"measure": measure_label(measure)}
    desc = _(
        "Scatter plot of %(n)s countries: %(measure)s across, progress score up. "
        "The figures are in the table below the chart."
    ) % {"n": len(board.scatter_points()), "measure": measure_label(measure)}
    if result.rho is not None:
        desc += " " + _("Spearman's rho = %(rho).2f.") % {"rho": result.rho}
    svg = charts.scatter(
        board.scatter_points(),
        x_label=measure_label(measure),
        ident="chart-participation",
        title=title,
        desc=desc,
    )
    return ChartView(
        ChartName.participation, title, desc, svg, _width(svg), participation_table(board)
    )


def chart(board: Dashboard, name: ChartName) -> ChartView:
    if name is ChartName.matrix:
        return _matrix(board)
    if name is ChartName.participation:
        return _participation(board)
    return _lines(board, name)
