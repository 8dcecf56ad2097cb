"""A hand-built 2026 in which every assessment score is known.

Indicators (points) and rules:
  1 组织领导            1.1 任务落实 (5) tasks, late 50%        1.2 目标责任 (5) letter, signed-only 50%
  2 环境与整改          2.1 环境卫生 (6) checks                  2.2 问题整改 (4) problems, 1.5 per late problem
  3 活动 (schools only) 3.1 我们的节日 (6) activities, 2 per semester, ≥2 photos with captions
                        3.2 特色工作 (4) manual
  4 其他 (5)            no rule: never counted
Thresholds 90 / 80 / 60.

Year end (as of 2026-12-31):
  A school   1.1 2.5 (on time, late, missing) 1.2 2.5 (signed) 2.1 5.4 (18/20) 2.2 1 (2 late)
             3.1 3 (1/2, 1/2)  3.2 3.5 (manual)   full 30, base 17.9, +2 → 19.9 → 66.3 合格, rank 4
  B school   1.1 5  1.2 0 (issued)  2.1 6 (no check)  2.2 4  3.1 6  3.2 待评分 (left out)
             full 26, base 21, −1 → 20 → 76.9 合格, rank 3
  S section  1.1 5 (no task)  1.2 5 (archived)  2.1 3 (5/10)  2.2 4; 3.x not applicable
             full 20, base 17 → 85.0 良好, rank 1
  D section  the same as S → 85.0, rank 1 (tie)
Mid-year (as of 2026-06-30), A: 1.1 3.75, 1.2 2.5, 2.1 4.8, 2.2 2.5, 3.1 3 (spring only),
  3.2 pending (scored 11-30), bonus not yet (12-01): full 26, base 16.55 → 63.7.
"""
import datetime
import io
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone
from PIL import Image

from ledgers.models import (
    Activity, ActivityCategory, ActivityPhoto, Adjustment, AssessmentScheme, Check, CheckItem, CheckScore,
    CheckTemplate, Indicator, IndicatorRule, LetterStatus, ManualScore, Problem, ResponsibilityLetter, Task,
    TaskAssignment, Unit,
)

D = datetime.date
YEAR_END = D(2026, 12, 31)
MID_YEAR = D(2026, 6, 30)
SCHOOLS = ["school"]
ALL = ["school", "section", "affiliate"]


def at(y, m, d, hour=10):
    return timezone.make_aware(datetime.datetime(y, m, d, hour))


def image_name():
    out = io.BytesIO()
    Image.new("RGB", (32, 24), (200, 40, 40)).save(out, "JPEG")
    return default_storage.save("activities/p.jpg", ContentFile(out.getvalue()))


@pytest.fixture
def units(school_a, school_b, section, inspection_office):
    for order, unit in enumerate([school_a, school_b, section, inspection_office]):
        Unit.objects.filter(pk=unit.pk).update(sort_order=order)
    return {"A": school_a, "B": school_b, "S": section, "D": inspection_office}


@pytest.fixture
def indicators(year):
    made = {}
    for code, title, points, photos, caption in [
        ("1", "组织领导", 10, 0, False), ("1.1", "任务落实", 5, 0, False), ("1.2", "目标责任", 5, 0, False),
        ("2", "环境与整改", 10, 0, False), ("2.1", "环境卫生", 6, 0, False), ("2.2", "问题整改", 4, 0, False),
        ("3", "活动", 10, 0, False), ("3.1", "我们的节日", 6, 2, True), ("3.2", "特色工作", 4, 0, False),
        ("4", "其他", 5, 0, False),
    ]:
        made[code] = Indicator.objects.create(year=year, code=code, title=title, points=Decimal(points),
                                              min_photos=photos, caption_required=caption,
                                              parent=made.get(code.rpartition(".")[0]))
    return made


@pytest.fixture
def scheme(year, indicators):
    scheme = AssessmentScheme.objects.create(year=year)
    for code, kind, kinds, extra in [
        ("1.1", "tasks", ALL, {"partial": Decimal("0.5")}),
        ("1.2", "letter", ALL, {"partial": Decimal("0.5")}),
        ("2.1", "checks", ALL, {}),
        ("2.2", "problems", ALL, {"deduction": Decimal("1.5")}),
        ("3.1", "activities", SCHOOLS, {"required": 2, "period": "semester"}),
        ("3.2", "manual", SCHOOLS, {}),
    ]:
        IndicatorRule.objects.create(scheme=scheme, indicator=indicators[code], kind=kind, unit_kinds=kinds, **extra)
    return scheme


