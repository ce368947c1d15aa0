"""Demo data: one process with two meetings on the High-Level Dialogue's four topics, five
organisations from different regions, and a demo user for every role. Loading twice changes
nothing. Everything goes through the services, so the demo is audited like real use."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from sqlalchemy.orm import Session

from app.accounts import service as accounts
from app.accounts.models import User
from app.config import Settings
from app.consultations import agenda
from app.consultations import service as consultations
from app.consultations.models import CommentMode, ProcessRole
from app.consultations.schemas import AgendaItemCreate, GrantCreate, MeetingCreate, ProcessCreate
from app.errors import NotFound
from app.evaluations import demo as evaluations_demo
from app.impact import demo as impact_demo
from app.organisations import membership
from app.organisations import service as organisations
from app.organisations.models import EcosocStatus, OrganisationType, Verification
from app.organisations.schemas import OrganisationCreate, VerificationDecision

PROCESS_SLUG = "issyk-kul-dialogue"

TOPICS = [
    (
        "1",
        "Regional consultative processes as building blocks of international cooperation",
        "How regional consultative processes on migration feed into global dialogue, and what "
        "civil society needs from them to be heard beyond the region.",
    ),
    (
        "2",
        "Measuring the progress of consultations",
        "Indicators, follow-up and evidence: how to tell whether consultation changes policy, "
        "and how participants learn what became of their input.",
    ),
    (
        "3",
        "From discussion to implementation of existing obligations, including migrants' rights",
        "Turning commitments already made — human rights treaties, labour standards, regional "
        "agreements — into practice for migrants and their families.",
    ),
    (
        "4",
        "Bringing civil society into consultative fora",
        "Accreditation, access, languages and funding: what keeps NGOs, diaspora and migrant "
        "associations, trade unions and academics out of the room, and how to change it.",
    ),
]

# key, name, e-mail, admin?
USERS = [
    ("admin", "Ada Admin (platform administrator)", "admin@demo.plenary.invalid", True),
    ("organiser", "Omar Organiser (organiser)", "organiser@demo.plenary.invalid", False),
    ("moderator", "Mira Moderator (moderator)", "moderator@demo.plenary.invalid", False),
    ("ngo-owner", "Nadia Nurlanova (NGO owner)", "nadia@demo.plenary.invalid", False),
    ("ngo-member", "Aigerim Sadykova (NGO member)", "aigerim@demo.plenary.invalid", False),
    ("diaspora", "Lucía Ortega (diaspora association)", "lucia@demo.plenary.invalid", False),
    ("academic", "Kwame Mensah (university)", "kwame@demo.plenary.invalid", False),
    ("union", "Bishnu Thapa (trade union)", "bishnu@demo.plenary.invalid", False),
    ("faith", "Maria Santos (faith-based network)", "maria@demo.plenary.invalid", False),
]

# owner key, profile, verification
ORGANISATIONS = [
    (
        "ngo-owner",
        OrganisationCreate(
            name="Migrant Workers Support Centre",
            acronym="MWSC",
            type=OrganisationType.ngo,
            country="KG",
            website="https://mwsc.example.org",
            description="Legal aid and pre-departure information for labour migrants from "
            "Kyrgyzstan and their families.",
            ecosoc_status=EcosocStatus.special,
        ),
        Verification.verified,
    ),
    (
        "diaspora",
        OrganisationCreate(
            name="Asociación de Migrantes Latinoamericanos",
            acronym="AML",
            type=OrganisationType.diaspora,
            country="ES",
            website="https://aml.example.org",
            description="A federation of Latin American migrant associations in Spain.",
        ),
        Verification.verified,
    ),
    (
        "academic",
        OrganisationCreate(
            name="Centre for Migration Studies, University of Ghana",
            acronym="CMS",
            type=OrganisationType.academic,
            country="GH",
            description="Research on West African mobility, remittances and return.",
        ),
        Verification.verified,
    ),
    (
        "union",
        OrganisationCreate(
            name="General Federation of Nepalese Migrant Workers",
            acronym="GEFONT-MW",
            type=OrganisationType.trade_union,
            country="NP",
            description="Organising Nepalese workers in the Gulf and Malaysia.",
        ),
        None,
    ),
    (
        "faith",
        OrganisationCreate(
            name="Caritas Migrant Ministry Philippines",
            acronym="CMMP",
            type=OrganisationType.faith_based,
            country="PH",
            description="Pastoral and social support to overseas Filipino workers.",
            ecosoc_status=EcosocStatus.roster,
        ),
        None,
    ),
]


def load(session: Session, settings: Settings, now: datetime | None = None) -> bool:
    """Load the demo data; returns False when it was already there."""
    now = now or datetime.now(UTC)
    users = {key: _user(session, key, name, email, admin) for key, name, email, admin in USERS}
    try:
        consultations.get_process_page(session, PROCESS_SLUG)
    except NotFound:
        pass
    else:
        impact_demo.load(session, users, now)  # idempotent: a database from before it gets it
        _evaluations(session, users, now)  # idempotent too
        return False
    admin = users["admin"]
    process = consultations.create_process(
        session,
        admin,
        ProcessCreate(
            title="Issyk-Kul Dialogue on Migration",
            slug=PROCESS_SLUG,
            regions=["Central Asia", "South Caucasus", "Eastern Europe"],
            description="A regional consultative process on migration. Its meetings prepare "
            "the region's contribution to the High-Level Dialogue on International Migration "
            "and Development, and invite civil society to submit position papers on each "
            "agenda item.",
        ),
    )
    for key, role in (("organiser", ProcessRole.organiser), ("moderator", ProcessRole.moderator)):
        consultations.grant_role(
            session, admin, process, GrantCreate(email=users[key].email or "", role=role)
        )
    organiser = users["organiser"]
    today = now.date()
    meetings = [
        MeetingCreate(
            title="Preparatory consultation for the High-Level Dialogue",
            starts_on=today + timedelta(days=45),
            ends_on=today + timedelta(days=46),
            online=True,
            timezone="Asia/Bishkek",
            languages=["en", "ru", "fr", "es"],
            submissions_open_at=now - timedelta(days=7),
            # Naive times are local to the meeting: the deadline is 23:59 in Bishkek.
            submissions_close_at=datetime.combine(today + timedelta(days=30), time(23, 59)),
            comment_mode=CommentMode.open,
        ),
        MeetingCreate(
            title="Fifth Ministerial Meeting",
            starts_on=today + timedelta(days=150),
            ends_on=today + timedelta(days=152),
            venue="Cholpon-Ata, Kyrgyzstan",
            timezone="Asia/Bishkek",
            languages=["en", "ru"],
            submissions_open_at=datetime.combine(today + timedelta(days=60), time(9, 0)),
            submissions_close_at=datetime.combine(today + timedelta(days=120), time(23, 59)),
            papers_per_organisation=2,
            comment_mode=CommentMode.premoderated,
        ),
    ]
    for data in meetings:
        meeting = consultations.create_meeting(session, organiser, process, data)
        for number, title, background in TOPICS:
            agenda.add_item(
                session,
                organiser,
                meeting,
                AgendaItemCreate(number=number, title=title, background=background),
            )
    moderator = users["moderator"]
    for owner_key, profile, verification in ORGANISATIONS:
        org = organisations.create_organisation(session, users[owner_key], profile)
        if verification is not None:
            organisations.decide_verification(
                session, moderator, org, VerificationDecision(status=verification)
            )
        if owner_key == "ngo-owner":
            _, link = membership.invite(
                session, settings, users[owner_key], org, users["ngo-member"].email or ""
            )
            token = link.rsplit("/", 1)[1]
            membership.accept_invitation(session, users["ngo-member"], token)
    impact_demo.load(session, users, now)
    _evaluations(session, users, now)
    return True


def _evaluations(session: Session, users: dict[str, User], now: datetime) -> None:
    """The questionnaire goes to the follow-up process's last conference, so that its dashboard
    counts questionnaire responses per country among the participation measures."""
    process = consultations.get_process_page(session, impact_demo.PROCESS_SLUG)
    evaluations_demo.load(session, process, users["organiser"], users["moderator"], now)


def _user(session: Session, key: str, name: str, email: str, admin: bool) -> User:
    return accounts.create_demo_user(session, key, name, email, admin=admin)
