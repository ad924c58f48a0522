"""The organiser's home: the admin's index shows what needs attention, then the round.

The infrastructure knows neither intakes nor groups: the apps contribute the sections
(each intake's funnel, every group's schedule and health) through :data:`dashboard_hooks`,
registered in their ``AppConfig.ready()`` and shown in the order of ``INSTALLED_APPS``.
"""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest

from mastermind.core.registry import Hooks

# Each hook takes ``request`` and ``now`` and returns ``(template, context)`` or ``None``;
# the templates are included one after another, with all the contexts merged.
dashboard_hooks = Hooks("sections of the organiser's home")


def sections(request: HttpRequest, now: dt.datetime) -> tuple[list[str], dict]:
    templates, context = [], {}
    for _name, hook in dashboard_hooks:
        contribution = hook(request=request, now=now)
        if contribution is not None:
            template, section_context = contribution
            templates.append(template)
            context.update(section_context)
    return templates, context
