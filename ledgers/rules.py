"""The rules behind every figure the app publishes, each written once (issue 27).

Every page, PDF, Excel sheet, bulletin, assessment, digest and message that shows one of these
figures asks this module (directly, or through the QuerySet methods that call it). It sits below
the models: they call it, and it names them (statuses by value, models by name at call time)
without importing them.

- the campaign calendar: a week's bounds, the months, the two semesters of a campaign year
  (`CampaignYear.spring_term_end`), and the periods of a recurring task (每周/每月/每季度/每学期);
- problems: the deadline in force (复查不通过 sets a new one), 逾期 for the unit (rectification not
  submitted by the deadline in force: `overdue_q`), late for the assessment (`late_q`), 逾期天数,
  and the inspectors' own figure, 待复查超过 N 天 (`recheck_overdue_q`);
- tasks: each deadline a unit owes (a one-off task's, or each period of a recurring task's) is an
  item; an item is 逾期 when its deadline passed without the unit's report (`TaskItems`);
- checks: one figure per unit, check template and ISO week — the mean of that week's submitted
  checks of the template (drafts never count) — and one rounding of score rates (`score_rate`);
- 督导组包督查: the period of a group's rhythm, and a unit covered in it (`rhythm_span`, `covered`);
- activities: the evidence rule in force for an indicator (its own, else the bureau's default);
- the 说明 printed by the bulletin and the month summary, and the table of docs/rules.md (`NOTES`).
"""
import calendar
import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.apps import apps
from django.conf import settings
from django.db.models import Exists, F, OuterRef, Q
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

TENTH = Decimal("0.1")
# Statuses by value (tests/rules/test_rules.py checks them against the models' choices).
REVIEW = "review"  # ProblemStatus.REVIEW: 待复查, the inspectors' to act on
DONE = "done"  # AssignmentStatus.DONE
DAY = datetime.timedelta(days=1)


# --- time ----------------------------------------------------------------------------------------

def _model(name):
    return apps.get_model("ledgers", name)


def start_of(day):
    """The first moment of `day` (aware, local time)."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def end_of(day):
    """The first moment after `day`: "by the end of the day" is `< end_of(day)`."""
    return start_of(day + DAY)


def local_day(moment):
    return timezone.localtime(moment).date() if moment else None


class LocalDate(TruncDate):
    """The local date of a timestamp in SQL. On PostgreSQL, TruncDate (AT TIME ZONE, native). On
    SQLite, TruncDate calls a Python function per row (seconds over 85,000 problems), so the local
    date is computed natively with the zone's UTC offset; exact for zones without daylight saving
    time (China), which is what this product serves."""

    def as_sqlite(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(self.lhs)
        offset = int(timezone.localtime().utcoffset().total_seconds())
        return f"date({sql}, '{offset:+d} seconds')", params


# --- the campaign calendar -------------------------------------------------------------------------

@dataclass(frozen=True)
class Span:
    """A period of the campaign year: its key, label, first and last day (the deadline of a report)."""
    key: str
    label: str
    start: datetime.date
    end: datetime.date

    def __contains__(self, day):
        return self.start <= day <= self.end


def week_bounds(iso_year, iso_week):
    """(Monday, Sunday) of an ISO week: the week of a bulletin, of a check, of a weekly task."""
    return datetime.date.fromisocalendar(iso_year, iso_week, 1), datetime.date.fromisocalendar(iso_year, iso_week, 7)


def month_end(year, month):
    return datetime.date(year, month, calendar.monthrange(year, month)[1])


def _year_number(year):
    return getattr(year, "year", year)


def spring_term_end(year):
    """The last day of the spring semester in a campaign year (CampaignYear.spring_term_end, else 7-31)."""
    return getattr(year, "spring_term_end", None) or datetime.date(_year_number(year), 7, 31)


def terms(year):
    """The two semesters of a campaign year: 春季学期 to `spring_term_end`, 秋季学期 to 12-31."""
    y, spring_end = _year_number(year), spring_term_end(year)
    return [Span("S1", "春季学期", datetime.date(y, 1, 1), spring_end),
            Span("S2", "秋季学期", spring_end + DAY, datetime.date(y, 12, 31))]


def months(year):
    y = _year_number(year)
    return [Span(f"M{m}", f"{m}月", datetime.date(y, m, 1), month_end(y, m)) for m in range(1, 13)]


def weeks(year):
    """The ISO weeks of a campaign year, the first and last cut at the year's bounds."""
    y = _year_number(year)
    first, last = datetime.date(y, 1, 1), datetime.date(y, 12, 31)
    spans, monday = [], first - datetime.timedelta(days=first.weekday())
    while monday <= last:
        iso_year, iso_week = monday.isocalendar()[:2]
        label = f"第{iso_week}周" if iso_year == y else f"{iso_year}年第{iso_week}周"
        spans.append(Span(f"W{iso_year}-{iso_week}", label, max(monday, first),
                          min(monday + datetime.timedelta(days=6), last)))
        monday += datetime.timedelta(days=7)
    return spans


