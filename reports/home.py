"""The leader's home panels: 我包抓的单位 (the units the leader answers for: reports.leader_units), then
the month on one phone screen.

This month's headline figures, the five lowest-ranked units, the units with the most overdue
problems and the latest bulletin — each linking on to the page behind it. Registered from
ReportsConfig.ready(); shown first on a leader's home page (ledgers.views.core.PANEL_ORDER).
"""
from django.db.models import Count
from django.utils import timezone

from ledgers.models import Bulletin, Problem
from ledgers.views.core import register_home_panel

from .leader_units import leader_unit_rows, month_summary_for
from .summaries import Month

LOWEST = 5
OVERDUE_UNITS = 5


@register_home_panel(cached="units")
def leader_units_panel(request):
    """我包抓的单位 (领导包抓): first on a 包抓 leader's home, each figure one tap from its records."""
    user = request.user
    if not user.is_leader:
        return None
    data = leader_unit_rows(user)
    if not data.rows:
        return None
    return {"template": "reports/_home_my_units.html", "data": data}


@register_home_panel(cached="units")
def leader_overview_panel(request):
    user = request.user
    if not user.is_leader:
        return None
    today = timezone.localdate()
    month = Month.containing(today)
    # The leader's own bureau: a district's units, or every unit for the city's leader.
    summary = month_summary_for(user.bureau, month, today)
    overdue = list(Problem.objects.visible_to(user).overdue(today)
                   .values("unit_id", "unit__name").annotate(count=Count("pk"))
                   .order_by("-count", "unit__sort_order", "unit__name")[:OVERDUE_UNITS])
    return {
        "template": "reports/_home_leader.html", "month": month, "totals": summary.totals,
        "lowest": summary.ranking[::-1][:LOWEST], "ranked": summary.ranked_units,
        "overdue_units": overdue,
        "bulletin": Bulletin.objects.visible_to(user).published().order_by("-published_at").first(),
    }
