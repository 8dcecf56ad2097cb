"""Fixtures and builders shared by the checks, problems and bulletins tests.

Each area's conftest.py imports them with `from tests.ledgers.checks.factories import *`.
"""
import datetime
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from ledgers.models import CheckItem, CheckKind, CheckTemplate, Indicator
from ledgers.services import checks as check_service
from ledgers.services import problems as problem_service

MONDAY = datetime.date(2026, 3, 2)  # ISO week 2026-W10


def jpeg(name="现场.jpg", color="green", size=(64, 48)):
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, "JPEG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


def fake_jpeg(name="整改后.jpg"):
    return SimpleUploadedFile(name, b"<html><body>not a photo</body></html>", content_type="image/jpeg")


@pytest.fixture
def indicator(year):
    return make_indicator(year)


def make_indicator(year):
    return Indicator.objects.create(year=year, code="3.2.1", title="校园环境整洁有序", points=5)


@pytest.fixture
def template(year, indicator):
    return make_template(year, indicator)


def make_template(year, indicator):
    t = CheckTemplate.objects.create(year=year, name="校园环境卫生检查表")
    CheckItem.objects.create(template=t, title="校园环境卫生", max_points=20, indicator=indicator, sort_order=1)
    CheckItem.objects.create(template=t, title="宣传氛围", max_points=15, sort_order=2)
    CheckItem.objects.create(template=t, title="文明礼仪", max_points=15, sort_order=3)
    return t


@pytest.fixture
def small_template(year):
    """A template with another maximum (10), to compare score rates across templates."""
    t = CheckTemplate.objects.create(year=year, name="机关股室卫生检查评比表")
    CheckItem.objects.create(template=t, title="办公室卫生", max_points=10, sort_order=1)
    return t


def scores_for(template, values):
    return {item.pk: (Decimal(str(v)) if v is not None else None)
            for item, v in zip(template.items.all(), values)}


def make_check(user, unit, template, values, date=MONDAY, kind=CheckKind.ROUTINE, submit=True, **kwargs):
    return check_service.check_save(user=user, unit=unit, date=date, kind=kind, template=template,
                                    scores=scores_for(template, values), submit=submit, **kwargs)


def make_problem(user, unit, description="操场一角有垃圾未清理", **kwargs):
    return problem_service.problem_raise(user=user, unit=unit, description=description, **kwargs)


@pytest.fixture(autouse=True)
def current_campaign_year(year):
    """Checks, problems and bulletins all hang off the current campaign year."""
    return year


def make_kinds_template(year, name="文明校园考评表（各类项目）", indicator=None):
    """A template with an item of every kind, as the real tables write them (issue 29):
    宣传氛围（60分）: a 计分 item of 40 and a 达标 item of 30 (together 70: the group caps them at 60);
    a 扣分 item of 20, 每处扣0.5分，扣完为止; a 计分 item of 30 that may be 不适用 (幼儿园不做要求);
    a 抽查 item of 20 (随机抽取5名学生，3名及以上为达标); a 一票否决 item without points."""
    t = CheckTemplate.objects.create(year=year, name=name)
    group = CheckItem.objects.create(template=t, kind="group", title="宣传氛围", max_points=60, sort_order=1)
    made = {"group": group}
    for key, fields in [
        ("scored", dict(title="校园显著位置设有公益宣传", max_points=40, parent=group)),
        ("passfail", dict(kind="passfail", title="有善行义举榜", max_points=30, parent=group)),
        ("deduction", dict(kind="deduction", title="校园及环境干净整洁", max_points=20, deduct=Decimal("0.5"),
                           deduct_floor=True)),
        ("na", dict(title="幼儿园设有家长学校（幼儿园不做要求）", max_points=30, allow_na=True)),
        ("sampling", dict(kind="sampling", title="随机抽取5名学生背诵社会主义核心价值观", max_points=20,
                          sample_size=5, sample_pass=3)),
        ("veto", dict(kind="veto", title="无重大安全责任事故（一票否决）")),
    ]:
        made[key] = CheckItem.objects.create(template=t, sort_order=len(made) + 1, indicator=indicator, **fields)
    return t, made


def kinds_answers(items, *, scored=33, passed=True, findings=6, sample_passed=2, veto_passed=True):
    """Answers to make_kinds_template's items; the defaults give 77 of 100 (see test_item_kinds)."""
    from ledgers.rules import Answer

    return {items["scored"].pk: Answer(score=Decimal(scored)), items["passfail"].pk: Answer(passed=passed),
            items["deduction"].pk: Answer(findings=findings), items["na"].pk: Answer(not_applicable=True),
            items["sampling"].pk: Answer(asked=5, sample_passed=sample_passed),
            items["veto"].pk: Answer(passed=veto_passed)}
