"""The one place views use to fetch unit-owned objects and to gate pages by role.

- `get_visible_or_404(queryset_or_model, user, **lookup)`: 404 for anything the user may not see.
- `@role_required(Role.ADMIN, ...)`: 403 for roles that may not use a page.
"""
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import models
from django.shortcuts import get_object_or_404


def get_visible_or_404(queryset_or_model, user, **lookup):
    qs = queryset_or_model
    if isinstance(qs, type) and issubclass(qs, models.Model):
        qs = qs._default_manager.all()
    return get_object_or_404(qs.visible_to(user), **lookup)


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
