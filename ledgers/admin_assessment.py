"""Admin pages for the assessment scheme (bureau admins); the everyday screens are
/ledgers/assessment/<year>/scheme/ and …/adjustments/."""
from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from wenming.admin import BureauModelAdmin

from .models import Adjustment, AssessmentScheme, IndicatorRule, ManualScore


@admin.register(AssessmentScheme)
class AssessmentSchemeAdmin(BureauModelAdmin, SimpleHistoryAdmin):
    list_display = ["__str__", "year", "excellent", "good", "passing"]


@admin.register(IndicatorRule)
class IndicatorRuleAdmin(BureauModelAdmin, SimpleHistoryAdmin):
    list_display = ["indicator", "kind", "unit_kinds", "partial", "deduction", "required", "period"]
    list_filter = ["scheme", "kind"]
    list_select_related = ["indicator"]


@admin.register(ManualScore)
class ManualScoreAdmin(BureauModelAdmin, SimpleHistoryAdmin):
    list_display = ["rule", "unit", "score", "date", "entered_by"]
    list_select_related = ["rule__indicator", "unit", "entered_by"]


@admin.register(Adjustment)
class AdjustmentAdmin(BureauModelAdmin, SimpleHistoryAdmin):
    list_display = ["unit", "kind", "points", "date", "reason", "entered_by"]
    list_filter = ["kind", "scheme"]
    list_select_related = ["unit", "entered_by"]