QUARTER_NAMES = ("第一季度", "第二季度", "第三季度", "第四季度")


def quarters(year):
    y = _year_number(year)
    return [Span(f"Q{q + 1}", QUARTER_NAMES[q], datetime.date(y, 3 * q + 1, 1), month_end(y, 3 * q + 3))
            for q in range(4)]


def whole_year(year):
    y = _year_number(year)
    return [Span("Y", "全年", datetime.date(y, 1, 1), datetime.date(y, 12, 31))]


def recurring_periods(frequency, year):
    """The periods a recurring task is reported in (每周/每月/每季度/每学期); [] for any other frequency."""
    return {"weekly": weeks, "monthly": months, "quarterly": quarters, "term": terms}.get(str(frequency), lambda _: [])(year)


def span_of(spans, day):
    """The span of `spans` that holds `day` (None when none does)."""
    return next((s for s in spans if day in s), None)


# --- problems --------------------------------------------------------------------------------------

AWAITING = ("open", "rectifying")  # ProblemStatus.OPEN, RECTIFYING: the unit's to act on


def recheck_wait_days():
    """N of 待复查超过 N 天: how long an answered problem may wait for the inspectors' re-check."""
    return settings.RECHECK_WAIT_DAYS


def deadline_after_rejection(today=None):
    """复查不通过: the new deadline the inspector is offered (日结日清: the next day)."""
    return (today or timezone.localdate()) + DAY


def awaiting_unit_q(as_of=None):
    """The problems that wait for the unit (待整改 or 整改中, including 复查不通过) at the end of
    `as_of`: those answered after that day were still the unit's then (a problem closed without a
    recorded answer was answered when it was closed)."""
    q = Q(status__in=AWAITING)
    if as_of is None:
        return q
    end = end_of(as_of)
    return q | Q(rectified_at__gte=end) | Q(rectified_at__isnull=True, closed_at__gte=end)


def overdue_q(today):
    """逾期未整改 (the unit's), now: waiting for the unit after the deadline in force."""
    return awaiting_unit_q() & Q(deadline__lt=today)


def overdue_then_q(as_of):
    """逾期未整改 as it was at the end of `as_of` (a past month's summary)."""
    return awaiting_unit_q(as_of) & Q(deadline__lt=as_of)


def answered_day():
    """The local day a problem was answered (its rectification submitted; closed, when that was not
    recorded), in SQL: `.alias(answered_day=rules.answered_day())` for `late_q`."""
    return LocalDate(Coalesce("rectified_at", "closed_at"))


def late_q(as_of):
    """Late for the unit as of `as_of` (the assessment): the deadline in force passed and the
    rectification was not submitted by it. Needs the alias `answered_day` (`answered_day()`)."""
    return Q(deadline__lt=as_of) & ~(~Q(status__in=AWAITING) & Q(answered_day__lte=F("deadline")))


