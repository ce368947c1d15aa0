"""The dashboard page, its downloads and the JSON API, as a visitor and as the process's staff."""

from __future__ import annotations

import csv
import io
import struct
import xml.etree.ElementTree as ET
import zipfile

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.factories import make_process, make_user
from tests.impact.analysis.world import AS_OF, ImpactWorld
from tests.support.web import sign_in

QUERY = f"as_of={AS_OF.isoformat()}"


def _base(iw: ImpactWorld) -> str:
    return f"/processes/{iw.process.slug}/dashboard"


def _csv(body: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def test_the_page_shows_charts_tables_and_the_reading(client: TestClient, iw: ImpactWorld) -> None:
    sign_in(client, None)
    response = client.get(f"{_base(iw)}?{QUERY}")
    assert response.status_code == 200
    html = response.text
    assert html.count('role="img"') == 4
    assert 'id="table-matrix"' in html and 'id="table-participation"' in html
    assert "Dialogue &lt;on&gt; migration &amp;" in html  # the title is escaped, in page and SVG
    assert "<on>" not in html
    assert "not a cause" in html
    assert "66.7" in html or "67" in html  # Kenya's score in the participation table
    assert "2.2" not in html.split('id="table-matrix"')[1].split("</table>")[0]  # no draft
    assert "published with their authors" in html
    # each status links to the reports of that recommendation and country; shadow reports shown
    r1 = iw.recs["1.1"].id
    assert f'<a href="/recommendations/{r1}/countries/UG">Partially implemented</a>' in html
    assert "1 shadow report" in html


def test_staff_see_drafts(client: TestClient, iw: ImpactWorld) -> None:
    sign_in(client, iw.organiser)
    html = client.get(f"{_base(iw)}?{QUERY}").text
    assert "not adopted yet" in html
    assert f'<a href="/recommendations/{iw.recs["2.2"].id}">2.2</a>' in html


def test_filters_in_the_url(client: TestClient, iw: ImpactWorld) -> None:
    sign_in(client, None)
    html = client.get(f"{_base(iw)}?{QUERY}&region=014&item={iw.item_a.id}").text
    table = html.split('id="table-matrix"')[1].split("</table>")[0]
    assert "France" not in table and "Kenya" in table
    assert "2.1" not in table and "1.2" in table
    assert f'value="{iw.item_a.id}" selected' in html
    assert "region=014" in html  # download links keep the filters


@pytest.mark.parametrize(
    "query", ["region=999", "item=abc", "as_of=31-12-2025", "measure=votes", "item=999999"]
)
def test_bad_filters_are_a_clear_422(client: TestClient, iw: ImpactWorld, query: str) -> None:
    sign_in(client, None)
    response = client.get(f"{_base(iw)}?{query}")
    assert response.status_code == 422
    assert "Choose" in response.text or "YYYY-MM-DD" in response.text
    api = client.get(f"/api/v1/processes/{iw.process.slug}/dashboard?{query}")
    assert api.status_code == 422


def test_unknown_process_is_404(client: TestClient, db: Session) -> None:
    sign_in(client, make_user(db))
    assert client.get("/processes/no-such-process/dashboard").status_code == 404
    assert client.get("/api/v1/processes/no-such-process/dashboard").status_code == 404


def test_table_csv(client: TestClient, iw: ImpactWorld) -> None:
    sign_in(client, None)
    response = client.get(f"{_base(iw)}/table.csv?chart=participation&{QUERY}")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    rows = _csv(response.content)
    assert rows[0][:5] == [
        "Country", "Meetings attended", "Civil-society inputs", "Questionnaire responses",
        "Progress score",
    ]  # fmt: skip
    kenya = next(r for r in rows if r[0] == "Kenya")
    assert kenya[1:5] == ["2", "1", "2", "0.6667"]
    matrix = _csv(client.get(f"{_base(iw)}/table.csv?chart=matrix&{QUERY}").content)
    assert matrix[0] == ["Country", "1.1", "1.2", "2.1"]
    uganda = next(r for r in matrix if r[0] == "Uganda")
    assert uganda == ["Uganda", "partially_implemented", "no_report", ""]


def test_chart_svg_and_png(client: TestClient, iw: ImpactWorld) -> None:
    sign_in(client, None)
    for chart in ("matrix", "countries", "recommendations", "participation"):
        svg = client.get(f"{_base(iw)}/chart.svg?chart={chart}&{QUERY}")
        assert svg.status_code == 200
        assert svg.headers["content-type"].startswith("image/svg+xml")
        root = ET.fromstring(svg.content)  # noqa: S314 - our own output
        assert root.get("role") == "img"
    png = client.get(f"{_base(iw)}/chart.png?chart=participation&{QUERY}")
    assert png.status_code == 200
    assert png.headers["content-type"] == "image/png"
    assert png.content[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", png.content[16:24])
    assert (width, height) == (1280, 780)
    assert client.get(f"{_base(iw)}/chart.png?chart=pie").status_code == 422


def test_researcher_export(client: TestClient, iw: ImpactWorld) -> None:
    sign_in(client, iw.moderator)
    response = client.get(f"{_base(iw)}/export.zip?{QUERY}")
    assert response.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert sorted(archive.namelist()) == ["codebook.md", "data.csv"]
    rows = _csv(archive.read("data.csv"))
    header = rows[0]
    kenya = dict(zip(header, next(r for r in rows if r[0] == "KE"), strict=True))
    assert kenya["civil_society_inputs"] == "2"  # staff: the restricted paper counts
    assert kenya["progress_score"] == "0.6667"
    assert kenya["region_m49"] == "002" and kenya["subregion_m49"] == "014"
    codebook = archive.read("codebook.md").decode()
    assert "progress_score" in codebook and "Spearman" in codebook
    assert "| meetings | 6 |" in codebook


def test_api_returns_the_same_numbers(client: TestClient, iw: ImpactWorld) -> None:
    sign_in(client, None)
    response = client.get(f"/api/v1/processes/{iw.process.slug}/dashboard?{QUERY}")
    assert response.status_code == 200
    body = response.json()
    rows = {row["country"]: row for row in body["participation"]}
    assert rows["KE"]["progress"]["value"] == pytest.approx(2 / 3)
    assert rows["TZ"]["progress"]["not_applicable"] == 1
    assert rows["KE"]["meetings_attended"] == 2
    meetings = next(c for c in body["correlations"] if c["measure"] == "meetings")
    assert meetings["n"] == 6
    assert meetings["rho"] is not None
    assert any("not a cause" in s for s in meetings["reading"])
    cells = {(c["country"], c["recommendation_id"]): c["status"] for c in body["matrix"]}
    assert cells[("UG", iw.recs["1.1"].id)] == "partially_implemented"
    assert [r["number"] for r in body["recommendations"]] == ["1.1", "1.2", "2.1"]
    kenya = next(s for s in body["progress_by_country"] if s["key"] == "KE")
    assert kenya["values"][-1] == pytest.approx(2 / 3)
    assert body["dates"][-1] == AS_OF.isoformat()


def test_an_empty_process_says_so(client: TestClient, db: Session) -> None:
    process = make_process(db)
    sign_in(client, None)
    response = client.get(f"/processes/{process.slug}/dashboard")
    assert response.status_code == 200
    assert "No recommendations or countries to show." in response.text
    assert "The sample is too small" in response.text
    assert "No coefficient is shown" in response.text
    for chart in ("matrix", "countries", "participation"):
        png = client.get(f"/processes/{process.slug}/dashboard/chart.png?chart={chart}")
        assert png.content[:8] == b"\x89PNG\r\n\x1a\n"
    rows = _csv(
        client.get(f"/processes/{process.slug}/dashboard/table.csv?chart=countries").content
    )
    assert rows == [["Country"]]
