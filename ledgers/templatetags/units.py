"""Unit names on pages that list several districts' units (the city's): names are unique only
within a bureau, so a city user sees 第一中学（源汇区）; everybody else sees the plain name.

    {% load units %}
    {% unit_label p.unit %}                  a Unit (its bureau_id is read, nothing queried)
    {% unit_label r.unit unit_id=r.unit_id %}  a name and the unit's id (summary rows)

Bureau labels (and, for summary rows, each unit's bureau) are read once per request.
"""
from django import template

from ..models import Bureau, Unit

register = template.Library()


def _cache(context):
    request = context.get("request")
    holder = request if request is not None else context
    cache = getattr(holder, "_unit_label_cache", None)
    if cache is None:
        cache = {"labels": {b.pk: b.label for b in Bureau.objects.only("pk", "name", "short_name")}}
        try:
            holder._unit_label_cache = cache
        except AttributeError:
            pass
    return cache


@register.simple_tag(takes_context=True)
def unit_label(context, unit, unit_id=None):
    user = context.get("user")
    name = unit.name if isinstance(unit, Unit) else str(unit or "")
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_city:
        return name
    cache = _cache(context)
    if isinstance(unit, Unit):
        bureau_id = unit.bureau_id
    else:
        if "unit_bureaus" not in cache:
            cache["unit_bureaus"] = dict(Unit.objects.values_list("pk", "bureau_id"))
        bureau_id = cache["unit_bureaus"].get(unit_id)
    if bureau_id is None or not user.shows_unit_bureau(bureau_id):
        return name
    return f"{name}（{cache['labels'].get(bureau_id, '')}）"
