"""Admin pages for indicators, tasks and responsibility letters (bureau admins).

Statuses are read-only here: they move only through ledgers.services (who/when recorded).
"""
from django.contrib import admin, messages
from simple_history.admin import SimpleHistoryAdmin

from wenming.admin import BureauModelAdmin

from ..models import Indicator, LetterTarget, ResponsibilityLetter, Task, TaskAssignment


@admin.register(Indicator)
class IndicatorAdmin(BureauModelAdmin, SimpleHistoryAdmin):
    list_display = ["code", "title", "points", "method", "min_photos", "caption_required", "year"]
    list_filter = ["year", "method", "caption_required"]
    search_fields = ["code", "title", "standard"]
    list_select_related = ["year"]
    autocomplete_fields = ["parent"]
    ordering = ["year", "sort_key"]


class AssignmentInline(admin.TabularInline):
    model = TaskAssignment
    fields = ["unit", "status", "completed_at", "returned_reason"]
    readonly_fields = ["unit", "status", "completed_at", "returned_reason"]
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False  # assignments come from the task form (one per responsible unit)


@admin.register(Task)
class TaskAdmin(BureauModelAdmin, SimpleHistoryAdmin):
    list_display = ["title", "indicator", "lead_unit", "deadline", "frequency", "year"]
    list_filter = ["year", "frequency"]
    search_fields = ["title", "requirement"]
    list_select_related = ["indicator", "lead_unit", "year"]
    autocomplete_fields = ["indicator"]
    inlines = [AssignmentInline]

    def has_delete_permission(self, request, obj=None):
        # A district's copy of a city task is withdrawn by the city (任务页 → 撤回), not deleted here.
        if obj is not None and obj.parent_id:
            return False
        return super().has_delete_permission(request, obj)

    def delete_queryset(self, request, queryset):
        copies = queryset.filter(parent__isnull=False)
        if copies.exists():
            messages.warning(request, f"{copies.count()} 项为市局下发的任务，由市教育局撤回，未删除。")
        super().delete_queryset(request, queryset.filter(parent__isnull=True))


@admin.register(LetterTarget)
class LetterTargetAdmin(BureauModelAdmin):
    list_display = ["order", "text", "points", "year"]
    list_filter = ["year"]


@admin.register(ResponsibilityLetter)
class ResponsibilityLetterAdmin(BureauModelAdmin, SimpleHistoryAdmin):
    list_display = ["unit", "year", "status", "issued_at", "signed_at"]
    list_filter = ["year", "status", "unit__kind"]
    search_fields = ["unit__name"]
    list_select_related = ["unit", "year"]
    fields = ["year", "unit", "status", "bureau_signatory", "unit_signatory", "issued_at", "signed_at", "archived_at"]
    readonly_fields = ["year", "unit", "status", "issued_at", "signed_at", "archived_at"]

    def has_add_permission(self, request):
        return False  # letters are generated from the year's targets
