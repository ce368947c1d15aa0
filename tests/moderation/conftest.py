"""Fixtures shared by the moderation tests: `triage` (a meeting with papers to triage, see
papers_world.py). Test modules may define fixtures of their own besides."""

from tests.moderation.papers_world import triage

__all__ = ["triage"]
