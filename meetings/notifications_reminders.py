"""Outbox builders for this part of the app (see mastermind/outbox.py)."""
