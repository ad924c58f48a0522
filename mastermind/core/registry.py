"""Hooks: how a lower layer lets the apps above it contribute without importing them.

Infrastructure (the home page, the data export, account deletion) and the groups app
(its group page, the welcome email) offer a :class:`Hooks` object; each app registers its
contribution in its ``AppConfig.ready()``, and the owner iterates the hooks in the order
the apps were registered (``INSTALLED_APPS``). Registering the same name twice replaces
the earlier entry, so a module imported twice (tests, autoreload) adds nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

Hook = Callable[..., Any]


class Hooks:
    def __init__(self, purpose: str) -> None:
        self.purpose = purpose
        self._hooks: dict[str, Hook] = {}

    def register(self, name: str) -> Callable[[Hook], Hook]:
        def decorator(hook: Hook) -> Hook:
            self._hooks[name] = hook
            return hook

        return decorator

    def __iter__(self) -> Iterator[tuple[str, Hook]]:
        return iter(list(self._hooks.items()))

    def __repr__(self) -> str:
        return f"<Hooks {self.purpose}: {', '.join(self._hooks) or 'none'}>"
