"""Admin pages for the assessment scheme (bureau admins); the everyday screens are
/ledgers/assessment/scheme/ and …/adjustments/. Each bureau's admin sees their own bureau's
schemes and rules (the city's admin reads every bureau's) and changes only their own."""
from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from wenming.admin import BureauModelAdmin

from ..models import Adjustment, AssessmentScheme, Bureau, IndicatorRule, ManualScore


class SchemeScopedAdmin(BureauModelAdmin):
    """Scoped by the scheme's bureau (`bureau_path`): read the visible ones, change the own one."""

    bureau_path = "bureau"

    def get_queryset(self, request):
        qs = admin.ModelAdmin.get_queryset(self, request)
        return qs.filter(**{f"{self.bureau_path}__in": Bureau.objects.visible_to(request.user)})

    def _may_act_on(self, request, obj):
        if obj is None or obj.pk is None or request.user.is_superuser:
            return True
        bureau_id = obj.bureau_id if self.bureau_path == "bureau" else obj.scheme.bureau_id
        return bureau_id == request.user.owning_bureau().pk


@admin.register(AssessmentScheme)
class AssessmentSchemeAdmin(SchemeScopedAdmin, SimpleHistoryAdmin):
    list_display = ["__str__", "bureau", "year", "excellent", "good", "passing"]
    list_select_related = ["bureau", "year"]


@admin.register(IndicatorRule)
class IndicatorRuleAdmin(SchemeScopedAdmin, SimpleHistoryAdmin):
    bureau_path = "scheme__bureau"
    list_display = ["indicator", "scheme", "kind", "unit_kinds", "partial", "deduction", "required", "period"]
    list_filter = ["scheme", "kind"]
    list_select_related = ["indicator", "scheme__bureau", "scheme__year"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "scheme":
            kwargs["queryset"] = AssessmentScheme.objects.filter(bureau=request.user.owning_bureau())
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(ManualScore)
class ManualScoreAdmin(BureauModelAdmin, SimpleHistoryAdmin):
    list_display = ["rule", "unit", "score", "date", "entered_by"]
    list_select_related = ["rule__indicator", "unit", "entered_by"]


@admin.register(Adjustment)
class AdjustmentAdmin(BureauModelAdmin, SimpleHistoryAdmin):
    list_display = ["unit", "kind", "points", "date", "reason", "entered_by"]
    list_filter = ["kind", "scheme"]
    list_select_related = ["unit", "entered_by"]
