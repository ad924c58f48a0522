"""Read-only queries for the groups app."""


def open_intakes() -> list:
    return []
