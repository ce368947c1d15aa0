"""Journey of an organiser reading the process's dashboard: filters in the URL, each chart
with its table, downloads with the same filters; at desktop and at phone width."""

from __future__ import annotations

import csv
import io
import re

from playwright.sync_api import expect

from tests.e2e.conftest import Journey
from tests.e2e.seed import PROCESS

ORGANISER = "Omar Organiser (organiser)"


def test_organiser_reads_the_dashboard(journey: Journey) -> None:
    page = journey.page
    journey.sign_in_as_demo_user(ORGANISER)
    journey.goto(f"/processes/{PROCESS}/dashboard", screenshot="dashboard")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Dashboard of")
    charts = page.locator("figure.chart svg")
    expect(charts.first).to_be_visible()
    # Every chart has its numbers in a table too.
    expect(page.locator("table.dashboard-table").first).to_be_visible()

    region = page.get_by_label("Region")
    choice = region.locator("option").nth(1)
    value = choice.get_attribute("value")
    assert value
    region.select_option(value)
    page.get_by_role("button", name="Apply filters").click()
    expect(page).to_have_url(re.compile(rf"[?&]region={re.escape(value)}"))
    expect(page.get_by_label("Region")).to_have_value(value)
    journey.check(screenshot="dashboard-filtered")

    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile(r"table as CSV")).first.click()
    with open(download.value.path(), encoding="utf-8-sig") as file:
        rows = list(csv.reader(io.StringIO(file.read())))
    assert rows and rows[0], "the CSV has a header row"


def test_follow_up_pages_read_in_french_and_spanish(journey: Journey) -> None:
    """The dashboard, the recommendations, the follow-up and the questionnaires pages in the
    other two interface languages: translated, axe-clean, no sideways scrolling at 390 px."""
    page = journey.page
    headings = {
        "fr": ("Tableau de bord de", "Recommandations de", "Questionnaires d'évaluation"),
        "es": ("Panel de", "Recomendaciones de", "Cuestionarios de evaluación"),
    }
    journey.sign_in_as_demo_user(ORGANISER)
    for code, (dashboard, recommendations, questionnaires) in headings.items():
        journey.goto(f"/processes/{PROCESS}")
        page.locator("#locale-select").select_option(code)
        page.locator(".locale-form button[type=submit]").click()
        expect(page.locator("html")).to_have_attribute("lang", code)
        journey.goto(f"/processes/{PROCESS}/dashboard", screenshot=f"dashboard-{code}")
        expect(page.get_by_role("heading", level=1)).to_contain_text(dashboard)
        journey.goto(f"/processes/{PROCESS}/recommendations", screenshot=f"recs-{code}")
        expect(page.get_by_role("heading", level=1)).to_contain_text(recommendations)
        journey.goto("/follow-up", screenshot=f"follow-up-{code}")
        journey.goto("/questionnaires", screenshot=f"questionnaires-{code}")
        expect(page.get_by_role("heading", level=1)).to_contain_text(questionnaires)
    # back to English for the journeys that follow in this browser context
    page.locator("#locale-select").select_option("en")
    page.locator(".locale-form button[type=submit]").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
