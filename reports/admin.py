"""Admin: the background jobs, read-only, so the bureau admin can see what ran and why it failed."""
from django.contrib import admin

from wenming.admin import BureauModelAdmin

from .models import Job


@admin.register(Job)
class JobAdmin(BureauModelAdmin):
    list_display = ["title", "user", "status", "percent", "attempt", "created_at", "finished_at"]
    list_filter = ["status", "kind"]
    search_fields = ["title", "user__username", "user__name"]
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in Job._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
