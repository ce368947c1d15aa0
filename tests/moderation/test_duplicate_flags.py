"""Near-duplicates end to end: papers uploaded through the real route, their text extracted by
the jobs, signed and clustered by `moderation.cluster_meeting`, and flagged in the queue."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.jobs.models import Job, JobState
from app.moderation import repository, tasks
from app.submissions.models import Paper, PaperVersion
from tests.moderation.papers_world import Triage
from tests.submissions.conftest import upload
from tests.support import sample_files as samples
from tests.support.web import TEST_CSRF, sign_in

CAMPAIGN = (
    "We call on the governments of the region to ratify the migrant workers convention, to end "
    "recruitment fees charged to workers, and to guarantee access to justice for every worker "
    "whatever their status, including domestic workers and seasonal agricultural workers."
)
OTHER = (
    "Remittance costs remain far above the sustainable development target of three percent. "
    "Digital transfer channels, open banking rules and competition between providers can bring "
    "them down, if regulators ensure that rural families are not left out of the new services."
)


def _submit(client: TestClient, t: Triage, title: str, text: str) -> None:
    fields = {
        "csrf_token": TEST_CSRF,
        "organisation_id": str(t.org.id),
        "title": title,
        "summary": "A position paper.",
        "language": "en",
        "agenda_item_ids": [str(t.item.id)],
        "consent": "public_named",
    }
    response = upload(
        client,
        f"{t.queue_url.removesuffix('/queue')}/papers",
        fields,
        samples.pdf_document(2, text=text),
    )
    assert response.status_code == 303, response.text


def test_near_identical_papers_share_a_duplicate_group(
    client: TestClient, db: Session, triage: Triage, run_jobs: Callable[[], int]
) -> None:
    sign_in(client, triage.owner)
    _submit(client, triage, "Campaign letter", CAMPAIGN)
    _submit(client, triage, "Campaign letter (copy)", CAMPAIGN + " Signed by our members.")
    _submit(client, triage, "Remittances", OTHER)
    locks = dict(db.execute(select(Paper.id, Paper.lock_version)).all())
    run_jobs()

    papers = {p.title: p for p in db.scalars(select(Paper).order_by(Paper.id))}
    for paper in papers.values():
        db.refresh(paper)
    first, copy, other = (
        papers[k] for k in ("Campaign letter", "Campaign letter (copy)", "Remittances")
    )
    assert first.duplicate_group == copy.duplicate_group == first.id
    assert other.duplicate_group is None
    assert first.lock_version == locks[first.id]  # clustering never makes a form stale
    signatures = db.scalars(select(PaperVersion.signature)).all()
    assert all(signature for signature in signatures)
    cluster_jobs = db.scalars(select(Job).where(Job.kind == tasks.CLUSTER_JOB)).all()
    assert {job.state for job in cluster_jobs} == {JobState.succeeded}

    sign_in(client, triage.moderator)
    page = client.get(triage.queue_url).text
    assert page.count("2 near-identical papers") == 2
    cluster = client.get(f"{triage.queue_url}?cluster={first.id}").text
    assert (
        "data-open>Campaign letter (copy)<" in cluster and "data-open>Remittances<" not in cluster
    )
    flagged = client.get(f"{triage.queue_url}?flag=duplicate").text
    assert "data-open>Remittances<" not in flagged and "data-open>Campaign letter<" in flagged


def test_a_paper_that_is_no_longer_similar_leaves_its_cluster(db: Session, triage: Triage) -> None:
    from app.moderation import duplicates

    a, b = triage.paper(db), triage.paper(db)
    for paper in (a, b):
        paper.duplicate_group = a.id
    db.flush()
    assert tasks.store_clusters(db, triage.meeting.id, []) == 2
    db.expire_all()
    assert repository.duplicate_groups(db, triage.meeting.id) == {a.id: None, b.id: None}
    signature = duplicates.signature(CAMPAIGN)
    assert signature is not None
    groups = duplicates.clusters([(a.id, signature), (b.id, signature)])
    assert tasks.store_clusters(db, triage.meeting.id, groups) == 2
    assert tasks.store_clusters(db, triage.meeting.id, groups) == 0  # nothing changed


def test_a_backfill_signs_every_version_of_the_meeting_and_clusters(
    db: Session, triage: Triage, run_jobs: Callable[[], int]
) -> None:
    """Papers loaded without the jobs (an import): queue_clustering(meeting) catches up."""
    twins = [triage.paper(db), triage.paper(db)]
    other, empty = triage.paper(db), triage.paper(db)
    texts = {twins[0].id: CAMPAIGN, twins[1].id: CAMPAIGN, other.id: OTHER, empty.id: "Too short."}
    for version in db.scalars(select(PaperVersion)):
        version.text = texts[version.paper_id]
    tasks.queue_clustering(db, triage.meeting.id)
    db.flush()
    run_jobs()
    db.expire_all()
    groups = repository.duplicate_groups(db, triage.meeting.id)
    assert groups == {
        twins[0].id: twins[0].id,
        twins[1].id: twins[0].id,
        other.id: None,
        empty.id: None,
    }
    signatures = {v.paper_id: v.signature for v in db.scalars(select(PaperVersion))}
    assert signatures[empty.id] == tasks.NO_SIGNATURE  # too short to judge: not signed again
    assert repository.versions_without_signature(db, triage.meeting.id, 0, 10) == []
