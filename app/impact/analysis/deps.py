"""Loader dependencies of the dashboard: the process by slug (unknown: 404), what the viewer may
see of it (policies.py: public, with drafts and unpublished inputs for the process's staff), the
filters from the URL (invalid: 422) and the computed dashboard."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Query
from sqlalchemy.orm import Session

from app.accounts.deps import OptionalApiUser, OptionalUser
from app.accounts.models import User
from app.consultations import service as consultations
from app.consultations.models import Process
from app.deps import SessionDep
from app.errors import Forbidden
from app.i18n import gettext as _
from app.impact import service as impact
from app.impact.analysis import dashboard, policies, repository
from app.impact.analysis.dashboard import Dashboard
from app.impact.analysis.filters import parse_filters
from app.impact.analysis.policies import Audience


@dataclass(frozen=True)
class Viewed:
    process: Process
    audience: Audience


def _viewable(session: Session, user: User | None, slug: str) -> Viewed:
    process = consultations.get_process_page(session, slug)
    roles = consultations.roles_in(session, user, process.id)
    if not policies.can_view_dashboard(user, roles):
        raise Forbidden(_("You may not see the dashboard of this process."))
    return Viewed(process, policies.audience_of(user, roles))


def load_viewable_process(session: SessionDep, user: OptionalUser, slug: str) -> Viewed:
    return _viewable(session, user, slug)


def api_load_viewable_process(session: SessionDep, user: OptionalApiUser, slug: str) -> Viewed:
    return _viewable(session, user, slug)


ViewableProcess = Annotated[Viewed, Depends(load_viewable_process)]
ApiViewableProcess = Annotated[Viewed, Depends(api_load_viewable_process)]


def _build(
    session: Session,
    viewed: Viewed,
    region: str | None,
    item: str | None,
    as_of: str | None,
    measure: str | None,
) -> Dashboard:
    process, audience = viewed.process, viewed.audience
    items = repository.agenda_items_with_recommendations(
        session, process.id, drafts=audience.include_drafts, today=impact.today()
    )
    filters = parse_filters(
        impact.today(),
        region=region,
        item=item,
        as_of=as_of,
        measure=measure,
        agenda_item_ids={i.id for i in items},
    )
    return dashboard.build(session, process, filters, audience=audience, agenda_items=items)


def load_dashboard(
    session: SessionDep,
    viewed: ViewableProcess,
    region: Annotated[str | None, Query(max_length=10)] = None,
    item: Annotated[str | None, Query(max_length=20)] = None,
    as_of: Annotated[str | None, Query(max_length=20)] = None,
    measure: Annotated[str | None, Query(max_length=20)] = None,
) -> Dashboard:
    return _build(session, viewed, region, item, as_of, measure)


def api_load_dashboard(
    session: SessionDep,
    viewed: ApiViewableProcess,
    region: Annotated[str | None, Query(max_length=10)] = None,
    item: Annotated[str | None, Query(max_length=20)] = None,
    as_of: Annotated[str | None, Query(max_length=20)] = None,
    measure: Annotated[str | None, Query(max_length=20)] = None,
) -> Dashboard:
    return _build(session, viewed, region, item, as_of, measure)


ViewedDashboard = Annotated[Dashboard, Depends(load_dashboard)]
ApiViewedDashboard = Annotated[Dashboard, Depends(api_load_dashboard)]
