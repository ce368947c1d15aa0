"""Files leave through here: after an authorisation check in the loader, as attachments with a
safe name, streamed from storage (never from a static folder). Also the JSON shape of a paper,
which pages and the API share."""

from __future__ import annotations

from fastapi.responses import Response

from app.config import Settings
from app.errors import NotFound
from app.i18n import gettext as _
from app.storage import Storage
from app.submissions import receipt, service
from app.submissions.models import Paper, PaperVersion
from app.submissions.schemas import CosignerRead, PaperRead, VersionRead
from app.uploads.downloads import attachment, file_response


def version_file(storage: Storage, version: PaperVersion) -> Response:
    return file_response(storage, version.file_key, version.original_name, version.media_type)


def version_pdf(storage: Storage, version: PaperVersion) -> Response:
    if version.kind == "pdf":
        return version_file(storage, version)
    if not version.pdf_key:
        raise NotFound(_("This version has no PDF copy (it is being converted, or could not be)."))
    stem = version.original_name.rsplit(".", 1)[0]
    return file_response(storage, version.pdf_key, f"{stem}.pdf", "application/pdf")


def receipt_response(paper: Paper, settings: Settings) -> Response:
    built = receipt.build_receipt(paper)
    return Response(
        receipt.receipt_pdf(built, settings),
        media_type="application/pdf",
        headers={
            "Content-Disposition": attachment(receipt.receipt_filename(built)),
            "Cache-Control": "private, no-store",
        },
    )


def paper_read(paper: Paper, prefix: str = "/api/v1", *, staff: bool = False) -> PaperRead:
    """`staff` (organisers, moderators) see the decided status; everyone else what the
    organisation has been told (a staged decision is not announced yet)."""
    base = f"{prefix}/papers/{paper.id}"
    return PaperRead(
        id=paper.id,
        tracking_number=paper.tracking_number or "",
        meeting_id=paper.meeting_id,
        organisation_id=paper.organisation_id,
        organisation_name=paper.organisation.name,
        title=paper.title,
        summary=paper.summary,
        language=paper.language,
        consent=paper.consent,
        status=paper.status if staff else paper.announced_status,
        lock_version=paper.lock_version,
        agenda_item_ids=[item.id for item in service.agenda_items_of(paper)],
        cosigners=[
            CosignerRead(
                organisation_id=c.organisation_id,
                organisation_name=c.organisation.name,
                state=service.cosigner_state(c),
                requested_at=c.requested_at,
                decided_at=c.confirmed_at or c.declined_at,
            )
            for c in paper.cosigners
        ],
        versions=[
            VersionRead(
                number=v.number,
                original_name=v.original_name,
                kind=v.kind,
                media_type=v.media_type,
                size=v.size,
                sha256=v.sha256,
                pages=v.pages,
                conversion_state=v.conversion_state,
                conversion_error=v.conversion_error,
                scan_state=v.scan_state,
                created_at=v.created_at,
                file_url=f"{base}/versions/{v.number}/file",
                pdf_url=f"{base}/versions/{v.number}/pdf" if v.kind == "pdf" or v.pdf_key else None,
            )
            for v in paper.versions
        ],
        submitted_at=paper.submitted_at,
        updated_at=paper.updated_at,
        withdrawn_at=paper.withdrawn_at,
        receipt_url=f"{base}/receipt.pdf",
    )
