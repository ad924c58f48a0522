"""The organiser's admin for the meetings app; each module registers its models."""

from meetings.admin import (  # noqa: F401
    group_inlines,
    intake_inlines,
    meetings,
    notification_filters,
)
