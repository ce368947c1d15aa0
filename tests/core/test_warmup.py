"""A serving process settles before its first request: templates compiled, then frozen out of
the garbage collector's full walks (app/warmup.py). Tests undo the freeze."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from app import templating, warmup
from app.config import Settings
from app.db import Database
from app.main import create_app


@pytest.fixture
def unfrozen() -> Iterator[None]:
    gc.unfreeze()
    yield
    gc.unfreeze()


def test_settle_compiles_every_template_and_freezes_what_is_loaded(unfrozen: None) -> None:
    frozen = warmup.settle()

    assert frozen == gc.get_freeze_count() > 10_000
    assert templating.preload() > 60
    cached = {name for _loader, name in templating._env.cache}  # type: ignore[union-attr]
    assert {"moderation/queue.html", "base.html", "dossiers/dossier.html"} <= cached


def test_only_a_settled_app_freezes_at_startup(
    settings: Settings, database: Database, unfrozen: None
) -> None:
    with TestClient(create_app(settings, database=database)):
        assert gc.get_freeze_count() == 0
    with TestClient(create_app(settings, database=database, settle=True)) as client:
        assert gc.get_freeze_count() > 10_000
        assert client.get("/healthz").status_code == 200
