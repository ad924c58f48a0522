from meetings import admin_meetings, admin_notifications  # noqa: F401 - each registers its models
