"""The audit trail of a ledger record as rows a person reads: when, who, what changed.

`history_rows(obj, limit=50)` reads the record's django-simple-history rows newest first and
diffs each against the one before it. It runs a fixed number of queries whatever the number
of rows: one for the history (with its users), one per foreign key shown in a change.
Many-to-many changes are left out of the diff (each would cost queries per row).
"""
from dataclasses import dataclass, field
from datetime import date, datetime

from django import template
from django.db import models
from django.utils import timezone

register = template.Library()

OPERATIONS = {"+": "新建", "~": "修改", "-": "删除"}
EMPTY = "（空）"


@dataclass
class Change:
    label: str
    old: str
    new: str


@dataclass
class HistoryRow:
    when: datetime
    who: str
    operation: str
    changes: list = field(default_factory=list)


def _display(model_field, value, related):
    if value is None or value == "":
        return EMPTY
    if model_field.many_to_one or model_field.one_to_one:
        return str(related.get(model_field.name, {}).get(value, f"#{value}"))
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if timezone.is_aware(value) else value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.strftime("%Y-%m-%d")
    if isinstance(model_field, models.FileField):
        return str(value).rsplit("/", 1)[-1]
    return str(value)


def _shown_fields(model, record):
    """(fields shown in a diff by name, many-to-many names left out, model field order)."""
    tracked = [f for f in record.tracked_fields if f.editable]
    m2m = {f.name for f in record._history_m2m_fields}
    fields = {f.name: model._meta.get_field(f.name) for f in tracked if f.name not in m2m}
    position = {name: index for index, name in enumerate(f.name for f in model._meta.fields)}
    return fields, m2m, position


def _related(fields, records):
    """One query per foreign key: every value any of `records` shows, looked up at once."""
    related = {}
    for name, model_field in fields.items():
        if model_field.many_to_one or model_field.one_to_one:
            ids = {getattr(record, model_field.attname) for record in records} - {None}
            related[name] = model_field.related_model._base_manager.in_bulk(ids) if ids else {}
    return related


def _changes(newer, older, fields, m2m, position, related):
    delta = newer.diff_against(older, excluded_fields=m2m)
    changes = []
    for change in sorted(delta.changes, key=lambda c: position.get(c.field, 999)):
        model_field = fields.get(change.field)
        if model_field is not None:
            changes.append(Change(label=str(model_field.verbose_name),
                                  old=_display(model_field, change.old, related),
                                  new=_display(model_field, change.new, related)))
    return changes


def who_of(record):
    user = record.history_user
    return (getattr(user, "display_name", None) or str(user)) if user else "系统"


def changes_between(older, newer):
    """[Change, ...] from one history record of a record to a later one (fields in model order)."""
    fields, m2m, position = _shown_fields(newer.instance_type, newer)
    return _changes(newer, older, fields, m2m, position, _related(fields, [older, newer]))


@register.simple_tag
def history_rows(obj, limit=50):
    """[HistoryRow, ...] newest first, at most `limit`; [] for a model without history."""
    if obj is None or not hasattr(obj, "history"):
        return []
    records = list(obj.history.select_related("history_user").order_by("-history_date", "-history_id")[: limit + 1])
    if not records:
        return []
    fields, m2m, position = _shown_fields(type(obj), records[0])
    related = _related(fields, records)
    rows = []
    for newer, older in zip(records[:limit], records[1:] + [None]):
        # A change made for a reason of its own (重置密码, 解除登录锁定, 调动单位 …) is named by it.
        row = HistoryRow(when=newer.history_date, who=who_of(newer),
                         operation=newer.history_change_reason or OPERATIONS.get(newer.history_type, newer.history_type))
        if newer.history_type == "~" and older is not None:
            row.changes = _changes(newer, older, fields, m2m, position, related)
        rows.append(row)
    return rows
