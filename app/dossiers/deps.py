"""Loader dependencies: the meeting (or build) of the request, and whether the user may see or
compile its dossier. The user comes first (anonymous: 401), then unknown objects are 404,
then a missing role is 403; a build of another meeting is 404.

Pages name builds by number within the meeting; the API by id.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends
from sqlalchemy.orm import Session

from app.accounts.deps import ApiUser, CurrentUser
from app.accounts.models import User
from app.consultations import service as consultations
from app.consultations.models import Meeting
from app.deps import SessionDep
from app.dossiers import builds, repository, service
from app.dossiers.models import DossierBuild
from app.errors import NotFound
from app.i18n import N_

NO_MEETING = N_("There is no such meeting.")


@dataclass(frozen=True)
class DossierAccess:
    meeting: Meeting
    user: User
    can_compile: bool


@dataclass(frozen=True)
class BuildAccess:
    meeting: Meeting
    build: DossierBuild
    user: User
    can_compile: bool


def _access(session: Session, user: User, meeting: Meeting, *, compile: bool) -> DossierAccess:
    if compile:
        service.require_compiler(session, user, meeting)
        return DossierAccess(meeting, user, True)
    service.require_viewer(session, user, meeting)
    return DossierAccess(meeting, user, service.roles_allow(session, user, meeting)[1])


def _by_slug(session: Session, slug: str, meeting_slug: str) -> Meeting:
    return consultations.get_meeting_page(session, slug, meeting_slug)


def _by_id(session: Session, meeting_id: int) -> Meeting:
    meeting = repository.get_meeting(session, meeting_id)
    if meeting is None:
        raise NotFound(NO_MEETING)
    return meeting


# --- pages ---------------------------------------------------------------------------------------


def load_viewed(
    session: SessionDep, user: CurrentUser, slug: str, meeting_slug: str
) -> DossierAccess:
    return _access(session, user, _by_slug(session, slug, meeting_slug), compile=False)


def load_compiled(
    session: SessionDep, user: CurrentUser, slug: str, meeting_slug: str
) -> DossierAccess:
    return _access(session, user, _by_slug(session, slug, meeting_slug), compile=True)


def load_build(
    viewed: Annotated[DossierAccess, Depends(load_viewed)], session: SessionDep, number: int
) -> BuildAccess:
    build = builds.get_build(session, viewed.meeting, number)
    return BuildAccess(viewed.meeting, build, viewed.user, viewed.can_compile)


ViewedDossier = Annotated[DossierAccess, Depends(load_viewed)]
CompiledDossier = Annotated[DossierAccess, Depends(load_compiled)]
ViewedBuild = Annotated[BuildAccess, Depends(load_build)]


# --- API -----------------------------------------------------------------------------------------


def api_load_viewed(session: SessionDep, user: ApiUser, meeting_id: int) -> DossierAccess:
    return _access(session, user, _by_id(session, meeting_id), compile=False)


def api_load_compiled(session: SessionDep, user: ApiUser, meeting_id: int) -> DossierAccess:
    return _access(session, user, _by_id(session, meeting_id), compile=True)


def api_load_build(session: SessionDep, user: ApiUser, build_id: int) -> BuildAccess:
    build = repository.get_build(session, build_id)
    meeting = repository.meeting_of_dossier(session, build.dossier_id) if build else None
    if build is None or meeting is None:
        raise NotFound(builds.NO_BUILD)
    access = _access(session, user, meeting, compile=False)
    return BuildAccess(meeting, build, user, access.can_compile)


ApiViewedDossier = Annotated[DossierAccess, Depends(api_load_viewed)]
ApiCompiledDossier = Annotated[DossierAccess, Depends(api_load_compiled)]
ApiViewedBuild = Annotated[BuildAccess, Depends(api_load_build)]
