"""Demo step: the year's assessment scheme (考核方案), so every demo unit has a score and a list
of points being lost. Rules follow what the demo ledgers hold: indicators with activity archives
are scored on archives (2 per semester), those with check items on checks, the one with the
most problems on overdue problems, 1.2 on the letter, 8.1 on the 问卷调查 rounds, the other 8.x by the bureau; the rest on tasks.
A few manual scores and 加分/扣分 items complete it. One scheme per bureau with an admin and
units (郾城区 and the demo's other districts), each set by that bureau's admin for its own units.
Idempotent: a bureau that already has a scheme is skipped.
"""
import random
from datetime import date
from decimal import Decimal

from django.db.models import Count

from ..models import (
    Activity, AssessmentScheme, Bureau, CampaignYear, CheckItem, Indicator, IndicatorRule, Problem, Role, RuleKind, Unit,
    UnitKind, User,
)
from ..services import assessment as service

SCHOOLS = [UnitKind.SCHOOL.value]
ALL = [UnitKind.SCHOOL.value, UnitKind.SECTION.value, UnitKind.AFFILIATE.value]
SCHOOL_ONLY_PREFIXES = ("2.1", "3.", "5.1", "5.3", "8.")


def load(out):
    year = CampaignYear.objects.current()
    if year is None:
        out("考核方案：没有当前年度，跳过。")
        return
    for bureau in Bureau.objects.all():
        admin = User.objects.filter(role=Role.ADMIN, unit__bureau=bureau, is_active=True).order_by("pk").first()
        if admin is None or not Unit.objects.filter(bureau=bureau).exists():
            continue
        if AssessmentScheme.objects.filter(year=year, bureau=bureau).exists():
            out(f"考核方案（{bureau.label}）：已有，跳过。")
            continue
        _load_bureau(out, year, bureau, admin)


def _load_bureau(out, year, bureau, admin):
    rng = random.Random(2026 + bureau.pk)
    scheme = service.scheme_for(year=year, bureau=bureau, user=admin, create=True)
    scheme.title = f"{bureau.label}{year.year}年度文明创建考核方案"
    scheme.save()
    indicators = list(Indicator.objects.for_year(year).for_bureau(bureau))
    parents = {i.parent_id for i in indicators if i.parent_id}
    with_activities = set(Activity.objects.filter(year=year, unit__bureau=bureau).values_list("indicators", flat=True))
    with_checks = set(CheckItem.objects.filter(template__year=year).values_list("indicator", flat=True))
    problem_counts = (Problem.objects.filter(year=year, indicator__isnull=False, unit__bureau=bureau)
                      .values("indicator").annotate(n=Count("pk")).order_by("-n"))
    # The scored indicator with the most problems (not a parent, the letter's or a manual one): which
    # one that is depends on the day the demo is loaded, and the demo always has one of each kind.
    scored = {i.pk for i in indicators if i.pk not in parents and i.points > 0
              and i.code != "1.2" and not i.code.startswith("8.")}
    most_problems = next((row["indicator"] for row in problem_counts if row["indicator"] in scored), None)
    counts = {}
    for ind in indicators:
        if ind.pk in parents or ind.points <= 0:
            continue
        kinds = SCHOOLS if ind.code.startswith(SCHOOL_ONLY_PREFIXES) else ALL
        params = {}
        if ind.code == "1.2":
            kind = RuleKind.LETTER
        elif ind.code == "8.1":  # 师生知晓率: scored on the 问卷调查 rounds (ledgers.demo.surveys)
            kind, params = RuleKind.SURVEY, {"target": Decimal(90)}
        elif ind.code.startswith("8."):
            kind = RuleKind.MANUAL
        elif ind.pk == most_problems:
            kind, params = RuleKind.PROBLEMS, {"deduction": Decimal(1)}
        elif ind.pk in with_activities:
            kind, params, kinds = RuleKind.ACTIVITIES, {"required": 2, "period": "semester"}, kinds
        elif ind.pk in with_checks:
            kind = RuleKind.CHECKS
        else:
            kind = RuleKind.TASKS
        service.rule_save(scheme=scheme, indicator=ind, user=admin, kind=kind, unit_kinds=kinds, **params)
        counts[kind] = counts.get(kind, 0) + 1
    schools = list(Unit.objects.active().filter(kind=UnitKind.SCHOOL, bureau=bureau).order_by("sort_order", "name"))
    manual = IndicatorRule.objects.filter(scheme=scheme, kind=RuleKind.MANUAL).select_related("indicator").first()
    if manual:
        for unit in schools[: max(1, len(schools) // 2)]:
            score = (manual.indicator.points * Decimal(rng.choice(["0.8", "0.9", "1.0"]))).quantize(Decimal("0.1"))
            service.manual_score_save(rule=manual, unit=unit, user=admin, score=score, date=date(year.year, 11, 20),
                                      reason=rng.choice(["家长满意度抽样调查 92% 满意", "家长满意度抽样调查 88% 满意", "抽样调查满意"]))
    if len(schools) >= 3:
        service.adjustment_add(scheme=scheme, unit=schools[0], user=admin, kind="bonus", points=Decimal(2),
                               date=date(year.year, 10, 15), reason="获评市级文明校园")
        service.adjustment_add(scheme=scheme, unit=schools[2], user=admin, kind="penalty", points=Decimal(1),
                               date=date(year.year, 9, 20), reason="暗访发现校门口交通秩序混乱，未及时整改")
    labels = dict(RuleKind.choices)
    out(f"考核方案（{bureau.label}）：" + "，".join(f"{labels[k]} {n} 项" for k, n in counts.items()) + "。")
