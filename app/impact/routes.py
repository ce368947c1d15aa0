"""Public pages of recommendations and follow-up reports, and the reporting forms of focal
points (official reports) and organisations (shadow reports). Every form works without JS."""

from __future__ import annotations

import html
import re
from datetime import date
from typing import Any

import anyio.from_thread
from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from starlette.datastructures import FormData

from app.accounts.deps import CurrentUser, OptionalUser
from app.deps import Htmx, SessionDep, SettingsDep
from app.errors import AppError, Forbidden
from app.i18n import gettext as _
from app.impact import evidence, intake, policies, reports, service
from app.impact import reminders as _reminders  # noqa: F401 - registers the reminder job
from app.impact.deps import (
    Filing,
    OfficialFiling,
    PublicProcess,
    ShadowFiling,
    VisibleEvidence,
    VisibleRecommendation,
)
from app.impact.models import ReportKind
from app.impact.responses import (
    TEMPLATE_GLOBALS,
    fields_of,
    recommendation_url,
    redirect,
    status_choices,
)
from app.organisations import service as organisations
from app.organisations.countries import country_name
from app.security import CsrfError, checks_csrf_in_body, verify_csrf
from app.storage import get_storage
from app.templating import render

router = APIRouter(tags=["impact"], dependencies=[Depends(verify_csrf)])
REPORT_FORM = "impact/report_form.html"


def _context(**values: Any) -> dict[str, Any]:
    return {**TEMPLATE_GLOBALS, **values}


@router.get("/follow-up")
def follow_up_page(request: Request, session: SessionDep, user: OptionalUser) -> Response:
    """Where follow-up starts: processes with recommendations, and the user's own reporting."""
    return render(
        request,
        "impact/follow_up.html",
        _context(
            processes=service.processes_with_recommendations(session),
            assignments=reports.assignments_of(session, user) if user else [],
            organisations=reports.shadow_organisations(session, user),
        ),
    )


@router.get("/processes/{slug}/recommendations")
def recommendations_page(
    request: Request, session: SessionDep, user: OptionalUser, process: PublicProcess
) -> Response:
    permissions = service.permissions_for(session, user, process)
    recommendations = service.list_recommendations(
        session, process, include_drafts=permissions.manage
    )
    addressed = service.addressed_by_recommendation(session, recommendations)
    by_meeting: dict[int, list[Any]] = {}
    for rec in recommendations:
        by_meeting.setdefault(rec.meeting_id, []).append(rec)
    meetings = [m for m in process.meetings if m.id in by_meeting]
    return render(
        request,
        "impact/recommendations.html",
        _context(
            process=process,
            meetings=meetings,
            by_meeting=by_meeting,
            reportable={
                rec.id: sorted(permissions.focal_countries & addressed[rec.id])
                for rec in recommendations
            },
            permissions=permissions,
            describe=service.describe_addressees,
            today=service.today(),
        ),
    )


