"""The Django admin, opened to bureau admins (role 局文明办) as well as superusers.

Every model admin subclasses `BureauModelAdmin`, which scopes lists, object pages and the
choices of every unit/user/bureau field to the admin's bureau (a district's admin manages only
their district; the city's admin every district). Another district's record is 404.
"""
from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse


class BureauAdminSite(admin.AdminSite):
    site_header = "文明创建工作台账 · 管理后台"
    site_title = "文明创建工作台账"
    index_title = "数据管理"

    def login(self, request, extra_context=None):
        # One login page for the whole product: the admin's own login form is never shown.
        next_url = request.GET.get("next") or reverse("admin:index", current_app=self.name)
        if request.user.is_authenticated:
            if self.has_permission(request):
                return redirect(next_url)
            raise PermissionDenied("您的角色无权使用管理后台。")
        return redirect_to_login(next_url)

    def has_permission(self, request):
        user = request.user
        return user.is_active and user.is_authenticated and user.is_bureau_admin


class BureauModelAdmin(admin.ModelAdmin):
    """Grants bureau admins every permission on the model, without Django permission rows."""

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_bureau_admin

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_add_permission(self, request):
        return self.has_module_permission(request)

    def has_change_permission(self, request, obj=None):
        return self.has_module_permission(request) and self._may_act_on(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self.has_module_permission(request) and self._may_act_on(request, obj)

    def _may_act_on(self, request, obj):
        """The city's admin reads every district's records but changes only the city's own."""
        if obj is None or obj.pk is None:
            return True
        qs = self.model._default_manager.all()
        if hasattr(qs, "actable_by"):
            return qs.actable_by(request.user).filter(pk=obj.pk).exists()
        return True

    # --- scoping by bureau: a district's admin manages only their district -------------------

    def get_queryset(self, request):
        return scope_queryset(super().get_queryset(request), request.user)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        scope_choices(db_field, request, kwargs)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        scope_choices(db_field, request, kwargs)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def _get_obj_does_not_exist_redirect(self, request, opts, object_id):
        # Another district's record is not found, the same as in the product's own pages.
        raise Http404("没有找到该记录")


def scope_queryset(qs, user):
    """Rows the admin user may manage: through visible_to, or by the model's `bureau` owner."""
    if hasattr(qs, "visible_to"):
        return qs.visible_to(user)
    if any(f.name == "bureau" for f in qs.model._meta.get_fields()) and not user.is_city:
        return qs.filter(bureau_id=user.bureau_id)
    return qs


def scope_choices(db_field, request, kwargs):
    """Unit, user and bureau choices in admin forms: only those of the admin's own bureau."""
    if "queryset" in kwargs:
        return
    model = db_field.remote_field.model
    qs = model._default_manager.all()
    if hasattr(qs, "visible_to") or any(f.name == "bureau" for f in model._meta.get_fields()):
        kwargs["queryset"] = scope_queryset(qs, request.user)


class ScopedInlineMixin:
    """For admin inlines: unit/user/bureau choices limited to the admin's bureau."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        scope_choices(db_field, request, kwargs)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
