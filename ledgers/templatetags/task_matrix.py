"""The task matrix's cells, written in Python: one call per row instead of a dozen template
lookups (status label, badge, overdue, URL) for each of up to 40 × 40 cells."""
from django import template
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe

register = template.Library()


def _url_of(pk, base):
    return base[:-2] + f"{pk}/" if base.endswith("/0/") else reverse("ledgers:assignment_detail", args=[pk])


@register.filter
def matrix_cells(cells):
    """<td> for each cell of a row: the assignment's status badge (逾期 when overdue), or empty.
    Every text is escaped (unit names, labels); a row is 40 cells, so no format_html per cell."""
    today = timezone.localdate()
    base = reverse("ledgers:assignment_detail", args=[0])
    parts = []
    for a in cells:
        if a is None:
            parts.append('<td class="cell text-center"></td>')
            continue
        status = a.get_status_display()
        late = a.is_overdue(today)
        parts.append(f'<td class="cell text-center"><a href="{escape(_url_of(a.pk, base))}" class="badge '
                     f'{escape(a.badge_class())}" title="{escape(a.unit.name)}：{escape(status)}'
                     f'{"（逾期）" if late else ""}">{"逾期" if late else escape(status[:2])}</a></td>')
    return mark_safe("\n        ".join(parts))