def recheck_overdue_q(today):
    """待复查超过 N 天 (the inspectors'): answered more than N days ago and not yet re-checked."""
    return Q(status=REVIEW, rectified_at__lt=start_of(today - datetime.timedelta(days=recheck_wait_days())))


def is_awaiting_unit(problem):
    return problem.status in AWAITING


def overdue_days_of(status, deadline, rectified_at, closed_at, as_of):
    """逾期天数 from the deadline in force (the Python twin of `overdue_q`), from a row's plain values;
    0 when the problem is not the unit's overdue at the end of `as_of`."""
    if deadline >= as_of:
        return 0
    answered = rectified_at or closed_at
    if status in AWAITING or (answered is not None and answered >= end_of(as_of)):
        return (as_of - deadline).days
    return 0


def overdue_days(problem, as_of=None):
    """逾期天数 of a problem (see `overdue_days_of`)."""
    return overdue_days_of(problem.status, problem.deadline, problem.rectified_at, problem.closed_at,
                           as_of or timezone.localdate())


def is_late(problem, as_of):
    """The Python twin of `late_q`, for one problem's evidence line."""
    if problem.deadline >= as_of:
        return False
    answered = local_day(problem.rectified_at or problem.closed_at)
    return not (problem.status not in AWAITING and answered is not None and answered <= problem.deadline)


def recheck_waiting_days(problem, today=None):
    """Days an answered problem has waited for its re-check (0 unless 待复查)."""
    if problem.status != REVIEW or not problem.rectified_at:
        return 0
    return ((today or timezone.localdate()) - local_day(problem.rectified_at)).days


# --- tasks: every deadline a unit owes is an item --------------------------------------------------

def reported_in_period(by):
    """Exists: a progress report of the row's assignment dated in the row's period (`period_starts`,
    `period_due`) and entered before `by`."""
    return Exists(_model("ProgressEntry").objects.filter(assignment=OuterRef("pk"), date__gte=OuterRef("period_starts"),
                                               date__lte=OuterRef("period_due"), created_at__lt=by))


def completed_q(by):
    """The assignment marked 已完成 before `by` (a completion with no time counts)."""
    return Q(status=DONE) & (Q(completed_at__lt=by) | Q(completed_at__isnull=True))


class TaskItems:
    """The items of assignments (a TaskAssignment queryset), as two querysets of one row per item:
    `once` (an assignment of a task without periods: its deadline) and `periodic` (an assignment ×
    each period of its recurring task). Each row has the alias `due` (its deadline); `done(by)`,
    `on_time()` and `overdue(as_of)` are Q objects over those rows.

    A unit owes the periods that end on or after the day the task was given (a period over before
    it is nobody's). A one-off item is done when the assignment is 已完成. A period is done when the
    unit reported in it (a progress entry dated in the period), or when the assignment is 已完成
    (completing a recurring task is refused while a passed period has no report). On time: done by
    the end of its deadline. 逾期 as of a day: its deadline passed before that day and it was not done
    by then.
    """

    def __init__(self, assignments):
        self.once = assignments.filter(task__period_deadlines__isnull=True).alias(due=F("task__deadline"))
        self.periodic = (assignments.alias(period_due=F("task__period_deadlines__due"),
                                           period_starts=F("task__period_deadlines__starts"),
                                           given=LocalDate("task__created_at"))
                         .filter(period_due__isnull=False, period_due__gte=F("given")).alias(due=F("period_due")))

    @staticmethod
    def done(periodic, by):
        """Q: the item was done before the moment `by`."""
        return completed_q(by) | (reported_in_period(by) if periodic else Q(pk__in=[]))

    @classmethod
    def on_time(cls, periodic):
        """Q: done by the end of its deadline. Needs the alias `due_end` (see `with_due_end`)."""
        done_in_time = Q(status=DONE) & (Q(completed_at__isnull=True) | Q(completed_day__lte=F("due")))
        if not periodic:
            return done_in_time
        reported = Exists(_model("ProgressEntry").objects.alias(entered=LocalDate("created_at")).filter(
            assignment=OuterRef("pk"), date__gte=OuterRef("period_starts"), date__lte=OuterRef("period_due"),
            entered__lte=OuterRef("period_due")))
        return done_in_time | reported

    @classmethod
    def overdue(cls, periodic, as_of):
        return Q(due__lt=as_of) & ~cls.done(periodic, end_of(as_of))

    @classmethod
    def missed(cls, periodic, as_of):
        """Q: 未按期 — its deadline passed before `as_of` and it was not done by the end of its
        deadline (a late report does not undo it; the assessment's on-time rule, turned round).
        Needs the alias `completed_day` (`each()`)."""
        return Q(due__lt=as_of) & ~(cls.done(periodic, end_of(as_of)) & cls.on_time(periodic))

    def each(self):
        """(queryset, periodic) for both kinds, with the alias `completed_day`."""
        for qs, periodic in ((self.once, False), (self.periodic, True)):
            yield qs.alias(completed_day=LocalDate("completed_at")), periodic


