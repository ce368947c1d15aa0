"""Journey of an evaluation questionnaire: a participant answers the demo questionnaire on
behalf of their organisation (errors announced first, then the answers accepted, once), and an
organiser reads the results per question and finds the exports. Axe runs on every page, at
desktop and phone width."""

from __future__ import annotations

import re

from playwright.sync_api import Locator, expect

from tests.e2e.conftest import Journey

TITLE = "How was the Second Ministerial Conference?"  # the follow-up demo's last conference
# one respondent per viewport: each answers once, and the site lives for the whole session
RESPONDENTS = {
    "desktop": ("Lucía Ortega (diaspora association)", "Asociación de Migrantes Latinoamericanos"),
    "phone": ("Kwame Mensah (university)", "Centre for Migration Studies, University of Ghana"),
}


def test_participant_answers_once_and_organiser_reads_results(journey: Journey) -> None:
    page = journey.page
    name, organisation = RESPONDENTS[journey.viewport]
    journey.sign_in_as_demo_user(name)
    journey.goto("/questionnaires")
    page.get_by_role("link", name=TITLE).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(page.get_by_role("radio", name=f"On behalf of {organisation}")).to_be_checked()
    journey.check(screenshot="questionnaire")

    # Sent without the required answers: the summary is announced and links to the questions.
    page.get_by_role("button", name="Send my answers").click()
    summary = page.locator("#error-summary")
    expect(summary).to_have_attribute("role", "alert")
    expect(summary.get_by_role("link")).to_have_count(3)
    journey.check(screenshot="questionnaire-errors")

    def question(number: int) -> Locator:
        return page.get_by_role("group", name=re.compile(rf"^{number}\. "))

    question(1).get_by_label("4", exact=True).check()
    question(2).get_by_label("3", exact=True).check()
    question(4).get_by_label("Side events").check()
    question(5).get_by_label("Yes", exact=True).check()
    suggestion = f"Interpretation in the round tables ({journey.viewport})."
    page.get_by_label(re.compile(r"^6\. What should the organisers change")).fill(suggestion)
    page.get_by_role("button", name="Send my answers").click()
    expect(page.get_by_role("status").filter(has_text="Thank you")).to_be_visible()
    expect(page.get_by_role("button", name="Send my answers")).to_have_count(0)
    journey.check()

    page.get_by_role("button", name="Sign out").click()
    journey.sign_in_as_demo_user("Omar Organiser (organiser)")
    journey.goto("/questionnaires")
    page.get_by_role(
        "link", name=re.compile("Questionnaires of Second Ministerial Conference")
    ).click()
    journey.check()
    page.get_by_role("link", name=re.compile(rf"^Results {re.escape(TITLE)}")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Results of")
    expect(page.get_by_text(re.compile(r"^(27|28) responses so far\."))).to_be_visible()
    expect(page.get_by_text(suggestion)).to_be_visible()
    expect(page.get_by_role("link", name="All answers (CSV)")).to_be_visible()
    journey.check(screenshot="questionnaire-results")


def test_organiser_builds_a_questionnaire(journey: Journey) -> None:
    page = journey.page
    title = f"Side event feedback ({journey.viewport})"
    journey.sign_in_as_demo_user("Omar Organiser (organiser)")
    journey.goto("/questionnaires")
    page.get_by_role(
        "link", name=re.compile("Questionnaires of Second Ministerial Conference")
    ).click()
    page.get_by_label("Title").fill(title)
    page.get_by_role("button", name="Create the questionnaire").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(title)
    journey.check()

    add = page.locator("form[action$='/questions']")
    add.get_by_label("Kind of question").select_option("single")
    add.locator("#new-text").fill("Was the room accessible?")
    add.get_by_role("button", name="Add the question").click()
    expect(page.locator("#error-summary").last).to_contain_text("Give at least two options")
    journey.check()
    add = page.locator("form[action$='/questions']")
    add.get_by_label("Options (choice questions)").fill("Yes\nPartly\nNo")
    add.get_by_role("button", name="Add the question").click()
    expect(page.get_by_role("status").filter(has_text="Question added.")).to_be_visible()
    expect(page.get_by_role("heading", name="1. Was the room accessible?")).to_be_visible()
    page.get_by_text("Edit question 1").click()  # a <details>: works without JavaScript
    journey.check(screenshot="questionnaire-builder")
    page.get_by_role("button", name="Open for answers").click()
    expect(page.get_by_role("status").filter(has_text="The questionnaire is open.")).to_be_visible()
    expect(page.get_by_role("button", name=re.compile("^Move up"))).to_have_count(0)
    journey.check()
