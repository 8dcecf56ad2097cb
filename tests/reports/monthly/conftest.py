"""A small hand-made November 2026 in which every figure of the monthly summary is known.

Report date: 2026-12-05, so figures are "as of" 2026-11-30. Units in order: 郾城区第一实验小学
(A), 郾城区第二实验小学 (B), 郾城区第三实验小学 (C, nothing at all), 局办公室（文明办） (S),
督导室 (D, nothing at all).

            tasks due/done/overdue  checks (rate)     problems found/closed/open/overdue  activities/photos  letter
  A         2 / 1 / 1               2 (90, 80) → 85.0  2 / 1 / 1 / 1   (closed in 3 days)   2 / 4              signed
  B         1 / 0 / 2               1 (17/20) → 85.0   2 / 1 / 2 / 1   (closed in 4 days)   0 / 0              issued
  C         0                       0                  0                                    0                  —
  S         0                       1 (70) → 70.0      0                                    0                  archived
  D         0                       0                  0                                    0                  —
  bureau    3 / 1 / 3 (33.3%)       4, rate 81.3, avg 64.3   4 / 2 / 3 / 2, avg 3.5 days    2 / 4, 4 units empty  2 signed
Ranks: A 1, B 1 (tie), S 3. October: B checked once at 50/100; one problem found (closed
2026-11-01); one activity with 2 photos.
"""
import datetime
import io

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone
from PIL import Image

from ledgers.models import (
    Activity, ActivityCategory, ActivityPhoto, Check, CheckTemplate, LetterStatus, Problem, ResponsibilityLetter,
    Task, TaskAssignment, Unit, UnitKind,
)

D = datetime.date
TODAY = D(2026, 12, 5)


def at(y, m, d, hour=10):
    return timezone.make_aware(datetime.datetime(y, m, d, hour))


def thumbnail_name():
    out = io.BytesIO()
    Image.new("RGB", (32, 24), (200, 40, 40)).save(out, "JPEG")
    return default_storage.save("activities/thumbs/t.jpg", ContentFile(out.getvalue()))


@pytest.fixture
def school_c(db):
    return Unit.objects.create(name="郾城区第三实验小学", kind=UnitKind.SCHOOL, code="school03")


@pytest.fixture
def units(school_a, school_b, school_c, section, inspection_office):
    for order, unit in enumerate([school_a, school_b, school_c, section, inspection_office]):
        Unit.objects.filter(pk=unit.pk).update(sort_order=order)
    return {"A": school_a, "B": school_b, "C": school_c, "S": section, "D": inspection_office}


@pytest.fixture
def november(year, units, inspector, liaison, liaison2, admin_user):
    A, B, S = units["A"], units["B"], units["S"]
    # Tasks
    t1 = Task.objects.create(year=year, title="文明校园创建宣传", deadline=D(2026, 11, 10))
    TaskAssignment.objects.create(task=t1, unit=A, status="done", completed_at=at(2026, 11, 9))
    TaskAssignment.objects.create(task=t1, unit=B, status="in_progress")
    t2 = Task.objects.create(year=year, title="志愿服务活动", deadline=D(2026, 11, 25))
    TaskAssignment.objects.create(task=t2, unit=A, status="done", completed_at=at(2026, 12, 2))
    t3 = Task.objects.create(year=year, title="公益广告更新", deadline=D(2026, 10, 15))
    TaskAssignment.objects.create(task=t3, unit=B, status="not_started")
    t4 = Task.objects.create(year=year, title="年终总结", deadline=D(2026, 12, 20))
    TaskAssignment.objects.create(task=t4, unit=A, status="not_started")
    # Checks
    template = CheckTemplate.objects.create(year=year, name="校园环境卫生检查表")

    def check(unit, day, total, max_total, status="submitted"):
        return Check.objects.create(year=year, unit=unit, date=day, template=template, total=total,
                                    max_total=max_total, status=status, created_by=inspector)

    check(A, D(2026, 11, 3), 90, 100)
    check(A, D(2026, 11, 17), 80, 100)
    check(B, D(2026, 11, 4), 17, 20)
    check(S, D(2026, 11, 5), 70, 100)
    check(units["C"], D(2026, 11, 6), 100, 100, status="draft")
    check(B, D(2026, 10, 20), 50, 100)

    # Problems
    def problem(unit, found, deadline, status="open", closed=None, text="楼道有垃圾"):
        return Problem.objects.create(year=year, unit=unit, description=text, found_on=found, deadline=deadline,
                                      status=status, closed_at=closed, raised_by=inspector)

    problem(A, D(2026, 11, 2), D(2026, 11, 3), "closed", at(2026, 11, 5))
    problem(A, D(2026, 11, 20), D(2026, 11, 21), "rectifying", text="=宣传栏内容过期")
    problem(B, D(2026, 10, 28), D(2026, 10, 29), "closed", at(2026, 11, 1, 8))
    problem(B, D(2026, 11, 29), D(2026, 11, 30), "open", text="操场围墙公益广告破损")
    problem(B, D(2026, 11, 10), D(2026, 11, 11), "closed", at(2026, 12, 2), text="食堂卫生死角")
    problem(S, D(2026, 12, 1), D(2026, 12, 2), "open", text="十二月的问题")
    # Activities
    category = ActivityCategory.objects.create(name="志愿服务")
    thumb = thumbnail_name()

    def activity(unit, title, day, status, photos, user):
        a = Activity.objects.create(year=year, unit=unit, title=title, category=category, date=day,
                                    status=status, created_by=user)
        for n in range(photos):
            ActivityPhoto.objects.create(activity=a, original=thumb, display=thumb, thumbnail=thumb,
                                         original_name=f"{n}.jpg", sha256=f"{a.pk}-{n}", uploaded_by=user,
                                         sort_order=n)
        return a

    activity(A, "重阳节敬老志愿服务", D(2026, 11, 5), "approved", 3, liaison)
    activity(A, "文明礼仪主题班会", D(2026, 11, 12), "submitted", 1, liaison)
    activity(A, "草稿中的活动", D(2026, 11, 15), "draft", 2, liaison)
    activity(A, "被退回的活动", D(2026, 11, 16), "returned", 2, liaison)
    activity(B, "国庆节主题教育", D(2026, 10, 20), "submitted", 2, liaison2)
    # Letters
    ResponsibilityLetter.objects.create(year=year, unit=A, status=LetterStatus.SIGNED)
    ResponsibilityLetter.objects.create(year=year, unit=B, status=LetterStatus.ISSUED)
    ResponsibilityLetter.objects.create(year=year, unit=S, status=LetterStatus.ARCHIVED)
    return units


@pytest.fixture
def fixed_today(monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: TODAY)
    return TODAY
