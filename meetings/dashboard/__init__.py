"""The organiser's home as the meetings app sees it: every group's schedule and health.

Registered as a section of the admin's index in :mod:`meetings.contributions`.
"""