def overdue_assignments_q(today):
    """Q over TaskAssignment: it has an item 逾期 today (its deadline, or a period without a report)."""
    ProgressEntry, TaskDeadline = _model("ProgressEntry"), _model("TaskDeadline")
    end = end_of(today)
    missed = TaskDeadline.objects.alias(given=LocalDate("task__created_at")).filter(
        task=OuterRef("task_id"), due__lt=today, due__gte=F("given")).exclude(
        Exists(ProgressEntry.objects.filter(assignment=OuterRef(OuterRef("pk")), date__gte=OuterRef("starts"),
                                            date__lte=OuterRef("due"), created_at__lt=end)))
    done = Q(status=DONE)
    once = Q(task__deadline__lt=today) & ~Exists(TaskDeadline.objects.filter(task=OuterRef("task_id")))
    return ~done & (once | Exists(missed))


@dataclass
class Item:
    """One deadline a unit owes on an assignment, read in Python (我的任务, the digest, messages,
    the assessment's evidence lines): the twin of TaskItems, row for row."""
    label: str  # the period ("11月"), or "" for a one-off task
    starts: datetime.date | None
    due: datetime.date
    done_on: datetime.date | None  # the day it was done (date.min: done, day unknown); None: not done
    today: datetime.date

    def done_by(self, day):
        return self.done_on is not None and self.done_on <= day

    def overdue_on(self, day):
        return self.due < day and not self.done_by(day)

    @property
    def done(self):
        return self.done_by(self.today)

    @property
    def overdue(self):
        return self.overdue_on(self.today)

    @property
    def on_time(self):
        return self.done_on is not None and self.done_on <= self.due

    def missed_by(self, day):
        """The twin of `TaskItems.missed`: the deadline passed before `day` and it was not done by it."""
        return self.due < day and not self.on_time

    @property
    def missed_label(self):
        return f"{self.label} 未报" if self.label else "未完成"


def assignment_items(assignment, today=None):
    """The Python twin of TaskItems for one assignment (uses prefetched periods and progress)."""
    today = today or timezone.localdate()
    completed = None
    if assignment.status == DONE:
        completed = local_day(assignment.completed_at) or datetime.date.min
    task = assignment.task
    periods = list(task.period_deadlines.all())
    if not periods:
        return [Item("", None, task.deadline, completed, today)]
    given = local_day(task.created_at)
    periods = [p for p in periods if given is None or p.due >= given]  # owed from the day it was given
    entries = [(e.date, local_day(e.created_at)) for e in assignment.progress.all()]
    items = []
    for p in periods:
        reported = [entered for day, entered in entries if p.starts <= day <= p.due]
        days = [d for d in (min(reported, default=None), completed) if d is not None]
        items.append(Item(p.label, p.starts, p.due, min(days) if days else None, today))
    return items


