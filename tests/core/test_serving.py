"""A serving process manages memory as tests must not (app/serving.py): it settles before its
first request (templates compiled, then frozen out of the collector's full walks) and collects
young garbage once each response has gone. Tests undo the freeze."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app import serving, templating
from app.config import Settings
from app.db import Database
from app.main import create_app


def _middleware(app: Any) -> list[object]:
    return [m.cls for m in app.user_middleware]


@pytest.fixture
def unfrozen() -> Iterator[None]:
    gc.unfreeze()
    yield
    gc.unfreeze()


def test_settle_compiles_every_template_and_freezes_what_is_loaded(unfrozen: None) -> None:
    frozen = serving.settle()

    assert frozen == gc.get_freeze_count() > 10_000
    assert templating.preload() > 60
    cached = {name for _loader, name in templating._env.cache}  # type: ignore[union-attr]
    assert {"moderation/queue.html", "base.html", "dossiers/dossier.html"} <= cached


def test_only_a_settled_app_freezes_at_startup_and_collects_after_responses(
    settings: Settings, database: Database, unfrozen: None
) -> None:
    plain = create_app(settings, database=database)
    assert serving.CollectAfterResponse not in _middleware(plain)
    with TestClient(plain):
        assert gc.get_freeze_count() == 0
    settled = create_app(settings, database=database, settle=True)
    assert _middleware(settled)[0] is serving.CollectAfterResponse  # outermost
    with TestClient(settled) as client:
        assert gc.get_freeze_count() > 10_000
        assert client.get("/healthz").status_code == 200


def test_young_garbage_is_collected_once_the_response_has_gone(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    events: list[Any] = []
    monkeypatch.setattr(serving, "gc", SimpleNamespace(collect=lambda gen: events.append(gen)))

    async def app(scope: Any, receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    async def send(message: Any) -> None:
        events.append(message["type"])

    async def receive() -> Any:
        return {"type": "http.request"}

    middleware = serving.CollectAfterResponse(app)
    asyncio.run(middleware({"type": "http"}, receive, send))
    assert events == ["http.response.start", "http.response.body", 1]
    events.clear()
    asyncio.run(middleware({"type": "lifespan"}, receive, send))
    assert 1 not in events
