from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from app.accounts.models import ApiToken, User


def get_user(session: Session, user_id: int) -> User | None:
    return session.get(User, user_id)


def get_user_by_identity(session: Session, issuer: str, subject: str) -> User | None:
    return session.scalar(select(User).where(User.issuer == issuer, User.subject == subject))


def find_users_by_email(session: Session, email: str) -> list[User]:
    stmt = select(User).where(func.lower(User.email) == email.lower()).order_by(User.id)
    return list(session.scalars(stmt))


def list_users_by_issuer(session: Session, issuer: str) -> list[User]:
    return list(session.scalars(select(User).where(User.issuer == issuer).order_by(User.id)))


def get_active_token(session: Session, token_hash: str) -> ApiToken | None:
    stmt = (
        select(ApiToken)
        .options(joinedload(ApiToken.user))
        .where(ApiToken.token_hash == token_hash, ApiToken.revoked_at.is_(None))
    )
    return session.scalar(stmt)


def list_tokens(session: Session, user_id: int) -> list[ApiToken]:
    stmt = select(ApiToken).where(ApiToken.user_id == user_id).order_by(ApiToken.id)
    return list(session.scalars(stmt))


def get_token(session: Session, token_id: int) -> ApiToken | None:
    return session.get(ApiToken, token_id)
