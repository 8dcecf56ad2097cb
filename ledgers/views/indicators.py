"""The evaluation system (测评指标) as a browsable tree, and its Excel import for the bureau."""
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe

from .. import imports
from ..access import role_required, selected_bureau
from ..models import CampaignYear, Indicator, Role
from .imports import import_confirm, import_page, selected_year, xlsx_response


@require_safe
@login_required
def indicator_list(request):
    year = selected_year(request)
    # The city's tree and, for a district, its own indicators beneath it.
    bureau = selected_bureau(request)
    indicators = (Indicator.objects.visible_to(request.user).for_year(year).for_bureau(bureau)
                  .annotate(task_count=Count("tasks")))
    return render(request, "ledgers/indicators/list.html", {
        "year": year, "years": CampaignYear.objects.all(), "indicators": indicators,
        "total_points": sum(i.points for i in indicators if i.parent_id is None),
    })


@role_required(Role.ADMIN)
def indicator_import(request):
    return import_page(request, kind="indicators",
                       parse=lambda upload, year: imports.parse_indicators(upload, year, user=request.user),
                       template="ledgers/indicators/import.html", context={})


def _write_indicators(*, year, rows, user):
    created, updated = imports.import_indicators(year=year, rows=rows, user=user)
    return f"已导入测评指标：新增 {created} 条，更新 {updated} 条。"


@role_required(Role.ADMIN)
@require_POST
def indicator_import_confirm(request):
    return import_confirm(request, kind="indicators", write=_write_indicators,
                          done_url=reverse("ledgers:indicator_list"), retry_url=reverse("ledgers:indicator_import"))


@role_required(Role.ADMIN)
def indicator_template(request):
    year = selected_year(request)
    return xlsx_response(imports.indicator_template_bytes(year), f"测评指标导入模板（{year.year}）.xlsx")
