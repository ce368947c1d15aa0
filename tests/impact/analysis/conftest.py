"""The constructed process of world.py as the `iw` fixture."""

from tests.impact.analysis.world import iw

__all__ = ["iw"]