# --- checks: the score of one check ----------------------------------------------------------------

# Item kinds by value (CheckItem.Kind; tests/rules/test_rules.py checks them against the model's choices).
SCORED, PASSFAIL, DEDUCTION, VETO, SAMPLING, GROUP = "scored", "passfail", "deduction", "veto", "sampling", "group"
PASS_KINDS = (PASSFAIL, VETO, SAMPLING)  # answered 达标 / 不达标
POINTS, PASS_RATE = "points", "pass_rate"  # a check's basis: 得分率 over points, or 达标率 over items
ZERO = Decimal(0)


@dataclass
class Answer:
    """What the inspector entered for one item: 计分 a score; 达标 / 一票否决 passed; 扣分 the findings
    (or, for an item that deducts fixed amounts, the points deducted); 抽查 how many were asked and
    how many passed; any item that allows it, 不适用."""
    score: Decimal | None = None
    passed: bool | None = None
    findings: int | None = None
    deducted: Decimal | None = None
    asked: int | None = None
    sample_passed: int | None = None
    not_applicable: bool = False

    @property
    def blank(self):
        return not self.not_applicable and all(
            v is None for v in (self.score, self.passed, self.findings, self.deducted, self.asked, self.sample_passed))


@dataclass
class ItemResult:
    earned: Decimal  # points earned (达标率 basis: 1 for an item passed)
    applicable: Decimal  # points it counts for (0 when 不适用)
    passed: bool | None = None  # 达标 / 不达标 of a pass/fail item (None: not a pass/fail item, or 不适用)
    deduction: Decimal = ZERO  # what the item deducts (a 扣分 item)
    pool: Decimal = ZERO  # deducted from its group's points (a 扣分 item with no points of its own)
    not_applicable: bool = False
    pool_item: bool = False  # a 扣分 item with no points of its own (its group's points are its start)


@dataclass
class CheckResult:
    items: dict  # item id -> ItemResult (groups too)
    total: Decimal
    max_total: Decimal
    vetoed: bool  # a 一票否决 item 不达标: the check is 不合格 whatever its score
    passed_items: int  # pass/fail items 达标 …
    pass_items: int  # … of those applicable
    basis: str

    @property
    def rate(self):
        return score_rate(self.total, self.max_total)


def check_basis(items):
    """得分率 when an item has points (or deducts from its group's), else 达标率 (a pass/fail checklist)."""
    return POINTS if any(item.kind != GROUP and (item.max_points or item.kind == DEDUCTION) for item in items) \
        else PASS_RATE


def sample_threshold(item, answer):
    """How many of those asked must pass a 抽查 item: the item's threshold, else everyone asked."""
    return item.sample_pass if item.sample_pass is not None else answer.asked


def _item_result(item, answer, basis):
    points = Decimal(item.max_points or 0) if basis == POINTS else Decimal(1)
    if answer.not_applicable:
        return ItemResult(ZERO, ZERO, not_applicable=True)
    if item.kind == SCORED:
        return ItemResult(min(Decimal(answer.score or 0), points), points)
    if item.kind in PASS_KINDS:
        if item.kind == SAMPLING:
            passed = answer.asked is not None and answer.sample_passed is not None and answer.asked > 0 and \
                answer.sample_passed >= sample_threshold(item, answer)
        else:
            passed = answer.passed
        if basis == POINTS and not item.max_points:
            return ItemResult(ZERO, ZERO, passed=bool(passed))  # counted in 达标 only
        return ItemResult(points if passed else ZERO, points, passed=bool(passed))
    # 扣分: from the item's points, or (no points of its own) from its group's, never below 0.
    if item.deduct is not None:
        deduction = Decimal(item.deduct) * (answer.findings or 0)
    else:
        deduction = Decimal(answer.deducted or 0)
    if not item.max_points:
        return ItemResult(ZERO, ZERO, deduction=deduction, pool=deduction, pool_item=True)
    return ItemResult(max(ZERO, points - deduction), points, deduction=deduction)


