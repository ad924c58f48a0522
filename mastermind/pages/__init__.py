"""Public pages of the site: the home page (with sections the apps contribute), imprint."""

from mastermind.core.registry import Hooks

# Each hook takes the request and returns ``(template, context)`` or ``None``.
home_sections = Hooks("sections of the home page")
