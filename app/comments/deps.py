"""Loader dependencies: the agenda item or comment named in the path, checked for this user.

Unknown items and comments, and pending comments of others, are 404; a comment the user may see
but not edit or moderate is 403.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from app.accounts.deps import ApiUser, CurrentUser
from app.accounts.models import User
from app.comments import policies, service
from app.comments.models import Comment
from app.consultations.models import AgendaItem
from app.deps import SessionDep
from app.errors import Forbidden
from app.i18n import gettext as _


def load_agenda_item(session: SessionDep, item_id: int) -> AgendaItem:
    return service.get_agenda_item(session, item_id)


def _editable(session: SessionDep, user: User, comment_id: int) -> Comment:
    comment = service.get_visible_comment(session, user, comment_id)
    if not policies.is_author(comment, user):
        raise Forbidden(_("Only its author can edit a comment."))
    return comment


def _moderatable(session: SessionDep, user: User, comment_id: int) -> Comment:
    comment = service.get_visible_comment(session, user, comment_id)
    service.require_moderator(session, user, comment)
    return comment


def load_comment_for_user(session: SessionDep, user: CurrentUser, comment_id: int) -> Comment:
    return service.get_visible_comment(session, user, comment_id)


def load_editable_comment(session: SessionDep, user: CurrentUser, comment_id: int) -> Comment:
    return _editable(session, user, comment_id)


def load_moderatable_comment(session: SessionDep, user: CurrentUser, comment_id: int) -> Comment:
    return _moderatable(session, user, comment_id)


def load_api_comment(session: SessionDep, user: ApiUser, comment_id: int) -> Comment:
    return service.get_visible_comment(session, user, comment_id)


def load_api_editable_comment(session: SessionDep, user: ApiUser, comment_id: int) -> Comment:
    return _editable(session, user, comment_id)


def load_api_moderatable_comment(session: SessionDep, user: ApiUser, comment_id: int) -> Comment:
    return _moderatable(session, user, comment_id)


CommentItem = Annotated[AgendaItem, Depends(load_agenda_item)]
VisibleComment = Annotated[Comment, Depends(load_comment_for_user)]
EditableComment = Annotated[Comment, Depends(load_editable_comment)]
ModeratableComment = Annotated[Comment, Depends(load_moderatable_comment)]
ApiVisibleComment = Annotated[Comment, Depends(load_api_comment)]
ApiEditableComment = Annotated[Comment, Depends(load_api_editable_comment)]
ApiModeratableComment = Annotated[Comment, Depends(load_api_moderatable_comment)]
