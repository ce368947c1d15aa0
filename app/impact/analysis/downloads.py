"""Downloads of the dashboard: each chart as SVG or PNG, each table as CSV, and the researchers'
export (one CSV row per country with every measure, plus a codebook) as a ZIP.

CSV follows the rest of Plenary (app/exports.py): UTF-8 with a byte-order mark, cells a
spreadsheet would run as formulas prefixed with an apostrophe. Shares are written as decimals
between 0 and 1 with four digits, statuses as their codes (the codebook lists them).
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Sequence
from urllib.parse import quote

from fastapi.responses import Response

from app import exports
from app.impact.analysis import png, statistics
from app.impact.analysis.charts import STATUS_ORDER
from app.impact.analysis.dashboard import Dashboard
from app.impact.analysis.filters import Measure
from app.impact.analysis.views import ChartView, Kind, Table
from app.moderation import regions


def _raw(value: object, kind: Kind) -> object:
    if kind is Kind.share and value is not None:
        return round(float(str(value)), 4)
    return value


def table_csv(table: Table) -> str:
    rows = ([_raw(v, k) for v, k in zip(row, table.kinds, strict=True)] for row in table.rows)
    return "".join(exports.csv_rows(table.header, rows))


def _attachment(body: bytes, filename: str, media_type: str) -> Response:
    disposition = f"attachment; filename=\"{filename}\"; filename*=UTF-8''{quote(filename)}"
    headers = {"Content-Disposition": disposition, "Cache-Control": "no-store"}
    return Response(body, media_type=media_type, headers=headers)


def _stem(board: Dashboard, name: str) -> str:
    return f"{board.process.slug}-{name}-{board.filters.as_of.isoformat()}"


def csv_download(board: Dashboard, view: ChartView) -> Response:
    body = table_csv(view.table).encode()
    return _attachment(body, _stem(board, view.name.value) + ".csv", exports.CSV_MEDIA_TYPE)


def svg_download(board: Dashboard, view: ChartView) -> Response:
    body = ('<?xml version="1.0" encoding="UTF-8"?>\n' + view.svg).encode()
    return _attachment(body, _stem(board, view.name.value) + ".svg", "image/svg+xml")


def png_download(board: Dashboard, view: ChartView) -> Response:
    body = png.svg_to_png(view.svg, view.width)
    return _attachment(body, _stem(board, view.name.value) + ".png", "image/png")


# --- the researchers' export ---------------------------------------------------------------------

EXPORT_HEADER = (
    "country_code",
    "region_m49",
    "subregion_m49",
    "meetings_attended",
    "civil_society_inputs",
    "questionnaire_responses",
    "progress_score",
    "recommendations_addressed",
    "recommendations_counted",
    "implemented",
    "partially_implemented",
    "not_applicable",
    "unreported",
)

CODEBOOK = """# Codebook: participation and progress, {process}

Exported from Plenary on {as_of} (reference date of every figure). Filters: region = {region};
agenda item = {item}. One row per country in data.csv; UTF-8 with a byte-order mark; empty cells
are missing values.

{columns}

Statuses: {statuses}. Only official reports (by the country's focal point) enter the score;
shadow reports by organisations are shown beside them on the dashboard but never counted.

## Rank correlations with the progress score

Spearman's rho (ties averaged); {confidence} % percentile bootstrap interval from {resamples}
resamples of countries with seed {seed}; no coefficient below {minimum} countries.

| measure | n | rho | interval low | interval high |
|---|---|---|---|---|
{correlations}

An association between participation and progress is not evidence that one causes the other.
See docs/analysis.md in the Plenary source for the method and its limitations.
"""


COLUMNS = (
    ("country_code", "ISO 3166-1 alpha-2 code"),
    ("region_m49, subregion_m49", "UN M49 region and sub-region codes of the country"),
    ("meetings_attended", "meetings of the process the country is recorded as taking part in"),
    (
        "civil_society_inputs",
        "papers submitted to the process's meetings by organisations based in the country "
        "(drafts and withdrawn papers not counted)",
    ),
    ("questionnaire_responses", "evaluation questionnaire responses from the country"),
    (
        "progress_score",
        "(implemented + 0.5 x partially_implemented) / recommendations_counted; empty when "
        "nothing applicable is addressed to the country",
    ),
    ("recommendations_addressed", "recommendations (within the filters) addressed to it"),
    ("recommendations_counted", "addressed minus not_applicable: the denominator of the score"),
    (
        "implemented, partially_implemented, not_applicable",
        "recommendations whose latest official report on or before the reference date has "
        "that status",
    ),
    (
        "unreported",
        "addressed, and no official report on or before the reference date (0 in the score)",
    ),
)


def export_rows(board: Dashboard) -> list[list[object]]:
    rows: list[list[object]] = []
    for row in board.participation:
        sub = regions.subregion_of(row.code)
        region = next(
            (code for code in ("002", "019", "142", "150", "009")
             if row.code in regions.countries_in(code)),
            None,
        )  # fmt: skip
        score = row.score
        rows.append(
            [
                row.code,
                region,
                sub,
                row.meetings,
                row.inputs,
                row.responses,
                None if row.progress is None else round(row.progress, 4),
                score.addressed if score else 0,
                score.counted if score else 0,
                score.implemented if score else 0,
                score.partial if score else 0,
                score.not_applicable if score else 0,
                score.unreported if score else 0,
            ]
        )
    return rows


def _fmt(value: float | None) -> str:
    return "" if value is None else f"{value:.4f}"


def codebook(board: Dashboard) -> str:
    lines: Sequence[str] = [
        f"| {measure.value} | {c.n} | {_fmt(c.rho)} | {_fmt(c.ci_low)} | {_fmt(c.ci_high)} |"
        for measure, c in ((m, board.correlations[m]) for m in Measure)
    ]
    item = next(
        (
            f"{i.number} {i.title}"
            for i in board.agenda_items
            if i.id == board.filters.agenda_item_id
        ),
        "all",
    )
    return CODEBOOK.format(
        process=board.process.title,
        as_of=board.filters.as_of.isoformat(),
        region=board.filters.region or "all",
        item=item,
        statuses=", ".join(s for s in STATUS_ORDER if s != "no_report"),
        confidence=round(statistics.CONFIDENCE * 100),
        resamples=statistics.BOOTSTRAP_RESAMPLES,
        seed=statistics.BOOTSTRAP_SEED,
        minimum=statistics.MIN_COUNTRIES,
        correlations="\n".join(lines),
        columns="\n".join(
            ["| column | meaning |", "|---|---|", *(f"| {c} | {m} |" for c, m in COLUMNS)]
        ),
    )


def export_zip(board: Dashboard) -> Response:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        data = "".join(exports.csv_rows(EXPORT_HEADER, export_rows(board)))
        archive.writestr("data.csv", data.encode())
        archive.writestr("codebook.md", codebook(board).encode())
    return _attachment(
        buffer.getvalue(), _stem(board, "participation-progress") + ".zip", "application/zip"
    )
