"""The numbers behind "Participation and progress": a progress score per country, and how strongly a
participation measure and that score go together across countries.

Pure functions of plain data (no database), so they can be tested on constructed data with known
answers. docs/analysis.md explains the method in plain language; keep the two in step.

- Progress score of a country: of the recommendations addressed to it, the share implemented,
  a partially implemented one counting half. The status of a recommendation for a country is that
  of the highest *official* report version dated on or before the reference date; a recommendation
  with no report yet counts as not implemented (0). Recommendations reported as "not applicable"
  leave the denominator: a state that says a recommendation does not concern it is neither
  credited nor penalised; how many were excluded is reported beside the score.
- Association: Spearman's rank correlation (ties get average ranks, SciPy's `spearmanr`), with a
  95 % percentile bootstrap interval from resampling countries with a fixed seed, so the same data
  always give the same interval. Below five countries no coefficient is shown at all.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

import numpy as np

IMPLEMENTED = "implemented"
PARTIAL = "partially_implemented"
NOT_APPLICABLE = "not_applicable"
STATUS_WEIGHTS: Mapping[str, float] = {
    "not_started": 0.0,
    "in_progress": 0.0,
    PARTIAL: 0.5,
    IMPLEMENTED: 1.0,
}

MIN_COUNTRIES = 5
SMALL_SAMPLE = 20
BOOTSTRAP_RESAMPLES = 2000
BOOTSTRAP_SEED = 20260101
CONFIDENCE = 0.95

K = TypeVar("K", int, str)


@dataclass(frozen=True)
class ReportPoint:
    """One official report version, as far as the score needs it."""

    recommendation_id: int
    country: str
    status: str
    reported_on: date
    version: int = 1


@dataclass(frozen=True)
class ProgressScore:
    addressed: int  # recommendations addressed to the country
    not_applicable: int  # of those, reported "not applicable" (left out of the denominator)
    implemented: int
    partial: int
    unreported: int  # addressed, applicable, and no official report yet

    @property
    def counted(self) -> int:
        return self.addressed - self.not_applicable

    @property
    def value(self) -> float | None:
        """0..1, or None when nothing applicable was addressed to the country."""
        if self.counted <= 0:
            return None
        return (self.implemented + 0.5 * self.partial) / self.counted


def latest_statuses(
    points: Iterable[ReportPoint], as_of: date | None = None
) -> dict[tuple[int, str], str]:
    """(recommendation, country) -> status of the thread's highest version dated on or before
    `as_of` (app/impact/models.py: a correction is a new version, even when it speaks for an
    earlier date than the version it corrects).
    """
    best: dict[tuple[int, str], ReportPoint] = {}
    for point in points:
        if as_of is not None and point.reported_on > as_of:
            continue
        key = (point.recommendation_id, point.country)
        current = best.get(key)
        if current is None or (point.version, point.reported_on) > (
            current.version,
            current.reported_on,
        ):
            best[key] = point
    return {key: point.status for key, point in best.items()}


def progress_score(addressed: Iterable[K], statuses: Mapping[K, str]) -> ProgressScore:
    """Score of one country: `addressed` are the recommendation ids addressed to it, `statuses`
    its latest official status per recommendation id (missing: not reported yet).

    The same arithmetic gives a recommendation's progress across the countries it addresses
    (keys are then countries)."""
    ids = set(addressed)
    counts = {"na": 0, "done": 0, "half": 0, "none": 0}
    for rec_id in ids:
        status = statuses.get(rec_id)
        if status is None:
            counts["none"] += 1
        elif status == NOT_APPLICABLE:
            counts["na"] += 1
        elif status == IMPLEMENTED:
            counts["done"] += 1
        elif status == PARTIAL:
            counts["half"] += 1
    return ProgressScore(
        addressed=len(ids),
        not_applicable=counts["na"],
        implemented=counts["done"],
        partial=counts["half"],
        unreported=counts["none"],
    )


def progress_scores(
    addressed: Mapping[str, Iterable[int]],
    points: Iterable[ReportPoint],
    as_of: date | None = None,
) -> dict[str, ProgressScore]:
    """Score per country; `addressed` maps each country to the recommendations addressed to it."""
    latest = latest_statuses(points, as_of)
    per_country: dict[str, dict[int, str]] = {}
    for (rec_id, country), status in latest.items():
        per_country.setdefault(country, {})[rec_id] = status
    return {
        country: progress_score(rec_ids, per_country.get(country, {}))
        for country, rec_ids in addressed.items()
    }


@dataclass(frozen=True)
class Correlation:
    """Spearman's rho between two measures across countries, with its bootstrap interval.

    `rho` and the interval are None when there are fewer than MIN_COUNTRIES pairs, or when one
    measure is the same for every country (no ranking to compare).
    """

    n: int
    rho: float | None
    ci_low: float | None
    ci_high: float | None
    p_value: float | None
    too_few: bool
    constant: bool
    resamples: int = BOOTSTRAP_RESAMPLES
    seed: int = BOOTSTRAP_SEED

    @property
    def shown(self) -> bool:
        return self.rho is not None

    def as_dict(self) -> dict[str, Any]:
        return {
            "n": self.n,
            "rho": self.rho,
            "ci_low": self.ci_low,
            "ci_high": self.ci_high,
            "confidence": CONFIDENCE,
            "p_value": self.p_value,
            "too_few": self.too_few,
            "constant": self.constant,
            "bootstrap_resamples": self.resamples,
            "bootstrap_seed": self.seed,
            "min_countries": MIN_COUNTRIES,
        }


def _pairs(x: Sequence[float | None], y: Sequence[float | None]) -> tuple[Any, Any]:
    if len(x) != len(y):
        raise ValueError("The two measures must have one value per country each.")
    kept = [
        (float(a), float(b))
        for a, b in zip(x, y, strict=True)
        if a is not None and b is not None and math.isfinite(a) and math.isfinite(b)
    ]
    xs = np.array([a for a, _ in kept], dtype=float)
    ys = np.array([b for _, b in kept], dtype=float)
    return xs, ys


def _stats() -> Any:
    """scipy.stats, imported on first use: it takes seconds to import, and only the dashboard
    needs it (every process that serves pages or runs jobs would pay for it at start)."""
    from scipy import stats  # type: ignore[import-untyped]

    return stats


def _spearman(xs: Any, ys: Any) -> tuple[float, float]:
    stats = _stats()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = stats.spearmanr(xs, ys)
    return float(result.statistic), float(result.pvalue)


def _rowwise_spearman(xs: Any, ys: Any) -> Any:
    """Spearman's rho of each row pair (ranks with ties averaged, then Pearson); NaN where a row
    is constant."""
    stats = _stats()
    rx = stats.rankdata(xs, axis=1)
    ry = stats.rankdata(ys, axis=1)
    rx = rx - rx.mean(axis=1, keepdims=True)
    ry = ry - ry.mean(axis=1, keepdims=True)
    denominator = np.sqrt((rx * rx).sum(axis=1) * (ry * ry).sum(axis=1))
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(denominator > 0, (rx * ry).sum(axis=1) / denominator, np.nan)


def bootstrap_interval(
    xs: Any, ys: Any, *, resamples: int = BOOTSTRAP_RESAMPLES, seed: int = BOOTSTRAP_SEED
) -> tuple[float | None, float | None]:
    """Percentile interval of rho from resampling countries (pairs) with replacement.

    Resamples in which one measure is constant have no rho and are dropped; if fewer than half
    remain, no interval is given.
    """
    n = len(xs)
    rng = np.random.default_rng(seed)
    index = rng.integers(0, n, size=(resamples, n))
    rhos = _rowwise_spearman(xs[index], ys[index])
    rhos = rhos[~np.isnan(rhos)]
    if len(rhos) < resamples / 2:
        return None, None
    tail = (1 - CONFIDENCE) / 2 * 100
    low, high = np.percentile(rhos, [tail, 100 - tail])
    return float(low), float(high)


def rank_correlation(
    x: Sequence[float | None],
    y: Sequence[float | None],
    *,
    resamples: int = BOOTSTRAP_RESAMPLES,
    seed: int = BOOTSTRAP_SEED,
) -> Correlation:
    """Spearman's rho of x and y (one value each per country; None = missing, pair dropped)."""
    xs, ys = _pairs(x, y)
    n = len(xs)
    if n < MIN_COUNTRIES:
        return Correlation(n, None, None, None, None, True, False, resamples, seed)
    if np.ptp(xs) == 0 or np.ptp(ys) == 0:
        return Correlation(n, None, None, None, None, False, True, resamples, seed)
    rho, p_value = _spearman(xs, ys)
    low, high = bootstrap_interval(xs, ys, resamples=resamples, seed=seed)
    return Correlation(n, rho, low, high, p_value, False, False, resamples, seed)
