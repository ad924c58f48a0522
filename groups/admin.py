from groups import admin_groups, admin_intake  # noqa: F401 - each registers its models
