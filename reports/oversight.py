"""督导组包督查 · 问责 as plain data for the reports: each group's section of the month summary, and
the 问责 entries the month summary, the year's assessment and the printed 问责台账 list. The figures
are the month summary's unit rows (reports.summaries, whose rules are ledgers.rules); nothing here
defines a figure of its own. (A leader's 我包抓的单位 is reports.leader_units.) reports.summaries
imports this module, so it never imports that one.
"""
from dataclasses import dataclass, field

from django.db.models import Prefetch

from ledgers import rules
from ledgers.models import AccountabilityAction, AccountabilityCase, InspectionGroup, Oversight


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
    """The 问责 entries of one unit, or of one bureau's units (the city's: every unit), as the month
    summary's scope."""
    from ledgers.models import Bureau

    cases = AccountabilityCase.objects.all()
    if scope is None or (isinstance(scope, Bureau) and scope.is_city):
        return cases
    return cases.filter(unit__bureau=scope) if isinstance(scope, Bureau) else cases.filter(unit=scope)


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
