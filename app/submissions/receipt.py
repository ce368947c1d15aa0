"""Receipts: what an organisation can show later to prove exactly what it sent, and when.

A receipt names the tracking number, the time and the SHA-256 of every version received. It is
shown after submitting, e-mailed to the submitter, and downloadable as a one-page PDF typeset by
Typst. The data reaches Typst as JSON through `sys.inputs`, never spliced into the markup, so
nothing a submitter types can change the document.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path

import typst
from sqlalchemy.orm import Session

from app import mail
from app.accounts.models import User
from app.config import Settings
from app.db import utcnow
from app.formatting import local_datetime
from app.i18n import N_, using_locale
from app.i18n import gettext as _
from app.storage import human_size
from app.submissions.models import Consent, Paper, PaperStatus

TEMPLATE = Path(__file__).resolve().parents[2] / "templates" / "submissions" / "receipt.typ"
MAX_VERSIONS_ON_PAGE = 10
# In English on the PDF receipt (its layout is English); translated in the e-mail.
CONSENT_LABELS = {
    Consent.public_named: N_("Public, with the organisation's name"),
    Consent.public_anonymous: N_("Public, without the organisation's name"),
    Consent.restricted: N_("Organisers and moderators only"),
}


def tracking_number(paper_id: int, submitted_at: datetime) -> str:
    """E.g. PLN-2026-000042: the year of submission (UTC) and the paper's number."""
    return f"PLN-{submitted_at.astimezone(UTC).year}-{paper_id:06d}"


def paper_url(settings: Settings, paper: Paper) -> str:
    return f"{settings.base_url}/papers/{paper.id}"


def _when(paper: Paper, value: datetime) -> str:
    """Both UTC and the meeting's local time: unambiguous, and what the deadline was set in."""
    utc = value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    if paper.meeting.timezone == "UTC":
        return utc
    return f"{utc} ({local_datetime(value, paper.meeting.timezone)})"


@dataclass(frozen=True)
class ReceiptFile:
    number: int
    name: str
    size: str
    sha256: str
    received_at: str


@dataclass(frozen=True)
class Receipt:
    tracking_number: str
    title: str
    organisation: str
    meeting: str
    agenda_items: str
    submitted_at: str
    submitter: str
    consent: str
    status: str
    files: list[ReceiptFile]
    earlier_versions: int


def build_receipt(paper: Paper) -> Receipt:
    versions = paper.versions[-MAX_VERSIONS_ON_PAGE:]
    items = sorted((link.agenda_item for link in paper.agenda_links), key=lambda i: i.position)
    status = paper.announced_status.value.replace("_", " ")  # what the organisation was told
    if paper.announced_status is PaperStatus.withdrawn and paper.withdrawn_at is not None:
        status = f"withdrawn on {_when(paper, paper.withdrawn_at)}"
    return Receipt(
        tracking_number=paper.tracking_number or "",
        title=paper.title,
        organisation=paper.organisation.name,
        meeting=f"{paper.meeting.title} ({paper.meeting.process.title})",
        agenda_items="; ".join(f"{item.number}. {item.title}" for item in items),
        submitted_at=_when(paper, paper.submitted_at),
        submitter=paper.submitter.display_name if paper.submitter else "—",
        consent=CONSENT_LABELS[paper.consent],
        status=status,
        files=[
            ReceiptFile(
                number=v.number,
                name=v.original_name,
                size=human_size(v.size),
                sha256=v.sha256,
                received_at=_when(paper, v.created_at),
            )
            for v in versions
        ],
        earlier_versions=len(paper.versions) - len(versions),
    )


@lru_cache(maxsize=1)
def _template() -> bytes:
    return TEMPLATE.read_bytes()


def receipt_pdf(receipt: Receipt, settings: Settings, now: datetime | None = None) -> bytes:
    """The receipt as a one-page PDF (Typst: ~50 ms; call it from a worker thread)."""
    data = asdict(receipt)
    data["base_url"] = settings.base_url
    data["generated_at"] = (now or utcnow()).astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
    pdf: bytes = typst.compile(
        _template(), format="pdf", sys_inputs={"receipt": json.dumps(data, ensure_ascii=False)}
    )
    return pdf


def receipt_filename(receipt: Receipt) -> str:
    return f"receipt-{receipt.tracking_number}.pdf"


def receipt_text(receipt: Receipt, url: str, *, revised: bool = False) -> str:
    """The e-mail's body, in the current interface language (the recipient's)."""
    opening = (
        _("A new version of your organisation's paper was received.")
        if revised
        else _("Your organisation's paper was received.")
    )
    lines = [
        opening,
        "",
        _("Tracking number: %(number)s") % {"number": receipt.tracking_number},
        _("Title: %(title)s") % {"title": receipt.title},
        _("Organisation: %(organisation)s") % {"organisation": receipt.organisation},
        _("Meeting: %(meeting)s") % {"meeting": receipt.meeting},
        _("Agenda items: %(items)s") % {"items": receipt.agenda_items},
        _("Submitted: %(time)s") % {"time": receipt.submitted_at},
        _("Publication: %(consent)s") % {"consent": _(receipt.consent)},
        "",
        _("Files received (SHA-256 identifies the exact bytes):"),
    ]
    for file in receipt.files:
        line = _("Version %(number)s: %(name)s (%(size)s), received %(time)s") % {
            "number": file.number,
            "name": file.name,
            "size": file.size,
            "time": file.received_at,
        }
        lines += [f"  {line}", f"  SHA-256: {file.sha256}"]
    lines += [
        "",
        _("The paper, its versions and a PDF of this receipt: %(link)s") % {"link": url},
        "",
        "Plenary",
    ]
    return "\n".join(lines)


def queue_receipt_mail(
    session: Session, settings: Settings, to: User | None, paper: Paper, *, revised: bool = False
) -> None:
    if to is None or not to.email:
        return
    with using_locale(to.locale):
        receipt = build_receipt(paper)
        values = {"number": receipt.tracking_number, "title": paper.title}
        if revised:
            subject = _("New version received, %(number)s: %(title)s") % values
        else:
            subject = _("Receipt %(number)s: %(title)s") % values
        body = receipt_text(receipt, paper_url(settings, paper), revised=revised)
    mail.queue_mail(session, to.email, subject[:200], body)
