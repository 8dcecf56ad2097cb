"""Admin pages for check templates, checks, problems and bulletins (bureau admins only).

Status moves are not made here: they go through the pages (and their services) so that each
move is checked and recorded; the admin shows records and their history.
"""
from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from wenming.admin import BureauModelAdmin, ScopedInlineMixin

from ..models import Bulletin, Check, CheckItem, CheckTemplate, Problem, ProblemEvent


class CheckItemInline(ScopedInlineMixin, admin.TabularInline):
    model = CheckItem
    extra = 0


@admin.register(CheckTemplate)
class CheckTemplateAdmin(BureauModelAdmin, SimpleHistoryAdmin):
    list_display = ["name", "year", "is_active"]
    list_filter = ["year", "is_active"]
    inlines = [CheckItemInline]


@admin.register(Check)
class CheckAdmin(BureauModelAdmin, SimpleHistoryAdmin):
    list_display = ["date", "unit", "kind", "template", "total", "status"]
    list_filter = ["kind", "status", "iso_week"]
    search_fields = ["unit__name", "remarks"]
    list_select_related = ["unit", "template"]
    readonly_fields = ["status", "total", "max_total", "submitted_by", "submitted_at", "created_by"]


class ProblemEventInline(admin.TabularInline):
    model = ProblemEvent
    extra = 0
    can_delete = False
    readonly_fields = ["action", "from_status", "to_status", "actor", "at", "note"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Problem)
class ProblemAdmin(BureauModelAdmin, SimpleHistoryAdmin):
    list_display = ["found_on", "unit", "description", "deadline", "status"]
    list_filter = ["status", "iso_week"]
    search_fields = ["unit__name", "description"]
    list_select_related = ["unit"]
    readonly_fields = ["status", "rectified_by", "rectified_at", "closed_by", "closed_at", "raised_by"]
    inlines = [ProblemEventInline]


@admin.register(Bulletin)
class BulletinAdmin(BureauModelAdmin, SimpleHistoryAdmin):
    list_display = ["iso_year", "iso_week", "number", "status", "published_at"]
    readonly_fields = ["status", "number", "published_by", "published_at", "created_by"]
