"""Admin pages for units, campaign years and users (in Chinese, for bureau admins)."""
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from wenming.admin import BureauModelAdmin

from .models import CampaignYear, Unit, User


@admin.register(Unit)
class UnitAdmin(BureauModelAdmin, SimpleHistoryAdmin):
    list_display = ["name", "kind", "code", "contact_name", "contact_phone", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "code", "contact_name"]
    list_editable = ["is_active"]

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        from .services.units import unit_create  # new units: the one creation path

        created = unit_create(name=obj.name, kind=obj.kind, code=obj.code, contact_name=obj.contact_name,
                              contact_phone=obj.contact_phone, sort_order=obj.sort_order,
                              is_active=obj.is_active, user=request.user)
        obj.pk = created.pk
        obj._state.adding = False


@admin.register(CampaignYear)
class CampaignYearAdmin(BureauModelAdmin):
    list_display = ["year", "title", "is_current"]


@admin.register(User)
class UserAdmin(BureauModelAdmin, DjangoUserAdmin):
    list_display = ["username", "name", "unit", "role", "phone", "is_active", "last_login"]
    list_filter = ["role", "is_active", "unit__kind"]
    search_fields = ["username", "name", "unit__name", "phone"]
    list_select_related = ["unit"]
    ordering = ["username"]
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("基本信息"), {"fields": ("name", "unit", "role", "phone", "email")}),
        (_("状态"), {"fields": ("is_active", "must_change_password", "last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("username", "name", "unit", "role", "password1", "password2")}),
    )
    readonly_fields = ["last_login", "date_joined"]

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is not None and request.user.is_superuser:
            fieldsets = fieldsets + ((_("超级用户"), {"fields": ("is_superuser", "is_staff")}),)
        return fieldsets
from . import admin_activities  # noqa: E402,F401  activity archives
from . import admin_checks  # noqa: E402,F401
from . import admin_tasks  # noqa: E402,F401
from . import admin_imports  # noqa: E402,F401  unit aliases, import mappings
