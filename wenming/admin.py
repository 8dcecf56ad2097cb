"""The Django admin, opened to bureau admins (role 局文明办) as well as superusers."""
from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
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
        return self.has_module_permission(request)

    def has_delete_permission(self, request, obj=None):
        return self.has_module_permission(request)
