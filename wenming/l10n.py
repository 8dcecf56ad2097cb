"""What `{{ value }}` prints, for HTML written in Python (form widgets, the month summary's rows):

- `localize(value)`: as `django.utils.formats.localize` gives it, without that function's per-call
  format look-ups (language, separators, grouping) for the values pages print most: text, and whole
  numbers when no thousand separator is in use. The month summary page prints ~20 figures for each
  unit twice; those look-ups were a sixth of it.
- `printed(value)`: the same, escaped (unless already safe)."""
from django.conf import settings
from django.utils import formats
from django.utils.html import conditional_escape


def localize(value):
    if isinstance(value, str):
        return value
    if type(value) is int and not settings.USE_THOUSAND_SEPARATOR:  # not bool (a subclass of int)
        return str(value)
    return formats.localize(value)


def printed(value):
    """What `{{ value }}` prints: localized, then escaped (unless already safe)."""
    return conditional_escape(localize(value))
