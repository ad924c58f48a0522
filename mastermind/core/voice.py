"""Template filters for one voice across pages and emails (a builtin: no ``{% load %}``).

``no_final_stop``: English dates and times may end in "a.m."/"p.m."; a sentence that ends
with one must not add a second full stop ("until 9 p.m.." reads as a typo).
"""

from django import template

register = template.Library()


@register.filter
def no_final_stop(value) -> str:
    text = str(value)
    return text[:-1] if text.endswith(".") else text
