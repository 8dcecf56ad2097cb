"""The monthly summary (每月分析小结) as plain data: one place, read by the HTML preview, the PDF
and the Excel alike, so the three always agree.

`monthly_summary(month, unit=None)` builds everything from a fixed number of grouped queries
(one per ledger, grouped by unit), never one query per unit; the previous month is a second
pass of the same queries, for the 上升/下降/持平 comparison.

Definitions (what each figure means; the rules themselves are ledgers.rules, whose `notes()` the
report prints as its 说明):
- "as of" (截至) is the end of the month, or today while the month is still running.
- tasks: every deadline a unit owes is an item (a one-off task's, or each period of a recurring
  task: ledgers.rules.TaskItems). Due: items whose deadline falls in the month; done: of those, done
  by the as-of moment; overdue: any item whose deadline passed before the as-of date and that was
  not done by then.
- checks: submitted checks dated in the month, one figure per unit, template and week (the mean of
  that week's checks; a check's rate is ledgers.rules.check_score's: earned ÷ applicable points, or
  达标率); units are ranked by the mean of their figures' rates (得分率), those with a 一票否决
  不合格 check after the others, ties share a rank (1, 2, 2, 4) — the same rule as the weekly bulletin.
- problems found: found in the month; closed: 销号 in the month; open: found by the end of the
  month and not closed by then; overdue: waiting for the unit at the as-of date past the deadline
  in force (ledgers.rules.overdue_then_q: not the problems answered and waiting for the re-check);
  average days to close: over problems closed in the month (销号 date − found date).
- activities: submitted or approved archives dated in the month, and their photos.
- letter signed: the unit's letter of the campaign year is 已签订 or 已归档 (not 待确认).
- 督导组包督查 (per group, bureau-wide summaries): the group's units, those with a submitted check in
  the month, and their problems found, closed and overdue (the unit rows above, added up).
- 问责: the entries raised by the month's end and not closed before it began (reports.oversight).
- 问卷调查: the rounds whose period overlaps the month (for one unit: its rounds), with the answers
  submitted by the as-of moment: each unit's 知晓率, 平均正确率, sample and 样本不足, the least known
  questions (ledgers.survey_rules).
"""
import calendar
import datetime
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import (
    Case, Count, Func, IntegerField, Max, Min, OuterRef, Q, Sum, Value, When,
)
from django.utils import timezone

from ledgers import rules, survey_rules
from ledgers.models import (
    Activity, ActivityPhoto, ActivityStatus, Bureau, CampaignYear, Check, Problem, ProblemStatus,
    ResponsibilityLetter, Survey, TaskAssignment, Unit,
)
from ledgers.services.ranking import score_ranking

HIGHLIGHTS = 4
TENTH = Decimal("0.1")


# --- months ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Month:
    year: int
    month: int

    @classmethod
    def parse(cls, text):
        """"2026-11" -> Month(2026, 11); None when it is not a month."""
        try:
            year, month = (int(part) for part in str(text).split("-"))
            return cls.of(year, month)
        except (TypeError, ValueError):
            return None

    @classmethod
    def of(cls, year, month):
        if not (2000 <= year <= 2100 and 1 <= month <= 12):
            raise ValueError("not a month")
        return cls(year, month)

    @classmethod
    def containing(cls, day):
        return cls(day.year, day.month)

    def __str__(self):
        return f"{self.year}-{self.month:02d}"

    @property
    def label(self):
        return f"{self.year}年{self.month}月"

    @property
    def first_day(self):
        return datetime.date(self.year, self.month, 1)

    @property
    def last_day(self):
        return datetime.date(self.year, self.month, calendar.monthrange(self.year, self.month)[1])

    @property
    def next_first_day(self):
        return self.last_day + datetime.timedelta(days=1)

    def previous(self):
        return Month(self.year - 1, 12) if self.month == 1 else Month(self.year, self.month - 1)

    def next(self):
        return Month(self.year + 1, 1) if self.month == 12 else Month(self.year, self.month + 1)


_start_of = rules.start_of


# --- the data -------------------------------------------------------------------------------

