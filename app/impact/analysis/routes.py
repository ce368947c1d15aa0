"""HTML pages and downloads of a process's dashboard. Filters are plain GET parameters, so every
view works without JavaScript and can be bookmarked; downloads take the same parameters."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from app.impact.analysis import downloads, statistics, views
from app.impact.analysis.charts import status_label
from app.impact.analysis.deps import ViewedDashboard
from app.impact.analysis.filters import Measure, measure_label, measure_phrase
from app.impact.analysis.reading import number, reading
from app.impact.analysis.views import ChartName
from app.moderation import regions
from app.templating import render

router = APIRouter(tags=["impact analysis"])
BASE = "/processes/{slug}/dashboard"
PAGE = "impact/analysis/dashboard.html"

ChartParam = Annotated[ChartName, Query()]


@router.get(BASE)
def dashboard_page(request: Request, board: ViewedDashboard) -> Response:
    charts = {name: views.chart(board, name) for name in ChartName}
    measure = board.filters.measure
    context = {
        "process": board.process,
        "board": board,
        "filters": board.filters,
        "charts": charts,
        "base": f"/processes/{board.process.slug}/dashboard",
        "region_choices": regions.region_choices(),
        "measures": [(m.value, measure_label(m)) for m in Measure],
        "measure_label": measure_label,
        "reading": reading(board.correlation, measure_phrase(measure)),
        "correlations": [(m, measure_label(m), board.correlations[m]) for m in Measure],
        "number": number,
        "display": views.display,
        "status_label": status_label,
        "min_countries": statistics.MIN_COUNTRIES,
    }
    return render(request, PAGE, context)


@router.get(BASE + "/chart.svg")
def chart_svg(board: ViewedDashboard, chart: ChartParam = ChartName.matrix) -> Response:
    return downloads.svg_download(board, views.chart(board, chart))


@router.get(BASE + "/chart.png")
def chart_png(board: ViewedDashboard, chart: ChartParam = ChartName.matrix) -> Response:
    return downloads.png_download(board, views.chart(board, chart))


@router.get(BASE + "/table.csv")
def table_csv(board: ViewedDashboard, chart: ChartParam = ChartName.matrix) -> Response:
    return downloads.csv_download(board, views.chart(board, chart))


@router.get(BASE + "/export.zip")
def researcher_export(board: ViewedDashboard) -> Response:
    return downloads.export_zip(board)
