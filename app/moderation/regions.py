"""Regions for the queue's filter: the UN geoscheme (M49), computed from an organisation's country.

Processes name their regions in free text, so the queue cannot rely on them; organisations do
have an ISO 3166-1 country, and the UN Statistics Division assigns each country to one region
(continent) and one sub-region (for Africa and the Americas, the finer "intermediate" region is
used: "Western Africa" says more to a moderator than "Sub-Saharan Africa"). Babel ships the
translated names of these regions but not the membership, so it is kept here.
"""

from __future__ import annotations

from functools import lru_cache

from babel import Locale

from app import i18n

# sub-region (M49 code) -> its countries (ISO 3166-1 alpha-2)
_SUBREGIONS: dict[str, str] = {
    # Africa
    "015": "DZ EG EH LY MA SD TN",
    "014": "BI DJ ER ET IO KE KM MG MU MW MZ RE RW SC SO SS TF TZ UG YT ZM ZW",
    "017": "AO CD CF CG CM GA GQ ST TD",
    "018": "BW LS NA SZ ZA",
    "011": "BF BJ CI CV GH GM GN GW LR ML MR NE NG SH SL SN TG",
    # Americas
    "029": "AG AI AW BB BL BQ BS CU CW DM DO GD GP HT JM KN KY LC MF MQ MS PR SX TC TT VC VG VI",
    "013": "BZ CR GT HN MX NI PA SV",
    "005": "AR BO BR BV CL CO EC FK GF GS GY PE PY SR UY VE",
    "021": "BM CA GL PM US",
    # Asia
    "143": "KG KZ TJ TM UZ",
    "030": "CN HK JP KP KR MN MO TW",
    "035": "BN ID KH LA MM MY PH SG TH TL VN",
    "034": "AF BD BT IN IR LK MV NP PK",
    "145": "AE AM AZ BH CY GE IL IQ JO KW LB OM PS QA SA SY TR YE",
    # Europe
    "151": "BG BY CZ HU MD PL RO RU SK UA",
    "154": "AX DK EE FI FO GB GG IE IM IS JE LT LV NO SE SJ",
    "039": "AD AL BA ES GI GR HR IT ME MK MT PT RS SI SM VA",
    "155": "AT BE CH DE FR LI LU MC NL",
    # Oceania
    "053": "AU CC CX HM NF NZ",
    "054": "FJ NC PG SB VU",
    "057": "FM GU KI MH MP NR PW UM",
    "061": "AS CK NU PF PN TK TO TV WF WS",
}

# region (continent) -> its sub-regions, in the order the filter lists them
_REGIONS: dict[str, tuple[str, ...]] = {
    "002": ("015", "014", "017", "018", "011"),
    "019": ("029", "013", "005", "021"),
    "142": ("143", "030", "035", "034", "145"),
    "150": ("151", "154", "039", "155"),
    "009": ("053", "054", "057", "061"),
}

REGION_CODES: frozenset[str] = frozenset(_SUBREGIONS) | frozenset(_REGIONS)


def countries_in(region: str) -> frozenset[str]:
    """The countries of a region or sub-region (empty for an unknown code)."""
    if region in _REGIONS:
        return frozenset(c for sub in _REGIONS[region] for c in _SUBREGIONS[sub].split())
    return frozenset(_SUBREGIONS.get(region, "").split())


@lru_cache
def _subregion_of() -> dict[str, str]:
    return {country: sub for sub, members in _SUBREGIONS.items() for country in members.split()}


def subregion_of(country: str) -> str | None:
    return _subregion_of().get(country.upper())


def region_name(code: str, locale: str | None = None) -> str:
    names = Locale.parse(locale or i18n.current_locale.get()).territories
    return str(names.get(code) or Locale.parse("en").territories.get(code) or code)


def region_choices(locale: str | None = None) -> list[tuple[str, str]]:
    """(code, label) for a <select>: each region followed by its sub-regions, indented."""
    choices: list[tuple[str, str]] = []
    for region, subregions in _REGIONS.items():
        choices.append((region, region_name(region, locale)))
        choices += [(sub, "— " + region_name(sub, locale)) for sub in subregions]
    return choices