@dataclass
class UnitRow:
    unit_id: int
    unit: str
    kind: str
    tasks_due: int = 0
    tasks_done: int = 0
    tasks_overdue: int = 0
    checks: int = 0
    figures: int = 0  # one per check template and week
    average_score: Decimal | None = None
    score_rate: Decimal | None = None  # percent, one decimal
    vetoed: int = 0  # figures with a check that failed a 一票否决 item (ranked after the others)
    rank: int | None = None
    problems_found: int = 0
    problems_closed: int = 0
    problems_open: int = 0
    problems_overdue: int = 0
    close_days_total: int = 0
    score_total_sum: Decimal = Decimal(0)  # unrounded sums, for exact bureau means
    rate_sum: Decimal = Decimal(0)
    activities: int = 0
    photos: int = 0
    letter_signed: bool = False

    @property
    def completion_rate(self):
        """Share of the month's due tasks done, 0…1 (None when nothing was due)."""
        return _ratio(self.tasks_done, self.tasks_due)

    @property
    def average_close_days(self):
        return _mean(self.close_days_total, self.problems_closed)


@dataclass
class Totals:
    units: int = 0
    tasks_due: int = 0
    tasks_done: int = 0
    tasks_overdue: int = 0
    checks: int = 0
    average_score: Decimal | None = None
    score_rate: Decimal | None = None
    problems_found: int = 0
    problems_closed: int = 0
    problems_open: int = 0
    problems_overdue: int = 0
    average_close_days: Decimal | None = None
    activities: int = 0
    photos: int = 0
    units_without_activities: int = 0
    letters_signed: int = 0

    @property
    def completion_rate(self):
        return _ratio(self.tasks_done, self.tasks_due)


@dataclass
class Comparison:
    label: str
    current: object
    previous: object
    kind: str = "count"  # "count", "rate" (0…1), "percent" (0…100), "days"
    better: str = ""  # "higher" or "lower": which way is better; "" when a change is neither

    @property
    def direction(self):
        if self.current is None or self.previous is None:
            return "—"
        if self.current > self.previous:
            return "上升"
        if self.current < self.previous:
            return "下降"
        return "持平"

    @property
    def meaning(self):
        """"better", "worse" or "" (no change, or a figure that is neither): printed in green or red."""
        if not self.better or self.direction not in ("上升", "下降"):
            return ""
        return "better" if (self.direction == "上升") == (self.better == "higher") else "worse"


@dataclass
class OpenProblem:
    pk: int
    unit: str
    description: str
    found_on: datetime.date
    deadline: datetime.date
    status: str
    source: str
    indicator: str
    overdue_days: int

    @property
    def is_overdue(self):
        return self.overdue_days > 0


@dataclass
class Highlight:
    pk: int
    unit: str
    title: str
    date: datetime.date
    category: str
    photos: int
    reviewed: bool
    thumbnail: str  # storage name of the first photo's thumbnail, "" when none
    photo_pk: int | None = None


@dataclass
class DistrictRow:
    """One district in the city's summary: its units' figures added up (Totals), and its rank."""
    bureau_id: int
    bureau: str
    totals: Totals
    rank: int | None = None

    @property
    def activities_per_unit(self):
        return _mean(self.totals.activities, self.totals.units)


@dataclass
class MonthRound:
    """A 问卷调查 round running in the month, as of the month's end: its units' figures (best 知晓率
    first) and, with the lists, its least known questions."""
    survey: Survey
    units: list  # survey_rules.UnitFigure
    total: survey_rules.UnitFigure
    weakest: list = field(default_factory=list)

    @property
    def short_units(self):
        return [u for u in self.units if not u.enough]

    @property
    def lowest(self):
        return [u for u in self.units if u.rate is not None][::-1][:SURVEY_LOWEST]


SURVEY_LOWEST = 10
SURVEY_WEAKEST = 5


