"""Before a server process takes requests: load what the first requests would load, then take
it out of the garbage collector's sight.

A web process holds about 300,000 long-lived objects (libraries, mappers, compiled templates,
locale data). CPython's full collection walks every one of them: about 150 ms on the machines
of docs/benchmarks.md, once every 25 or so queue pages, so one request in 25 took 150 ms more
(the "max" column of benchmarks/queue.py). `gc.freeze()` moves what exists now into a
generation the collector never walks; later collections walk only what requests create.
Frozen objects are still freed when nothing refers to them; only reference cycles among them
stay, and what is frozen here lives as long as the process anyway.

Only the serving process does this (`create_app(settle=True)`, which `plenary serve` uses):
tests create many apps in one process and must not freeze each one's garbage.
"""

from __future__ import annotations

import gc
from datetime import UTC, datetime

from sqlalchemy.orm import configure_mappers

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
