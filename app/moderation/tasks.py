"""Background jobs of moderation: near-duplicate clusters per meeting.

`moderation.cluster_meeting` (payload: meeting_id, version_id) is queued by the submissions jobs
once a version's text is known (app/submissions/tasks.py queues it by name: submissions may not
import moderation). It signs that version's text, then clusters the meeting's papers (their
newest versions) and stores each paper's cluster as `duplicate_group` (the smallest paper id of
the cluster). A burst of submissions queues many such jobs: each one signs its version, and
leaves the clustering to a later one queued for the same meeting. Without a version_id (an
operator's backfill: `queue_clustering`), every version of the meeting with text and no
signature is signed first.

The signatures are computed between transactions (MinHash of a long text takes a while), and
`duplicate_group` is written with a plain UPDATE that leaves `lock_version` alone: a background
job must not make a moderator's open form stale.
"""

from __future__ import annotations

import logging
from typing import cast

from sqlalchemy import Table, update
from sqlalchemy.orm import Session

from app import jobs
from app.moderation import duplicates, repository
from app.submissions.models import Paper, PaperVersion

log = logging.getLogger(__name__)
CLUSTER_JOB = "moderation.cluster_meeting"
SIGN_BATCH = 100
THRESHOLD = 0.8
NO_SIGNATURE = b""
"""Stored for a text too short to judge, so that it is not signed again."""


def queue_clustering(session: Session, meeting_id: int) -> None:
    """Sign what is missing and re-cluster a meeting (e.g. after importing papers)."""
    jobs.enqueue(session, CLUSTER_JOB, {"meeting_id": meeting_id})


def _superseded(session: Session, job_id: int, meeting_id: int) -> bool:
    return any(
        job.payload.get("meeting_id") == meeting_id
        for job in repository.queued_jobs(session, CLUSTER_JOB, job_id)
    )


def sign_version(context: jobs.JobContext, version_id: int) -> None:
    with context.sessionmaker() as session, session.begin():
        found = repository.version_text(session, version_id)
    if found is None or not found[0] or found[1] is not None:
        return  # gone, no text yet, or signed already
    sig = duplicates.signature(found[0]) or NO_SIGNATURE
    with context.sessionmaker() as session, session.begin():
        _store_signature(session, version_id, sig)


def _store_signature(session: Session, version_id: int, sig: bytes) -> None:
    session.execute(
        update(PaperVersion)
        .where(PaperVersion.id == version_id, PaperVersion.signature.is_(None))
        .values(signature=sig)
        .execution_options(synchronize_session=False)
    )


def sign_versions(context: jobs.JobContext, meeting_id: int) -> int:
    """Sign the meeting's versions that have text and no signature; returns how many."""
    signed, last_id = 0, 0
    while True:
        with context.sessionmaker() as session, session.begin():
            batch = repository.versions_without_signature(session, meeting_id, last_id, SIGN_BATCH)
        if not batch:
            return signed
        signatures = [(vid, duplicates.signature(text) or NO_SIGNATURE) for vid, text in batch]
        with context.sessionmaker() as session, session.begin():
            for version_id, sig in signatures:
                _store_signature(session, version_id, sig)
        signed += len(batch)
        last_id = batch[-1][0]


def store_clusters(session: Session, meeting_id: int, groups: list[set[int]]) -> int:
    """Write each paper's cluster; returns how many papers changed."""
    wanted: dict[int, int | None] = {}
    for group in groups:
        smallest = min(group)
        wanted.update(dict.fromkeys(group, smallest))
    changed = 0
    papers = cast(Table, Paper.__table__)
    for paper_id, current in repository.duplicate_groups(session, meeting_id).items():
        target = wanted.get(paper_id)
        if target != current:
            session.execute(
                update(papers)
                .where(papers.c.id == paper_id)
                .values(duplicate_group=target, updated_at=papers.c.updated_at)
            )
            changed += 1
    return changed


def cluster_meeting(context: jobs.JobContext, meeting_id: int) -> int:
    with context.sessionmaker() as session, session.begin():
        items = repository.current_signatures(session, meeting_id)
    groups = duplicates.clusters(items, THRESHOLD)
    with context.sessionmaker() as session, session.begin():
        return store_clusters(session, meeting_id, groups)


@jobs.handler(CLUSTER_JOB)
def run_cluster_meeting(context: jobs.JobContext) -> None:
    meeting_id = int(context.payload["meeting_id"])
    version_id = context.payload.get("version_id")
    if version_id is None:
        sign_versions(context, meeting_id)
    else:
        sign_version(context, int(version_id))
    with context.sessionmaker() as session, session.begin():
        if _superseded(session, context.job_id, meeting_id):
            return
    changed = cluster_meeting(context, meeting_id)
    log.info("meeting %s: near-duplicate clusters updated for %s papers", meeting_id, changed)