@dataclass
class MonthlySummary:
    month: Month
    unit: Unit | None
    as_of: datetime.date
    generated_on: datetime.date
    rows: list[UnitRow]
    totals: Totals
    previous: Totals
    comparisons: list[Comparison]
    open_problems: "OpenProblems | list[OpenProblem]"  # read when used: see OpenProblems
    highlights: list[Highlight]
    ranked_units: int = 0
    notes: list[str] = field(default_factory=list)
    bureau: Bureau | None = None  # the bureau the summary covers when it is not one unit's
    districts: list[DistrictRow] = field(default_factory=list)  # the city's: its districts ranked
    groups: list = field(default_factory=list)  # reports.oversight.GroupSection per 督导组 (bureau-wide only)
    accountability: list = field(default_factory=list)  # reports.oversight.CaseRow: the month's 问责 entries
    surveys: list[MonthRound] = field(default_factory=list)  # 问卷调查 rounds running in the month

    @property
    def section_numbers(self):
        """The numbers (五、六、七) of the sections after 四、活动亮点 that this summary has, in page order."""
        shown = [("surveys", bool(self.surveys)), ("groups", bool(self.groups)),
                 ("accountability", bool(self.accountability or self.groups))]
        numerals = iter("五六七八")
        return {name: next(numerals) for name, present in shown if present}

    @property
    def title(self):
        prefix = self.unit.name if self.unit else "全市" if self.bureau is not None and self.bureau.is_city else ""
        return f"{prefix}{self.month.label}文明创建工作分析小结"

    @property
    def bureau_name(self):
        """The bureau printed on the summary: the unit's, else the one it covers."""
        if self.unit is not None:
            return self.unit.bureau.name
        return self.bureau.name if self.bureau is not None else ""

    @property
    def ranking(self):
        """Rows with a rank, best first (ties keep unit order)."""
        return sorted((r for r in self.rows if r.rank), key=lambda r: r.rank)

    @property
    def overdue_problems(self):
        return [p for p in self.open_problems if p.is_overdue]


def _ratio(part, whole):
    return None if not whole else part / whole


def _mean(total, count):
    if not count:
        return None
    return (Decimal(total) / count).quantize(TENTH, ROUND_HALF_UP)


# --- queries (each one grouped by unit; none per unit) ---------------------------------------

def _unit_filter(qs, unit, lookup="unit"):
    """Records of one unit, or of one bureau's units (`unit` a Bureau: the city's means all)."""
    if unit is None:
        return qs
    if isinstance(unit, Bureau):
        return qs if unit.is_city else qs.filter(**{f"{lookup}__bureau": unit})
    return qs.filter(**{lookup: unit})


def _task_figures(periods, unit):
    """[{unit_id: {"due", "done", "overdue"}} for each (month, as_of) in periods]: the items of the
    assignments (ledgers.rules.TaskItems: a one-off task's deadline, each period of a recurring
    task), from one grouped query per kind of item."""
    figures = [defaultdict(lambda: {"due": 0, "done": 0, "overdue": 0}) for _ in periods]
    items = rules.TaskItems(_unit_filter(TaskAssignment.objects.all(), unit))
    for qs, periodic in items.each():
        annotations, wanted = {}, Q()
        for i, (month, as_of) in enumerate(periods):
            # Done by the end of the as-of day (a task finished today, or on the month's last day, counts).
            done_by_then = rules.TaskItems.done(periodic, rules.end_of(as_of))
            due = Q(due__gte=month.first_day, due__lt=month.next_first_day)
            wanted |= due | Q(due__lt=as_of)
            annotations.update({f"due{i}": Count("pk", filter=due), f"done{i}": Count("pk", filter=due & done_by_then),
                                f"overdue{i}": Count("pk", filter=rules.TaskItems.overdue(periodic, as_of))})
        for r in qs.filter(wanted).values("unit_id").annotate(**annotations).order_by():
            for i in range(len(periods)):
                row = figures[i][r["unit_id"]]
                for k in ("due", "done", "overdue"):
                    row[k] += r[f"{k}{i}"]
    return figures