def _group_result(group, results, basis):
    """A group heading caps its items: it counts for at most its points, and never for more than its
    items can earn. A group with 扣分 items of no points of their own starts from its points and loses
    what its items lose (扣完为止: never below 0). Every item 不适用: the group is 不适用."""
    if results and all(r.not_applicable for r in results):
        return ItemResult(ZERO, ZERO, not_applicable=True)
    applicable = sum((r.applicable for r in results), ZERO)
    earned = sum((r.earned for r in results), ZERO)
    points = Decimal(group.max_points or 0) if basis == POINTS else ZERO
    if not points:
        return ItemResult(earned, applicable)
    if any(r.pool_item for r in results):
        lost = applicable - earned + sum((r.pool for r in results), ZERO)
        return ItemResult(max(ZERO, points - lost), points)
    cap = min(points, applicable)
    return ItemResult(min(cap, earned), cap)


def check_score(items, answers):
    """The score of a check (CheckResult), the one definition every surface uses through the stored
    figures: earned ÷ applicable points (得分率), or, for a template without points, items passed ÷
    items applicable (达标率). `items`: the template's items (groups too) with kind, parent_id,
    max_points, deduct, sample_pass; `answers`: {item id: Answer} (a blank or missing answer earns
    nothing yet). 一票否决 不达标 makes the check 不合格 (vetoed) whatever the score."""
    basis = check_basis(items)
    children = defaultdict(list)
    for item in items:
        children[item.parent_id].append(item)
    results, blank = {}, Answer()

    def result(item):
        answer = answers.get(item.pk) or blank
        if item.kind != GROUP:
            results[item.pk] = _item_result(item, answer, basis)
        else:
            results[item.pk] = _group_result(item, [result(c) for c in children[item.pk]], basis)
        return results[item.pk]

    top = [result(item) for item in children[None]]
    pass_results = [(item, results[item.pk]) for item in items if item.kind in PASS_KINDS]
    applicable_pass = [r for _, r in pass_results if r.passed is not None]
    return CheckResult(
        items=results, total=sum((r.earned for r in top), ZERO), max_total=sum((r.applicable for r in top), ZERO),
        vetoed=any(item.kind == VETO and r.passed is False and not (answers.get(item.pk) or blank).blank
                   for item, r in pass_results),
        passed_items=sum(1 for r in applicable_pass if r.passed), pass_items=len(applicable_pass), basis=basis)


# --- checks: score rates and the week figure ---------------------------------------------------------

def score_rate(total, max_total):
    """A score as a percentage of its maximum, one decimal, halves up: 32.9 / 40 → 82.3."""
    return round_rate(Decimal(total) * 100 / Decimal(max_total)) if max_total else None


def round_rate(value):
    """The one rounding of every score rate (得分率): one decimal, halves up."""
    return None if value is None else Decimal(value).quantize(TENTH, ROUND_HALF_UP)


def exact_rate(total, max_total):
    return Decimal(total) * 100 / Decimal(max_total) if max_total else Decimal(0)


@dataclass
class WeekFigure:
    """A unit's one figure for one template in one ISO week: the mean of that week's submitted checks."""
    unit_id: int
    template_id: int
    iso_year: int
    iso_week: int
    checks: int
    total: Decimal  # mean total
    rate: Decimal  # mean rate, unrounded
    vetoed: bool = False  # a check of the week failed a 一票否决 item: 不合格 whatever the rate


