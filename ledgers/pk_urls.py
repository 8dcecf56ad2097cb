"""Routes reversed once per name, URLconf and script prefix instead of on every call (each `reverse`
costs ~20 µs; a list page calls `get_absolute_url` for every row, every page shows the menu).

- `pk_url(name, pk)`: the same as `reverse(name, args=[pk])` for a route taking one pk. The route is
  reversed once with a placeholder pk, and the pk put in its place; `pk_url_parts(name)` gives the
  (head, tail) around the pk, for a loop that writes many links.
- `route_url(name)`: `reverse(name)` for a route without arguments, None when the name is not routed.
"""
import functools

from django.conf import settings
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse

_PK = 987654321


@functools.lru_cache(maxsize=512)
def _reversed(name, args, urlconf, root_urlconf, script_prefix):
    try:
        return reverse(name, args=args, urlconf=urlconf)
    except NoReverseMatch:
        return None


def _where():
    """What a reversed route depends on besides its name (part of every cache key)."""
    return get_urlconf(), settings.ROOT_URLCONF, get_script_prefix()


@functools.lru_cache(maxsize=256)
def _parts(name, urlconf, root_urlconf, script_prefix):
    url = _reversed(name, (_PK,), urlconf, root_urlconf, script_prefix)
    if url is None:
        raise NoReverseMatch(f"{name!r} is not a route taking one pk")
    head, _, tail = url.partition(str(_PK))
    return head, tail


def pk_url_parts(name):
    return _parts(name, *_where())


def pk_url(name, pk):
    head, tail = pk_url_parts(name)
    return f"{head}{pk}{tail}"


def route_url(name):
    return _reversed(name, (), *_where())


def route_key():
    """What reversed routes depend on besides their names: part of the key of anything cached that
    is built from route_url."""
    return _where()
