"""The organiser's admin for the groups app; each module registers its models."""

from groups.admin import groups, intake  # noqa: F401
