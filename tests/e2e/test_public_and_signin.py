"""Journeys of an anonymous visitor and of an NGO member signing in through the provider."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e.conftest import NGO_ACCOUNT, Journey


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


def test_ngo_member_signs_in_with_the_provider_and_creates_an_organisation(
    journey: Journey,
) -> None:
    page = journey.page
    journey.goto("/auth/signin")
    page.get_by_role("link", name="Sign in with Test ID").click()
    # The provider's own login and consent pages.
    page.locator("input[name=login]").fill(NGO_ACCOUNT.email)
    page.locator("input[name=password]").fill(NGO_ACCOUNT.password)
    page.locator("#login-form [type=submit]").first.click()
    page.locator(
        "#consent-form button[type=submit], #consent-form input[type=submit]"
    ).first.click()
    expect(page.get_by_role("link", name=NGO_ACCOUNT.name)).to_be_visible()

    journey.goto("/organisations/new")
    page.get_by_label(re.compile(r"^Name")).fill(f"Diaspora Voices {journey.viewport}")
    page.get_by_label(re.compile(r"^Acronym")).fill("DV")
    page.get_by_label(re.compile(r"^Type of organisation")).select_option(index=2)
    page.get_by_label(re.compile(r"^Country")).select_option("SN")
    page.get_by_role("button", name=re.compile("Create")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Diaspora Voices")
    journey.check(screenshot="organisation")
