"""The Django admin: the superuser's (whoever installs and keeps the system). A bureau's admin runs
the bureau in the app's own pages (单位管理, 用户管理, 区县管理, 群机器人, 发送记录, 本局设置 …); one who
opens an /admin/ address is sent to the app's page for it (`APP_PAGES`).

Every model admin subclasses `BureauModelAdmin`, which scopes lists, object pages and the
choices of every unit/user/bureau field to the admin's bureau (a district's admin manages only
their district; the city's admin every district). Another district's record is 404.
"""
import re

from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.urls import NoReverseMatch, reverse

# /admin/ledgers/<model>/… -> the app's own page (list, and the record's page when it has one).
APP_PAGES = {
    "unit": ("ledgers:unit_list", "ledgers:unit_detail"),
    "user": ("ledgers:user_list", "ledgers:user_detail"),
    "bureau": ("ledgers:district_list", "ledgers:district_detail"),
    "bureausettings": ("ledgers:bureau_settings", None),
    "campaignyear": ("ledgers:bureau_settings", None),
    "webhook": ("ledgers:robot_list", "ledgers:robot_edit"),
    "delivery": ("ledgers:delivery_list", None),
    "unitalias": ("ledgers:unit_list", None),
    "indicator": ("ledgers:indicator_list", None),
    "task": ("ledgers:task_matrix", "ledgers:task_detail"),
    "checktemplate": ("ledgers:template_list", "ledgers:template_edit"),
    "check": ("ledgers:check_list", "ledgers:check_detail"),
    "problem": ("ledgers:problem_list", "ledgers:problem_detail"),
    "bulletin": ("ledgers:bulletin_list", "ledgers:bulletin_detail"),
    "activity": ("ledgers:activity_list", "ledgers:activity_detail"),
    "responsibilityletter": ("ledgers:letter_list", "ledgers:letter_detail"),
    "lettertarget": ("ledgers:letter_targets", None),
}
_ADMIN_PATH = re.compile(r"^/admin/ledgers/(?P<model>[a-z]+)/(?:(?P<pk>\d+)/)?")


def app_page_for(path):
    """The app's page for an /admin/ address (the home page when it has none)."""
    match = _ADMIN_PATH.match(path or "")
    names = APP_PAGES.get(match["model"]) if match else None
    try:
        if names and match["pk"] and names[1]:
            return reverse(names[1], args=[int(match["pk"])])
        if names:
            return reverse(names[0])
    except NoReverseMatch:
        pass
    return reverse("home")


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
            if request.user.is_active and getattr(request.user, "is_bureau_admin", False):
                return redirect(app_page_for(next_url))  # the bureau's admin works in the app's pages
            raise PermissionDenied("您的角色无权使用管理后台。")
        return redirect_to_login(next_url)

    def has_permission(self, request):
        user = request.user
        return user.is_active and user.is_authenticated and user.is_superuser


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
