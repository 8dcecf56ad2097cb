"""The task matrix's cells, written in Python: one call per row instead of a dozen template
lookups (status label, badge, overdue, URL) for each of up to 40 × 40 cells."""
import functools

from django import template
from django.utils.translation import get_language
from django.utils.html import escape
from django.utils.safestring import mark_safe

from ..models import AssignmentStatus
from ..pk_urls import pk_url_parts

register = template.Library()


@functools.lru_cache(maxsize=8)
def _labels(language):
    """{status: (label, its first two characters)}, escaped, per language."""
    return {value: (escape(label), escape(label[:2])) for value, label in AssignmentStatus.choices}


@register.filter
def matrix_cells(cells):
    """<td> for each cell of a row: the assignment's status badge (逾期 when overdue), or empty.
    Every text is escaped (unit names, labels); a row is 40 cells, so no format_html per cell, and
    each status's label and each unit's name are escaped once per row."""
    labels = _labels(get_language())
    names = {}
    head, tail = pk_url_parts("ledgers:assignment_detail")
    parts = []
    for a in cells:
        if a is None:
            parts.append('<td class="cell text-center"></td>')
            continue
        name = names.get(a.unit_id)
        if name is None:
            name = names[a.unit_id] = escape(a.unit.name)
        status, short = labels[a.status]
        late = a.is_overdue()  # annotated by the matrix's query (TaskAssignmentQuerySet.with_overdue)
        badge = a.badge_class()
        parts.append(f'<td class="cell text-center"><a href="{head}{a.pk}{tail}" '
                     f'class="badge {badge}" title="{name}：{status}{"（逾期）" if late else ""}">'
                     f'{"逾期" if late else short}</a></td>')
    return mark_safe("\n        ".join(parts))
