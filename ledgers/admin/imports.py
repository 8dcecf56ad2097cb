"""Admin pages for unit aliases and remembered import column mappings (bureau admins)."""
from django.contrib import admin

from wenming.admin import BureauModelAdmin

from ..models import ImportMapping, UnitAlias


@admin.register(UnitAlias)
class UnitAliasAdmin(BureauModelAdmin):
    list_display = ["name", "unit"]
    search_fields = ["name", "unit__name"]
    list_select_related = ["unit"]
    autocomplete_fields = ["unit"]


@admin.register(ImportMapping)
class ImportMappingAdmin(BureauModelAdmin):
    list_display = ["kind", "header_text", "header_first", "header_last", "updated_by", "updated_at"]
    list_filter = ["kind"]
    readonly_fields = ["signature", "header_text", "columns", "updated_by", "updated_at"]
