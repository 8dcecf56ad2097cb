"""A leader's 我包抓的单位 (领导包抓) as plain data: each of their units' open and overdue problems,
overdue task items, this week's checks and score rate, archives this month, rank and open 问责提示 —
the month summary's figures (reports.summaries, whose rules are ledgers.rules), nothing of its own.
"""
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count
from django.utils import timezone

from ledgers.models import AccountabilityCase, CampaignYear, Check
from ledgers.page_view import request_memo
from ledgers.services.oversight import leader_units
from ledgers.services.ranking import score_ranking

from .summaries import Month, monthly_summary


@dataclass
class LeaderUnitRow:
    unit: object
    problems_open: int = 0
    problems_overdue: int = 0
    tasks_overdue: int = 0
    week_checks: int = 0
    week_rate: Decimal | None = None
    activities: int = 0
    rank: int | None = None
    month_rate: Decimal | None = None
    cases_open: int = 0

    @property
    def needs_attention(self):
        return bool(self.problems_overdue or self.tasks_overdue or self.cases_open)


@dataclass
class LeaderUnits:
    month: object
    week: tuple  # (iso_year, iso_week)
    ranked: int
    rows: list = field(default_factory=list)

    @property
    def week_label(self):
        return f"第{self.week[1]}周"

    @property
    def week_value(self):
        """"2026-W10": the check list's week filter."""
        return f"{self.week[0]}-W{self.week[1]:02d}"

    @property
    def attention(self):
        return sum(1 for r in self.rows if r.needs_attention)


def month_summary_for(bureau, month, today):
    """The bureau's month summary without its lists, once per page view (the leader's two panels share it)."""
    return request_memo(("leader month summary", bureau.pk if bureau else None, str(month), today),
                        lambda: monthly_summary(month, bureau=bureau, today=today, lists=False))


def leader_unit_rows(user, today=None):
    """LeaderUnits for a leader: each of their units' open and overdue problems, overdue task items,
    this week's checks and score rate, this month's archives, rank and score rate, open 问责提示.
    A fixed number of queries however many units (the month summary's grouped ones, and two more)."""
    today = today or timezone.localdate()
    month = Month.containing(today)
    units = leader_units(user, CampaignYear.objects.current())
    iso_year, iso_week = today.isocalendar()[:2]
    if not units:
        return LeaderUnits(month, (iso_year, iso_week), 0)
    summary = month_summary_for(user.bureau, month, today)
    by_unit = {r.unit_id: r for r in summary.rows}
    week = {r["unit_id"]: r for r in score_ranking(Check.objects.filter(unit__in=units).for_week(iso_year, iso_week))}
    cases = dict(AccountabilityCase.objects.filter(unit__in=units).open().values_list("unit_id").annotate(n=Count("pk"))
                 .order_by())
    result = LeaderUnits(month, (iso_year, iso_week), summary.ranked_units)
    for unit in units:
        r = by_unit.get(unit.pk)
        row = LeaderUnitRow(unit, cases_open=cases.get(unit.pk, 0))
        if r is not None:
            row.problems_open, row.problems_overdue, row.tasks_overdue = r.problems_open, r.problems_overdue, r.tasks_overdue
            row.activities, row.rank, row.month_rate = r.activities, r.rank, r.score_rate
        if w := week.get(unit.pk):
            row.week_checks, row.week_rate = w["checks"], w["rate"]
        result.rows.append(row)
    return result
