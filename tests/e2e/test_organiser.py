"""Journey of an organiser: puts a dossier section's papers in order (htmx move up/down),
starts a build, watches its progress bar until the embedded worker has typeset it (Typst and
pikepdf, for real), and downloads the PDF."""

from __future__ import annotations

import re

import pikepdf
from playwright.sync_api import expect

from tests.e2e.conftest import Journey
from tests.e2e.seed import MEETING_PATH, DemoSession, unique_word

ORGANISER = "Omar Organiser (organiser)"


def test_organiser_orders_a_section_builds_and_downloads_the_dossier(journey: Journey) -> None:
    page = journey.page
    word = unique_word()
    with DemoSession(journey.site.base_url, "Bishnu Thapa") as ngo:
        org = ngo.create_organisation(f"Rights at Work {word}")
        items = ngo.agenda_item_ids()
        first, second = (
            ngo.submit_paper(org, f"Labour standards in practice {word} {n}", items[2])
            for n in ("A", "B")
        )
    with DemoSession(journey.site.base_url, "Mira Moderator (moderator)") as moderator:
        moderator.accept(first)
        moderator.accept(second)

    journey.sign_in_as_demo_user(ORGANISER)
    journey.goto(f"{MEETING_PATH}/papers", screenshot="papers-received")
    expect(page.locator("main")).to_contain_text(second.tracking_number)
    journey.goto(f"{MEETING_PATH}/dossier", screenshot="dossier")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Dossier of")
    section = page.locator(f"#section-{items[2]}")
    entries = section.locator("li[id^=entry-]")

    ours = [f"entry-{first.id}", f"entry-{second.id}"]
    shown = entries.evaluate_all("els => els.map(e => e.id)")
    assert [e for e in shown if e in ours] == ours  # in submission order at first

    section.get_by_role("button", name=f"Move up {second.tracking_number}").click()
    expect(page.locator("#dossier-status")).to_have_text(re.compile(r"New order of item 3 saved\."))
    expect(section.locator(f"#entry-{second.id} ~ #entry-{first.id}")).to_have_count(1)
    # The swapped section keeps working: move it back down, then up again.
    section.get_by_role("button", name=f"Move down {second.tracking_number}").click()
    expect(section.locator(f"#entry-{first.id} ~ #entry-{second.id}")).to_have_count(1)
    section.get_by_role("button", name=f"Move up {second.tracking_number}").click()
    expect(section.locator(f"#entry-{second.id} ~ #entry-{first.id}")).to_have_count(1)
    journey.check()

    page.get_by_role("button", name="Build the dossier now").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(re.compile(r"build v\d+"))
    bar = page.locator("progress[id^=build-bar-]")
    expect(bar).to_have_attribute("max", "100")
    journey.check(screenshot="build-started")
    # htmx polls the progress every second; the embedded worker runs the build.
    expect(page.locator(".build-progress .build-state")).to_have_text("Ready", timeout=90_000)
    expect(bar).to_have_attribute("value", "100")
    expect(page.locator(".included-table")).to_contain_text(second.tracking_number)
    journey.check(screenshot="build-ready")

    with page.expect_download() as download:
        page.locator(".build-progress").get_by_role("link", name=re.compile("Download PDF")).click()
    assert download.value.suggested_filename.endswith(".pdf")
    with pikepdf.open(download.value.path()) as pdf:
        assert len(pdf.pages) > 0
        outline_titles = _outline_titles(pdf)
    assert any(second.title in title for title in outline_titles)
    assert any(first.title in title for title in outline_titles)
    ranks = [
        next(i for i, t in enumerate(outline_titles) if paper.title in t)
        for paper in (second, first)
    ]
    assert ranks == sorted(ranks), "the PDF follows the order the organiser set"


def _outline_titles(pdf: pikepdf.Pdf) -> list[str]:
    titles: list[str] = []
    with pdf.open_outline() as outline:
        stack = list(reversed(outline.root))
        while stack:
            item = stack.pop()
            titles.append(str(item.title))
            stack.extend(reversed(item.children))
    return titles
