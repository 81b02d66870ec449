"""Triage: the analysts' read side, a projection of the event store."""
