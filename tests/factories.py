"""Small factory functions for test data; each flushes and returns the object."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from app.accounts.models import User
from app.consultations.models import AgendaItem, Meeting, Process, ProcessRole, RoleGrant
from app.organisations.models import MemberRole, Membership, Organisation, OrganisationType

_seq = itertools.count(1)


def make_user(db: Session, **kw: Any) -> User:
    n = next(_seq)
    values: dict[str, Any] = {
        "issuer": "https://idp.test",
        "subject": f"subject-{n}",
        "name": f"User {n}",
        "email": f"user{n}@example.org",
    }
    values.update(kw)
    user = User(**values)
    db.add(user)
    db.flush()
    return user


def make_organisation(db: Session, owner: User | None = None, **kw: Any) -> Organisation:
    n = next(_seq)
    values: dict[str, Any] = {
        "name": f"Organisation {n}",
        "acronym": f"ORG{n}",
        "type": OrganisationType.ngo,
        "country": "KG",
    }
    values.update(kw)
    org = Organisation(**values)
    db.add(org)
    db.flush()
    if owner is not None:
        add_member(db, org, owner, MemberRole.owner)
    return org


def add_member(
    db: Session, org: Organisation, user: User, role: MemberRole = MemberRole.member
) -> Membership:
    membership = Membership(organisation_id=org.id, user_id=user.id, role=role)
    db.add(membership)
    db.flush()
    return membership


def make_process(db: Session, **kw: Any) -> Process:
    n = next(_seq)
    values: dict[str, Any] = {"slug": f"process-{n}", "title": f"Process {n}", "regions": []}
    values.update(kw)
    process = Process(**values)
    db.add(process)
    db.flush()
    return process


def make_meeting(db: Session, process: Process, **kw: Any) -> Meeting:
    n = next(_seq)
    now = datetime.now(UTC)
    values: dict[str, Any] = {
        "process_id": process.id,
        "slug": f"meeting-{n}",
        "title": f"Meeting {n}",
        "starts_on": date.today() + timedelta(days=60),
        "ends_on": date.today() + timedelta(days=61),
        "languages": ["en"],
        "submissions_open_at": now - timedelta(days=1),
        "submissions_close_at": now + timedelta(days=30),
    }
    values.update(kw)
    meeting = Meeting(**values)
    db.add(meeting)
    db.flush()
    return meeting


def make_agenda_item(db: Session, meeting: Meeting, **kw: Any) -> AgendaItem:
    n = next(_seq)
    values: dict[str, Any] = {
        "meeting_id": meeting.id,
        "number": str(n),
        "title": f"Agenda item {n}",
        "position": n,
    }
    values.update(kw)
    item = AgendaItem(**values)
    db.add(item)
    db.flush()
    return item


def grant(db: Session, user: User, process: Process, role: ProcessRole) -> RoleGrant:
    role_grant = RoleGrant(user_id=user.id, process_id=process.id, role=role)
    db.add(role_grant)
    db.flush()
    return role_grant


def make_invitation(
    db: Session, org: Organisation, email: str = "invitee@example.org", **kw: Any
) -> tuple[Any, str]:
    """An open Invitation and its raw token (the part of the link that is never stored)."""
    import hashlib
    import secrets

    from app.organisations.models import Invitation

    raw = secrets.token_urlsafe(16)
    values: dict[str, Any] = {
        "organisation_id": org.id,
        "email": email,
        "token_hash": hashlib.sha256(raw.encode()).hexdigest(),
        "expires_at": datetime.now(UTC) + timedelta(days=7),
    }
    values.update(kw)
    invitation = Invitation(**values)
    db.add(invitation)
    db.flush()
    return invitation, raw


def make_comment(db: Session, item: AgendaItem, author: User | None, **kw: Any) -> Any:
    """A Comment on `item` (published unless `status` says otherwise); body is stored HTML."""
    from app.comments.models import Comment, CommentStatus

    values: dict[str, Any] = {
        "agenda_item_id": item.id,
        "author_id": author.id if author is not None else None,
        "body": f"<p>Comment {next(_seq)}</p>",
        "status": CommentStatus.published,
    }
    values.update(kw)
    comment = Comment(**values)
    db.add(comment)
    db.flush()
    return comment


def make_paper(
    db: Session,
    meeting: Meeting,
    org: Organisation,
    submitter: User | None = None,
    items: list[AgendaItem] | None = None,
    **kw: Any,
) -> Any:
    """A submitted Paper with one PDF version whose file is NOT in storage (rows only)."""
    import hashlib
    import uuid

    from app.submissions.models import (
        Consent,
        ConversionState,
        Paper,
        PaperAgendaItem,
        PaperLanguage,
        PaperVersion,
        ScanState,
    )

    now = datetime.now(UTC)
    values: dict[str, Any] = {
        "meeting_id": meeting.id,
        "organisation_id": org.id,
        "submitter_id": submitter.id if submitter else None,
        "title": f"Paper {next(_seq)}",
        "summary": "A short summary.",
        "language": PaperLanguage.en,
        "consent": Consent.public_named,
        "submitted_at": now,
    }
    values.update(kw)
    paper = Paper(**values)
    db.add(paper)
    db.flush()
    paper.tracking_number = f"PLN-{now.year}-{paper.id:06d}"
    for item in items or []:
        db.add(PaperAgendaItem(paper_id=paper.id, agenda_item_id=item.id))
    name = uuid.uuid4().hex
    db.add(
        PaperVersion(
            paper_id=paper.id,
            number=1,
            file_key=f"{name[:2]}/{name[2:4]}/{name}",
            original_name="paper.pdf",
            kind="pdf",
            media_type="application/pdf",
            size=1000,
            sha256=hashlib.sha256(name.encode()).hexdigest(),
            pages=1,
            conversion_state=ConversionState.not_needed,
            scan_state=ScanState.not_scanned,
        )
    )
    db.flush()
    return paper


def accept_and_route(db: Session, paper: Any, item: AgendaItem | None) -> Any:
    """Mark a paper accepted and route it to `item`'s dossier section (as moderation would)."""
    from app.submissions.models import PaperStatus

    paper.status = PaperStatus.accepted
    paper.announced_status = PaperStatus.accepted
    paper.routed_item_id = item.id if item is not None else None
    db.flush()
    return paper


def store_version_file(
    db: Session, storage: Any, paper: Any, data: bytes, *, name: str = "paper.pdf", pages: int = 1
) -> Any:
    """Put `data` in storage as the file of the paper's latest version (a PDF unless `name`
    says otherwise; DOCX/ODT versions are marked as conversion failed: no PDF copy)."""
    from sqlalchemy import select

    from app.submissions.models import ConversionState, PaperVersion

    latest = select(PaperVersion).where(PaperVersion.paper_id == paper.id)
    version = db.scalars(latest.order_by(PaperVersion.number.desc()).limit(1)).one()
    stored = storage.put_stream([data], max_bytes=len(data) + 1)
    kind = name.rsplit(".", 1)[-1].lower()
    version.file_key = stored.key
    version.sha256 = stored.sha256
    version.size = stored.size
    version.original_name = name
    version.kind = kind
    version.pages = pages if kind == "pdf" else None
    if kind != "pdf":
        version.media_type = "application/octet-stream"
        version.conversion_state = ConversionState.failed
    db.flush()
    return version
