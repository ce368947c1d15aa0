"""The organisers' page of a process's reason codes: list, add, deactivate, activate again."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from app.deps import Htmx, SessionDep
from app.errors import FormError
from app.moderation import reasons
from app.moderation.deps import ReasonCodeList, ReasonCodes
from app.moderation.responses import parse, redirect, text
from app.moderation.schemas import ReasonCodeCreate
from app.security import verify_csrf
from app.templating import render

router = APIRouter(tags=["moderation"], dependencies=[Depends(verify_csrf)])
PAGE = "moderation/reason_codes.html"


def _url(ctx: ReasonCodes) -> str:
    return f"/processes/{ctx.process.slug}/reason-codes"


def _context(session: Session, ctx: ReasonCodes, **extra: Any) -> dict[str, Any]:
    return {
        "process": ctx.process,
        "codes": reasons.list_codes(session, ctx.process, active_only=False),
        "values": {"code": "", "label": ""},
        "errors": {},
        **extra,
    }


@router.get("/processes/{slug}/reason-codes")
def reason_codes_page(request: Request, session: SessionDep, ctx: ReasonCodeList) -> Response:
    return render(request, PAGE, _context(session, ctx))


@router.post("/processes/{slug}/reason-codes")
async def add_reason_code(
    request: Request, session: SessionDep, ctx: ReasonCodeList, htmx: Htmx
) -> Response:
    form = await request.form()
    values = {"code": text(form, "code"), "label": text(form, "label")}
    try:
        reasons.add_code(session, ctx.user, ctx.process, parse(ReasonCodeCreate, values))
    except FormError as exc:
        context = _context(session, ctx, values=values, errors=exc.fields)
        return render(request, PAGE, context, block="form" if htmx else None, status_code=422)
    return redirect(_url(ctx), htmx)


@router.post("/processes/{slug}/reason-codes/{code_id}/deactivate")
def deactivate_reason_code(
    session: SessionDep, ctx: ReasonCodeList, code_id: int, htmx: Htmx
) -> Response:
    reasons.set_active(session, ctx.user, ctx.process, code_id, active=False)
    return redirect(_url(ctx), htmx)


@router.post("/processes/{slug}/reason-codes/{code_id}/activate")
def activate_reason_code(
    session: SessionDep, ctx: ReasonCodeList, code_id: int, htmx: Htmx
) -> Response:
    reasons.set_active(session, ctx.user, ctx.process, code_id, active=True)
    return redirect(_url(ctx), htmx)
