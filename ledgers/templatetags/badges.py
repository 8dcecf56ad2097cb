"""Status badges of list rows, written in Python: the same HTML as the `_status.html` includes they
replace in loops (an include per row was a good part of a list page's rendering time)."""
from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

register = template.Library()

PROBLEM_BADGE = {"open": "text-bg-warning", "rectifying": "text-bg-info", "review": "text-bg-primary"}
ACTIVITY_BADGE = {"approved": "text-bg-success", "submitted": "text-bg-primary", "returned": "text-bg-danger"}


@register.filter
def problem_badge(p):
    """templates/ledgers/problems/_status.html."""
    html = (f'<span class="badge {PROBLEM_BADGE.get(p.status, "text-bg-success")}">'
            f'{conditional_escape(p.get_status_display())}</span>')
    if p.overdue:
        html += ' <span class="badge text-bg-danger" data-testid="overdue">逾期</span>'
    return mark_safe(html)


@register.filter
def activity_badge(activity):
    """templates/ledgers/activities/_status.html."""
    html = (f'<span class="badge {ACTIVITY_BADGE.get(activity.status, "text-bg-secondary")}">'
            f'{conditional_escape(activity.get_status_display())}</span>')
    if activity.uploaded_to_city:
        html += '<br class="d-md-none"> <span class="badge text-bg-info">已上传文明网</span>'
    return mark_safe(html)
