"""Fixtures shared by the evaluation tests: `ew` (see world.py)."""

from tests.evaluations.world import ew

__all__ = ["ew"]
