"""What a serving process does about memory that tests must not: settle before the first
request, and collect each request's young garbage once its response has gone.

Settle: a web process holds about 300,000 long-lived objects (libraries, mappers, compiled
templates, locale data). CPython's full collection walks every one of them: about 150 ms, once
every 25 or so queue pages (the "max" column of benchmarks/queue.py). `settle()` loads what the
first requests would load, then `gc.freeze()` moves it all into a generation the collector never
walks. Frozen objects are still freed when nothing refers to them; only reference cycles among
them would stay, and what is frozen here lives as long as the process anyway.

After each response: a page leaves a few thousand objects in reference cycles (ORM objects and
their relationships, template contexts). Collected while young they cost about a millisecond;
those that a collection in the middle of a request had already promoted piled up until a full
collection freed them all at once, 25 ms in one request of fifteen. `CollectAfterResponse`
collects the young generations when a response has been sent, so the client is not waiting and
little reaches the old generation.

Only the serving process does this (`create_app(settle=True)`, which `plenary serve` uses): tests
create many apps in one process and must not freeze each one's garbage.
"""

from __future__ import annotations

import gc
from datetime import UTC, datetime

from sqlalchemy.orm import configure_mappers
from starlette.types import ASGIApp, Receive, Scope, Send

from app import formatting, i18n, templating


def settle() -> int:
    """Load templates, mappers and locale data; freeze. Returns the number of frozen objects."""
    configure_mappers()
    templating.preload()
    now = datetime.now(UTC)
    for locale in i18n.SUPPORTED_LOCALES:
        with i18n.using_locale(locale):
            formatting.local_datetime(now, "UTC")
            formatting.number(1234.5)
            formatting.language_name("en")
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()


class CollectAfterResponse:
    """ASGI middleware: once an HTTP response has been sent, collect generations 0 and 1."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.app(scope, receive, send)
        if scope["type"] == "http":
            gc.collect(1)
