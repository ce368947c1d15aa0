"""Journey of a moderator: narrows the triage queue with URL filters and a full-text search,
accepts two papers with one bulk action using only the keyboard, rejects a third from its row
with the keyboard, then hides a reported comment
with a reason and sees the moderator's marker where the comment was."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e.conftest import Journey
from tests.e2e.seed import MEETING_PATH, DemoSession, unique_word

MODERATOR = "Mira Moderator (moderator)"


def test_moderator_triages_papers_by_keyboard_and_hides_a_comment(journey: Journey) -> None:
    page = journey.page
    word = unique_word()
    with DemoSession(journey.site.base_url, "Bishnu Thapa") as ngo:
        org = ngo.create_organisation(f"Remittance Watch {word}")
        items = ngo.agenda_item_ids()
        papers = [
            ngo.submit_paper(org, f"Remittance corridors {word} part {n}", items[1]) for n in (1, 2)
        ]
        off_agenda = ngo.submit_paper(org, f"Remittance corridors {word} part 3", items[0])
        comment = f"Buy cheap followers at spam-{word}.example"
        comment_id = ngo.post_comment(items[0], comment)
    with DemoSession(journey.site.base_url, "Kwame Mensah") as reader:
        reader.report_comment(comment_id, "Advertising, not a comment on the agenda item.")

    journey.sign_in_as_demo_user(MODERATOR)
    queue = f"{MEETING_PATH}/queue"
    # Filters live in the URL: a link to this view shows the same papers.
    journey.goto(f"{queue}?status=submitted&item={items[1]}")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Triage queue")
    expect(page.get_by_label("Status")).to_have_values(["submitted"])
    expect(page.get_by_label("Agenda item")).to_have_values([str(items[1])])

    search = page.get_by_label("Search titles, summaries and files")
    search.fill(f"remittance {word}")
    search.press("Enter")
    expect(page).to_have_url(re.compile(rf"[?&]q=remittance(%20|\+){word}"))
    rows = page.locator("tr[data-queue-row]")
    expect(rows).to_have_count(2)
    for paper in papers:
        expect(page.locator("#queue-results")).to_contain_text(paper.tracking_number)
    journey.check(screenshot="queue-filtered")
    # "o" opens the current paper; the browser's Back returns to the same filtered view.
    journey.tab_to(page.locator("#queue-help summary"))
    page.keyboard.press("j")
    page.keyboard.press("o")
    expect(page).to_have_url(re.compile(rf"/papers/{papers[0].id}/moderation$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text(papers[0].title)
    journey.check(screenshot="paper-moderation")
    page.go_back()
    expect(rows).to_have_count(2)

    # Keyboard only: the shortcuts are listed on the page.
    page.get_by_text("Keyboard shortcuts").click()
    expect(page.locator("#queue-help")).to_contain_text("select or unselect the paper")
    page.keyboard.press("?")  # and hidden again from the keyboard
    expect(page.locator("#queue-help")).not_to_have_attribute("open", "")
    journey.tab_to(page.locator("#queue-help summary"))
    for n in range(2):
        page.keyboard.press("j")
        expect(rows.nth(n).locator("a[data-open]")).to_be_focused()
        page.keyboard.press("x")
        expect(rows.nth(n).locator("input[data-select]")).to_be_checked()
    action = page.get_by_label("Action", exact=True)
    journey.tab_to(action, backwards=True)
    page.keyboard.press("ArrowDown")
    expect(action).to_have_value("accepted")
    apply = page.get_by_role("button", name="Apply to the selected papers")
    journey.tab_to(apply)
    page.keyboard.press("Enter")

    expect(page.locator(".queue-notice[role=status]")).to_have_text("2 papers done.")
    expect(rows).to_have_count(0)  # no longer "submitted": they left this view
    journey.check()
    journey.goto(f"{queue}?status=accepted&q={word}", screenshot="queue-accepted")
    expect(rows).to_have_count(2)
    for paper in papers:
        row = page.locator("tr[data-queue-row]", has_text=paper.tracking_number)
        expect(row.locator(".paper-status")).to_have_text("Accepted")

    # "r" fetches the current row's reject form (rows carry none), its reason list focused.
    journey.goto(f"{queue}?status=submitted&q={word}")
    expect(rows).to_have_count(1)
    journey.tab_to(page.locator("#queue-help summary"))
    page.keyboard.press("j")
    page.keyboard.press("r")
    expect(page.locator(f"#reject-{off_agenda.id}-code")).to_be_focused()
    journey.check(screenshot="queue-reject-form")
    page.keyboard.press("Tab")
    page.keyboard.type("It answers another agenda item; please send it there.")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(rows.first.locator(".paper-status")).to_have_text("Not accepted")
    expect(rows.first.locator(".row-message")).to_contain_text("staged")

    # The reported comment, in the comment queue.
    journey.goto(f"{MEETING_PATH}/comments/queue")
    row = page.locator("tbody tr", has_text=f"spam-{word}")
    expect(row).to_contain_text("1 open report")
    row.locator("summary", has_text="Hide").click()
    row.get_by_label("Reason for hiding (moderators see it)").fill("Advertising")
    row.get_by_role("button", name=re.compile("^Hide comment")).click()
    expect(page.locator("#queue-status")).to_have_text("1 comment hidden.")
    journey.check(screenshot="comment-queue")

    journey.goto(f"/agenda-items/{items[0]}#comment-{comment_id}", screenshot="comment-hidden")
    hidden = page.locator(f"#comment-{comment_id}")
    expect(hidden.locator(".comment-hidden-note")).to_have_text(
        "This comment was hidden by a moderator."
    )
    expect(hidden.locator(".comment-hidden-reason")).to_have_text("Reason: Advertising")
