"""GDPR: a member's data export and account deletion, assembled from what each app holds.

Each app registers, in its ``AppConfig.ready()``:

* ``exporters``: ``hook(user=)`` returns a dict of sections (name -> JSON-ready data) for
  the personal-data export;
* ``erasers``: ``hook(user=, now=)`` deletes or anonymises what that app holds about the
  person, inside the deletion's transaction (and tells whoever must be told, on commit).
"""

from mastermind.core.registry import Hooks

exporters = Hooks("sections of the personal-data export")
erasers = Hooks("steps of account deletion")
