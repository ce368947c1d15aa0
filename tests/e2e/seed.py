"""Data a journey needs before it starts, made through the portal's own forms and API over HTTP
as a demo user would make it in the browser (faster than clicking, and just as real): an
organisation, submitted papers with real PDF files, decisions, comments and reports.

Every journey seeds its own data with a unique word in it, so journeys do not depend on each
other or on the order they run in, and each viewport gets fresh papers.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from types import TracebackType

import httpx

from tests.support.sample_files import pdf_document

PROCESS = "issyk-kul-dialogue"
MEETING = "preparatory-consultation-for-the-high-level-dialogue"
MEETING_PATH = f"/processes/{PROCESS}/meetings/{MEETING}"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def unique_word() -> str:
    """A word no other paper or comment contains, to find one journey's data by search."""
    return "zq" + secrets.token_hex(4)


@dataclass(frozen=True)
class SeededPaper:
    id: int
    title: str
    tracking_number: str


class DemoSession:
    """An HTTP session signed in as one demo user (demo mode's POST /auth/demo/{id})."""

    def __init__(self, base_url: str, display_name: str) -> None:
        self.client = httpx.Client(base_url=base_url, timeout=30)
        page = self.client.get("/auth/signin").text
        form = re.search(
            r'action="(/auth/demo/\d+)">\s*<input type="hidden" name="csrf_token" '
            r'value="([^"]+)">\s*<button type="submit">[^<]*' + re.escape(display_name),
            page,
        )
        assert form, f"no demo user {display_name!r} on the sign-in page"
        answer = self.client.post(form.group(1), data={"csrf_token": form.group(2)})
        assert answer.status_code == 303, answer.text
        self.csrf = self._csrf_of("/auth/me")

    def __enter__(self) -> DemoSession:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.client.close()

    def _csrf_of(self, path: str) -> str:
        match = CSRF.search(self.client.get(path).text)
        assert match, f"no CSRF token on {path}"
        return match.group(1)

    def create_organisation(self, name: str) -> int:
        answer = self.client.post(
            "/organisations",
            data={
                "csrf_token": self.csrf,
                "name": name,
                "acronym": "",
                "type": "ngo",
                "country": "KG",
                "ecosoc_status": "none",
            },
        )
        assert answer.status_code == 303, answer.text
        return int(answer.headers["location"].rsplit("/", 1)[1])

    def agenda_item_ids(self) -> list[int]:
        page = self.client.get(f"{MEETING_PATH}/papers/new").text
        return [int(i) for i in re.findall(r'name="agenda_item_ids" value="(\d+)"', page)]

    def submit_paper(
        self, organisation_id: int, title: str, item_id: int, *, pages: int = 2
    ) -> SeededPaper:
        """The submission form as the browser sends it: the fields first, the file last."""
        fields = {
            "csrf_token": self.csrf,
            "idempotency_key": secrets.token_urlsafe(24),
            "organisation_id": str(organisation_id),
            "title": title,
            "summary": f"{title}: what civil society asks of the regional process.",
            "language": "en",
            "agenda_item_ids": str(item_id),
            "consent": "public_named",
        }
        file = (f"{title[:40]}.pdf", pdf_document(pages, text=title), "application/pdf")
        answer = self.client.post(f"{MEETING_PATH}/papers", data=fields, files={"file": file})
        assert answer.status_code == 303, answer.text
        paper_id = int(answer.headers["location"].split("/")[2])
        receipt = self.client.get(f"/papers/{paper_id}/receipt").text
        tracking = re.search(r"PLN-\d{4}-\d+", receipt)
        assert tracking, receipt
        return SeededPaper(paper_id, title, tracking.group(0))

    def accept(self, paper: SeededPaper) -> None:
        """A moderator's decision through the JSON API (session + CSRF header), announced."""
        state = self.client.get(f"/api/v1/papers/{paper.id}", headers=self._api_headers())
        assert state.status_code == 200, state.text
        answer = self.client.post(
            f"/api/v1/papers/{paper.id}/decisions",
            json={"to_status": "accepted", "lock_version": state.json()["lock_version"]},
            headers=self._api_headers(),
        )
        assert answer.status_code == 201, answer.text

    def post_comment(self, item_id: int, text: str) -> int:
        answer = self.client.post(
            f"/agenda-items/{item_id}/comments", data={"csrf_token": self.csrf, "text": text}
        )
        assert answer.status_code == 303, answer.text
        return int(answer.headers["location"].rsplit("#comment-", 1)[1])

    def report_comment(self, comment_id: int, reason: str) -> None:
        answer = self.client.post(
            f"/comments/{comment_id}/reports", data={"csrf_token": self.csrf, "reason": reason}
        )
        assert answer.status_code == 303, answer.text

    def _api_headers(self) -> dict[str, str]:
        return {"X-CSRF-Token": self.csrf}
