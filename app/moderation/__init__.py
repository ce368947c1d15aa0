"""Moderation: the triage queue over papers and comments, its search and duplicate detection."""