def week_figures(rows):
    """[WeekFigure] from (unit_id, template_id, iso_year, iso_week, total, max_total, vetoed) rows of
    submitted checks: a unit checked twice with one template in one week has one figure."""
    groups = defaultdict(list)
    for unit_id, template_id, iso_year, iso_week, total, max_total, vetoed in rows:
        groups[(unit_id, template_id, iso_year, iso_week)].append((Decimal(total), max_total, vetoed))
    return [WeekFigure(*key, len(scores), sum(t for t, _, _ in scores) / len(scores),
                       sum(exact_rate(t, m) for t, m, _ in scores) / len(scores), any(v for _, _, v in scores))
            for key, scores in groups.items()]


WEEK_FIGURE_FIELDS = ("unit_id", "template_id", "iso_year", "iso_week", "total", "max_total", "vetoed")


def figures_of(checks):
    """The week figures of a Check queryset: its submitted checks only (drafts never count)."""
    return week_figures(checks.submitted().values_list(*WEEK_FIGURE_FIELDS))


def ranking_key(vetoed, rate):
    """The order of a ranking: units with a 一票否决 不合格 check after all others, then by 得分率 (or
    达标率), best first; equal keys share a rank."""
    return (bool(vetoed), -(rate if rate is not None else Decimal(-1)))


def duplicate_checks(*, unit, template, date, exclude=None):
    """Submitted checks of the same unit and template in the week of `date`: the check form shows
    them (a second check that week is averaged with them, not added)."""
    iso_year, iso_week = date.isocalendar()[:2]
    qs = _model("Check").objects.submitted().filter(unit=unit, template=template, iso_year=iso_year, iso_week=iso_week)
    if exclude is not None and exclude.pk:
        qs = qs.exclude(pk=exclude.pk)
    return qs.order_by("date", "pk")


# --- 督导组包督查: each group visits each of its units once per period of its rhythm ------------------

def rhythm_span(rhythm, day):
    """The period of a group's rhythm (每周 / 每两周 / 每月) that holds `day`: its ISO week, its pair of
    ISO weeks (1–2, 3–4 …; a 53rd week stands alone), or its month."""
    if str(rhythm) == "monthly":
        return Span(f"M{day:%Y-%m}", f"{day.month}月", day.replace(day=1), month_end(day.year, day.month))
    iso_year, iso_week = day.isocalendar()[:2]
    if str(rhythm) == "fortnightly":
        first = iso_week if iso_week % 2 else iso_week - 1
        last_week = datetime.date(iso_year, 12, 28).isocalendar()[1]
        start = datetime.date.fromisocalendar(iso_year, first, 1)
        if first == last_week:
            return Span(f"F{iso_year}-{first}", f"第{first}周", start, start + datetime.timedelta(days=6))
        return Span(f"F{iso_year}-{first}", f"第{first}—{first + 1}周", start, start + datetime.timedelta(days=13))
    start, end = week_bounds(iso_year, iso_week)
    return Span(f"W{iso_year}-{iso_week}", f"第{iso_week}周", start, end)


def last_check_date(today, unit_ref="unit_id"):
    """Subquery: the date of the unit's latest submitted check on or before `today` (drafts never
    count), for rows whose unit id is `unit_ref`."""
    from django.db.models import Subquery

    return Subquery(_model("Check").objects.filter(unit=OuterRef(unit_ref), status="submitted", date__lte=today)
                    .order_by("-date").values("date")[:1])


def covered(last_check, span):
    """已督查 in the period: a submitted check dated in it (the latest check is on or after its start)."""
    return last_check is not None and last_check >= span.start


def days_since(last_check, today):
    """Days since the unit's latest submitted check (None: never checked)."""
    return None if last_check is None else (today - last_check).days


# --- activities: the evidence rule -------------------------------------------------------------------

@dataclass(frozen=True)
class EvidenceRule:
    min_photos: int
    captions: bool
    elements: str  # what a caption must say: 时间、地点、人物、事件、成效
    own: bool  # the indicator's own rule (else the bureau's default)

    def text(self):
        parts = [f"至少 {self.min_photos} 张照片"] if self.min_photos else []
        if self.captions:
            parts.append(f"每张照片写明{self.elements}")
        return "，".join(parts)


