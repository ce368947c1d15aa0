"""Follow-up reports: filing a new version, and reading threads and histories.

A thread is one recommendation, one country and one voice: the official one (filed by the
country's focal points) or one organisation's shadow report. Filing never changes a row: it
adds the next version, which points at the one it supersedes and carries the earlier
evidence forward. `base_version` is the version the author was looking at; if somebody filed
in between, the new version is refused (409) instead of silently burying theirs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app import audit
from app.accounts.models import User
from app.errors import Conflict, Forbidden, FormError, NotFound
from app.i18n import gettext as _
from app.impact import policies, repository, service
from app.impact.models import (
    EvidenceKind,
    FollowUpReport,
    ImplementationStatus,
    Recommendation,
    ReportEvidence,
    ReportKind,
)
from app.impact.schemas import ReportCreate
from app.organisations import service as organisations
from app.organisations.countries import normalise_code
from app.organisations.models import Membership, Organisation

PROGRESS = {
    ImplementationStatus.not_started: 0.0,
    ImplementationStatus.in_progress: 0.0,
    ImplementationStatus.partially_implemented: 0.5,
    ImplementationStatus.implemented: 1.0,
}


@dataclass(frozen=True, slots=True)
class ReceivedEvidence:
    """A file already in storage, checked, waiting for its row."""

    key: str
    size: int
    sha256: str
    media_type: str
    original_name: str
    title: str = ""


def thread_key(
    recommendation_id: int, country: str, kind: ReportKind, organisation_id: int | None
) -> str:
    if kind is ReportKind.official:
        return f"{recommendation_id}:{country}:official"
    return f"{recommendation_id}:{country}:shadow:{organisation_id}"


def checked_country(value: str) -> str:
    code = normalise_code(value)
    if code is None:
        raise NotFound(_("There is no such country."))
    return code


# --- who may file --------------------------------------------------------------------------------


def may_file_official(
    session: Session, user: User | None, recommendation: Recommendation, country: str
) -> bool:
    if user is None:
        return False
    focal = repository.focal_countries(session, user.id, recommendation.process_id)
    addressed = service.addressed_countries(session, recommendation)
    return policies.can_file_official(user, focal, country, addressed)


def shadow_memberships(
    session: Session, user: User | None, recommendation: Recommendation, country: str
) -> list[Membership]:
    """The user's memberships through which a shadow report on this country may be filed."""
    if user is None:
        return []
    addressed = service.addressed_countries(session, recommendation)
    return [
        m
        for m in organisations.memberships_of(session, user)
        if policies.can_file_shadow(user, m, country, addressed)
    ]


def shadow_organisations(session: Session, user: User | None) -> list[Organisation]:
    """The organisations for which the user may file shadow reports."""
    if user is None:
        return []
    return [
        m.organisation
        for m in organisations.memberships_of(session, user)
        if policies.reports_for_organisation(m)
    ]


def latest_version(
    session: Session,
    recommendation: Recommendation,
    country: str,
    kind: ReportKind,
    organisation_id: int | None,
) -> FollowUpReport | None:
    key = thread_key(recommendation.id, country, kind, organisation_id)
    return repository.latest_in_thread(session, key)


def check_filing(
    session: Session,
    user: User,
    recommendation: Recommendation,
    country: str,
    kind: ReportKind,
    organisation_id: int | None,
) -> Organisation | None:
    """Raise unless `user` may add a version to this thread; the shadow report's organisation."""
    if not policies.is_public(recommendation.adopted_on, service.today()):
        raise Forbidden(_("Reports can be filed once the recommendation is adopted."))
    if kind is ReportKind.official:
        if not may_file_official(session, user, recommendation, country):
            raise Forbidden(
                _(
                    "Only the focal points of this country in this process file official "
                    "reports, and only on recommendations addressed to their country."
                )
            )
        return None
    for membership in shadow_memberships(session, user, recommendation, country):
        if membership.organisation_id == organisation_id:
            return membership.organisation
    raise Forbidden(
        _(
            "Shadow reports are filed by members of a verified organisation, on countries "
            "this recommendation addresses."
        )
    )


# --- filing --------------------------------------------------------------------------------------


