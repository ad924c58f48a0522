"""Signals of the accounts package, for the apps above it.

``user_changed`` is sent with ``user_id`` when a user's own settings changed outside a
model save (the language switcher updates one column). The meetings app invalidates that
person's calendar feed, whose texts follow the language.
"""

from django.dispatch import Signal

user_changed = Signal()
