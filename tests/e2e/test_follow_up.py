"""Journey of country follow-up: a country focal point files a new version of its official
report from the Follow-up page, and an organisation files a shadow report that appears beside
it. Axe runs on every page, at desktop and phone width."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e.conftest import Journey

FOCAL_POINT = "Kyrgyzstan focal point (country focal point)"
NGO_OWNER = "Nadia Nurlanova (NGO owner)"
NGO = "Migrant Workers Support Centre"


def test_focal_point_reports_and_organisation_reports_beside_it(journey: Journey) -> None:
    page = journey.page
    narrative = f"Fees were abolished by decree ({journey.viewport})."
    journey.sign_in_as_demo_user(FOCAL_POINT)
    page.get_by_role("link", name="Follow-up").click()
    expect(page.get_by_role("heading", name="Your reporting as focal point")).to_be_visible()
    journey.check(screenshot="follow-up")

    page.get_by_role("link", name=re.compile(r"^(Update|Report) recommendation 1\.1$")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Official report of Kyrgyzstan")
    journey.check(screenshot="official-form")
    page.get_by_label("Status").select_option("implemented")
    page.get_by_label("What has been done").fill(narrative)
    page.get_by_label("Link to a document or web page").fill("not a link")
    page.get_by_role("button", name="File this version").click()
    # the browser's own URL check stops the form; the page says where
    expect(page.get_by_role("heading", level=1)).to_have_text("Official report of Kyrgyzstan")
    page.get_by_label("Link to a document or web page").fill(
        f"https://gov.example.kg/decree-{journey.viewport}"
    )
    page.get_by_role("button", name="File this version").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("reports for Kyrgyzstan")
    official = page.get_by_role("region", name="Official report")
    current = official.get_by_role("article").first
    expect(current).to_contain_text(narrative)
    expect(current).to_contain_text("Implemented")
    expect(
        current.get_by_role("link", name=f"https://gov.example.kg/decree-{journey.viewport}")
    ).to_be_visible()
    journey.check(screenshot="history")
    # the focal point of Kyrgyzstan has no way to report for Kazakhstan
    recommendation = page.url.rsplit("/countries/", 1)[0]
    response = page.goto(recommendation + "/countries/KZ/official")
    assert response is not None and response.status == 403

    page.goto(recommendation + "/countries/KG")
    page.get_by_role("button", name="Sign out").click()
    journey.sign_in_as_demo_user(NGO_OWNER)
    page.goto(recommendation + "/countries/KG")
    expect(page.get_by_role("link", name=re.compile("File the official report"))).to_have_count(0)
    page.get_by_role("link", name=f"File a shadow report for {NGO}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Shadow report of {NGO} on Kyrgyzstan"
    )
    journey.check()
    page.get_by_label("Status").select_option("partially_implemented")
    shadow = f"Recruiters still charge fees to workers we assist ({journey.viewport})."
    page.get_by_label("What has been done").fill(shadow)
    page.get_by_role("button", name="File this version").click()
    expect(page.get_by_role("region", name="Shadow reports")).to_contain_text(shadow)
    expect(page.get_by_role("region", name="Official report")).to_contain_text(narrative)
    journey.check(screenshot="history-with-shadow")
    page.get_by_role("link", name="Follow-up").click()
    journey.check()
    page.get_by_role("link", name=f"Recommendations informed by the papers of {NGO}").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(NGO)
    journey.check()


def test_organiser_records_and_imports_recommendations(journey: Journey) -> None:
    page = journey.page
    suffix = "d" if journey.viewport == "desktop" else "p"
    process = "/processes/eurasian-labour-dialogue"
    meeting = f"{process}/meetings/second-ministerial-conference"
    journey.sign_in_as_demo_user("Omar Organiser (organiser)")
    journey.goto(f"{process}/recommendations")
    journey.goto(f"{meeting}/recommendations/new")
    page.get_by_label("Number").fill(f"7{suffix}")
    page.get_by_label("Text").fill("Publish recruitment agency licences online.")
    page.get_by_label("Named countries (ISO codes, e.g. KG KZ TJ)").fill("KG KZ")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Recommendation 7{suffix} draft")
    expect(page.get_by_text("Kyrgyzstan, Kazakhstan")).to_be_visible()
    journey.check(screenshot="recommendation-organiser")

    journey.goto(f"{meeting}/recommendations/import")
    bad = f"number,text,countries\n8{suffix},Ratify C143.,KG XX\n".encode()
    page.get_by_label("CSV or XLSX file").set_input_files(
        {"name": "recs.csv", "mimeType": "text/csv", "buffer": bad}
    )
    page.get_by_role("button", name="Preview").click()
    expect(page.get_by_text("Unknown country codes: XX.")).to_be_visible()
    expect(page.get_by_role("button", name="Save these recommendations")).to_have_count(0)
    journey.check(screenshot="import-errors")
    good = f"number,text,countries\n8{suffix},Ratify C143.,KG\n9{suffix},Report yearly.,\n".encode()
    page.get_by_label("CSV or XLSX file").set_input_files(
        {"name": "recs.csv", "mimeType": "text/csv", "buffer": good}
    )
    page.get_by_role("button", name="Preview").click()
    page.get_by_role("button", name="Save these recommendations").click()
    expect(page.get_by_role("link", name=f"Recommendation 9{suffix}")).to_be_visible()

    journey.goto(f"{process}/impact")
    expect(page.get_by_role("heading", name="Country focal points")).to_be_visible()
    journey.goto(f"{meeting}/participants")
    expect(page.get_by_role("row", name=re.compile("Kyrgyzstan"))).to_be_visible()