class DaysToClose(Func):
    """Whole days from the date `found` to the local date of the timestamp `closed` (an integer),
    for rows closed within [start, end): computed by the database itself. Django's
    `TruncDate(closed) - found` runs two Python functions per row on SQLite (thousands of
    closed problems a month); here SQLite shifts the UTC timestamp by the zone's offset, which
    is exact when the offset is the same all through [start, end) — always so in China, and
    checked: across a daylight-saving change it falls back to Django's conversion."""
    output_field = IntegerField()

    def __init__(self, closed, found, *, start, end):
        super().__init__(closed, found)
        self.start, self.end = start, end

    def as_sql(self, compiler, connection, **extra_context):
        # PostgreSQL (and any backend whose date difference is a number of days): date - date.
        (closed, closed_params), (found, found_params) = (compiler.compile(e) for e in self.source_expressions)
        day, day_params = connection.ops.datetime_cast_date_sql(closed, tuple(closed_params),
                                                                 timezone.get_current_timezone_name())
        return f"({day} - {found})", (*day_params, *found_params)

    def as_sqlite(self, compiler, connection, **extra_context):
        (closed, closed_params), (found, found_params) = (compiler.compile(e) for e in self.source_expressions)
        # julianday() counts from noon: + 0.5, truncated, is the day's number (dates and times alike).
        offset = self.start.utcoffset()
        if offset == (self.end - datetime.timedelta(microseconds=1)).astimezone(self.start.tzinfo).utcoffset():
            day = f"julianday({closed}, '{int(offset.total_seconds()):+d} seconds')"
            day_params = tuple(closed_params)
        else:
            day, day_params = connection.ops.datetime_cast_date_sql(closed, tuple(closed_params),
                                                                     timezone.get_current_timezone_name())
            day = f"julianday({day})"
        return (f"(CAST({day} + 0.5 AS INTEGER) - CAST(julianday({found}) + 0.5 AS INTEGER))",
                (*day_params, *found_params))


def _problem_figures(periods, unit):
    """[{unit_id: {"found", "closed", "open", "overdue", "close_days"}} for each (month, as_of) in periods],
    from one grouped query: the year's problems are scanned once for this month and the previous one,
    through the index `problem_month_figures` (every column read is in it, so the table itself is not
    read), and only the rows one of the figures counts are aggregated.

    Also returns, per period, how many problems were open at its end in the whole scope — inactive
    units' included, as in the open-problem list — so that the list's length needs no query."""
    annotations = {}
    for i, (month, as_of) in enumerate(periods):
        start, end = _start_of(month.first_day), _start_of(month.next_first_day)
        found = Q(found_on__gte=month.first_day, found_on__lt=month.next_first_day)
        closed = Q(status=ProblemStatus.CLOSED, closed_at__gte=start, closed_at__lt=end)
        open_then = Q(found_on__lt=month.next_first_day) & (~Q(status=ProblemStatus.CLOSED) | Q(closed_at__gte=end))
        annotations.update({f"found{i}": Count("pk", filter=found), f"closed{i}": Count("pk", filter=closed),
                            f"open{i}": Count("pk", filter=open_then),
                            f"overdue{i}": Count("pk", filter=open_then & rules.overdue_then_q(as_of)),
                            f"close_days{i}": Sum(DaysToClose("closed_at", "found_on", start=start, end=end),
                                                  filter=closed)})
    # The rows any figure above counts, said with fewer conditions per row (a superset; the rows
    # it adds count for nothing): found in the months, not closed, or closed since they began
    # (closed in them, or closed later and so open at a month's end).
    first, after = _span(periods)
    since, until = _start_of(first), _start_of(after)
    wanted = (Q(found_on__gte=first, found_on__lt=after) | ~Q(status=ProblemStatus.CLOSED)
              | Q(closed_at__gte=since, closed_at__lt=until) | Q(closed_at__gte=until, found_on__lt=after))
    rows = list(_unit_filter(Problem.objects.all(), unit).filter(wanted).values("unit_id")
                .annotate(**annotations).order_by())
    keys = ("found", "closed", "open", "overdue", "close_days")
    figures = [{r["unit_id"]: {k: r[f"{k}{i}"] for k in keys} for r in rows} for i in range(len(periods))]
    open_counts = [sum(r[f"open{i}"] for r in rows) for i in range(len(periods))]
    return figures, open_counts


def _photo_count():
    """The activity's number of photos (a subquery)."""
    return ActivityPhoto.objects.count_of(OuterRef("pk"))


def _span(periods):
    """(the first month's first day, the day after the last month) of (month, as_of) periods."""
    return min(month.first_day for month, _ in periods), max(month.next_first_day for month, _ in periods)