def _plain(html_text: str) -> str:
    """Sanitised comment HTML as one line of text, for a <select> option."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", html_text)).split())


def _detail_context(session: SessionDep, user: Any, recommendation: Any) -> dict[str, Any]:
    addressed = service.addressed_countries(session, recommendation)
    permissions = service.permissions_for(session, user, recommendation.meeting.process)
    return _context(
        recommendation=recommendation,
        process=recommendation.meeting.process,
        meeting=recommendation.meeting,
        addressees=service.describe_addressees(recommendation),
        rows=sorted(
            reports.overview(session, recommendation, addressed),
            key=lambda row: country_name(row.country),
        ),
        permissions=permissions,
        reportable=sorted(permissions.focal_countries & addressed),
        shadow_orgs=reports.shadow_organisations(session, user),
        public=policies.is_public(recommendation.adopted_on, service.today()),
    )


@router.get("/recommendations/{recommendation_id}")
def recommendation_page(
    request: Request, session: SessionDep, user: OptionalUser, recommendation: VisibleRecommendation
) -> Response:
    context = _detail_context(session, user, recommendation)
    if context["permissions"].manage:
        papers, comments = service.citable_inputs(session, recommendation.meeting)
        context.update(
            paper_options=[
                (str(p.id), f"{p.tracking_number or p.id}: {p.title[:80]}") for p in papers
            ],
            comment_options=[(str(c.id), f"#{c.id}: {_plain(c.body)[:80]}") for c in comments],
            errors={},
        )
    return render(request, "impact/recommendation.html", context)


@router.get("/recommendations/{recommendation_id}/countries/{country}")
def history_page(
    request: Request,
    session: SessionDep,
    user: OptionalUser,
    recommendation: VisibleRecommendation,
    country: str,
) -> Response:
    code = reports.checked_country(country)
    history = reports.history(session, recommendation, code)
    context = _detail_context(session, user, recommendation)
    context.update(country=code, history=history)
    return render(request, "impact/history.html", context)


def _form_context(
    session: SessionDep, filing: Filing, *, errors: dict[str, str] | None = None, **values: Any
) -> dict[str, Any]:
    org_id = filing.organisation.id if filing.organisation else None
    latest = reports.latest_version(
        session, filing.recommendation, filing.country, filing.kind, org_id
    )
    official = filing.kind is ReportKind.official
    base = f"/recommendations/{filing.recommendation.id}/countries/{filing.country}"
    action = f"{base}/official" if official else f"{base}/shadow/{org_id}"
    defaults = {
        "status": latest.status.value if latest else "",
        "narrative": latest.narrative if latest else "",
        "reported_on": date.today().isoformat(),
        "base_version": latest.version if latest else 0,
    }
    defaults.update({k: v for k, v in values.items() if v is not None})
    return _context(
        filing=filing,
        recommendation=filing.recommendation,
        process=filing.recommendation.meeting.process,
        official=official,
        latest=latest,
        action=action,
        statuses=status_choices(),
        values=defaults,
        errors=errors or {},
        max_mb=evidence.MAX_EVIDENCE_MB,
    )


def _report_form(request: Request, session: SessionDep, filing: Filing) -> Response:
    return render(request, REPORT_FORM, _form_context(session, filing))


def _file_report(
    request: Request, session: SessionDep, settings: SettingsDep, filing: Filing, htmx: bool
) -> Response:
    content_type = request.headers.get("content-type", "")
    fields: dict[str, list[str]] = {}
    try:
        if content_type.startswith("multipart/form-data"):
            intake.file_from_multipart(request, session, settings, filing, page=True)
        else:
            fields = fields_of(_read_form(request))
            intake.file_from_fields(session, filing, fields)
    except (CsrfError, Forbidden):
        raise
    except AppError as exc:
        fields = getattr(exc, "submitted", fields)
        errors = getattr(exc, "fields", None) or {}
        if not errors:
            errors = {"file" if exc.status in (413, 415) else "__all__": exc.message}
        elif "__all__" not in errors:
            errors["__all__"] = exc.message
        typed = {k: v[0] for k, v in fields.items() if v and k in ("status", "narrative")}
        if fields.get("reported_on"):
            typed["reported_on"] = fields["reported_on"][0]
        context = _form_context(session, filing, errors=errors, **typed)
        return render(
            request, REPORT_FORM, context, block="form" if htmx else None, status_code=exc.status
        )
    url = f"{recommendation_url(filing.recommendation)}/countries/{filing.country}"
    return redirect(url, htmx)


async def _form(request: Request) -> FormData:
    return await request.form()


def _read_form(request: Request) -> FormData:
    """The urlencoded form, read from a synchronous route (they run in a worker thread)."""
    return anyio.from_thread.run(_form, request)


@router.get("/recommendations/{recommendation_id}/countries/{country}/official")
def official_form(request: Request, session: SessionDep, filing: OfficialFiling) -> Response:
    return _report_form(request, session, filing)


@router.post("/recommendations/{recommendation_id}/countries/{country}/official")
@checks_csrf_in_body
def file_official(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    filing: OfficialFiling,
    htmx: Htmx,
) -> Response:
    return _file_report(request, session, settings, filing, htmx)


@router.get("/recommendations/{recommendation_id}/countries/{country}/shadow/{org_id}")
def shadow_form(request: Request, session: SessionDep, filing: ShadowFiling) -> Response:
    return _report_form(request, session, filing)


@router.post("/recommendations/{recommendation_id}/countries/{country}/shadow/{org_id}")
@checks_csrf_in_body
def file_shadow(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    filing: ShadowFiling,
    htmx: Htmx,
) -> Response:
    return _file_report(request, session, settings, filing, htmx)


@router.get("/evidence/{evidence_id}")
def evidence_download(settings: SettingsDep, item: VisibleEvidence) -> Response:
    return evidence.file_response(get_storage(settings), item)


@router.get("/organisations/{org_id}/recommendations")
def organisation_recommendations(
    request: Request, session: SessionDep, user: CurrentUser, org_id: int
) -> Response:
    """What became of an organisation's papers: the adopted recommendations citing them."""
    org = organisations.get_organisation(session, org_id)
    if organisations.role_of(session, org, user) is None and not user.is_admin:
        raise Forbidden(_("Only members of this organisation can see this."))
    cited = service.recommendations_for_organisation(session, org.id)
    return render(
        request,
        "impact/organisation.html",
        _context(organisation=org, cited=cited, describe=service.describe_addressees),
    )
