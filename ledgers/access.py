"""The one place views use to fetch unit-owned objects and to gate pages by role.

- `get_visible_or_404(queryset_or_model, user, **lookup)`: 404 for anything the user may not see.
  During a POST (any unsafe method, see `ledgers.page_view.ActingRequestMiddleware`) it returns only what the user
  may act on (`actable_by`): the city's roles read every district's records but change only the
  city's own, so their POST to a district's record is 404 too.
- `@role_required(Role.ADMIN, ...)`: 403 for roles that may not use a page.
"""
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import models
from django.shortcuts import get_object_or_404

from .page_view import is_acting


def get_visible_or_404(queryset_or_model, user, **lookup):
    qs = queryset_or_model
    if isinstance(qs, type) and issubclass(qs, models.Model):
        qs = qs._default_manager.all()
    if is_acting() and hasattr(qs, "actable_by"):
        return get_object_or_404(qs.actable_by(user), **lookup)
    return get_object_or_404(qs.visible_to(user), **lookup)


def selected_bureau(request, param="bureau"):
    """The bureau a page shows: ?bureau=<id> among those the user may see (else 404), by default
    the user's own. The city's roles drill into a district this way."""
    from .models import Bureau
    from .params import int_param

    pk = int_param(request, param)  # junk ("²", NUL, huge) -> 404
    if pk is not None:
        return get_object_or_404(Bureau.objects.visible_to(request.user), pk=pk)
    return request.user.owning_bureau()


def role_required(*roles):
    """Allow only users with one of `roles` (superusers always pass)."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapper(request, *args, **kwargs):
            if not request.user.has_role(*roles):
                raise PermissionDenied("您的角色无权使用此功能。")
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def can_edit(user):
    """Leaders read everything and change nothing."""
    return user.is_authenticated and not user.is_leader
