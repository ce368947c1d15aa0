"""Demo data for follow-up: a process with two past meetings, their recommendations and
participants, ten country focal points (demo users who can sign in) with official reports over
two years, shadow reports from two organisations, and an open reporting round — so that the
dashboard has something to show. Loading twice changes nothing. Everything goes through the
services, so the demo is audited like real use.
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime, time, timedelta

from sqlalchemy.orm import Session

from app.accounts import service as accounts
from app.accounts.models import User
from app.consultations import agenda
from app.consultations import service as consultations
from app.consultations.models import Meeting, Process, ProcessRole
from app.consultations.schemas import AgendaItemCreate, GrantCreate, MeetingCreate, ProcessCreate
from app.errors import NotFound
from app.impact import participation, reports, service
from app.impact.models import ImplementationStatus, Recommendation, ReportKind
from app.impact.schemas import (
    FocalPointCreate,
    ParticipantCreate,
    RecommendationCreate,
    ReportCreate,
    RoundCreate,
)
from app.organisations import service as organisations
from app.organisations.countries import country_name
from app.organisations.models import Organisation

PROCESS_SLUG = "eurasian-labour-dialogue"
COUNTRIES = ("KG", "KZ", "TJ", "UZ", "TM", "AM", "AZ", "GE", "MD", "UA")
# How far each country tends to get (0 = not at all, 4 = implemented): varied on purpose.
DRIVE = {"KG": 3, "KZ": 4, "TJ": 2, "UZ": 3, "TM": 0, "AM": 4, "AZ": 1, "GE": 3, "MD": 2, "UA": 1}
TOPICS = (
    ("1", "Fair recruitment and decent work"),
    ("2", "Social protection and portability of benefits"),
    ("3", "Return and reintegration"),
)
# (meeting index, number, agenda item, text, countries, regions)
RECOMMENDATIONS = (
    (
        0,
        "1.1",
        "1",
        "Abolish recruitment fees charged to workers, in line with the ILO General "
        "Principles and Operational Guidelines for Fair Recruitment.",
        "",
        "",
    ),
    (
        0,
        "1.2",
        "1",
        "License and inspect private recruitment agencies, and publish the list of "
        "licensed agencies in the languages of the workers they recruit.",
        "",
        "",
    ),
    (0, "1.3", "1", "Ratify the Domestic Workers Convention, 2011 (No. 189).", "KG TJ UZ", ""),
    (
        0,
        "2.1",
        "2",
        "Conclude bilateral social security agreements so that pension rights "
        "earned abroad are kept.",
        "",
        "143",
    ),
    (
        0,
        "2.2",
        "2",
        "Give migrant workers access to emergency health care regardless of status.",
        "",
        "",
    ),
    (0, "3.1", "3", "Establish one-stop reintegration centres for returning migrants.", "", ""),
    (
        0,
        "3.2",
        "3",
        "Recognise skills acquired abroad through a national qualifications framework.",
        "AM AZ GE MD UA",
        "",
    ),
    (
        1,
        "1",
        "1",
        "Create a public complaints mechanism for recruitment abuses, open to workers abroad.",
        "",
        "",
    ),
    (1, "2", "1", "Include domestic work in the scope of labour inspection.", "", ""),
    (1, "3", "2", "Allow remittances to be sent at a cost below 3 per cent.", "", ""),
    (
        1,
        "4",
        "2",
        "Register migrant workers' children for school without a residence permit.",
        "",
        "145",
    ),
    (1, "5", "3", "Fund psychosocial support for returnees and their families.", "", ""),
    (1, "6", "3", "Publish annual data on returns, disaggregated by sex and age.", "", ""),
)
SHADOW = {
    # organisation owner key -> countries it watches
    "ngo-owner": ("KG", "TJ"),
    "academic": ("KZ", "UZ"),
}
STATUS_STEPS = (
    ImplementationStatus.not_started,
    ImplementationStatus.in_progress,
    ImplementationStatus.in_progress,
    ImplementationStatus.partially_implemented,
    ImplementationStatus.implemented,
)


def _roll(*parts: object) -> int:
    """A stable pseudo-random number 0..99 from its arguments (the demo is reproducible)."""
    digest = hashlib.sha256("|".join(map(str, parts)).encode()).digest()
    return digest[0] * 100 // 256


def load(session: Session, users: dict[str, User], now: datetime) -> bool:
    """Load the follow-up demo; False when it is already there."""
    try:
        consultations.get_process_page(session, PROCESS_SLUG)
        return False
    except NotFound:
        pass
    admin, organiser = users["admin"], users["organiser"]
    process = consultations.create_process(
        session,
        admin,
        ProcessCreate(
            title="Eurasian Dialogue on Labour Migration",
            slug=PROCESS_SLUG,
            regions=["Central Asia", "South Caucasus", "Eastern Europe"],
            description="A regional consultative process of ten countries of origin and "
            "destination. Its ministerial conferences adopt recommendations; each country "
            "reports every six months on what it has done, and civil society reports beside it.",
        ),
    )
    consultations.grant_role(
        session,
        admin,
        process,
        GrantCreate(email=organiser.email or "", role=ProcessRole.organiser),
    )
    today = now.date()
    meetings = [
        _meeting(
            session, organiser, process, "First Ministerial Conference", today - timedelta(days=730)
        ),
        _meeting(
            session,
            organiser,
            process,
            "Second Ministerial Conference",
            today - timedelta(days=365),
        ),
    ]
    orgs = {key: _organisation(session, users[key]) for key in SHADOW}
    for index, meeting in enumerate(meetings):
        for country in COUNTRIES:
            if index == 1 and country == "TM":
                continue  # did not attend the second conference
            participation.add_participant(
                session, organiser, meeting, ParticipantCreate(country=country)
            )
        for org in orgs.values():
            if org is not None:
                participation.add_participant(
                    session, organiser, meeting, ParticipantCreate(organisation_id=org.id)
                )
    recs = _recommendations(session, organiser, meetings)
    focal = _focal_points(session, organiser, process)
    for rec in recs:
        addressed = service.addressed_countries(session, rec)
        for country in sorted(addressed & set(COUNTRIES)):
            _official_history(session, focal[country], rec, country, today)
    for key, countries in SHADOW.items():
        org = orgs[key]
        if org is None:
            continue
        for rec in recs:
            addressed = service.addressed_countries(session, rec)
            for country in countries:
                if country in addressed and _roll("shadow", key, rec.number, country) < 45:
                    _shadow(session, users[key], org, rec, country, today)
    participation.create_round(
        session,
        organiser,
        process,
        RoundCreate(
            title=f"Follow-up reports {today.year}",
            opens_at=now - timedelta(days=10),
            closes_at=now + timedelta(days=20),
            reminder_days=7,
        ),
    )
    return True


def _meeting(
    session: Session, organiser: User, process: Process, title: str, starts_on: date
) -> Meeting:
    meeting = consultations.create_meeting(
        session,
        organiser,
        process,
        MeetingCreate(
            title=title,
            starts_on=starts_on,
            ends_on=starts_on + timedelta(days=1),
            venue="Almaty, Kazakhstan",
            timezone="Asia/Almaty",
            languages=["en", "ru"],
            submissions_open_at=datetime.combine(starts_on - timedelta(days=90), time(9, 0)),
            submissions_close_at=datetime.combine(starts_on - timedelta(days=30), time(23, 59)),
        ),
    )
    for number, title_ in TOPICS:
        agenda.add_item(session, organiser, meeting, AgendaItemCreate(number=number, title=title_))
    return meeting


def _organisation(session: Session, owner: User) -> Organisation | None:
    owned = organisations.organisations_of(session, owner)
    return owned[0] if owned else None


def _recommendations(
    session: Session, organiser: User, meetings: list[Meeting]
) -> list[Recommendation]:
    items = {
        (m.id, item.number): item.id for m in meetings for item in service.agenda_items(session, m)
    }
    created = []
    for index, number, item, text, countries, regions in RECOMMENDATIONS:
        meeting = meetings[index]
        created.append(
            service.create_recommendation(
                session,
                organiser,
                meeting,
                RecommendationCreate(
                    number=number,
                    text=text,
                    agenda_item_id=items[(meeting.id, item)],
                    adopted_on=meeting.ends_on,
                    countries=countries,
                    regions=regions,
                ),
            )
        )
    return [service.get_recommendation(session, rec.id) for rec in created]


def _focal_points(session: Session, organiser: User, process: Process) -> dict[str, User]:
    focal = {}
    for country in COUNTRIES:
        name = country_name(country, "en")
        user = accounts.create_demo_user(
            session,
            f"focal-{country.lower()}",
            f"{name} focal point (country focal point)",
            f"focal-{country.lower()}@demo.plenary.invalid",
        )
        participation.grant_focal_point(
            session, organiser, process, FocalPointCreate(email=user.email or "", country=country)
        )
        focal[country] = user
    return focal


def _official_history(
    session: Session, user: User, rec: Recommendation, country: str, today: date
) -> None:
    """Reports every six months since adoption, moving towards the country's usual reach."""
    if _roll("silent", rec.number, country) < 12:
        return  # some countries never report on some recommendations
    assert rec.adopted_on is not None
    drive = DRIVE[country]
    step, version = 0, 0
    day = rec.adopted_on + timedelta(days=120)
    while day <= today:
        if _roll("skip", rec.number, country, day) >= 20 or version == 0:
            move = _roll("move", rec.number, country, day)
            step = min(
                step + (2 if move < 10 + 10 * drive else 1 if move < 40 + 12 * drive else 0), drive
            )
            status = STATUS_STEPS[step]
            if drive <= 1 and _roll("na", rec.number, country) < 25:
                status = ImplementationStatus.not_applicable
            reports.file_report(
                session,
                user,
                rec,
                country,
                ReportKind.official,
                None,
                ReportCreate(
                    status=status,
                    narrative=_narrative(status, country),
                    reported_on=day,
                    base_version=version,
                ),
            )
            version += 1
        day += timedelta(days=182)