def _activity_figures(periods, unit):
    """[{unit_id: {"activities", "photos"}} for each (month, as_of) in periods]: the archived activities
    dated in each month and their photos, from one query grouped by unit and month (each activity's
    photos counted once, by a subquery: no join to the photos, no distinct count)."""
    first, after = _span(periods)
    period = Case(*[When(date__gte=month.first_day, date__lt=month.next_first_day, then=Value(i))
                    for i, (month, _) in enumerate(periods)], output_field=IntegerField())
    rows = (_unit_filter(Activity.objects.archived().filter(date__gte=first, date__lt=after), unit)
            .annotate(period=period, photo_count=_photo_count()).values("unit_id", "period")
            .annotate(activities=Count("pk"), photos=Sum("photo_count")).order_by())
    figures = [{} for _ in periods]
    for r in rows:
        if r["period"] is not None:
            figures[r["period"]][r["unit_id"]] = {"activities": r["activities"], "photos": r["photos"] or 0}
    return figures


def _checks(month, scope=None):
    """The month's submitted checks among which units are ranked: a unit ranks within its bureau."""
    if isinstance(scope, Unit):
        scope = scope.bureau
    return _unit_filter(Check.objects.submitted(), scope).filter(date__gte=month.first_day,
                                                                   date__lt=month.next_first_day)


def _signed_units(month, unit):
    year = CampaignYear.objects.filter(year=month.year).first()
    if year is None:
        return set()
    letters = _unit_filter(ResponsibilityLetter.objects.filter(year=year), unit).signed()
    return set(letters.values_list("unit_id", flat=True))


def _duration_days(value):
    # Sum of (销号 date - found date): a number of days (DaysToClose), or a timedelta from a backend
    # whose date difference is an interval.
    if not value:
        return 0
    return value.days if isinstance(value, datetime.timedelta) else int(value)


def unit_rows(month, units, as_of, unit=None):
    """One UnitRow per unit in `units`, in their order, from five grouped queries."""
    return unit_rows_of([(month, as_of)], units, unit)[0]


def unit_rows_of(periods, units, unit=None):
    """unit_rows for each (month, as_of) in periods (this month and the previous one): tasks, problems
    and activities for all periods come from one grouped query each, the rest from one query per period."""
    return _unit_rows_of(periods, units, unit)[0]


def _unit_rows_of(periods, units, unit=None):
    """unit_rows_of, and per period the number of problems open at its end in the whole scope."""
    all_tasks = _task_figures(periods, unit)
    all_problems, open_counts = _problem_figures(periods, unit)
    all_activities = _activity_figures(periods, unit)
    kinds = [u.get_kind_display() for u in units]  # once per unit, not once per period
    result = []
    for (month, as_of), tasks, problems, activities in zip(periods, all_tasks, all_problems, all_activities):
        ranking = {r["unit_id"]: r for r in score_ranking(_checks(month, unit))}
        signed = _signed_units(month, unit)
        rows = []
        for u, kind in zip(units, kinds):
            row = UnitRow(unit_id=u.pk, unit=u.name, kind=kind, letter_signed=u.pk in signed)
            if t := tasks.get(u.pk):
                row.tasks_due, row.tasks_done, row.tasks_overdue = t["due"], t["done"], t["overdue"]
            if c := ranking.get(u.pk):
                row.checks, row.average_score, row.score_rate, row.rank = c["checks"], c["average"], c["rate"], c["rank"]
                row.figures, row.vetoed = c["figures"], c["vetoed"]
                row.score_total_sum, row.rate_sum = c["total_sum"], c["rate_sum"]
            if p := problems.get(u.pk):
                row.problems_found, row.problems_closed = p["found"], p["closed"]
                row.problems_open, row.problems_overdue = p["open"], p["overdue"]
                row.close_days_total = _duration_days(p["close_days"])
            if a := activities.get(u.pk):
                row.activities, row.photos = a["activities"], a["photos"]
            rows.append(row)
        result.append((rows, len(ranking)))
    return result, open_counts


def totals_of(rows):
    checks = sum(r.checks for r in rows)
    figures = sum(r.figures for r in rows)
    closed = sum(r.problems_closed for r in rows)

    rate_sum = sum((r.rate_sum for r in rows), Decimal(0))
    return Totals(
        units=len(rows),
        tasks_due=sum(r.tasks_due for r in rows), tasks_done=sum(r.tasks_done for r in rows),
        tasks_overdue=sum(r.tasks_overdue for r in rows),
        checks=checks, average_score=_mean(sum((r.score_total_sum for r in rows), Decimal(0)), figures),
        score_rate=rules.round_rate(rate_sum / figures) if figures else None,
        problems_found=sum(r.problems_found for r in rows), problems_closed=closed,
        problems_open=sum(r.problems_open for r in rows), problems_overdue=sum(r.problems_overdue for r in rows),
        average_close_days=_mean(sum(r.close_days_total for r in rows), closed),
        activities=sum(r.activities for r in rows), photos=sum(r.photos for r in rows),
        units_without_activities=sum(1 for r in rows if not r.activities),
        letters_signed=sum(1 for r in rows if r.letter_signed),
    )


