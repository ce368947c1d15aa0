"""A plain-language reading of a rank correlation, generated from its numbers: what it shows, and
what it cannot (association, not cause; small samples). Sentences are interface text (`_()`)."""

from __future__ import annotations

from babel.numbers import format_decimal

from app import i18n
from app.i18n import gettext as _
from app.impact.analysis.statistics import CONFIDENCE, MIN_COUNTRIES, SMALL_SAMPLE, Correlation


def number(value: float, digits: int = 2) -> str:
    """A coefficient in the interface language, negative ones with a true minus sign (U+2212)."""
    pattern = "0." + "0" * digits
    text = str(format_decimal(round(value, digits), pattern, locale=i18n.current_locale.get()))
    return text.replace("-", "\u2212")


def strength(rho: float) -> str:
    """An adjective for |rho| (used only from 0.1 up; below that the reading says "none")."""
    size = abs(rho)
    if size < 0.3:
        return _("weak")
    if size < 0.5:
        return _("moderate")
    if size < 0.9:
        return _("strong")
    return _("very strong")


def reading(correlation: Correlation, measure: str) -> list[str]:
    """Sentences (paragraphs) for the page; `measure` names the participation measure."""
    n = correlation.n
    if correlation.too_few:
        return [
            _(
                "The sample is too small: only {n} countries have both a {measure} figure and a "
                "progress score, and at least {minimum} are needed before a rank correlation "
                "means anything. No coefficient is shown."
            ).format(n=n, measure=measure, minimum=MIN_COUNTRIES),
            _("The table still lists each country's figures."),
        ]
    if correlation.constant or correlation.rho is None:
        return [
            _(
                "No coefficient can be computed: across the {n} countries, either every country "
                "has the same {measure} figure or every country has the same progress score, so "
                "there is no ranking to compare."
            ).format(n=n, measure=measure)
        ]
    rho = correlation.rho
    sentences = []
    if abs(rho) < 0.1:
        sentences.append(
            _(
                "Across {n} countries, there is no noticeable association between {measure} "
                "and progress (Spearman's rho = {rho})."
            ).format(n=n, measure=measure, rho=number(rho))
        )
    elif rho > 0:
        sentences.append(
            _(
                "Across {n} countries, the association between {measure} and progress is "
                "positive and {strength} (Spearman's rho = {rho}): countries ranking higher on "
                "{measure} tend to rank higher on progress."
            ).format(n=n, strength=strength(rho), rho=number(rho), measure=measure)
        )
    else:
        sentences.append(
            _(
                "Across {n} countries, the association between {measure} and progress is "
                "negative and {strength} (Spearman's rho = {rho}): countries ranking higher on "
                "{measure} tend to rank lower on progress."
            ).format(n=n, strength=strength(rho), rho=number(rho), measure=measure)
        )
    percent = round(CONFIDENCE * 100)
    if correlation.ci_low is not None and correlation.ci_high is not None:
        low, high = correlation.ci_low, correlation.ci_high
        if low <= 0 <= high:
            sentences.append(
                _(
                    "The {percent} % bootstrap interval runs from {low} to {high} and includes "
                    "zero: these data are also consistent with no association at all."
                ).format(percent=percent, low=number(low), high=number(high))
            )
        else:
            sentences.append(
                _(
                    "The {percent} % bootstrap interval runs from {low} to {high}; it does not "
                    "include zero."
                ).format(percent=percent, low=number(low), high=number(high))
            )
    else:
        sentences.append(
            _("No reliable interval could be computed from these data; treat the figure as rough.")
        )
    if n < SMALL_SAMPLE:
        sentences.append(
            _(
                "With only {n} countries, one country more or less can change the figure "
                "noticeably; read it as a hint, not a finding."
            ).format(n=n)
        )
    sentences.append(
        _(
            "This is an association, not a cause. Countries that take part more may differ in "
            "other ways (resources, priorities, the recommendations addressed to them), and "
            "progress may encourage participation as much as participation encourages progress. "
            "Progress is what states report; shadow reports are not counted in the score."
        )
    )
    return sentences
