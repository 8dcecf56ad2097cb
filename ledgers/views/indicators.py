"""The evaluation system (测评指标) as a browsable tree (its Excel import: ledgers/views/imports.py)."""
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.shortcuts import render
from django.views.decorators.http import require_safe

from ..access import selected_bureau
from ..models import CampaignYear, Indicator
from .imports import selected_year


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
