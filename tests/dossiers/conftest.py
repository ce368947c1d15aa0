"""Fixtures shared by the dossier workflow tests: `dw` (a meeting, its people and a helper to
make accepted, routed papers with real files; see world.py)."""

from tests.dossiers.world import dw

__all__ = ["dw"]
