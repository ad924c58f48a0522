"""What the groups app offers the apps above it, and what they contribute to it.

Hooks (see :mod:`mastermind.core.registry`) that the meetings app fills in its
``AppConfig.ready()``, so that groups never imports meetings:

* ``group_page_sections``: ``hook(group=, user=, now=)`` returns ``(template, context)``
  for a section of the member's group page (the meetings, commitments and swaps);
* ``welcome_email_context``: ``hook(membership=, now=)`` returns extra context for the
  welcome email (the first meetings);
* ``group_evening``: ``hook(group=)`` returns the evening the group meets as
  ``(slot key, time zone)`` (``("thu-19", "Europe/Berlin")``), or None if it has no schedule;
* ``group_evenings``: ``hook(group_ids=)`` returns the same for many groups in one query, as
  ``{group id: (slot key, time zone)}`` (groups without a schedule left out);
* ``group_admin_inlines``: ``hook()`` returns admin inlines for the group's admin page (the
  schedule and the group's pauses);
* ``intake_admin_inlines``: ``hook()`` returns admin inlines for the intake's change page
  (the agenda template its groups start with).
"""

from mastermind.core.registry import Hooks

group_page_sections = Hooks("sections of the group page")
welcome_email_context = Hooks("context of the welcome email")
group_evening = Hooks("the evening a group meets")
group_evenings = Hooks("the evenings many groups meet")
group_admin_inlines = Hooks("inlines of the group admin page")
intake_admin_inlines = Hooks("inlines of the intake admin page")