def compare(current, previous):
    return [
        Comparison("任务完成率", current.completion_rate, previous.completion_rate, "rate", "higher"),
        # Not the month's own: every task past its deadline and still not done at the month's end.
        Comparison("累计逾期任务", current.tasks_overdue, previous.tasks_overdue, better="lower"),
        # More checks or more problems found is neither better nor worse for the units.
        Comparison("督查次数", current.checks, previous.checks),
        Comparison("平均得分率", current.score_rate, previous.score_rate, "percent", "higher"),
        Comparison("发现问题", current.problems_found, previous.problems_found),
        Comparison("销号问题", current.problems_closed, previous.problems_closed, better="higher"),
        Comparison("未销号问题", current.problems_open, previous.problems_open, better="lower"),
        Comparison("逾期问题", current.problems_overdue, previous.problems_overdue, better="lower"),
        Comparison("平均整改天数", current.average_close_days, previous.average_close_days, "days", "lower"),
        Comparison("活动档案", current.activities, previous.activities, better="higher"),
        Comparison("活动照片", current.photos, previous.photos, better="higher"),
    ]


def _open_problem_rows(month, as_of, unit=None, limit=None):
    """Problems open at the end of the month (or now), overdue first, then by deadline, unit and pk.

    The order by deadline alone puts the overdue ones first: a problem is overdue when its
    deadline is before the as-of date."""
    end = _start_of(month.next_first_day)
    qs = (_unit_filter(Problem.objects.all(), unit)
          .filter(Q(found_on__lt=month.next_first_day) & (~Q(status=ProblemStatus.CLOSED) | Q(closed_at__gte=end)))
          .order_by("deadline", "unit__sort_order", "unit__name", "pk")
          .values_list("pk", "unit__name", "description", "found_on", "deadline", "status", "closed_at",
                       "rectified_at", "check_record__kind", "indicator__code"))
    if limit is not None:
        qs = qs[:limit]
    # Labels as plain strings once (a lazy label translates again on every str(): thousands of rows).
    labels = {key: str(label) for key, label in ProblemStatus.choices}
    kinds = {key: str(label) for key, label in Check._meta.get_field("kind").choices}
    kinds[None] = "直接交办"
    closed = ProblemStatus.CLOSED
    result = []
    append = result.append
    for pk, unit_name, description, found_on, deadline, status, closed_at, rectified_at, kind, code in qs.iterator(2000):
        label = f"已于{timezone.localtime(closed_at):%m-%d}销号" if status == closed else labels[status]
        # 逾期天数 from the deadline in force, for the unit's overdue only (ledgers.rules.overdue_days).
        days = rules.overdue_days_of(status, deadline, rectified_at, closed_at, as_of)
        append(OpenProblem(pk, unit_name, description, found_on, deadline, label, kinds.get(kind) or "直接交办",
                           code or "", days))
    return result


def open_problems(month, as_of, unit=None):
    """The open-problem list, all of it (one query)."""
    return _open_problem_rows(month, as_of, unit)