DEFAULT_CAPTION_ELEMENTS = "时间、地点、人物、事件、成效"


def default_evidence(bureau):
    """The bureau's default evidence rule (Bureau.evidence_*), for indicators without their own."""
    return EvidenceRule(bureau.evidence_min_photos if bureau else 1, bureau.evidence_captions if bureau else True,
                        (bureau.caption_elements if bureau else "") or DEFAULT_CAPTION_ELEMENTS, own=False)


def evidence_rule(indicator, bureau):
    """The rule in force for an activity linked to `indicator` (None: linked to none) of a unit of `bureau`."""
    if indicator is not None and (indicator.min_photos or indicator.caption_required):
        elements = (bureau.caption_elements if bureau else "") or DEFAULT_CAPTION_ELEMENTS
        return EvidenceRule(indicator.min_photos, indicator.caption_required, elements, own=True)
    return default_evidence(bureau)


def evidence_q(bureau_prefix="activity__unit__bureau__", indicator_prefix="indicator__"):
    """(min photos, captions required) in SQL for rows linking an activity to an indicator: the
    indicator's own rule, else the bureau's default. Returns (min expression, captions Q)."""
    from django.db.models import Case, When

    own = Q(**{f"{indicator_prefix}min_photos__gt": 0}) | Q(**{f"{indicator_prefix}caption_required": True})
    minimum = Case(When(own, then=F(f"{indicator_prefix}min_photos")), default=F(f"{bureau_prefix}evidence_min_photos"))
    captions = (own & Q(**{f"{indicator_prefix}caption_required": True})) | (
        ~own & Q(**{f"{bureau_prefix}evidence_captions": True}))
    return minimum, captions


# --- the rules in the bureau's words ------------------------------------------------------------------

def notes(bureau=None):
    """The rules as printed in the 说明 of the bulletin and the month summary (and docs/rules.md's table,
    with the defaults: no bureau)."""
    n = recheck_wait_days()
    evidence = default_evidence(bureau)
    return [
        ("逾期", "问题在整改时限内未提交整改的，计为该单位逾期未整改，逾期天数从现行整改时限起算；复查不通过的，"
                 "由督导组重新确定整改时限（默认次日，日结日清）。整改已按时提交、等待复查的，不计单位逾期，"
                 f"计入督导组“待复查超过 {n} 天”。任务到期未完成、周期性任务某一期（周、月、学期）期末前未填报落实情况的，计为逾期。"),
        ("已建档", "活动档案已提交（或已审核）即为已建档；提交时须符合佐证要求：关联指标有要求的按指标要求，"
                   f"其余按本局默认要求（{evidence.text() or '无'}）。"),
        ("已签订", "单位上传签字盖章的责任书扫描件后为“待确认”，经局文明办确认后为“已签订”，"
                   "同时完成“签订目标责任书”任务；扫描件不合格的退回重传。"),
        ("每周得分", "同一单位同一检查表同一周的多次督查，取已提交督查的平均分，计为一个得分；草稿不计。"
                     "得分率为得分占适用项目满分的百分比（不适用的项目不计入满分，分组得分不超过分组分值），"
                     "全部为达标项、不计分值的检查表为达标项数占适用项数的百分比（达标率），保留一位小数（四舍五入）；"
                     "单位得分率为其各项得分的平均，排名按得分率，得分率相同者名次并列；"
                     "一票否决项不达标的，该次检查不合格，单位排在其他单位之后。"),
        ("包督查", "督导组在本组督查周期（每周、每两周或每月）内对所包单位提交过督查记录，即为该单位本期已督查；草稿不计。"
                   "距上次督查天数从该单位最近一次已提交的督查日期起算。"),
    ]


def note_lines(bureau=None):
    """`notes()` as the lines of a printed 说明 (the bulletin's and the month summary's)."""
    return [f"{label}：{text}" for label, text in notes(bureau)]
