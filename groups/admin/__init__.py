"""The organiser's admin for the groups app; each module registers its models."""

from groups.admin import applications, groups, intake  # noqa: F401
