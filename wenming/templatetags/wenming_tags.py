"""Small template filters shared by the project's own pages."""
from django import template

register = template.Library()


@register.filter
def minutes(delta):
    """A timedelta as whole minutes (the lockout page says how long to wait)."""
    try:
        return max(1, round(delta.total_seconds() / 60))
    except AttributeError:
        return ""
