"""The dashboard of one process, computed once per request from a few aggregate queries: the
country x recommendation status matrix, progress over time (per country and per recommendation),
and participation against progress. Pages, downloads and the API all read this one object, so
they always show the same numbers.
"""

from __future__ import annotations

import calendar
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import cached_property

from babel import Locale
from sqlalchemy.orm import Session

from app import i18n
from app.consultations.models import AgendaItem, Process
from app.evaluations import service as evaluations
from app.impact import service as impact
from app.impact.analysis import repository, statistics
from app.impact.analysis.charts import NO_REPORT, Column, MatrixData, ScatterPoint, Series
from app.impact.analysis.filters import Filters, Measure
from app.impact.analysis.policies import Audience
from app.impact.analysis.statistics import Correlation, ProgressScore, ReportPoint
from app.impact.models import Recommendation
from app.moderation import regions

MAX_TIME_POINTS = 16


def country_name(code: str) -> str:
    names = Locale.parse(i18n.current_locale.get()).territories
    return str(names.get(code) or code)


def recommendation_labels(recs: Sequence[Recommendation]) -> tuple[dict[int, str], list[str]]:
    """Short labels for chart columns: the recommendation's number, or, when two meetings use the
    same number, "M2 1.1" (the meeting's place in the process); with the meetings so keyed."""
    numbers = [rec.number for rec in recs]
    if len(set(numbers)) == len(numbers):
        return {rec.id: rec.number for rec in recs}, []
    meetings = list(dict.fromkeys((rec.meeting_id, rec.meeting.title) for rec in recs))
    key = {meeting_id: f"M{n}" for n, (meeting_id, _title) in enumerate(meetings, start=1)}
    labels = {rec.id: f"{key[rec.meeting_id]} {rec.number}" for rec in recs}
    return labels, [f"{key[meeting_id]}: {title}" for meeting_id, title in meetings]


def time_points(first: date, last: date) -> list[date]:
    """Quarter ends from the first report to the reference date (year ends when that is too
    many), always ending on the reference date itself."""
    if first >= last:
        return [last]
    quarter_ends = []
    year, quarter = first.year, (first.month - 1) // 3 + 1
    while True:
        month = quarter * 3
        end = date(year, month, calendar.monthrange(year, month)[1])
        if end >= last:
            break
        quarter_ends.append(end)
        year, quarter = (year + 1, 1) if quarter == 4 else (year, quarter + 1)
    if len(quarter_ends) + 1 > MAX_TIME_POINTS:
        quarter_ends = [d for d in quarter_ends if d.month == 12]
        quarter_ends = quarter_ends[-(MAX_TIME_POINTS - 1) :]
    return [*quarter_ends, last]


@dataclass(frozen=True)
class CountryRow:
    code: str
    name: str
    meetings: int
    inputs: int
    responses: int
    score: ProgressScore | None  # None: nothing addressed to the country

    def measure(self, measure: Measure) -> int:
        return {
            Measure.meetings: self.meetings,
            Measure.inputs: self.inputs,
            Measure.responses: self.responses,
        }[measure]

    @property
    def progress(self) -> float | None:
        return self.score.value if self.score else None


@dataclass
class Dashboard:
    process: Process
    filters: Filters
    audience: Audience
    agenda_items: list[AgendaItem]
    recommendations: list[Recommendation]
    countries: list[tuple[str, str]]
    matrix: MatrixData
    meeting_keys: list[str]  # "M1: title" when column labels need the meeting
    shadow_counts: dict[tuple[int, str], int]
    dates: list[date]
    country_series: list[Series]
    recommendation_series: list[Series]
    participation: list[CountryRow]

    @cached_property
    def correlations(self) -> dict[Measure, Correlation]:
        """Computed when first asked for (the bootstrap is the costly part; downloads of the
        status matrix never need it)."""
        with_score = [row for row in self.participation if row.progress is not None]
        return {
            measure: statistics.rank_correlation(
                [row.measure(measure) for row in with_score], [row.progress for row in with_score]
            )
            for measure in Measure
        }

    @property
    def correlation(self) -> Correlation:
        return self.correlations[self.filters.measure]

    def scatter_points(self, measure: Measure | None = None) -> list[ScatterPoint]:
        chosen = measure or self.filters.measure
        return [
            ScatterPoint(row.code, float(row.measure(chosen)), row.progress)
            for row in self.participation
            if row.progress is not None
        ]