def _narrative(status: ImplementationStatus, country: str) -> str:
    name = country_name(country, "en")
    return {
        ImplementationStatus.not_started: f"No measures have been taken yet in {name}.",
        ImplementationStatus.in_progress: f"An inter-ministerial working group in {name} "
        "is drafting the necessary amendments.",
        ImplementationStatus.partially_implemented: "The amendments are adopted; the "
        "implementing regulations and the budget are pending.",
        ImplementationStatus.implemented: "The measure is in force and monitored by the "
        "labour inspectorate.",
        ImplementationStatus.not_applicable: "The situation the recommendation addresses does "
        "not arise in our context.",
    }[status]


def _shadow(
    session: Session, user: User, org: Organisation, rec: Recommendation, country: str, today: date
) -> None:
    official = reports.latest_version(session, rec, country, ReportKind.official, None)
    seen = official.status if official else ImplementationStatus.not_started
    index = STATUS_STEPS.index(seen) if seen in STATUS_STEPS else 0
    status = STATUS_STEPS[max(0, index - 1)]  # civil society sees less progress
    reports.file_report(
        session,
        user,
        rec,
        country,
        ReportKind.shadow,
        org.id,
        ReportCreate(
            status=status,
            narrative=f"{org.name}: our monitoring of cases in {country_name(country, 'en')} "
            "shows that the change has not yet reached most workers.",
            reported_on=today - timedelta(days=30),
            links=["https://example.org/monitoring-report"],
        ),
    )
