from fastapi import APIRouter, Depends

from app.security import verify_csrf

router = APIRouter(tags=["audit"], dependencies=[Depends(verify_csrf)])