def _series(
    keys: Sequence[tuple[str | int, str]],
    dates: list[date],
    score_at: dict[date, dict[str | int, ProgressScore]],
) -> list[Series]:
    return [
        Series(label, [(when, _value(score_at[when].get(key))) for when in dates], str(key))
        for key, label in keys
    ]


def _value(score: ProgressScore | None) -> float | None:
    return score.value if score else None


def build(
    session: Session,
    process: Process,
    filters: Filters,
    *,
    audience: Audience,
    agenda_items: list[AgendaItem],
) -> Dashboard:
    today = impact.today()
    recs = repository.recommendations(
        session, process.id, filters.agenda_item_id, drafts=audience.include_drafts, today=today
    )
    participations = repository.participating_countries(session, process.id)
    by_meeting: dict[int, set[str]] = defaultdict(set)
    for meeting_id, country in participations:
        by_meeting[meeting_id].add(country.upper())
    region_members = regions.countries_in(filters.region) if filters.region else None

    addressed_to: dict[str, set[int]] = defaultdict(set)
    addressees: dict[int, set[str]] = {}
    resolved = impact.addressed_by_recommendation(session, recs)
    for rec in recs:
        members = {code.upper() for code in resolved[rec.id]}
        if region_members is not None:
            members &= region_members
        addressees[rec.id] = members
        for country in members:
            addressed_to[country].add(rec.id)

    rec_ids = {rec.id for rec in recs}
    points = [
        ReportPoint(rec_id, country.upper(), status, reported_on, version)
        for rec_id, country, status, reported_on, version in repository.official_reports(
            session, process.id
        )
        if rec_id in rec_ids
    ]
    latest = statistics.latest_statuses(points, filters.as_of)

    attended: dict[str, int] = defaultdict(int)
    for _meeting_id, country in set(participations):
        attended[country.upper()] += 1
    inputs = repository.papers_by_country(session, process.id, all_inputs=audience.all_inputs)
    responses = {
        c.upper(): n for c, n in evaluations.responses_by_country(session, process.id).items() if c
    }

    all_countries = set(addressed_to) | set(attended)
    if region_members is not None:
        all_countries &= region_members
    countries = sorted(((c, country_name(c)) for c in all_countries), key=lambda p: p[1])

    cells = {
        (country, rec_id): latest.get((rec_id, country), NO_REPORT)
        for rec_id, members in addressees.items()
        for country in members
    }
    labels, meeting_keys = recommendation_labels(recs)
    columns = [Column(rec.id, labels[rec.id], rec.text) for rec in recs]
    matrix = MatrixData(rows=[c for c in countries if c[0] in addressed_to], columns=columns)
    matrix.cells.update(cells)

    reported = [p.reported_on for p in points if p.reported_on <= filters.as_of]
    dates = time_points(min(reported), filters.as_of) if reported else []
    by_country_at: dict[date, dict[str | int, ProgressScore]] = {}
    by_rec_at: dict[date, dict[str | int, ProgressScore]] = {}
    for when in dates:
        at = statistics.latest_statuses(points, when)
        per_country: dict[str, dict[int, str]] = defaultdict(dict)
        per_rec: dict[int, dict[str, str]] = defaultdict(dict)
        for (rec_id, country), status in at.items():
            per_country[country][rec_id] = status
            per_rec[rec_id][country] = status
        by_country_at[when] = {
            c: statistics.progress_score(ids, per_country[c]) for c, ids in addressed_to.items()
        }
        by_rec_at[when] = {
            r: statistics.progress_score(members, per_rec[r]) for r, members in addressees.items()
        }
    country_keys = [c for c in countries if c[0] in addressed_to]
    rec_keys = [(rec.id, labels[rec.id]) for rec in recs if addressees[rec.id]]

    scores = statistics.progress_scores(addressed_to, points, filters.as_of)
    participation = [
        CountryRow(
            code=code,
            name=name,
            meetings=attended.get(code, 0),
            inputs=inputs.get(code, 0),
            responses=responses.get(code, 0),
            score=scores.get(code),
        )
        for code, name in countries
    ]
    return Dashboard(
        process=process,
        filters=filters,
        audience=audience,
        agenda_items=agenda_items,
        recommendations=recs,
        countries=countries,
        matrix=matrix,
        meeting_keys=meeting_keys,
        shadow_counts=repository.shadow_report_counts(session, process.id),
        dates=dates,
        country_series=_series(country_keys, dates, by_country_at),
        recommendation_series=_series(rec_keys, dates, by_rec_at),
        participation=participation,
    )
