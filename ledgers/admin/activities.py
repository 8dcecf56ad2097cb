"""Admin for activity archives: the bureau edits the category list here."""
from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from wenming.admin import BureauModelAdmin

from ..models import Activity, ActivityCategory


@admin.register(ActivityCategory)
class ActivityCategoryAdmin(BureauModelAdmin):
    list_display = ["name", "sort_order", "is_active"]
    list_editable = ["sort_order", "is_active"]


@admin.register(Activity)
class ActivityAdmin(BureauModelAdmin, SimpleHistoryAdmin):
    list_display = ["title", "unit", "date", "category", "status", "uploaded_to_city"]
    list_filter = ["status", "category", "uploaded_to_city", "unit__kind"]
    search_fields = ["title", "unit__name"]
    list_select_related = ["unit", "category"]
    readonly_fields = ["status", "submitted_at", "submitted_by", "reviewed_at", "reviewed_by", "created_by"]
    raw_id_fields = ["unit"]
    filter_horizontal = ["indicators"]
