"""Plenary: a civil-society consultation and submission portal."""
