"""领导包抓 · 督导组包督查 · 问责 as plain data for the reports: a leader's 我包抓的单位, each group's
section of the month summary, and the 问责 entries the month summary, the year's assessment and the
printed 问责台账 list. The figures are the month summary's (reports.summaries, whose rules are
ledgers.rules); nothing here defines a figure of its own.
"""
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Prefetch
from django.utils import timezone

from ledgers import rules
from ledgers.models import (
    AccountabilityAction, AccountabilityCase, CampaignYear, Check, InspectionGroup, Oversight,
)
from ledgers.page_view import request_memo
from ledgers.services.oversight import leader_units
from ledgers.services.ranking import score_ranking


# --- a leader's 我包抓的单位 -----------------------------------------------------------------------

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
    from .summaries import monthly_summary

    return request_memo(("leader month summary", bureau.pk if bureau else None, str(month), today),
                        lambda: monthly_summary(month, bureau=bureau, today=today, lists=False))


def leader_unit_rows(user, today=None):
    """LeaderUnits for a leader: each of their units' open and overdue problems, overdue task items,
    this week's checks and score rate, this month's archives, rank and score rate, open 问责提示.
    A fixed number of queries however many units (the month summary's grouped ones, and two more)."""
    from .summaries import Month

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


# --- the month summary's section per group ----------------------------------------------------------

@dataclass
class GroupSection:
    name: str
    rhythm: str
    members: str
    units: int = 0
    covered: int = 0  # units with a submitted check in the month
    problems_found: int = 0
    problems_closed: int = 0
    problems_overdue: int = 0
    uncovered: list = field(default_factory=list)  # names of the units not checked in the month

    @property
    def coverage(self):
        return None if not self.units else self.covered / self.units


def group_sections(summary, bureau):
    """One section per 督导组 of `bureau` in the summary's month: the units it covers, how many it
    checked in the month, and their problems found, closed and overdue (the summary's unit rows)."""
    if bureau is None:
        return []
    groups = list(InspectionGroup.objects.filter(bureau=bureau, year__year=summary.month.year).prefetch_related(
        Prefetch("members", to_attr="people")))
    if not groups:
        return []
    rows = {r.unit_id: r for r in summary.rows}
    sections = {g.pk: GroupSection(g.name, g.get_rhythm_display(), "、".join(m.display_name for m in g.people))
                for g in groups}
    for unit_id, group_id in (Oversight.objects.filter(group__in=groups, unit__is_active=True)
                              .order_by("unit__sort_order", "unit__name").values_list("unit_id", "group_id")):
        r, s = rows.get(unit_id), sections[group_id]
        if r is None:
            continue
        s.units += 1
        s.problems_found += r.problems_found
        s.problems_closed += r.problems_closed
        s.problems_overdue += r.problems_overdue
        if r.checks:
            s.covered += 1
        else:
            s.uncovered.append(r.unit)
    return [sections[g.pk] for g in groups]


# --- 问责 entries ----------------------------------------------------------------------------------

@dataclass
class CaseRow:
    pk: int
    unit: str
    kind: str
    reason: str
    raised_on: object
    status: str
    actions: list  # ["3月5日 约谈（局长 李国伟；参加：…）", …]
    closing: str = ""


def case_rows(cases):
    """CaseRow for each case of `cases` (a queryset), with what was done: two queries."""
    rows = []
    for case in cases.select_related("unit").prefetch_related(
            Prefetch("actions", AccountabilityAction.objects.order_by("date", "pk"))):
        actions = [f"{a.date:%m月%d日} {a.get_kind_display()}（{a.conducted_by}"
                   + (f"；参加：{a.attendees}" if a.attendees else "") + f"）{a.notes}" for a in case.actions.all()]
        rows.append(CaseRow(case.pk, case.unit.name, case.get_kind_display(), case.reason, case.raised_on,
                            case.get_status_display(), actions, case.closing_note))
    return rows


def scope_cases(scope):
    """The 问责 entries of one unit, or of one bureau's units (the city's: every unit)."""
    from .summaries import _unit_filter

    return _unit_filter(AccountabilityCase.objects.all(), scope)


def month_cases(month, scope):
    """The 问责 entries of the month: raised by its end and not closed before it began."""
    return case_rows(scope_cases(scope).filter(raised_on__lte=month.last_day)
                     .exclude(closed_at__lt=rules.start_of(month.first_day)).order_by("raised_on", "pk"))


def year_cases(year, scope, kind=""):
    """The year's 问责 entries of one unit, or of one bureau's own units (the assessment's scope), of one
    kind of unit when `kind` is given."""
    from ledgers.models import Unit

    qs = AccountabilityCase.objects.filter(year=year)
    qs = qs.filter(unit=scope) if isinstance(scope, Unit) else qs.filter(unit__bureau=scope, unit__is_active=True)
    if kind:
        qs = qs.filter(unit__kind=kind)
    return case_rows(qs.order_by("unit__sort_order", "unit__name", "raised_on", "pk"))
