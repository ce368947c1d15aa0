"""Journey of an anonymous visitor: the public agenda and published papers."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e.conftest import Journey


def test_anonymous_visitor_reads_the_public_agenda(journey: Journey) -> None:
    page = journey.page
    journey.goto("/")
    journey.check(screenshot="home")
    page.get_by_role("link", name="Preparatory consultation for the High-Level Dialogue").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Preparatory consultation")
    expect(page.get_by_role("heading", name=re.compile("Measuring the progress"))).to_be_visible()
    journey.check(screenshot="meeting")
    # Keyboard: the skip link is the first stop and moves focus to the main content.
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to main content")).to_be_focused()
