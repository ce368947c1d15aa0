"""htmx runs under the strict CSP (no inline styles): its configuration must never make it
write a style attribute or a <style> element."""

from __future__ import annotations

import html
import json
import re

from fastapi.testclient import TestClient


def _htmx_config(client: TestClient) -> dict[str, object]:
    page = client.get("/").text
    match = re.search(r'<meta name="htmx-config" content=\'([^\']+)\'>', page)
    assert match, "base.html carries htmx's configuration"
    config: dict[str, object] = json.loads(html.unescape(match.group(1)))
    return config


def test_htmx_writes_no_inline_style(client: TestClient) -> None:
    config = _htmx_config(client)
    assert config["includeIndicatorStyles"] is False
    assert config["allowEval"] is False
    # Settling copies these attributes onto swapped-in elements with setAttribute, which the
    # CSP blocks for "style" (e.g. a textarea the user resized, then swapped by htmx).
    settled = config["attributesToSettle"]
    assert isinstance(settled, list) and "style" not in settled
