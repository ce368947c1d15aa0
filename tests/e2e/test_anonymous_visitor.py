"""Journey of an anonymous visitor: the public agenda, an agenda item's discussion, and the
papers published for a meeting (accepted, announced, with the organisation's consent)."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e.conftest import Journey
from tests.e2e.seed import MEETING_PATH, DemoSession, unique_word

MEETING = "Preparatory consultation for the High-Level Dialogue"
TOPIC = "Measuring the progress of consultations"


def test_anonymous_visitor_reads_the_public_agenda_and_a_published_paper(
    journey: Journey,
) -> None:
    page = journey.page
    word = unique_word()
    with DemoSession(journey.site.base_url, "Bishnu Thapa") as ngo:
        org = ngo.create_organisation(f"Open Borders Forum {word}")
        items = ngo.agenda_item_ids()
        paper = ngo.submit_paper(org, f"Indicators that count {word}", items[1])
        ngo.post_comment(items[1], f"Which indicators would you add? {word}")
    with DemoSession(journey.site.base_url, "Mira Moderator (moderator)") as moderator:
        moderator.accept(paper)

    journey.goto("/", screenshot="home")
    # Keyboard: the skip link is the first stop and moves focus to the main content.
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to main content")).to_be_focused()
    page.get_by_role("link", name=MEETING).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Preparatory consultation")
    expect(page.get_by_role("heading", name=re.compile(TOPIC))).to_be_visible()
    journey.check(screenshot="meeting")

    # An agenda item's discussion is public; taking part needs signing in.
    page.locator("li.agenda-item", has_text=TOPIC).get_by_role(
        "link", name=re.compile(r"^(\d+ )?[Cc]omments?$")
    ).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(TOPIC)
    expect(page.locator(".comment-body", has_text=word)).to_be_visible()
    expect(page.get_by_role("link", name="Sign in to comment")).to_be_visible()
    journey.check()

    page.get_by_role("link", name=MEETING).click()
    page.get_by_role("link", name="Published papers").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Papers published for")
    section = page.locator("section", has=page.get_by_role("heading", name=re.compile(TOPIC)))
    expect(section.get_by_role("listitem").filter(has_text=paper.title)).to_contain_text(
        f"Open Borders Forum {word}"
    )
    journey.check(screenshot="published-list")
    section.get_by_role("link", name=paper.title).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(paper.title)
    expect(page.locator("dl.facts")).to_contain_text(f"Open Borders Forum {word}")
    expect(page.locator("dl.facts")).to_contain_text(paper.tracking_number)
    journey.check(screenshot="published-paper")
    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile(r"Download the paper \(PDF\)")).click()
    assert download.value.suggested_filename == f"{paper.tracking_number}.pdf"
    with open(download.value.path(), "rb") as file:
        assert file.read(5) == b"%PDF-"

    # The same pages in French and Spanish (longer words: still no sideways scrolling).
    for code in ("fr", "es"):
        page.goto(journey.site.url(f"{MEETING_PATH}/published"))  # checked in English above
        page.locator("#locale-select").select_option(code)
        page.locator(".locale-form button[type=submit]").click()
        expect(page.locator("html")).to_have_attribute("lang", code)
        journey.check(screenshot=f"published-list-{code}")
        journey.goto(f"/published/{paper.id}", screenshot=f"published-paper-{code}")
        journey.goto(MEETING_PATH, screenshot=f"meeting-{code}")
        journey.goto(f"/agenda-items/{items[1]}")
