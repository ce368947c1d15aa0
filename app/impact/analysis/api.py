"""JSON API of the dashboard: GET /api/v1/processes/{slug}/dashboard with the same query
parameters as the page (region, item, as_of, measure) and the same numbers."""

from __future__ import annotations

from fastapi import APIRouter

from app.impact.analysis.dashboard import Dashboard
from app.impact.analysis.deps import ApiViewedDashboard
from app.impact.analysis.filters import Measure, measure_phrase
from app.impact.analysis.reading import reading
from app.impact.analysis.schemas import (
    CorrelationRead,
    CountryRead,
    DashboardRead,
    FiltersRead,
    MatrixCell,
    RecommendationRef,
    ScoreRead,
    SeriesRead,
)

router = APIRouter(prefix="/api/v1", tags=["impact analysis"])


def dashboard_read(board: Dashboard) -> DashboardRead:
    return DashboardRead(
        process_id=board.process.id,
        filters=FiltersRead(
            as_of=board.filters.as_of,
            region=board.filters.region,
            agenda_item_id=board.filters.agenda_item_id,
            measure=board.filters.measure.value,
        ),
        countries=[code for code, _name in board.countries],
        recommendations=[
            RecommendationRef(
                id=rec.id,
                number=rec.number,
                meeting_id=rec.meeting_id,
                agenda_item_id=rec.agenda_item_id,
                text=rec.text,
            )
            for rec in board.recommendations
        ],
        matrix=[
            MatrixCell(country=country, recommendation_id=rec_id, status=status)
            for (country, rec_id), status in sorted(board.matrix.cells.items())
        ],
        dates=board.dates,
        progress_by_country=[
            SeriesRead(key=s.key, label=s.label, values=[v for _d, v in s.points])
            for s in board.country_series
        ],
        progress_by_recommendation=[
            SeriesRead(key=s.key, label=s.label, values=[v for _d, v in s.points])
            for s in board.recommendation_series
        ],
        participation=[
            CountryRead(
                country=row.code,
                name=row.name,
                meetings_attended=row.meetings,
                civil_society_inputs=row.inputs,
                questionnaire_responses=row.responses,
                progress=ScoreRead(
                    value=row.score.value,
                    addressed=row.score.addressed,
                    counted=row.score.counted,
                    implemented=row.score.implemented,
                    partially_implemented=row.score.partial,
                    not_applicable=row.score.not_applicable,
                    unreported=row.score.unreported,
                )
                if row.score
                else None,
            )
            for row in board.participation
        ],
        correlations=[
            CorrelationRead(
                measure=measure.value,
                reading=reading(board.correlations[measure], measure_phrase(measure)),
                **board.correlations[measure].as_dict(),
            )
            for measure in Measure
        ],
    )


@router.get("/processes/{slug}/dashboard", response_model=DashboardRead)
def get_dashboard(board: ApiViewedDashboard) -> DashboardRead:
    return dashboard_read(board)
