"""Dashboard numbers for a small constructed process (tests/impact/analysis/world.py)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy.orm import Session

from app.errors import FormError
from app.impact.analysis import dashboard, repository, statistics
from app.impact.analysis.charts import NO_REPORT
from app.impact.analysis.dashboard import Dashboard, time_points
from app.impact.analysis.filters import Filters, Measure, parse_filters
from app.impact.analysis.policies import PUBLIC, Audience
from tests.impact.analysis.world import AS_OF, ImpactWorld, add_recommendation

STAFF = Audience(include_drafts=True, all_inputs=True)


def _board(db: Session, iw: ImpactWorld, audience: Audience = PUBLIC, **kw: object) -> Dashboard:
    filters = Filters(as_of=kw.pop("as_of", AS_OF), **kw)  # type: ignore[arg-type]
    items = repository.agenda_items_with_recommendations(
        db, iw.process.id, drafts=audience.include_drafts, today=AS_OF
    )
    return dashboard.build(db, iw.process, filters, audience=audience, agenda_items=items)


def _scores(board: Dashboard) -> dict[str, float | None]:
    return {row.code: row.progress for row in board.participation}


def test_progress_scores_follow_the_latest_official_report(db: Session, iw: ImpactWorld) -> None:
    board = _board(db, iw)
    assert [r.number for r in board.recommendations] == ["1.1", "1.2", "2.1"]  # no draft
    assert _scores(board) == pytest.approx(
        {"KE": 2 / 3, "UG": 0.25, "TZ": 0.0, "RW": 0.0, "BI": 0.0, "FR": 0.5}
    )
    rows = {row.code: row for row in board.participation}
    assert rows["TZ"].score is not None
    assert (rows["TZ"].score.not_applicable, rows["TZ"].score.counted) == (1, 1)
    assert rows["BI"].score is not None and rows["BI"].score.unreported == 1


def test_matrix_cells(db: Session, iw: ImpactWorld) -> None:
    board = _board(db, iw)
    r1, r2, r3 = (iw.recs[n].id for n in ("1.1", "1.2", "2.1"))
    cells = board.matrix.cells
    assert cells[("KE", r1)] == "implemented"
    assert cells[("UG", r1)] == "partially_implemented"  # the shadow "implemented" is not used
    assert cells[("BI", r1)] == NO_REPORT
    assert ("BI", r2) not in cells  # R2 is not addressed to BI
    assert cells[("FR", r3)] == "implemented"
    assert [code for code, _name in board.matrix.rows] == sorted(
        ["KE", "UG", "TZ", "RW", "BI", "FR"], key=lambda c: dashboard.country_name(c)
    )
    assert board.shadow_counts == {(r1, "UG"): 1}


def test_an_earlier_reference_date_sees_earlier_reports(db: Session, iw: ImpactWorld) -> None:
    board = _board(db, iw, as_of=date(2025, 4, 1))
    assert board.matrix.cells[("KE", iw.recs["1.1"].id)] == "in_progress"
    assert _scores(board)["KE"] == 0.0
    assert board.dates == [date(2025, 3, 31), date(2025, 4, 1)]


def test_progress_over_time(db: Session, iw: ImpactWorld) -> None:
    board = _board(db, iw)
    assert board.dates[0] == date(2025, 3, 31)
    assert board.dates[-1] == AS_OF
    kenya = next(s for s in board.country_series if s.key == "KE")
    values = dict(kenya.points)
    assert values[date(2025, 3, 31)] == 0.0  # R1 in progress, R2 and R3 unreported
    assert values[date(2025, 9, 30)] == pytest.approx(1 / 3)
    assert values[AS_OF] == pytest.approx(2 / 3)
    r1 = next(s for s in board.recommendation_series if s.key == str(iw.recs["1.1"].id))
    # R1 on 2026-06-30: KE 1, UG 0.5, RW 0, BI 0, FR 0; TZ not applicable -> 1.5 / 5
    assert dict(r1.points)[AS_OF] == pytest.approx(0.3)


def test_participation_measures(db: Session, iw: ImpactWorld) -> None:
    rows = {row.code: row for row in _board(db, iw).participation}
    assert {c: r.meetings for c, r in rows.items()} == {
        "KE": 2, "UG": 2, "TZ": 2, "RW": 1, "BI": 1, "FR": 1,
    }  # fmt: skip
    assert (rows["KE"].inputs, rows["FR"].inputs, rows["UG"].inputs) == (1, 1, 0)
    assert {c: r.responses for c, r in rows.items() if r.responses} == {"KE": 2, "UG": 1}
    staff = {row.code: row for row in _board(db, iw, STAFF).participation}
    assert staff["KE"].inputs == 2  # the restricted paper counts for staff; the draft never


def test_staff_see_draft_recommendations(db: Session, iw: ImpactWorld) -> None:
    board = _board(db, iw, STAFF)
    assert [r.number for r in board.recommendations] == ["1.1", "1.2", "2.1", "2.2"]
    scores = _scores(board)
    assert scores["KE"] == pytest.approx(3 / 4)
    assert scores["UG"] == pytest.approx(0.5 / 3)


def test_correlation_uses_the_countries_with_a_score(db: Session, iw: ImpactWorld) -> None:
    board = _board(db, iw)
    result = board.correlations[Measure.meetings]
    assert result.n == 6
    rows = board.participation
    expected = statistics.rank_correlation([r.meetings for r in rows], [r.progress for r in rows])
    assert result.rho == pytest.approx(expected.rho)
    assert result.rho is not None and result.rho > 0


def test_region_filter_keeps_its_countries(db: Session, iw: ImpactWorld) -> None:
    board = _board(db, iw, region="014")  # Eastern Africa: not FR
    assert {code for code, _n in board.matrix.rows} == {"KE", "UG", "TZ", "RW", "BI"}
    assert "FR" not in _scores(board)
    assert board.correlations[Measure.meetings].n == 5


def test_agenda_item_filter_keeps_its_recommendations(db: Session, iw: ImpactWorld) -> None:
    board = _board(db, iw, agenda_item_id=iw.item_b.id)
    assert [r.number for r in board.recommendations] == ["2.1"]
    scores = _scores(board)
    assert {c: scores[c] for c in ("KE", "TZ", "FR")} == pytest.approx(
        {"KE": 0.0, "TZ": 0.0, "FR": 1.0}
    )
    assert (scores["UG"], scores["RW"]) == (None, None)  # took part, nothing addressed
    # fewer than five countries with a score
    assert board.correlations[Measure.meetings].too_few


def test_filters_refuse_unknown_values() -> None:
    today = date(2026, 1, 1)
    with pytest.raises(FormError) as caught:
        parse_filters(today, region="999", item="x", as_of="yesterday", measure="votes")
    assert set(caught.value.fields) == {"region", "item", "as_of", "measure"}
    with pytest.raises(FormError):
        parse_filters(today, item="7", agenda_item_ids={1, 2})
    parsed = parse_filters(today, region="014", item="2", as_of="2025-12-31", agenda_item_ids={2})
    assert parsed == Filters(date(2025, 12, 31), "014", 2, Measure.meetings)


def test_time_points_are_quarter_ends_then_year_ends() -> None:
    assert time_points(date(2025, 2, 1), date(2025, 8, 15)) == [
        date(2025, 3, 31),
        date(2025, 6, 30),
        date(2025, 8, 15),
    ]
    long = time_points(date(2010, 1, 1), date(2026, 6, 30))
    assert long[-1] == date(2026, 6, 30)
    assert all(d.month == 12 for d in long[:-1])
    assert len(long) <= dashboard.MAX_TIME_POINTS


def test_columns_name_the_meeting_when_numbers_repeat(db: Session, iw: ImpactWorld) -> None:
    add_recommendation(db, iw.m2, iw.item_b, "1.1", countries=("KE",))
    board = _board(db, iw)
    labels = [c.label for c in board.matrix.columns]
    assert labels == ["M1 1.1", "M1 1.2", "M2 2.1", "M2 1.1"]
    assert board.meeting_keys == [f"M1: {iw.m1.title}", f"M2: {iw.m2.title}"]
    assert [s.label for s in board.recommendation_series][-1] == "M2 1.1"