def file_report(
    session: Session,
    actor: User,
    recommendation: Recommendation,
    country: str,
    kind: ReportKind,
    organisation_id: int | None,
    data: ReportCreate,
    files: list[ReceivedEvidence] | None = None,
) -> FollowUpReport:
    country = checked_country(country)
    organisation = check_filing(session, actor, recommendation, country, kind, organisation_id)
    if data.reported_on > service.today() + timedelta(days=1):  # a day of slack for time zones
        raise FormError({"reported_on": _("A report cannot speak for a date in the future.")})
    org_id = organisation.id if organisation is not None else None
    key = thread_key(recommendation.id, country, kind, org_id)
    latest = repository.latest_in_thread(session, key)
    current = latest.version if latest is not None else 0
    if data.base_version != current:
        raise Conflict(
            _(
                "Someone filed version %(version)s of this report while you were writing. "
                "Read it, then file yours again."
            )
            % {"version": current}
        )
    report = FollowUpReport(
        recommendation_id=recommendation.id,
        country=country,
        kind=kind,
        organisation_id=org_id,
        thread_key=key,
        version=current + 1,
        supersedes_id=latest.id if latest is not None else None,
        status=data.status,
        narrative=data.narrative,
        reported_on=data.reported_on,
        round_id=_open_round_id(session, recommendation),
        author_id=actor.id,
    )
    evidence = [_copy(e) for e in latest.evidence] if latest is not None else []
    titles = data.link_titles + [""] * len(data.links)
    known = {e.url for e in evidence if e.kind is EvidenceKind.link}
    evidence += [
        ReportEvidence(kind=EvidenceKind.link, url=str(url), title=titles[i][:300])
        for i, url in enumerate(data.links)
        if str(url) not in known  # a link given again is carried over once, not twice
    ]
    evidence += [
        ReportEvidence(
            kind=EvidenceKind.file,
            file_key=f.key,
            original_name=f.original_name[:255],
            media_type=f.media_type,
            size=f.size,
            sha256=f.sha256,
            title=f.title[:300],
        )
        for f in files or []
    ]
    report.evidence = evidence
    try:
        with session.begin_nested():
            session.add(report)
            session.flush()
    except IntegrityError as exc:  # another version got in between our read and our write
        raise Conflict(_("Someone filed a version of this report at the same time.")) from exc
    after = {
        "recommendation_id": recommendation.id,
        "country": country,
        "kind": kind.value,
        "organisation_id": org_id,
        "version": report.version,
        "status": data.status.value,
        "reported_on": data.reported_on.isoformat(),
        "evidence": len(evidence),
    }
    audit.record(
        session, actor, f"report.file_{kind.value}", "follow_up_report", report.id, None, after
    )
    return report


def _copy(evidence: ReportEvidence) -> ReportEvidence:
    return ReportEvidence(
        kind=evidence.kind,
        title=evidence.title,
        url=evidence.url,
        file_key=evidence.file_key,
        original_name=evidence.original_name,
        media_type=evidence.media_type,
        size=evidence.size,
        sha256=evidence.sha256,
    )


def _open_round_id(session: Session, recommendation: Recommendation) -> int | None:
    found = repository.open_round(session, recommendation.process_id, service.now())
    return found.id if found is not None else None


@dataclass
class Assignment:
    """One focal point role: the recommendations addressed to its country, with its latest
    official report on each (None: not reported yet)."""

    process_title: str
    process_slug: str
    country: str
    items: list[tuple[Recommendation, FollowUpReport | None]]


def assignments_of(session: Session, user: User) -> list[Assignment]:
    found = []
    for focal_point in repository.focal_points_of_user(session, user.id):
        process = focal_point.process
        recs = service.list_recommendations(session, process)
        addressed = service.addressed_by_recommendation(session, recs)
        items = [
            (rec, latest_version(session, rec, focal_point.country, ReportKind.official, None))
            for rec in recs
            if focal_point.country in addressed[rec.id]
        ]
        found.append(Assignment(process.title, process.slug, focal_point.country, items))
    return found


# --- reading -------------------------------------------------------------------------------------


@dataclass
class CountryReports:
    """The current official report of one country and the organisations' shadow reports."""

    country: str
    official: FollowUpReport | None = None
    shadows: list[FollowUpReport] = field(default_factory=list)


def latest_of_threads(reports: list[FollowUpReport]) -> list[FollowUpReport]:
    latest: dict[str, FollowUpReport] = {}
    for report in reports:
        if report.thread_key not in latest or report.version > latest[report.thread_key].version:
            latest[report.thread_key] = report
    return list(latest.values())


def overview(
    session: Session, recommendation: Recommendation, addressed: frozenset[str]
) -> list[CountryReports]:
    """One row per addressed country (and any reported country), official beside shadows."""
    rows = {country: CountryReports(country) for country in sorted(addressed)}
    for report in latest_of_threads(repository.list_reports(session, [recommendation.id])):
        row = rows.setdefault(report.country, CountryReports(report.country))
        if report.kind is ReportKind.official:
            row.official = report
        else:
            row.shadows.append(report)
    return list(rows.values())


@dataclass
class History:
    official: list[FollowUpReport]
    shadows: dict[str, list[FollowUpReport]]  # thread key -> versions, newest first


def history(session: Session, recommendation: Recommendation, country: str) -> History:
    official: list[FollowUpReport] = []
    shadows: dict[str, list[FollowUpReport]] = {}
    for report in repository.list_reports(session, [recommendation.id], country):
        if report.kind is ReportKind.official:
            official.append(report)
        else:
            shadows.setdefault(report.thread_key, []).append(report)
    official.reverse()
    for versions in shadows.values():
        versions.reverse()
    return History(official, shadows)


def history_rows(
    session: Session, recommendation: Recommendation, country: str | None
) -> list[FollowUpReport]:
    """Every version of every thread (of one country, or all), oldest first per thread."""
    return repository.list_reports(session, [recommendation.id], country)


def get_report(session: Session, report_id: int) -> FollowUpReport:
    report = repository.get_report(session, report_id)
    if report is None:
        raise NotFound(_("There is no such report."))
    return report


def progress_score(status: ImplementationStatus) -> float | None:
    """Implemented 1, partially implemented half, otherwise 0; not applicable has no score."""
    return PROGRESS.get(status)


def status_on(reports: list[FollowUpReport], day: date) -> ImplementationStatus | None:
    """The status one thread reported for `day`: its highest version speaking for it or before."""
    valid = [r for r in reports if r.reported_on <= day]
    if not valid:
        return None
    return max(valid, key=lambda r: r.version).status
