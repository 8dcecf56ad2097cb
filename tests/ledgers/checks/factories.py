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
