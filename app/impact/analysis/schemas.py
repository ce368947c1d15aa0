"""JSON shapes of the dashboard API: the same numbers as the pages and downloads."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel


class FiltersRead(BaseModel):
    as_of: date
    region: str | None
    agenda_item_id: int | None
    measure: str


class RecommendationRef(BaseModel):
    id: int
    number: str
    meeting_id: int
    agenda_item_id: int | None
    text: str


class MatrixCell(BaseModel):
    country: str
    recommendation_id: int
    status: str  # an implementation status, or "no_report"


class SeriesRead(BaseModel):
    key: str  # country code or recommendation id
    label: str
    values: list[float | None]  # one per date, 0..1


class ScoreRead(BaseModel):
    value: float | None
    addressed: int
    counted: int
    implemented: int
    partially_implemented: int
    not_applicable: int
    unreported: int


class CountryRead(BaseModel):
    country: str
    name: str
    meetings_attended: int
    civil_society_inputs: int
    questionnaire_responses: int
    progress: ScoreRead | None


class CorrelationRead(BaseModel):
    measure: str
    n: int
    rho: float | None
    ci_low: float | None
    ci_high: float | None
    confidence: float
    p_value: float | None
    too_few: bool
    constant: bool
    bootstrap_resamples: int
    bootstrap_seed: int
    min_countries: int
    reading: list[str]


class DashboardRead(BaseModel):
    process_id: int
    filters: FiltersRead
    countries: list[str]
    recommendations: list[RecommendationRef]
    matrix: list[MatrixCell]
    dates: list[date]
    progress_by_country: list[SeriesRead]
    progress_by_recommendation: list[SeriesRead]
    participation: list[CountryRead]
    correlations: list[CorrelationRead]