class OpenProblems(Sequence):
    """The month's open-problem list, read when used: its length is known from the problem figures
    (no query), the first rows (`[:100]` for the page, `[:50]` for the PDF) come from one query with a
    limit (at least HEAD rows, so both share it), and the whole list (the Excel sheet) from one query.
    At city scale it is thousands of rows, of which the page and the PDF show a few dozen."""

    HEAD = 100

    def __init__(self, month, as_of, unit, total):
        self.month, self.as_of, self.unit, self.total = month, as_of, unit, total
        self._all = None
        self._head = []

    def _everything(self):
        if self._all is None:
            self._all = _open_problem_rows(self.month, self.as_of, self.unit)
        return self._all

    def __len__(self):
        return self.total if self._all is None else len(self._all)

    def __getitem__(self, index):
        first_rows = (isinstance(index, slice) and index.start in (None, 0) and index.step in (None, 1)
                      and index.stop is not None and index.stop >= 0)
        if self._all is not None or not first_rows or index.stop >= self.total:
            return self._everything()[index]
        if len(self._head) < index.stop:
            limit = max(index.stop, self.HEAD)
            if limit >= self.total:
                return self._everything()[index]
            self._head = _open_problem_rows(self.month, self.as_of, self.unit, limit=limit)
        return self._head[index]

    def __iter__(self):
        return iter(self._everything())

    def __bool__(self):
        return len(self) > 0

    def __eq__(self, other):
        return list(self) == list(other) if isinstance(other, (list, Sequence)) else NotImplemented

    def __repr__(self):
        return f"<OpenProblems {self.month} ({len(self)})>"


def highlights(month, unit=None, limit=HIGHLIGHTS):
    """The month's showcase: reviewed archives first, then those with the most photos."""
    rows = list(
        _unit_filter(Activity.objects.archived().for_month(month.first_day), unit)
        .annotate(photo_count=_photo_count())
        .filter(photo_count__gt=0)
        .values("pk", "unit__name", "title", "date", "category__name", "status", "photo_count")
        .annotate(reviewed=Case(When(status=ActivityStatus.APPROVED, then=Value(0)), default=Value(1)))
        .order_by("reviewed", "-photo_count", "-date", "pk")[:limit]
    )
    first_photo = {}
    for photo_pk, activity_id, thumbnail in (ActivityPhoto.objects.filter(activity__in=[a["pk"] for a in rows])
                                             .order_by("activity_id", "sort_order", "pk")
                                             .values_list("pk", "activity_id", "thumbnail")):
        first_photo.setdefault(activity_id, (photo_pk, thumbnail))
    return [Highlight(a["pk"], a["unit__name"], a["title"], a["date"], a["category__name"], a["photo_count"],
                      a["status"] == ActivityStatus.APPROVED, first_photo[a["pk"]][1], first_photo[a["pk"]][0])
            for a in rows]


def district_rows(rows, units, bureaus):
    """The city's districts ranked by their units' mean score rate, from the unit rows (no query)."""
    by_bureau = {}
    unit_bureau = {u.pk: u.bureau_id for u in units}
    for row in rows:
        by_bureau.setdefault(unit_bureau[row.unit_id], []).append(row)
    districts = [DistrictRow(b.pk, f"{b.label}（市直）" if b.is_city else b.label, totals_of(by_bureau.get(b.pk, [])))
                 for b in bureaus]
    ranked = sorted((d for d in districts if d.totals.score_rate is not None), key=lambda d: -d.totals.score_rate)
    for position, d in enumerate(ranked):
        same = position and d.totals.score_rate == ranked[position - 1].totals.score_rate
        d.rank = ranked[position - 1].rank if same else position + 1
    return sorted(districts, key=lambda d: (d.rank is None, d.rank or 0))


def month_rounds(month, as_of, scope=None, *, questions=True):
    """The 问卷调查 rounds whose period overlaps the month (of a unit: its own; of a district: the
    district's; of the city or everything: every round), as of the end of `as_of`. One query without
    rounds; with rounds two more, and two per round for the least known questions."""
    rounds = Survey.objects.filter(starts_on__lte=month.last_day, ends_on__gte=month.first_day).select_related(
        "bureau").order_by("starts_on", "pk")
    if isinstance(scope, Unit):
        rounds = rounds.filter(survey_units__unit=scope)
    elif scope is not None and not scope.is_city:
        rounds = rounds.filter(bureau=scope)
    rounds = list(rounds)
    if not rounds:
        return []
    until = rules.end_of(as_of)
    where = None if scope is None or (isinstance(scope, Bureau) and scope.is_city) else scope
    figures = survey_rules.unit_figures(rounds, until, where)
    result = []
    for survey in rounds:
        units = survey_rules.rank_units(f for (s, _u), f in figures.items() if s == survey.pk)
        weakest = []
        if questions:
            graded, _ratings = survey_rules.question_figures(survey, until, where)
            weakest = survey_rules.weakest(graded, SURVEY_WEAKEST)
        result.append(MonthRound(survey, units, survey_rules.totals(units), weakest))
    return result


