"""Admin pages for bureaus, units, campaign years and users (in Chinese, for bureau admins).

A district's admin manages only their district's units and users (the unit's bureau is set to
theirs and not shown); the city's admin creates districts with their office and first admin in
one form (新建区县, ledgers/views/districts.py) and may add units and users in any of them.
"""
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from wenming.admin import BureauModelAdmin

from ..models import Bureau, BureauKind, BureauSettings, CampaignYear, Unit, User


class BureauUnitInline(admin.TabularInline):
    """A new district's first units (its office, where its first admin belongs), typed with it."""

    model = Unit
    fields = ["name", "kind", "code", "sort_order"]
    extra = 1
    show_change_link = True

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_city

    def has_add_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_bureau_admin and request.user.is_city

    def has_change_permission(self, request, obj=None):
        return False  # existing units are the district's own to manage

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Bureau)
class BureauAdmin(BureauModelAdmin, SimpleHistoryAdmin):
    """Only the city's admin (and superusers) manage bureaus. 增加 opens 新建区县
    (`ledgers:district_create`): the district, its office and its first admin in one form."""

    list_display = ["name", "short_name", "kind", "code", "parent", "sort_order"]
    list_filter = ["kind"]
    search_fields = ["name", "short_name", "code"]
    inlines = [BureauUnitInline]

    def has_module_permission(self, request):
        return super().has_module_permission(request) and request.user.is_city

    def add_view(self, request, form_url="", extra_context=None):
        # A new district is created with its office and first admin in one form (新建区县).
        if not self.has_add_permission(request):
            raise PermissionDenied("只有市教育局管理员可以新建区县。")
        return redirect("ledgers:district_create")

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        city = Bureau.objects.city()
        initial.setdefault("kind", BureauKind.DISTRICT)
        if city is not None:
            initial.setdefault("parent", city.pk)
        return initial


@admin.register(BureauSettings)
class BureauSettingsAdmin(BureauModelAdmin):
    """本局设置: every bureau's admin sets their own bureau's heads (甲方 of the responsibility
    letters) and the default evidence rule of activity archives (ledgers.rules.default_evidence)."""

    fields = ["name", "head_name", "deputy_head_name", "evidence_min_photos", "evidence_captions", "caption_elements"]
    readonly_fields = ["name"]
    list_display = ["name", "head_name", "deputy_head_name", "evidence_min_photos", "evidence_captions"]

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        return qs if request.user.is_superuser and not request.user.bureau_id else qs.filter(pk=request.user.bureau_id)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        own = self.get_queryset(request).first()
        if own is not None and not request.user.is_superuser:
            return redirect("admin:ledgers_bureausettings_change", own.pk)
        return super().changelist_view(request, extra_context)


@admin.register(Unit)
class UnitAdmin(BureauModelAdmin, SimpleHistoryAdmin):
    list_display = ["name", "bureau", "kind", "code", "head_name", "contact_name", "contact_phone", "is_active"]
    list_filter = ["kind", "is_active", "bureau"]
    search_fields = ["name", "code", "contact_name"]
    list_editable = ["is_active"]
    list_select_related = ["bureau"]

    def get_list_filter(self, request):
        return self.list_filter if request.user.is_city else [f for f in self.list_filter if f != "bureau"]

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        user = request.user

        class UnitNameForm(form):
            """Unit names are unique within a bureau: refuse a name the unit's bureau already has
            (a district's admin does not see the bureau field; their units join their district)."""

            def clean(self):
                data = super().clean()
                bureau = data.get("bureau") if user.is_city else None
                bureau_id = bureau.pk if bureau else (self.instance.bureau_id if user.is_city else user.bureau_id)
                bureau_id = bureau_id or user.owning_bureau().pk
                name = data.get("name")
                if name and Unit.objects.filter(bureau_id=bureau_id, name=name).exclude(pk=self.instance.pk).exists():
                    self.add_error("name", f"本局已有名为“{name}”的单位，请换一个名称。")
                return data

        return UnitNameForm

    def get_exclude(self, request, obj=None):
        # A district's admin adds units to their own district only: the field is not shown.
        return ["bureau"] if not request.user.is_city else []

    def save_model(self, request, obj, form, change):
        if change:
            if not request.user.is_city and request.user.bureau_id:
                obj.bureau_id = request.user.bureau_id  # a district's admin: always their own district
            return super().save_model(request, obj, form, change)
        from ..services.units import unit_create  # new units: the one creation path

        created = unit_create(name=obj.name, kind=obj.kind, code=obj.code, contact_name=obj.contact_name,
                              contact_phone=obj.contact_phone, head_name=obj.head_name, sort_order=obj.sort_order,
                              is_active=obj.is_active, user=request.user,
                              bureau=obj.bureau if obj.bureau_id and request.user.is_city else None)
        obj.pk = created.pk
        obj._state.adding = False


@admin.register(CampaignYear)
class CampaignYearAdmin(BureauModelAdmin):
    list_display = ["year", "title", "is_current", "spring_term_end"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if "spring_term_end" in form.changed_data:
            from ..services.tasks import year_periods_sync

            year_periods_sync(year=obj)  # the 每学期 tasks' periods follow the semesters


@admin.register(User)
class UserAdmin(BureauModelAdmin, DjangoUserAdmin):
    list_display = ["username", "name", "unit", "role", "phone", "is_active", "last_login"]
    list_filter = ["role", "is_active", "unit__kind", "unit__bureau"]
    search_fields = ["username", "name", "unit__name", "phone"]
    list_select_related = ["unit", "unit__bureau"]

    def get_list_display(self, request):
        # The city's admin lists every district's users: unit names repeat across districts.
        if request.user.is_city:
            return ["username", "name", "unit", "unit__bureau", "role", "phone", "is_active", "last_login"]
        return self.list_display
    ordering = ["username"]

    def get_list_filter(self, request):
        return self.list_filter if request.user.is_city else [f for f in self.list_filter if f != "unit__bureau"]
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
from . import activities  # noqa: E402,F401  activity archives
from . import checks  # noqa: E402,F401
from . import tasks  # noqa: E402,F401
from . import imports  # noqa: E402,F401  unit aliases, import mappings

from . import assessment  # noqa: E402,F401  year-end assessment scheme
from . import notifications  # noqa: E402,F401  group robots, 发送记录
