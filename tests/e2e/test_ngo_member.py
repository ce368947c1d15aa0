"""Journey of an NGO member: signs in through the provider's own pages, creates the
organisation's profile, submits a paper with a real PDF (watching the upload progress), keeps the
receipt, then comments on an agenda item and answers in the thread."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e.conftest import NGO_ACCOUNT, Journey
from tests.e2e.seed import MEETING_PATH, unique_word
from tests.support.sample_files import pdf_document

TOPIC = "Measuring the progress of consultations"


def test_ngo_member_submits_a_paper_and_discusses_an_agenda_item(journey: Journey) -> None:
    page = journey.page
    word = unique_word()
    organisation = f"Diaspora Voices {journey.viewport} {word}"
    journey.sign_in_with_provider(NGO_ACCOUNT)

    journey.goto("/organisations/new")
    page.get_by_label(re.compile(r"^Name")).fill(organisation)
    page.get_by_label(re.compile(r"^Acronym")).fill("DV")
    page.get_by_label(re.compile(r"^Type of organisation")).select_option(index=2)
    page.get_by_label(re.compile(r"^Country")).select_option("SN")
    page.get_by_role("button", name=re.compile("Create")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Diaspora Voices")
    journey.check(screenshot="organisation")

    # The paper, from the meeting page.
    journey.goto(MEETING_PATH)
    page.get_by_role("link", name="Submit a paper").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Submit a position paper")
    journey.check(screenshot="submit-form")
    # Sent incomplete: the form comes back in place (htmx) with its errors announced.
    page.get_by_role("button", name="Submit the paper").click()
    expect(page.locator("#paper-form .form-errors[role=alert]")).to_contain_text(
        "Please correct the marked fields."
    )
    expect(page.get_by_label(re.compile(r"^Title"))).to_have_attribute("aria-invalid", "true")
    journey.check(screenshot="submit-errors")
    title = f"Follow-up that participants can see {word}"
    page.get_by_label(re.compile(r"^Organisation submitting")).select_option(label=organisation)
    page.get_by_label(re.compile(r"^Title")).fill(title)
    page.get_by_label(re.compile(r"^Summary")).fill(
        "Consultations should report back to participants on what became of their input."
    )
    page.get_by_label(re.compile(r"^2\. " + TOPIC)).check()
    page.get_by_label("Public, with our organisation's name").check()
    page.get_by_label(re.compile(r"^File")).set_input_files(
        {"name": "follow-up.pdf", "mimeType": "application/pdf", "buffer": pdf_document(30)}
    )
    # upload.js fills the <progress> from htmx's upload events; record what it shows.
    progress: list[dict[str, object]] = []
    page.expose_function("recordUploadProgress", lambda seen: progress.append(seen))
    page.evaluate(
        """() => document.addEventListener("htmx:xhr:progress", () => {
            const box = document.querySelector("#paper-form .upload-progress");
            window.recordUploadProgress({value: box.querySelector("progress").value,
                                         visible: !box.hidden,
                                         said: box.querySelector("[aria-live]").textContent});
        })"""
    )
    page.get_by_role("button", name="Submit the paper").click()

    expect(page).to_have_url(re.compile(r"/papers/\d+/receipt$"))
    assert progress, "the upload reported no progress"
    assert all(p["visible"] for p in progress)
    assert progress[-1]["value"] == 100 and progress[-1]["said"] == "100 %"
    tracking = page.locator("h1 .tracking-number")
    expect(tracking).to_have_text(re.compile(r"^PLN-\d{4}-\d{6}$"))
    expect(page.locator(".receipt[role=status]")).to_contain_text("Your paper was received.")
    expect(page.locator("dl.facts")).to_contain_text(title)
    expect(page.locator("code.hash")).to_have_text(re.compile(r"^[0-9a-f]{64}$"))
    journey.check(screenshot="receipt")
    page.get_by_role("link", name=f"All submissions of {organisation}").click()
    expect(page.locator("main")).to_contain_text(title)
    journey.check(screenshot="submissions")
    page.get_by_role("link", name=title).first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(title)
    journey.check(screenshot="paper")

    # A comment on the agenda item, on behalf of the organisation, then a reply in its thread.
    journey.goto(MEETING_PATH)
    page.locator("li.agenda-item", has_text=TOPIC).get_by_role(
        "link", name=re.compile(r"^(\d+ )?[Cc]omments?$")
    ).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(TOPIC)
    journey.check()
    status = page.locator("#comment-status")
    expect(status).to_have_attribute("aria-live", "polite")
    comment = f"Our paper asks for a public follow-up table {word}."
    page.locator("#new-comment").get_by_label("Your comment").fill(comment)
    page.locator("#new-comment").get_by_label("Post as").select_option(
        label=f"On behalf of {organisation}"
    )
    page.get_by_role("button", name="Post comment").click()
    expect(status).to_have_text("Your comment was published.")
    # (the word is in the organisation's name too, in every "Post as" list: find by the text)
    thread = page.locator("li.comment-thread", has=page.locator(".comment-body", has_text=comment))
    expect(thread.locator(".comment-author")).to_contain_text(organisation)
    expect(page.locator("#new-comment").get_by_label("Your comment")).to_have_value(
        ""
    )  # a fresh form for the next one
    journey.check()

    thread.locator("summary", has_text="Reply").click()
    reply = f"Here is the table we have in mind {word}."
    thread.get_by_label("Your reply").fill(reply)
    thread.get_by_role("button", name="Post reply").click()
    expect(status).to_have_text("Your reply was published.")
    expect(thread.locator("ol.comment-replies")).to_contain_text(reply)
    journey.check(screenshot="comments")