def monthly_summary(month, *, unit=None, bureau=None, today=None, lists=True):
    """Everything the month's summary shows: for one unit, one district, or the whole city.

    `bureau` is the district (its units only) or the city (every unit, and `districts` ranks the
    districts); with neither, every unit. The caller decides who may see which unit or bureau
    (the views check both through visible_to). `lists=False` leaves out the open problems and the
    highlights (the dashboard shows neither).
    """
    today = today or timezone.localdate()
    as_of = min(today, month.last_day)
    scope = unit or bureau
    units = list(Unit.objects.filter(pk=unit.pk) if unit else Unit.objects.active().in_bureau(bureau))
    previous_month = month.previous()
    ((rows, ranked), (previous_rows, _)), (open_count, _) = _unit_rows_of(
        [(month, as_of), (previous_month, min(today, previous_month.last_day))], units, scope)
    totals, previous = totals_of(rows), totals_of(previous_rows)
    districts = []
    if unit is None and bureau is not None and bureau.is_city:
        bureaus = list(Bureau.objects.order_by("kind", "sort_order", "pk"))
        districts = district_rows(rows, units, bureaus)
    summary = MonthlySummary(
        month=month, unit=unit, as_of=as_of, generated_on=today, rows=rows, totals=totals, previous=previous,
        comparisons=compare(totals, previous),
        open_problems=OpenProblems(month, as_of, scope, open_count) if lists else [],
        highlights=highlights(month, scope) if lists else [], ranked_units=ranked, bureau=None if unit else bureau,
        districts=districts, notes=rules.note_lines(unit.bureau if unit else bureau),
        surveys=month_rounds(month, as_of, scope, questions=lists),
    )
    if lists:
        from .oversight import group_sections, month_cases

        summary.groups = group_sections(summary, bureau) if unit is None else []
        summary.accountability = month_cases(month, scope)
    return summary


def archived_activities(month, unit=None):
    """The month's archived activities as rows for the Excel sheet 活动档案 (one query)."""
    labels = {key: str(label) for key, label in ActivityStatus.choices}
    qs = (_unit_filter(Activity.objects.archived().for_month(month.first_day), unit)
          .annotate(photo_count=_photo_count())
          .order_by("unit__sort_order", "unit__name", "date", "pk")
          .values_list("unit__name", "title", "category__name", "date", "place", "participants", "organizer",
                       "photo_count", "status", "uploaded_to_city", "uploaded_to_city_on"))
    for unit_name, title, category, date, place, participants, organizer, photos, status, uploaded, on in qs:
        yield (unit_name, title, category, date, place, participants, organizer, photos, labels[status],
               "是" if uploaded else "否", on)


def weekly_score_trend(iso_year, unit=None):  # unit: a Unit, or a Bureau for its units
    """[(iso_week, score rate in percent or None), …] for the campaign's weeks so far.

    The weeks run from the year's first week with a submitted check (bureau-wide, so a unit's
    chart shows the weeks it was not checked as gaps) to this week, or to the year's last week
    with checks for a past year; [] when the year has no checks. Two queries. The rate of a week
    is the mean of its figures' rates (one figure per unit, template and week: ledgers.rules),
    rounded once (ledgers.rules.round_rate), as in the bulletin.
    """
    year_checks = Check.objects.submitted().filter(iso_year=iso_year, max_total__gt=0)
    span = year_checks.aggregate(first=Min("iso_week"), last=Max("iso_week"))
    if span["first"] is None:
        return []
    by_week = defaultdict(list)
    for f in rules.figures_of(_unit_filter(year_checks, unit)):
        by_week[f.iso_week].append(f.rate)
    rates = {week: rules.round_rate(sum(values) / len(values)) for week, values in by_week.items()}
    last = span["last"]
    today = timezone.localdate().isocalendar()
    if today[0] == iso_year:
        last = max(last, today[1])
    return [(week, rates.get(week)) for week in range(span["first"], last + 1)]


def unit_month_row(month, unit, today=None):
    """One unit's figures for the month (its UnitRow only: no comparison, lists or highlights)."""
    today = today or timezone.localdate()
    rows, _ = unit_rows(month, [unit], min(today, month.last_day), unit)
    return rows[0]
