"""The organiser's admin for the meetings app; each module registers its models."""

from meetings.admin import group_inlines, meetings, notification_filters  # noqa: F401
