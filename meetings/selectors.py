"""Read-only queries for meeting pages."""


def group_page_context(*, group, user, now=None) -> dict:
    """Context for the group page's meetings section, meetings/_group_meetings.html."""
    return {}
