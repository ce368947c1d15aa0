"""Jinja2 (with jinja2-fragments) set up once; render() is how every page and fragment is made."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from fastapi import Request
from jinja2 import (
    Environment,
    FileSystemLoader,
    StrictUndefined,
    Undefined,
    pass_eval_context,
    select_autoescape,
)
from jinja2.nodes import EvalContext
from jinja2_fragments.fastapi import Jinja2Blocks
from markupsafe import Markup
from starlette.responses import Response

from app import formatting, i18n
from app.security import csrf_token, set_rendering_request

TEMPLATE_DIR = Path(__file__).resolve().parent.parent / "templates"

_env = Environment(
    loader=FileSystemLoader(TEMPLATE_DIR),
    autoescape=select_autoescape(default=True),
    extensions=["jinja2.ext.i18n"],
    undefined=StrictUndefined if os.environ.get("PLENARY_STRICT_TEMPLATES") else Undefined,
)
_env.install_gettext_callables(  # type: ignore[attr-defined]
    i18n.gettext, i18n.ngettext, newstyle=True
)


@pass_eval_context
def _translate(eval_ctx: EvalContext, message: str, **variables: Any) -> str:
    """`_()` in templates: what Jinja's newstyle gettext does (translate; mark safe when
    autoescaping, so the %-formatting escapes the variables instead), without its three nested
    context calls per string: a queue page calls it 560 times."""
    text: str = i18n.gettext(message)
    if eval_ctx.autoescape:
        text = Markup(text)  # noqa: S704 - our own catalogs, as Jinja's gettext does
    return text % variables if variables or "%" in text else text


_env.globals["_"] = _translate
templates = Jinja2Blocks(env=_env)
templates.env.globals["csrf_token"] = csrf_token
templates.env.globals["supported_locales"] = i18n.SUPPORTED_LOCALES
templates.env.globals["locale_names"] = i18n.LOCALE_NAMES
templates.env.filters["local_datetime"] = formatting.local_datetime
templates.env.filters["long_date"] = formatting.long_date
templates.env.filters["date_range"] = formatting.date_range
templates.env.filters["language_name"] = formatting.language_name
templates.env.filters["content_language"] = formatting.content_language
templates.env.globals["content_language"] = formatting.content_language
templates.env.filters["number"] = formatting.number


def preload() -> int:
    """Compile every page and fragment now (about a second), not on its first request."""
    names = _env.list_templates(extensions=["html"])
    for name in names:
        _env.get_template(name)
    return len(names)


def render(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    block: str | None = None,
    status_code: int = 200,
) -> Response:
    """Render a whole page, or one named block of it for an htmx swap."""
    set_rendering_request(request)
    ctx = dict(context or {})
    ctx.setdefault(
        "session_user", request.session.get("user") if "session" in request.scope else None
    )
    ctx.setdefault("locale", i18n.current_locale.get())
    response: Response = templates.TemplateResponse(
        request, template, ctx, block_name=block, status_code=status_code
    )
    response.headers["Vary"] = "HX-Request"
    return response