@pytest.fixture
def scored_year(year, units, indicators, scheme, admin_user, inspector, liaison, liaison2):
    A, B, S, Dd = units["A"], units["B"], units["S"], units["D"]
    ind = indicators
    # Tasks under 1.1
    t1 = Task.objects.create(year=year, indicator=ind["1.1"], title="成立创建领导小组", deadline=D(2026, 3, 10))
    TaskAssignment.objects.create(task=t1, unit=A, status="done", completed_at=at(2026, 3, 9))
    TaskAssignment.objects.create(task=t1, unit=B, status="done", completed_at=at(2026, 3, 1))
    t2 = Task.objects.create(year=year, indicator=ind["1.1"], title="制定工作方案", deadline=D(2026, 5, 20))
    TaskAssignment.objects.create(task=t2, unit=A, status="done", completed_at=at(2026, 6, 1))
    t3 = Task.objects.create(year=year, indicator=ind["1.1"], title="更新宣传栏", deadline=D(2026, 9, 30))
    TaskAssignment.objects.create(task=t3, unit=A, status="in_progress")
    t4 = Task.objects.create(year=year, indicator=ind["1.1"], title="年终总结", deadline=D(2026, 12, 31))
    TaskAssignment.objects.create(task=t4, unit=A, status="not_started")
    # Letters (1.2)
    ResponsibilityLetter.objects.create(year=year, unit=A, status=LetterStatus.SIGNED, signed_at=at(2026, 3, 1))
    ResponsibilityLetter.objects.create(year=year, unit=B, status=LetterStatus.ISSUED)
    for unit in (S, Dd):
        ResponsibilityLetter.objects.create(year=year, unit=unit, status=LetterStatus.ARCHIVED,
                                            signed_at=at(2026, 2, 1), archived_at=at(2026, 2, 2))
    # Checks (2.1): one item linked to 2.1, one not
    template = CheckTemplate.objects.create(year=year, name="环境卫生检查表")
    linked = CheckItem.objects.create(template=template, title="环境卫生", max_points=10, indicator=ind["2.1"])
    other = CheckItem.objects.create(template=template, title="其他", max_points=10)

    def check(unit, day, score, status="submitted"):
        c = Check.objects.create(year=year, unit=unit, date=day, template=template, total=score + 10,
                                 max_total=20, status=status, created_by=inspector)
        CheckScore.objects.create(check_record=c, item=linked, score=score, applicable=10)
        CheckScore.objects.create(check_record=c, item=other, score=10, applicable=10)
        return c

    check(A, D(2026, 4, 10), 8)
    check(A, D(2026, 10, 10), 10)
    check(A, D(2026, 11, 1), 0, status="draft")
    check(S, D(2026, 5, 5), 5)
    check(Dd, D(2026, 5, 6), 5)
    # Problems (2.2)

    def problem(unit, found, deadline, status="open", closed=None, text="楼道有垃圾"):
        return Problem.objects.create(year=year, unit=unit, indicator=ind["2.2"], description=text, found_on=found,
                                      deadline=deadline, status=status, closed_at=closed, raised_by=inspector)

    problem(A, D(2026, 3, 1), D(2026, 3, 2), "closed", at(2026, 3, 2), text="按期销号的问题")
    problem(A, D(2026, 4, 1), D(2026, 4, 2), "closed", at(2026, 4, 5), text="超期后销号的问题")
    problem(A, D(2026, 9, 1), D(2026, 9, 2), "rectifying", text="宣传栏破损未修复")
    # Activities (3.1)
    category = ActivityCategory.objects.create(name="我们的节日")
    name = image_name()

    def activity(unit, title, day, status, captions, user):
        a = Activity.objects.create(year=year, unit=unit, title=title, category=category, date=day,
                                    status=status, created_by=user)
        a.indicators.add(ind["3.1"])
        for n, caption in enumerate(captions):
            ActivityPhoto.objects.create(activity=a, original=name, display=name, thumbnail=name, caption=caption,
                                         original_name=f"{n}.jpg", sha256=f"{a.pk}-{n}", uploaded_by=user,
                                         sort_order=n)
        return a

    activity(A, "春节写春联", D(2026, 3, 5), "approved", ["写春联", "送春联"], liaison)
    activity(A, "清明祭英烈", D(2026, 4, 5), "submitted", ["祭扫"], liaison)
    activity(A, "中秋诗会", D(2026, 9, 10), "submitted", ["诗会", "合影"], liaison)
    activity(A, "重阳敬老", D(2026, 10, 10), "draft", ["敬老", "合影"], liaison)
    for title, day in [("元宵灯谜", D(2026, 2, 1)), ("植树节", D(2026, 3, 1)), ("国庆升旗", D(2026, 10, 1)),
                       ("冬至包饺子", D(2026, 12, 1))]:
        activity(B, title, day, "approved", ["一", "二"], liaison2)
    # Manual (3.2) and adjustments
    ManualScore.objects.create(rule=IndicatorRule.objects.get(indicator=ind["3.2"]), unit=A, score=Decimal("3.5"),
                               date=D(2026, 11, 30), reason="特色工作突出", entered_by=admin_user)
    Adjustment.objects.create(scheme=scheme, unit=A, kind="bonus", points=2, date=D(2026, 12, 1),
                              reason="获市级文明校园表彰", entered_by=admin_user)
    Adjustment.objects.create(scheme=scheme, unit=B, kind="penalty", points=1, date=D(2026, 7, 1),
                              reason="暗访发现校门口秩序混乱", entered_by=admin_user)
    return units
