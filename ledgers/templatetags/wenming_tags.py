"""Small template filters and tags shared by the project's own pages."""
from functools import lru_cache

from django import template
from django.templatetags.static import static
from django.urls import NoReverseMatch

from ledgers.pk_urls import route_url

register = template.Library()


@register.simple_tag
def url_once(name):
    """`{% url name %}` of a URL without arguments, reversed once per process (and script prefix):
    the base template has eight on every page, 40 µs each through `{% url %}`."""
    url = route_url(name)
    if url is None:
        raise NoReverseMatch(f"{name!r} is not a route without arguments")
    return url


@register.simple_tag
def static_once(path):
    """`{% static path %}`, looked up once per process: the hashed names of the collected files do not
    change while it runs (the manifest is read when it starts)."""
    return _static(path)


@lru_cache(maxsize=256)
def _static(path):
    return static(path)


@register.filter
def minutes(delta):
    """A timedelta as whole minutes (the lockout page says how long to wait)."""
    try:
        return max(1, round(delta.total_seconds() / 60))
    except AttributeError:
        return ""
