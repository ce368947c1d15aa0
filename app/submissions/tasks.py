"""Background jobs of a paper version, queued with it and run once it has committed:
the text of a PDF (for search), and a PDF rendition of a DOCX/ODT made with LibreOffice.

A conversion that fails leaves the paper valid: the version is marked "not convertible" with
LibreOffice's reason, and moderators see it. Each job reads and writes in short transactions of
its own; the slow part (LibreOffice, text extraction) runs between them, holding none open.
"""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path

import pypdf
from sqlalchemy.orm import Session

from app import jobs
from app.storage import get_storage
from app.submissions import repository, search
from app.submissions.conversion import INPUT_FILTERS, ConversionFailed, convert_to_pdf
from app.submissions.files import extract_pdf_text
from app.submissions.models import ConversionState, PaperVersion

log = logging.getLogger(__name__)
EXTRACT_TEXT_JOB = "submissions.extract_text"
CONVERT_JOB = "submissions.convert_to_pdf"
# Queued by name once a version's text is known: moderation (which may import submissions, not
# the other way round) signs the text and re-clusters the meeting's near-duplicates.
CLUSTER_JOB = "moderation.cluster_meeting"
MAX_RENDITION_BYTES = 1024 * 1024 * 1024


def queue_processing(session: Session, version: PaperVersion) -> None:
    """Called in the transaction that creates the version: index what is known now (title,
    summary, DOCX/ODT text), and queue the slow parts."""
    search.index_paper(session, version.paper_id)
    if version.kind == "pdf":
        jobs.enqueue(session, EXTRACT_TEXT_JOB, {"version_id": version.id})
    else:
        jobs.enqueue(session, CONVERT_JOB, {"version_id": version.id}, max_attempts=3)
        if version.text:
            queue_clustering(session, version)


def queue_clustering(session: Session, version: PaperVersion) -> None:
    meeting_id = repository.meeting_id_of_paper(session, version.paper_id)
    if meeting_id is not None:
        payload = {"meeting_id": meeting_id, "version_id": version.id}
        jobs.enqueue(session, CLUSTER_JOB, payload)


def _load(context: jobs.JobContext) -> tuple[str, str] | None:
    """(file key, kind) of the job's version, or None when it is gone."""
    with context.sessionmaker() as session, session.begin():
        version = repository.get_version(session, int(context.payload["version_id"]))
        if version is None:
            return None
        return version.file_key, version.kind


@jobs.handler(EXTRACT_TEXT_JOB)
def extract_text(context: jobs.JobContext) -> None:
    loaded = _load(context)
    if loaded is None:
        return
    key, _kind = loaded
    storage = get_storage(context.settings)
    try:
        with storage.local_path(key) as path:
            text = extract_pdf_text(path).text
    except FileNotFoundError as exc:
        raise jobs.PermanentFailure(f"the file {key} is missing from storage") from exc
    with context.sessionmaker() as session, session.begin():
        version = repository.get_version(session, int(context.payload["version_id"]))
        if version is not None:
            version.text = text
            version.signature = None  # signed anew by the clustering job
            session.flush()
            search.index_paper(session, version.paper_id)
            if text:
                queue_clustering(session, version)


@jobs.handler(CONVERT_JOB)
def convert(context: jobs.JobContext) -> None:
    loaded = _load(context)
    if loaded is None:
        return
    key, kind = loaded
    storage = get_storage(context.settings)
    rendition_key: str | None = None
    pages: int | None = None
    error = ""
    try:
        with storage.local_path(key) as source, tempfile.TemporaryDirectory() as out:
            pdf = convert_to_pdf(
                source,
                Path(out),
                timeout_s=context.settings.libreoffice_timeout_s,
                input_filter=INPUT_FILTERS[f".{kind}"],
            )
            pages = len(pypdf.PdfReader(pdf).pages)
            with pdf.open("rb") as rendition:
                rendition_key = storage.put_stream(rendition, max_bytes=MAX_RENDITION_BYTES).key
    except ConversionFailed as exc:
        log.info("conversion of version %s failed: %s", context.payload, exc.message)
        error = exc.message
    except FileNotFoundError as exc:
        raise jobs.PermanentFailure(f"the file {key} is missing from storage") from exc
    try:
        with context.sessionmaker() as session, session.begin():
            version = repository.get_version(session, int(context.payload["version_id"]))
            if version is None:
                if rendition_key:
                    storage.delete(rendition_key)
                return
            if rendition_key:
                version.pdf_key = rendition_key
                version.pages = pages
                version.conversion_state = ConversionState.done
                version.conversion_error = ""
            else:
                version.conversion_state = ConversionState.failed
                version.conversion_error = error
    except BaseException:
        if rendition_key:
            storage.delete(rendition_key)
        raise
