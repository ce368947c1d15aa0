"""Statistics on constructed data with known answers."""

from __future__ import annotations

import math
from datetime import date

import pytest

from app.impact.analysis import statistics
from app.impact.analysis.reading import reading
from app.impact.analysis.statistics import ReportPoint, progress_scores, rank_correlation

# --- progress score ------------------------------------------------------------------------------


def test_score_counts_partial_as_half_and_unreported_as_zero() -> None:
    score = statistics.progress_score(
        [1, 2, 3, 4], {1: "implemented", 2: "partially_implemented", 3: "in_progress"}
    )
    assert (score.addressed, score.implemented, score.partial, score.unreported) == (4, 1, 1, 1)
    assert score.value == pytest.approx(1.5 / 4)


def test_not_applicable_leaves_the_denominator() -> None:
    score = statistics.progress_score([1, 2, 3], {1: "implemented", 2: "not_applicable"})
    assert score.counted == 2
    assert score.not_applicable == 1
    assert score.value == pytest.approx(0.5)


def test_nothing_applicable_has_no_score() -> None:
    assert statistics.progress_score([1], {1: "not_applicable"}).value is None
    assert statistics.progress_score([], {}).value is None


def test_a_back_dated_correction_replaces_the_version_it_corrects() -> None:
    points = [
        ReportPoint(1, "KE", "implemented", date(2025, 6, 1), 1),
        ReportPoint(1, "KE", "partially_implemented", date(2025, 5, 1), 2),
    ]
    assert statistics.latest_statuses(points) == {(1, "KE"): "partially_implemented"}
    # on 15 May only the correction (dated 1 May) speaks; on 1 April neither does
    assert statistics.latest_statuses(points, date(2025, 5, 15)) == {
        (1, "KE"): "partially_implemented"
    }
    assert statistics.latest_statuses(points, date(2025, 4, 1)) == {}


def test_latest_official_version_as_of_a_date_counts() -> None:
    points = [
        ReportPoint(1, "KE", "in_progress", date(2025, 1, 1), 1),
        ReportPoint(1, "KE", "implemented", date(2026, 1, 1), 2),
        ReportPoint(2, "KE", "partially_implemented", date(2025, 6, 1), 1),
        # same date: the higher version wins
        ReportPoint(2, "KE", "implemented", date(2025, 6, 1), 2),
        ReportPoint(1, "UG", "implemented", date(2025, 3, 1), 1),
    ]
    addressed = {"KE": [1, 2], "UG": [1, 2], "TZ": [1]}
    now = progress_scores(addressed, points)
    assert now["KE"].value == pytest.approx(1.0)
    assert now["UG"].value == pytest.approx(0.5)
    assert now["TZ"].value == pytest.approx(0.0)
    then = progress_scores(addressed, points, as_of=date(2025, 2, 1))
    assert then["KE"].value == pytest.approx(0.0)
    assert then["UG"].value == pytest.approx(0.0)
    assert then["KE"].unreported == 1


# --- rank correlation ----------------------------------------------------------------------------


def test_perfect_rank_order_gives_one() -> None:
    result = rank_correlation([1, 2, 3, 4, 5, 6], [0.1, 0.15, 0.3, 0.31, 0.6, 0.9])
    assert result.n == 6
    assert result.rho == pytest.approx(1.0)
    assert result.ci_low == pytest.approx(1.0)
    assert result.ci_high == pytest.approx(1.0)


def test_reversed_order_gives_minus_one() -> None:
    result = rank_correlation([1, 2, 3, 4, 5, 6, 7], [7, 6, 5, 4, 3, 2, 1])
    assert result.rho == pytest.approx(-1.0)
    assert result.ci_high == pytest.approx(-1.0)


def test_constructed_set_with_no_association_gives_zero() -> None:
    # sum of squared rank differences 20 = n(n^2-1)/6 for n = 5, so rho = 0 exactly
    result = rank_correlation([1, 2, 3, 4, 5], [2, 5, 3, 1, 4])
    assert result.rho == pytest.approx(0.0, abs=1e-12)
    assert result.ci_low is not None and result.ci_high is not None
    assert result.ci_low < 0 < result.ci_high


def _average_ranks(values: list[float]) -> list[float]:
    ordered = sorted(values)
    return [
        sum(i + 1 for i, v in enumerate(ordered) if v == value) / ordered.count(value)
        for value in values
    ]


