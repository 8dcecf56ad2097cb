"""Status badges, written in Python: list rows call the filters directly (an include per row was a
good part of a list page's rendering time), detail pages through the `_status.html` includes."""
from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

register = template.Library()

PROBLEM_BADGE = {"open": "text-bg-warning", "rectifying": "text-bg-info", "review": "text-bg-primary"}
ACTIVITY_BADGE = {"approved": "text-bg-success", "submitted": "text-bg-primary", "returned": "text-bg-danger"}


@register.filter
def problem_badge(p):
    html = (f'<span class="badge {PROBLEM_BADGE.get(p.status, "text-bg-success")}">'
            f'{conditional_escape(p.get_status_display())}</span>')
    if p.overdue:
        html += ' <span class="badge text-bg-danger" data-testid="overdue">逾期</span>'
    return mark_safe(html)


@register.filter
def activity_badge(activity):
    html = (f'<span class="badge {ACTIVITY_BADGE.get(activity.status, "text-bg-secondary")}">'
            f'{conditional_escape(activity.get_status_display())}</span>')
    if activity.uploaded_to_city:
        html += '<br class="d-md-none"> <span class="badge text-bg-info">已上传文明网</span>'
    return mark_safe(html)
