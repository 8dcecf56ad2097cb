"""The year-end assessment (年度考核) and the mock evaluation (模拟测评) as plain data: one place,
read by the HTML pages, the PDFs and the Excel alike, so they always agree.

`assessment(year, as_of=…, units=…)` scores every unit in `units` on every indicator that has a
rule in the year's scheme (`ledgers.models.assessment`), from a fixed number of grouped queries
(one per ledger, grouped by unit and indicator) — never one query per unit or per indicator.
`unit_sheet(year, unit, as_of=…)` is the same computation for one unit plus the records behind
every score (counted and not counted, with why) and the 模拟测评 action lines.

Rules (as printed on the score sheet, `IndicatorRule.explain()`), all "as of" the end of a day; the
figures underneath are ledgers.rules, as on every other page:
- tasks: the items under the indicator (a one-off task's deadline, each period of a recurring
  task) that are due (deadline before the as-of day) or already done; done on or before the
  deadline counts 1, done later counts `partial`, not done 0.
- checks: submitted checks dated up to the as-of day; what the indicator's check items earned (one
  per item and week: the mean of that week's checks) over what they counted for — both as
  ledgers.rules.check_score stored them: a 不适用 item counts for nothing, a group heading linked
  to the indicator counts its capped subtotal (its items not again), a template without points its
  达标率; no check yet counts full marks.
- problems: problems under the indicator whose deadline in force passed before the as-of day and
  whose rectification was not submitted by it (ledgers.rules.late_q); each deducts `deduction`,
  floor 0. Time waiting for the inspectors' re-check is never the unit's.
- activities: submitted or approved activities (submitted by the as-of day) linked to the
  indicator, dated up to the as-of day and meeting the evidence rule in force (the indicator's, else
  the bureau's default); per period (the campaign year's semesters, month or year) `required` of
  them; the mean of min(count, required) / required over the periods begun by the as-of day.
- letter: 已归档 by the as-of day full marks, 已签订 (confirmed by the bureau) `partial`, otherwise 0.
- manual: the bureau's score dated by the as-of day; none yet: left out of full marks (待评分).
- survey (问卷知晓率): the unit's 知晓率 over the year's rounds begun by the as-of day, answers submitted
  by its end, each round counted only where the unit's sample reaches the round's minimum
  (ledgers.survey_rules.year_figures); full points at or above the rule's target, `points × 知晓率 ÷
  target` below; no round counted (too small a sample): 0; no round begun yet: full points, as checks.
Indicators whose rule does not apply to the unit's kind are left out of its full marks; a parent
indicator's score is the sum of its children's. total = base + 加分 − 扣分 (floor 0);
percent (折合得分) = total / full marks × 100, one decimal; units ranked by it with shared ranks.
"""
import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import (
    Case, Count, Exists, F, IntegerField, OuterRef, Prefetch, Q, Sum, Value, When,
)
from django.db.models.functions import Coalesce, ExtractMonth
from django.urls import reverse
from django.utils import timezone

from ledgers import rules, survey_rules
from ledgers.models import (
    Activity, ActivityStatus, AdjustmentKind, Bureau, CheckItem, CheckScore, CheckStatus, Indicator,
    LetterStatus, ManualScore, Period, Problem, ProblemStatus, ResponsibilityLetter, RuleKind, TaskAssignment,
    Unit, UnitKind,
)
from ledgers.models.activities import archived_q
from ledgers.models.assessment import Adjustment, AssessmentScheme, IndicatorRule
from ledgers.models.checks import format_points
from ledgers.pk_urls import pk_url
from ledgers.services.ranking import competition_rank

from ..oversight import year_cases

CENT = Decimal("0.01")
ZERO = Decimal(0)


def q2(value):
    return Decimal(value).quantize(CENT, ROUND_HALF_UP)


def pts(value):
    return format_points(q2(value))


LocalDate = rules.LocalDate
_end_of = rules.end_of