def _pearson(a: list[float], b: list[float]) -> float:
    ma, mb = sum(a) / len(a), sum(b) / len(b)
    num = sum((x - ma) * (y - mb) for x, y in zip(a, b, strict=True))
    den = math.sqrt(sum((x - ma) ** 2 for x in a) * sum((y - mb) ** 2 for y in b))
    return num / den


def test_ties_get_average_ranks() -> None:
    x = [1.0, 2.0, 2.0, 3.0, 4.0, 5.0]
    y = [1.0, 2.0, 3.0, 3.0, 4.0, 5.0]
    expected = _pearson(_average_ranks(x), _average_ranks(y))
    assert _average_ranks(x) == [1, 2.5, 2.5, 4, 5, 6]
    result = rank_correlation(x, y)
    assert result.rho == pytest.approx(expected)
    assert result.rho < 1.0
    # the same tie pattern in both: still a perfect rank agreement
    assert rank_correlation([1, 2, 2, 3, 4], [10, 20, 20, 30, 40]).rho == pytest.approx(1.0)


def test_fewer_than_five_countries_shows_no_coefficient() -> None:
    result = rank_correlation([1, 2, 3, 4], [1, 2, 3, 4])
    assert result.too_few
    assert result.n == 4
    assert (result.rho, result.ci_low, result.ci_high) == (None, None, None)
    text = " ".join(reading(result, "meetings attended"))
    assert "too small" in text
    assert "4 countries" in text


def test_missing_values_drop_the_country() -> None:
    result = rank_correlation([1, 2, None, 4, 5, 6], [1, 2, 3, 4, None, 6])
    assert result.n == 4
    assert result.too_few


def test_constant_measure_has_no_coefficient() -> None:
    result = rank_correlation([3, 3, 3, 3, 3], [1, 2, 3, 4, 5])
    assert result.constant and not result.too_few
    assert result.rho is None
    assert "same" in " ".join(reading(result, "inputs"))


def test_bootstrap_is_deterministic_and_seeded() -> None:
    x = [1, 4, 2, 8, 5, 7, 3, 6, 9, 10]
    y = [2, 3, 1, 7, 6, 8, 5, 4, 10, 9]
    first = rank_correlation(x, y)
    again = rank_correlation(x, y)
    assert (first.ci_low, first.ci_high) == (again.ci_low, again.ci_high)
    assert first.ci_low is not None and first.ci_high is not None and first.rho is not None
    assert first.ci_low <= first.rho <= first.ci_high
    other = rank_correlation(x, y, seed=7)
    assert (other.ci_low, other.ci_high) != (first.ci_low, first.ci_high)


def test_mismatched_lengths_are_refused() -> None:
    with pytest.raises(ValueError, match="one value per country"):
        rank_correlation([1, 2, 3], [1, 2])


# --- reading -------------------------------------------------------------------------------------


def test_reading_of_a_strong_positive_association_says_not_cause() -> None:
    result = rank_correlation(list(range(1, 9)), [1, 2, 3, 5, 4, 6, 7, 8])
    text = " ".join(reading(result, "meetings attended"))
    assert "is positive and very strong" in text
    assert "not a cause" in text
    assert "8 countries" in text  # small sample warning
    assert "does not include zero" in text


def test_reading_of_no_association_mentions_zero_in_interval() -> None:
    result = rank_correlation([1, 2, 3, 4, 5], [2, 5, 3, 1, 4])
    text = " ".join(reading(result, "inputs"))
    assert "no noticeable association" in text
    assert "includes zero" in text


def test_reading_of_negative_association() -> None:
    result = rank_correlation(list(range(1, 8)), [7, 6, 5, 4, 3, 1, 2])
    text = " ".join(reading(result, "inputs"))
    assert "is negative and very strong" in text
    assert "\u22120.96" in text


def test_numbers_in_the_reading_follow_the_interface_language() -> None:
    from app import i18n
    from app.impact.analysis.reading import number

    token = i18n.current_locale.set("fr")
    try:
        assert number(-0.6249) == "\u22120,62"
    finally:
        i18n.current_locale.reset(token)
    assert number(0.5) == "0.50"


@pytest.mark.parametrize(
    ("rho", "word"),
    [(0.2, "weak"), (-0.45, "moderate"), (0.7, "strong"), (-0.95, "very strong")],
)
def test_strength_words(rho: float, word: str) -> None:
    from app.impact.analysis.reading import strength

    assert strength(rho) == word
