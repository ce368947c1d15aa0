from __future__ import annotations

from fastapi import APIRouter

from app.accounts.deps import ApiUser
from app.accounts.schemas import UserRead

router = APIRouter(prefix="/api/v1", tags=["accounts"])


@router.get("/me", response_model=UserRead)
def me(user: ApiUser) -> UserRead:
    return UserRead.model_validate(user)