class MonthOf(ExtractMonth):
    """The month of a date, natively on SQLite too (Django's ExtractMonth calls Python per row)."""

    def as_sqlite(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(self.lhs)
        return f"CAST(strftime('%%m', {sql}) AS INTEGER)", params


def default_as_of(year, today=None):
    """Today, kept inside the campaign year."""
    today = today or timezone.localdate()
    return min(max(today, datetime.date(year.year, 1, 1)), datetime.date(year.year, 12, 31))


def parse_as_of(text, year, today=None):
    """?as_of=2026-06-30 -> date (None when absent or not a date)."""
    if not text:
        return None
    try:
        return datetime.date.fromisoformat(str(text).strip())
    except ValueError:
        return None


# --- periods (activity rules): the campaign calendar of ledgers.rules ----------------------------

PeriodSpan = rules.Span


def period_spans(kind, year):
    if kind == Period.YEAR:
        return rules.whole_year(year)
    if kind == Period.MONTH:
        return rules.months(year)
    return rules.terms(year)


def period_key(kind, day, year=None):
    """The key of the period of `kind` holding `day` (the semesters are `year`'s, by default day's year)."""
    return rules.span_of(period_spans(kind, year or day.year), day).key


CURRENT_WORD = {Period.SEMESTER: "本学期", Period.MONTH: "本月", Period.YEAR: "本年度"}


# --- the data ----------------------------------------------------------------------------------

@dataclass
class Cell:
    """One unit's result on one indicator."""
    full: Decimal = ZERO
    score: Decimal = ZERO
    applicable: bool = True
    pending: bool = False  # manual, not scored yet: left out of full marks
    ruled: bool = True
    info: object = ""  # the detail text, or a function making it (built only when shown)

    @property
    def detail(self):
        return self.info() if callable(self.info) else self.info

    @property
    def counted(self):
        return self.ruled and self.applicable and not self.pending

    @property
    def lost(self):
        return self.full - self.score if self.counted else ZERO

    @property
    def status(self):
        if not self.ruled:
            return "未设评分规则"
        if not self.applicable:
            return "不适用"
        if self.pending:
            return "待评分"
        return ""


@dataclass
class Node:
    """One indicator of the tree as shown on a score sheet."""
    indicator_id: int
    code: str
    title: str
    depth: int
    points: Decimal
    is_leaf: bool
    rule: IndicatorRule | None
    parent_id: int | None

    @property
    def rule_label(self):
        return self.rule.get_kind_display() if self.rule else ""

    @property
    def explanation(self):
        return self.rule.explain() if self.rule else ""


@dataclass
class UnitScore:
    unit_id: int
    unit: str
    kind: str
    kind_label: str
    sort: tuple
    cells: dict = field(default_factory=dict)  # indicator_id -> Cell (leaves and parents)
    full: Decimal = ZERO
    base: Decimal = ZERO
    bonus: Decimal = ZERO
    penalty: Decimal = ZERO
    total: Decimal = ZERO
    percent: Decimal | None = None
    grade: str = "未评定"
    rank: int | None = None
    pending: int = 0

    @property
    def lost(self):
        return self.full - self.base


@dataclass
class Assessment:
    year: object
    scheme: AssessmentScheme | None
    as_of: datetime.date
    generated_on: datetime.date
    nodes: list
    rows: list  # UnitScore, ranked best first, unranked last
    kind: str = ""
    bureau: object = None  # the bureau whose units are scored (under its scheme)
    accountability: list = field(default_factory=list)  # the year's 问责 entries (reports.oversight.CaseRow)

    @property
    def bureau_name(self):
        return self.bureau.name if self.bureau is not None else ""

    @property
    def title(self):
        return f"{self.year.year}年度文明创建考核"

    @property
    def kind_label(self):
        return str(UnitKind(self.kind).label) if self.kind else ""

    @property
    def is_mock(self):
        return self.as_of < datetime.date(self.year.year, 12, 31)

    @property
    def leaves(self):
        return [n for n in self.nodes if n.is_leaf]

    @property
    def grade_counts(self):
        counts = {g: 0 for g in ("优秀", "良好", "合格", "不合格")}
        for row in self.rows:
            if row.grade in counts:
                counts[row.grade] += 1
        return counts


@dataclass
class Evidence:
    indicator_id: int
    what: str  # 任务 / 督查 / 整改问题 / 活动档案 / 目标责任书 / 人工评分
    title: str
    date: datetime.date | None
    counted: bool
    note: str
    url: str = ""
    object_pk: int | None = None
    figure: object = None  # a survey round's survey_rules.UnitFigure


@dataclass
class ActionLine:
    code: str
    text: str
    url: str = ""
    lost: Decimal = ZERO
    fixable: bool = True


@dataclass
class UnitSheet:
    assessment: Assessment
    unit: Unit
    row: UnitScore
    evidence: dict  # indicator_id -> [Evidence]
    actions: list
    adjustments: list

    @property
    def title(self):
        return f"{self.unit.name} {self.assessment.year.year}年度文明创建考核得分表"

    @property
    def tree(self):
        """(node, cell, evidence list) in indicator order."""
        return [(n, self.row.cells.get(n.indicator_id), self.evidence.get(n.indicator_id, []))
                for n in self.assessment.nodes]


# --- the tree and the scheme --------------------------------------------------------------------

def scheme_of(year, bureau):
    """The bureau's scheme of the year (None when it has none)."""
    return AssessmentScheme.objects.filter(year=year, bureau=bureau).select_related("bureau").first()


def build_nodes(year, scheme, bureau):
    """Every indicator of the bureau's tree for the year (the city's and its own) in code order,
    with its rule in the bureau's scheme (two queries)."""
    rules = {}
    if scheme is not None:
        rules = {r.indicator_id: r for r in IndicatorRule.objects.filter(scheme=scheme).select_related("indicator")}
    indicators = list(Indicator.objects.filter(year=year).for_bureau(bureau).order_by("sort_key"))
    parents = {i.parent_id for i in indicators if i.parent_id}
    return [Node(i.pk, i.code, i.title, i.depth, i.points, i.pk not in parents, rules.get(i.pk), i.parent_id)
            for i in indicators]


def _ids(nodes, kind):
    return [n.indicator_id for n in nodes if n.is_leaf and n.rule and n.rule.kind == kind]


def _unit_filter(qs, unit, lookup="unit"):
    """Records of one unit, or of one bureau's units when `unit` is a Bureau."""
    if unit is None:
        return qs
    if isinstance(unit, Bureau):
        return qs.filter(**{f"{lookup}__bureau": unit})
    return qs.filter(**{lookup: unit})


# --- grouped queries (each one grouped by unit and indicator; none per unit) --------------------

def task_figures(year, as_of, ids, unit=None):
    """{(unit, indicator): {"counted", "on_time", "done"}} over the items of the assignments
    (ledgers.rules.TaskItems: a one-off task's deadline, each period of a recurring task): one
    grouped query per kind of item."""
    if not ids:
        return {}
    end = _end_of(as_of)
    result = {}
    assignments = _unit_filter(TaskAssignment.objects.filter(task__year=year, task__indicator_id__in=ids), unit)
    for qs, periodic in rules.TaskItems(assignments).each():
        done = rules.TaskItems.done(periodic, end)
        on_time = done & rules.TaskItems.on_time(periodic)
        rows = (qs.filter(Q(due__lt=as_of) | done).values("unit_id", "task__indicator_id")
                .annotate(counted=Count("pk"), on_time=Count("pk", filter=on_time), done=Count("pk", filter=done))
                .order_by())
        for r in rows:
            f = result.setdefault((r["unit_id"], r["task__indicator_id"]), {"counted": 0, "on_time": 0, "done": 0})
            for k in ("counted", "on_time", "done"):
                f[k] += r[k]
    return result


def counted_items(ids):
    """The check items that count for the indicators `ids` (a QuerySet): an item linked to an
    indicator, unless a group heading above it is linked to the same one (the group's capped
    subtotal counts then, not its items again)."""
    items = CheckItem.objects.filter(indicator_id__in=ids)
    for above in ("parent", "parent__parent", "parent__parent__parent"):
        items = items.exclude(**{f"{above}__indicator_id": F("indicator_id")})
    return items


def counted_check_items(ids):
    """{check item id: indicator id} of `counted_items(ids)`. One query."""
    return dict(counted_items(ids).values_list("pk", "indicator_id"))


def check_figures(year, as_of, ids, unit=None):
    """Grouped by unit and check item (no join to the items): what each counted item earned over
    what it counted for (ledgers.rules.check_score, as stored: 不适用 counts for nothing)."""
    if not ids:
        return {}
    items = counted_check_items(ids)
    # One score per item and week: a unit checked twice with a template in one week counts the mean
    # of the two (ledgers.rules: one figure per unit, template and week).
    rows = (_unit_filter(CheckScore.objects.filter(
        check_record__year=year, check_record__status=CheckStatus.SUBMITTED, check_record__date__lte=as_of,
        item_id__in=list(items)), unit, "check_record__unit")
        .values_list("check_record__unit_id", "item_id", "check_record__iso_year", "check_record__iso_week")
        .annotate(scored=Sum("score"), applicable=Sum("applicable"), n=Count("pk"))
        .order_by())
    result = {}
    for unit_id, item_id, _iso_year, _iso_week, scored, applicable, n in rows:
        f = result.setdefault((unit_id, items[item_id]), {"scored": ZERO, "maximum": ZERO, "items": 0})
        f["scored"] += Decimal(scored) / n
        f["maximum"] += Decimal(applicable) / n
        f["items"] += n
    return result


def problem_figures(year, as_of, ids, unit=None):
    """{(unit, indicator): problems late for the unit} (ledgers.rules.late_q)."""
    if not ids:
        return {}
    rows = (_unit_filter(Problem.objects.filter(year=year, indicator_id__in=ids, deadline__lt=as_of,
                                                found_on__lte=as_of), unit)
            .alias(answered_day=rules.answered_day())
            .filter(rules.late_q(as_of))
            .values("unit_id", "indicator_id").annotate(late=Count("pk")).order_by())
    return {(r["unit_id"], r["indicator_id"]): r["late"] for r in rows}


def _period_bucket(ruled, year):
    """A month standing for the activity's period (1 or 8 for the semesters, 1 for the year), in SQL,
    so that rows come back one per unit, indicator and period."""
    month = F("month")  # aliased by the caller
    semester = [i for i, n in ruled.items() if n.rule.period == Period.SEMESTER]
    whole = [i for i, n in ruled.items() if n.rule.period == Period.YEAR]
    spring_end = rules.spring_term_end(year)
    return Case(
        When(indicator_id__in=semester,
             then=Case(When(activity__date__lte=spring_end, then=Value(1)), default=Value(8))),
        When(indicator_id__in=whole, then=Value(1)),
        default=month, output_field=IntegerField())


def activity_figures(year, as_of, nodes, unit=None):
    """{(unit, indicator): {period key: qualifying activities}} from one grouped query."""
    ruled = {n.indicator_id: n for n in nodes if n.is_leaf and n.rule and n.rule.kind == RuleKind.ACTIVITIES}
    if not ruled:
        return {}
    from ledgers.models import ActivityPhoto

    through = Activity.indicators.through
    end = _end_of(as_of)

    photos = ActivityPhoto.objects.count_of(OuterRef("activity_id"))
    blank = ActivityPhoto.objects.filter(activity_id=OuterRef("activity_id"), caption="")
    # Qualifying (activity, indicator) pairs, filtered in SQL: the evidence rule in force (the
    # indicator's, else the bureau's default: ledgers.rules.evidence_q) — enough photos, captions.
    minimum, captions = rules.evidence_q()
    rows = (_unit_filter(through.objects.filter(
        archived_q("activity__"), indicator_id__in=list(ruled), activity__year=year,
        activity__date__lte=as_of), unit, "activity__unit")
        .filter(Q(activity__submitted_at__lt=end) | Q(activity__submitted_at__isnull=True))
        .alias(photos=Coalesce(photos, Value(0)), minimum=minimum)
        .filter(photos__gte=F("minimum"))
        .filter(~captions | ~Exists(blank))
        .alias(month=MonthOf("activity__date")).annotate(bucket=_period_bucket(ruled, year))
        .values_list("activity__unit_id", "indicator_id", "bucket").annotate(n=Count("pk")).order_by())
    result = defaultdict(lambda: defaultdict(int))
    y = year.year
    keys = {(ind, m): period_key(n.rule.period, datetime.date(y, m, 1) if n.rule.period != Period.SEMESTER
                                 else (datetime.date(y, 1, 1) if m == 1 else datetime.date(y, 12, 31)), year)
            for ind, n in ruled.items() for m in range(1, 13)}
    for unit_id, ind, bucket, n in rows:
        result[(unit_id, ind)][keys[ind, bucket]] += n
    return result


def letter_figures(year, as_of, unit=None):
    end = _end_of(as_of)
    rows = _unit_filter(ResponsibilityLetter.objects.filter(year=year), unit).values_list(
        "unit_id", "status", "uploaded_at", "signed_at", "archived_at")
    result = {}
    for unit_id, status, uploaded_at, signed_at, archived_at in rows:
        # 已签订 is the bureau's confirmation; a scan waiting for it (待确认) is not signed yet.
        waiting = status != LetterStatus.ISSUED and uploaded_at and uploaded_at < end
        result[unit_id] = "archived" if archived_at and archived_at < end else \
            "signed" if signed_at and signed_at < end else "pending" if waiting else ""
    return result


def survey_figures(year, as_of, ids, unit=None):
    """{unit id: survey_rules.YearFigure} of the year's rounds begun by the as-of day (three queries)."""
    if not ids:
        return {}
    return survey_rules.year_figures(year, _end_of(as_of), unit=unit, started_by=as_of)


def manual_figures(scheme, as_of, unit=None):
    if scheme is None:
        return {}
    rows = _unit_filter(ManualScore.objects.filter(rule__scheme=scheme, date__lte=as_of), unit).values_list(
        "unit_id", "rule__indicator_id", "score")
    return {(u, i): s for u, i, s in rows}


def adjustment_figures(scheme, as_of, unit=None):
    if scheme is None:
        return {}
    rows = (_unit_filter(Adjustment.objects.filter(scheme=scheme, date__lte=as_of), unit)
            .values("unit_id", "kind").annotate(points=Sum("points")).order_by())
    result = defaultdict(dict)
    for r in rows:
        result[r["unit_id"]][r["kind"]] = r["points"]
    return result


# --- scoring -------------------------------------------------------------------------------------

def _score_leaf(node, unit_id, unit_kind, figures, spans):
    rule = node.rule
    cell = Cell(full=node.points)
    if rule is None:
        cell.ruled = False
        return cell
    if unit_kind not in rule.unit_kinds:
        cell.applicable = False
        return cell
    key = (unit_id, node.indicator_id)
    points = node.points
    kind = rule.kind
    if kind == RuleKind.TASKS:
        f = figures["tasks"].get(key)
        if not f or not f["counted"]:
            cell.score, cell.info = points, "暂无到期任务"
        else:
            on_time, done, counted = f["on_time"], f["done"], f["counted"]
            cell.score = q2(points * (on_time + (done - on_time) * rule.partial) / counted)
            cell.info = lambda: f"按时 {on_time}，逾期完成 {done - on_time}，未完成 {counted - done}（共 {counted} 项）"
    elif kind == RuleKind.CHECKS:
        f = figures["checks"].get(key)
        if not f or not f["maximum"]:
            cell.score, cell.info = points, "尚无督查记录"
        else:
            rate = Decimal(f["scored"]) / Decimal(f["maximum"])
            items = f["items"]
            cell.score = q2(points * min(rate, Decimal(1)))
            cell.info = lambda: f"得分率 {rules.round_rate(rate * 100)}%（{items} 项次）"
    elif kind == RuleKind.PROBLEMS:
        late = figures["problems"].get(key, 0)
        cell.score = q2(max(points - late * rule.deduction, ZERO)) if late else points
        cell.info = (lambda: f"超期 {late} 项") if late else "无超期问题"
    elif kind == RuleKind.ACTIVITIES:
        begun = spans[node.indicator_id]
        if not begun:
            cell.score, cell.info = points, "考核周期尚未开始"
        else:
            counts = figures["activities"].get(key, {})
            required = rule.required
            met = sum(min(counts.get(s.key, 0), required) for s in begun)
            cell.score = q2(points * met / (required * len(begun)))
            cell.info = lambda: "；".join(f"{s.label} {counts.get(s.key, 0)}/{required}" for s in begun)
    elif kind == RuleKind.LETTER:
        state = figures["letters"].get(unit_id, "")
        cell.score = points if state == "archived" else q2(points * rule.partial) if state == "signed" else ZERO
        cell.info = {"archived": "已归档", "signed": "已签订，未归档", "pending": "待确认（未签订）"}.get(state, "未签订")
    elif kind == RuleKind.SURVEY:
        f = figures["surveys"].get(unit_id)
        if f is None or not f.rounds:
            cell.score, cell.info = points, "尚未开展问卷调查"
        elif not f.counted:
            cell.score, cell.info = ZERO, "样本不足（答卷少于最少样本），不得分"
        else:
            share = Decimal(f.passed) * 100 / (f.sample * rule.target)
            cell.score = q2(points * min(share, Decimal(1)))
            cell.info = lambda: f"知晓率 {f.rate}%（{f.sample} 份答卷，目标 {format_points(rule.target)}%）"
    else:
        score = figures["manual"].get(key)
        if score is None:
            cell.pending, cell.info = True, "待局文明办评分"
        else:
            cell.score, cell.info = q2(min(score, points)), "局文明办评分"
    return cell


def _roll_up(nodes, cells):
    """Parents' cells: sums of their counted children (deepest first)."""
    children = defaultdict(list)
    for n in nodes:
        if n.parent_id:
            children[n.parent_id].append(n.indicator_id)
    for n in sorted((n for n in nodes if not n.is_leaf), key=lambda n: -n.depth):
        kids = [cells[c] for c in children[n.indicator_id] if c in cells]
        counted = [k for k in kids if k.counted]
        cell = Cell(full=sum((k.full for k in counted), ZERO), score=sum((k.score for k in counted), ZERO))
        if not counted:
            cell.applicable = any(k.applicable and k.ruled for k in kids)
            cell.pending = any(k.pending for k in kids)
            cell.ruled = any(k.ruled for k in kids)
        cells[n.indicator_id] = cell


def score_units(year, scheme, nodes, units, as_of, unit=None):
    """UnitScore per unit (in `units` order) from the grouped queries."""
    figures = {
        "tasks": task_figures(year, as_of, _ids(nodes, RuleKind.TASKS), unit),
        "checks": check_figures(year, as_of, _ids(nodes, RuleKind.CHECKS), unit),
        "problems": problem_figures(year, as_of, _ids(nodes, RuleKind.PROBLEMS), unit),
        "activities": activity_figures(year, as_of, nodes, unit),
        "letters": letter_figures(year, as_of, unit) if _ids(nodes, RuleKind.LETTER) else {},
        "manual": manual_figures(scheme, as_of, unit) if _ids(nodes, RuleKind.MANUAL) else {},
        "surveys": survey_figures(year, as_of, _ids(nodes, RuleKind.SURVEY), unit),
    }
    adjustments = adjustment_figures(scheme, as_of, unit)
    kind_labels = dict(UnitKind.choices)
    leaves = [n for n in nodes if n.is_leaf]
    rows = []
    spans = {n.indicator_id: [s for s in period_spans(n.rule.period, year) if s.start <= as_of]
             for n in leaves if n.rule and n.rule.kind == RuleKind.ACTIVITIES}
    for u in units:
        row = UnitScore(u.pk, u.name, u.kind, str(kind_labels.get(u.kind, u.kind)), (u.sort_order, u.name))
        for node in leaves:
            cell = _score_leaf(node, u.pk, u.kind, figures, spans)
            row.cells[node.indicator_id] = cell
            if cell.counted:
                row.full += cell.full
                row.base += cell.score
            row.pending += cell.pending
        _roll_up(nodes, row.cells)
        adj = adjustments.get(u.pk, {})
        row.bonus, row.penalty = adj.get(AdjustmentKind.BONUS, ZERO), adj.get(AdjustmentKind.PENALTY, ZERO)
        row.total = q2(max(row.base + row.bonus - row.penalty, ZERO))
        if row.full:
            row.percent = rules.round_rate(row.total * 100 / row.full)
        row.grade = scheme.grade(row.percent) if scheme else "未评定"
        rows.append(row)
    return rows


def rank_rows(rows):
    """Best 折合得分 first, ties share a rank (1, 2, 2, 4); units without full marks last."""
    ranked = sorted((r for r in rows if r.percent is not None), key=lambda r: (-r.percent, r.sort))
    holders = [{"row": r, "p": r.percent} for r in ranked]
    competition_rank(holders, key=lambda h: h["p"])
    for h in holders:
        h["row"].rank = h["rank"]
    return ranked + [r for r in rows if r.percent is None]


def assessment(year, *, as_of=None, units=None, kind="", today=None, bureau=None):
    """One bureau's scores as of a day: plain data, ranked within the bureau.

    `bureau`: whose units are scored, under its own scheme (by default the first district); the
    city bureau means the city's own units. `units` is a Unit queryset already limited to what the
    user may see (`Unit.objects.visible_to(user)`); `kind` keeps one kind of unit (ranks among them).
    """
    today = today or timezone.localdate()
    as_of = as_of or default_as_of(year, today)
    bureau = bureau or Bureau.objects.default_district()
    scheme = scheme_of(year, bureau)
    nodes = build_nodes(year, scheme, bureau)
    qs = (units if units is not None else Unit.objects.all()).filter(is_active=True, bureau=bureau)
    if kind:
        qs = qs.filter(kind=kind)
    unit_list = list(qs.order_by("sort_order", "kind", "name"))
    rows = score_units(year, scheme, nodes, unit_list, as_of, bureau) if scheme else []
    result = Assessment(year, scheme, as_of, today, nodes, rank_rows(rows), kind, bureau)
    result.accountability = year_cases(year, bureau, kind=kind)
    return result


# --- one unit: evidence and actions ---------------------------------------------------------------

def _url(name, pk):
    return pk_url(name, pk)


def _task_evidence(year, unit, as_of, ids, ruled, *, missing_only=False):
    """One line per item (a one-off task's deadline, each period of a recurring task: ledgers.rules).
    `missing_only`: only the items past their deadline and not done by the day."""
    result = []
    if not ids:
        return result
    qs = (TaskAssignment.objects.filter(unit=unit, task__year=year, task__indicator_id__in=ids).with_items()
          .select_related("task").order_by("task__deadline", "task_id"))
    if missing_only:
        qs = qs.overdue(as_of)
    for a in qs:
        t = a.task
        for item in a.items(as_of):
            title = f"{t.title}（{item.label}）" if item.label else t.title
            done = item.done_by(as_of)
            if missing_only and (done or item.due >= as_of):
                continue
            day = item.done_on if done and item.done_on != datetime.date.min else None
            if done and item.on_time:
                counted, note = True, f"按时完成{f'（{day:%m-%d}）' if day else ''}"
            elif done:
                pct = f"{(ruled[t.indicator_id].partial * 100).normalize():f}%"
                counted, note = True, f"逾期完成（{day:%m-%d}，时限 {item.due:%m-%d}），按 {pct} 计"
            elif item.due < as_of:
                what = f"{item.label}未填报落实情况" if item.label else "到期未完成"
                counted, note = True, f"{what}（时限 {item.due:%Y-%m-%d}），不得分"
            else:
                counted, note = False, f"未到期（时限 {item.due:%Y-%m-%d}），不计"
            result.append(Evidence(t.indicator_id, "任务", title, item.due, counted, note,
                                   _url("ledgers:assignment_detail", a.pk), a.pk))
    return result


def _check_evidence(year, unit, as_of, ids):
    result = []
    if not ids:
        return result
    qs = (CheckScore.objects.filter(check_record__unit=unit, check_record__year=year, item__in=counted_items(ids))
          .select_related("check_record", "item").order_by("check_record__date", "check_record_id", "item__sort_order"))
    scores = list(qs)
    # One score per item and week (ledgers.rules): how many submitted checks share each.
    same_week = defaultdict(int)
    for s in scores:
        c = s.check_record
        if c.status == CheckStatus.SUBMITTED and c.date <= as_of:
            same_week[(s.item_id, c.iso_year, c.iso_week)] += 1
    for s in scores:
        c = s.check_record
        title = f"{c.get_kind_display()} · {s.item.title[:40]} {s.figure_text(c.by_pass_rate)}"
        if c.status != CheckStatus.SUBMITTED:
            counted, note = False, "督查记录未提交（草稿），不计"
        elif c.date > as_of:
            counted, note = False, "在统计日之后，不计"
        elif not s.applicable:
            counted, note = False, "不适用，不计" if s.not_applicable else "不计分（只计达标）"
        else:
            lost = s.applicable - s.score
            unit_word = "项" if c.by_pass_rate else "分"
            counted, note = True, f"失 {format_points(lost)} {unit_word}" if lost else ("达标" if c.by_pass_rate else "满分")
            shared = same_week[(s.item_id, c.iso_year, c.iso_week)]
            if shared > 1:
                note += f"（同周同表督查 {shared} 次，取平均）"
        if c.vetoed:
            note += "；本次检查一票否决，不合格"
        result.append(Evidence(s.item.indicator_id, "督查", title, c.date, counted, note,
                               _url("ledgers:check_detail", c.pk), c.pk))
    return result


def _problem_evidence(year, unit, as_of, ids, ruled):
    """One line per problem: late for the unit or not (ledgers.rules.is_late, the twin of late_q)."""
    result = []
    if not ids:
        return result
    qs = Problem.objects.filter(unit=unit, year=year, indicator_id__in=ids).order_by("deadline", "pk")
    for p in qs:
        submitted = rules.local_day(p.rectified_at or p.closed_at)
        if p.found_on > as_of:
            counted, note = False, "在统计日之后发现，不计"
        elif p.deadline >= as_of:
            counted, note = False, f"未到整改时限（{p.deadline:%m-%d}），暂不扣分"
        elif not rules.is_late(p, as_of):
            waiting = "，已销号" if p.status == ProblemStatus.CLOSED else "，待复查（督导组）"
            counted, note = False, f"按时提交整改（{submitted:%m-%d}）{waiting}，不扣分"
        else:
            deduction = format_points(ruled[p.indicator_id].deduction)
            late = p.status in (ProblemStatus.REVIEW, ProblemStatus.CLOSED) and submitted
            when = f"超期后于 {submitted:%m-%d} 提交整改" if late else "超期未提交整改"
            counted, note = True, f"{when}（整改时限 {p.deadline:%m-%d}），扣 {deduction} 分"
        result.append(Evidence(p.indicator_id, "整改问题", p.description, p.found_on, counted, note,
                               _url("ledgers:problem_detail", p.pk), p.pk))
    return result


def _activity_why_not(activity, photos, indicator, as_of, end, bureau):
    """Why an activity does not count for the indicator ("" when it counts)."""
    if activity.status == ActivityStatus.DRAFT:
        return "尚未提交（草稿），提交后可计入"
    if activity.status == ActivityStatus.RETURNED:
        return "已被退回，修改后重新提交可计入"
    if activity.date > as_of:
        return "活动日期在统计日之后，不计"
    if activity.submitted_at and activity.submitted_at >= end:
        return "在统计日之后提交，不计"
    rule = rules.evidence_rule(indicator, bureau)
    if len(photos) < rule.min_photos:
        return f"照片 {len(photos)} 张，少于要求的 {rule.min_photos} 张，补充照片后可计入"
    if rule.captions:
        blank = [n for n, p in enumerate(photos, 1) if not p.caption.strip()]
        if blank:
            return f"第 {'、'.join(map(str, blank))} 张照片缺少说明，补充说明后可计入"
    return ""


def _activity_evidence(year, unit, as_of, nodes):
    ruled = {n.indicator_id: n for n in nodes if n.is_leaf and n.rule and n.rule.kind == RuleKind.ACTIVITIES}
    result = []
    if not ruled:
        return result
    end = _end_of(as_of)
    from ledgers.models import ActivityPhoto

    # A photo's count, order and caption are all that is read of it (not its files and sizes).
    photos = Prefetch("photos", queryset=ActivityPhoto.objects.only("pk", "activity_id", "sort_order", "caption"))
    qs = (Activity.objects.filter(unit=unit, year=year, indicators__in=list(ruled)).distinct()
          .prefetch_related(photos, "indicators").order_by("date", "pk"))
    for a in qs:
        photos = a.ordered_photos()
        for indicator in a.indicators.all():
            if indicator.pk not in ruled:
                continue
            why = _activity_why_not(a, photos, indicator, as_of, end, unit.bureau)
            note = why or f"计入（{period_label(ruled[indicator.pk].rule.period, a.date, year)}，照片 {len(photos)} 张）"
            result.append(Evidence(indicator.pk, "活动档案", a.title, a.date, not why, note,
                                   _url("ledgers:activity_detail", a.pk), a.pk))
    return result


def period_label(kind, day, year=None):
    spans = period_spans(kind, year or day.year)
    return rules.span_of(spans, day).label


def _letter_evidence(year, unit, as_of, ids):
    result = []
    if not ids:
        return result
    letter = ResponsibilityLetter.objects.filter(year=year, unit=unit).select_related("year").first()
    state = letter_figures(year, as_of, unit).get(unit.pk, "") if letter else ""
    for ind in ids:
        if letter is None:
            result.append(Evidence(ind, "目标责任书", "目标责任书", None, False, "尚未生成责任书"))
            continue
        note = {"archived": "已归档", "signed": "已签订，尚未归档",
                "pending": "扫描件已上传，待局文明办确认，尚未签订"}.get(state, f"{letter.get_status_display()}，尚未签订")
        url = _url("ledgers:letter_detail", letter.pk) if letter.status != LetterStatus.DRAFT else ""
        result.append(Evidence(ind, "目标责任书", letter.title, timezone.localtime(letter.signed_at).date()
                               if letter.signed_at else None, state in ("archived", "signed"), note, url, letter.pk))
    return result


def _survey_evidence(year, unit, as_of, ids):
    """One line per round of the year begun by the as-of day: counted, or too small a sample."""
    if not ids:
        return []
    figure = survey_rules.year_figures(year, _end_of(as_of), unit=unit, started_by=as_of).get(unit.pk)
    result = []
    for survey, f in (figure.rounds if figure else []):
        counted = f.enough and f.sample > 0
        note = (f"答卷 {f.sample} 份，知晓 {f.passed} 人，知晓率 {f.rate}%" if counted
                else f"样本不足：答卷 {f.sample} 份，少于最少样本 {f.minimum} 份，不计")
        for ind in ids:
            result.append(Evidence(ind, "问卷调查", survey.title, survey.starts_on, counted, note,
                                   _url("ledgers:survey_detail", survey.pk), survey.pk, f))
    return result


def _survey_actions(code, cell, items, as_of, unit_id):
    """Rounds still short of their sample (answers can still come in), and the questions that cost
    points: the least known of the unit's last counted round."""
    from ledgers.models import Survey

    lines = []
    surveys = {s.pk: s for s in Survey.objects.filter(pk__in=[e.object_pk for e in items])}
    for e in items:
        survey = surveys.get(e.object_pk)
        if not e.counted and survey is not None and as_of <= survey.ends_on and survey.closed_at is None:
            f = e.figure
            lines.append(ActionLine(code, f"{code} 问卷《{e.title}》样本不足（答卷 {f.sample} 份，至少 {f.minimum} 份）："
                                          f"还需 {f.short} 份，请组织师生、家长扫码作答", e.url, cell.lost))
    counted = [e for e in items if e.counted]
    if cell.lost > 0 and counted:
        # The questions least known over the rounds that count (what cost the points).
        graded, _ratings = survey_rules.question_figures([surveys[e.object_pk] for e in counted], _end_of(as_of),
                                                         unit=unit_id)
        weakest = survey_rules.weakest(graded)
        names = "、".join(f"《{q.text[:24]}》正确率 {q.rate}%" for q in weakest)
        lines.append(ActionLine(code, f"{code} {cell.detail}，失 {pts(cell.lost)} 分"
                                      + (f"；掌握最差的题目：{names}，请加强宣传教育" if names else ""),
                                counted[-1].url, cell.lost))
    return lines


def _manual_evidence(scheme, unit, as_of, ids):
    result = []
    if not ids:
        return result
    for m in ManualScore.objects.filter(rule__scheme=scheme, unit=unit).select_related("rule"):
        counted = m.date <= as_of
        note = f"{format_points(m.score)} 分：{m.reason}" if counted else "评分日期在统计日之后，不计"
        url = reverse("ledgers:assessment_manual_file", args=[m.pk]) if m.attachment else ""
        result.append(Evidence(m.rule.indicator_id, "人工评分", m.attachment_name or "局文明办评分", m.date,
                               counted, note, url, m.pk))
    return result


def _actions(sheet_nodes, row, evidence, assessment_):
    """Where points are being lost now, worded as actions, in indicator order."""
    as_of, year = assessment_.as_of, assessment_.year
    lines = []
    for node in sheet_nodes:
        cell = row.cells.get(node.indicator_id)
        if not node.is_leaf or not node.rule or not cell or not cell.counted:
            continue
        rule, code = node.rule, node.code
        items = evidence.get(node.indicator_id, [])
        if rule.kind == RuleKind.TASKS:
            missing = [e for e in items if e.counted and e.note.endswith("不得分")]
            late = [e for e in items if e.counted and e.note.startswith("逾期完成")]
            if missing:
                names = "、".join(f"《{e.title}》" for e in missing[:3]) + ("等" if len(missing) > 3 else "")
                lines.append(ActionLine(code, f"{code} 逾期未完成任务 {len(missing)} 项：{names}，尽快完成并填报落实情况",
                                        missing[0].url, cell.lost))
            elif late and cell.lost:
                lines.append(ActionLine(code, f"{code} 逾期完成任务 {len(late)} 项，已按比例扣分（无法补救）",
                                        late[0].url, cell.lost, fixable=False))
        elif rule.kind == RuleKind.CHECKS and cell.lost > 0:
            worst = [e for e in items if e.counted and e.note.startswith("失")]
            lines.append(ActionLine(code, f"{code} 督查{cell.detail}，失 {pts(cell.lost)} 分：对照检查要点逐项整改",
                                    worst[-1].url if worst else "", cell.lost))
        elif rule.kind == RuleKind.PROBLEMS:
            late = [e for e in items if e.counted]
            open_late = [e for e in late if e.note.startswith("超期未提交整改")]
            if open_late:
                names = "；".join(e.title[:30] for e in open_late[:3]) + ("等" if len(open_late) > 3 else "")
                lines.append(ActionLine(code, f"整改超期 {len(open_late)} 项：{names}（{code}，每项扣 "
                                              f"{format_points(rule.deduction)} 分）", open_late[0].url, cell.lost))
            closed_late = len(late) - len(open_late)
            if closed_late:
                lines.append(ActionLine(code, f"{code} 超期后才提交整改的问题 {closed_late} 项，已扣分（无法补救）",
                                        "", ZERO, fixable=False))
        elif rule.kind == RuleKind.ACTIVITIES:
            counts = defaultdict(int)
            for e in items:
                if e.counted:
                    counts[period_key(rule.period, e.date, year)] += 1
            current = period_key(rule.period, as_of, year) if as_of.year == year.year else None
            indicator_min = node.rule.indicator.min_photos
            with_photos = "有照片的" if indicator_min else ""
            for span in period_spans(rule.period, year):
                if span.start > as_of:
                    continue
                short = rule.required - counts.get(span.key, 0)
                if short <= 0:
                    continue
                if span.key == current and span.end >= as_of:
                    lines.append(ActionLine(code, f"{code} {CURRENT_WORD[rule.period]}还需 {short} 次{with_photos}活动档案"
                                                  + (f"（每次至少 {indicator_min} 张照片）" if indicator_min else ""),
                                            reverse("ledgers:activity_create"), ZERO))
                else:
                    lines.append(ActionLine(code, f"{code} {span.label}少 {short} 次{with_photos}活动档案（周期已过，无法补救）",
                                            "", ZERO, fixable=False))
            for e in items:
                if not e.counted and "可计入" in e.note:
                    lines.append(ActionLine(code, f"{code} 活动档案《{e.title}》{e.note}", e.url, ZERO))
        elif rule.kind == RuleKind.LETTER and cell.lost > 0:
            e = items[0] if items else None
            text = f"{code} 目标责任书{cell.detail}：" + (
                "等待局文明办归档" if cell.detail.startswith("已签订")
                else "扫描件已上传，等待局文明办确认" if cell.detail.startswith("待确认") else "请上传签字扫描件")
            lines.append(ActionLine(code, text, e.url if e else "", cell.lost))
        elif rule.kind == RuleKind.SURVEY:
            lines += _survey_actions(code, cell, items, as_of, row.unit_id)
    return lines


def unit_sheet(year, unit, *, as_of=None, today=None):
    """One unit's score sheet: its scores (same computation as the bureau), the records behind
    every score and the 模拟测评 action lines. The caller checked the user may see `unit`."""
    today = today or timezone.localdate()
    as_of = as_of or default_as_of(year, today)
    bureau = unit.bureau
    scheme = scheme_of(year, bureau)
    nodes = build_nodes(year, scheme, bureau)
    rows = score_units(year, scheme, nodes, [unit], as_of, unit) if scheme else []
    result = Assessment(year, scheme, as_of, today, nodes, rank_rows(rows), bureau=bureau)
    result.accountability = year_cases(year, unit)
    row = rows[0] if rows else UnitScore(unit.pk, unit.name, unit.kind, unit.get_kind_display(), (0, ""))
    evidence = defaultdict(list)
    adjustments = []
    if scheme is not None:
        rules = {n.indicator_id: n.rule for n in nodes if n.rule}
        applicable = {i for i, r in rules.items() if r.applies_to(unit.kind)}

        def ids(kind):
            return [i for i in _ids(nodes, kind) if i in applicable]

        for e in (_task_evidence(year, unit, as_of, ids(RuleKind.TASKS), rules)
                  + _check_evidence(year, unit, as_of, ids(RuleKind.CHECKS))
                  + _problem_evidence(year, unit, as_of, ids(RuleKind.PROBLEMS), rules)
                  + _activity_evidence(year, unit, as_of, [n for n in nodes if n.indicator_id in applicable])
                  + _letter_evidence(year, unit, as_of, ids(RuleKind.LETTER))
                  + _manual_evidence(scheme, unit, as_of, ids(RuleKind.MANUAL))
                  + _survey_evidence(year, unit, as_of, ids(RuleKind.SURVEY))):
            evidence[e.indicator_id].append(e)
        adjustments = list(Adjustment.objects.filter(scheme=scheme, unit=unit).order_by("date", "pk"))
    actions = _actions(nodes, row, evidence, result) if scheme else []
    for adj in adjustments:
        if adj.kind == AdjustmentKind.PENALTY and adj.date <= as_of:
            actions.append(ActionLine("", f"扣分 {format_points(adj.points)} 分：{adj.reason}", "", adj.points, False))
    return UnitSheet(result, unit, row, dict(evidence), actions, adjustments)


def _needs_evidence(node, cell):
    """Whether `_actions` reads the node's records: a counted cell of a kind whose lines come from
    them (checks and the letter only when points are lost; manual scores never)."""
    if not node.is_leaf or not node.rule or not cell or not cell.counted:
        return False
    kind = node.rule.kind
    if kind in (RuleKind.CHECKS, RuleKind.LETTER):
        return cell.lost > 0
    if kind == RuleKind.SURVEY:  # a round short of its sample loses points too
        return cell.lost > 0
    return kind in (RuleKind.TASKS, RuleKind.PROBLEMS, RuleKind.ACTIVITIES)


def unit_actions(year, unit, scheme, *, as_of):
    """The liaison home's 模拟测评 panel: the unit's score row and its fixable action lines, the
    same as `unit_sheet(...).row` and its fixable `actions`, reading the records only of the
    indicators that lose points now (the sheet reads every record behind every score)."""
    nodes = build_nodes(year, scheme, scheme.bureau)  # the unit's bureau's scheme
    row = score_units(year, scheme, nodes, [unit], as_of, unit)[0]
    wanted = [n for n in nodes if _needs_evidence(n, row.cells.get(n.indicator_id))]
    rules = {n.indicator_id: n.rule for n in nodes if n.rule}

    def ids(kind):
        return [n.indicator_id for n in wanted if n.rule.kind == kind]

    evidence = defaultdict(list)
    for e in (_task_evidence(year, unit, as_of, ids(RuleKind.TASKS), rules, missing_only=True)
              + _check_evidence(year, unit, as_of, ids(RuleKind.CHECKS))
              + _problem_evidence(year, unit, as_of, ids(RuleKind.PROBLEMS), rules)
              + _activity_evidence(year, unit, as_of, [n for n in wanted if n.rule.kind == RuleKind.ACTIVITIES])
              + _letter_evidence(year, unit, as_of, ids(RuleKind.LETTER))
              + _survey_evidence(year, unit, as_of, ids(RuleKind.SURVEY))):
        evidence[e.indicator_id].append(e)
    result = Assessment(year, scheme, as_of, timezone.localdate(), nodes, [row], bureau=scheme.bureau)
    return row, [a for a in _actions(nodes, row, evidence, result) if a.fixable]


def kinds():
    return [(k, str(label)) for k, label in UnitKind.choices]
