"""`get_<field>_display()` without rebuilding the choices on every call.

Django's `Model._get_FIELD_display` builds `dict(make_hashable(field.flatchoices))` on every call,
hashing each lazy Chinese label (a translation per label): list pages call it for every row and
column (status, kind …), and it was a tenth of their rendering time. The same answer is kept per
field and language here; the result is identical (the label as a string, or the raw value when it
is not among the choices).
"""
from functools import partialmethod

from django.utils.encoding import force_str
from django.utils.hashable import make_hashable
from django.utils.translation import get_language


def _display(field):
    labels_by_language = {}

    def get_display(self):
        value = getattr(self, field.attname)
        language = get_language()
        labels = labels_by_language.get(language)
        if labels is None:
            labels = labels_by_language[language] = {
                make_hashable(key): force_str(label, strings_only=True) for key, label in field.flatchoices}
        key = make_hashable(value)
        return labels[key] if key in labels else force_str(value, strings_only=True)

    get_display.__name__ = f"get_{field.name}_display"
    return get_display


def speed_up_choice_displays(models):
    for model in models:
        for field in model._meta.concrete_fields:
            name = f"get_{field.name}_display"
            # Only Django's generated method (a partialmethod): a model's own get_…_display stays.
            if field.choices and isinstance(model.__dict__.get(name), partialmethod):
                setattr(model, name, _display(field))
