"""To whom a recommendation speaks: all participating states, named countries, or UN regions.

Countries are ISO 3166-1 alpha-2 codes (as organisations use them); regions are UN M49 codes
of app/moderation/regions (continents and sub-regions). Pure functions: the caller supplies the
meeting's participating countries when the scope is "all states".
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from app.i18n import gettext as _
from app.impact.models import AddresseeScope
from app.moderation import regions
from app.organisations.countries import COUNTRY_CODES, country_name

_SPLIT = re.compile(r"[\s,;]+")


def split_codes(value: str | Iterable[str]) -> list[str]:
    """'KG, kz;TJ' -> ['KG', 'KZ', 'TJ'] (upper-cased, order kept, duplicates dropped)."""
    items = _SPLIT.split(value) if isinstance(value, str) else list(value)
    seen: dict[str, None] = {}
    for item in items:
        code = item.strip().upper()
        if code:
            seen.setdefault(code, None)
    return list(seen)


def unknown_countries(codes: Iterable[str]) -> list[str]:
    return [code for code in codes if code not in COUNTRY_CODES]


def unknown_regions(codes: Iterable[str]) -> list[str]:
    return [code for code in codes if code not in regions.REGION_CODES]


def scope_for(countries: list[str], region_codes: list[str]) -> AddresseeScope:
    if countries:
        return AddresseeScope.countries
    if region_codes:
        return AddresseeScope.regions
    return AddresseeScope.all_states


def resolve(
    scope: AddresseeScope,
    countries: Iterable[str],
    region_codes: Iterable[str],
    participating: Iterable[str],
) -> frozenset[str]:
    """The countries a recommendation addresses."""
    if scope is AddresseeScope.countries:
        return frozenset(countries)
    if scope is AddresseeScope.regions:
        found: set[str] = set()
        for code in region_codes:
            found |= regions.countries_in(code)
        return frozenset(found)
    return frozenset(participating)


def describe(scope: AddresseeScope, countries: Iterable[str], region_codes: Iterable[str]) -> str:
    """A readable line for pages: 'All participating States', 'Kyrgyzstan, Tajikistan', …"""
    if scope is AddresseeScope.countries:
        return ", ".join(country_name(code) for code in countries)
    if scope is AddresseeScope.regions:
        return ", ".join(regions.region_name(code) for code in region_codes)
    return _("All participating States")


def region_choices() -> list[tuple[str, str]]:
    return regions.region_choices()
