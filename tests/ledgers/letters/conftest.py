"""Fixtures for responsibility letters: the year's target items and letters for both schools."""
from decimal import Decimal

import pytest

from ledgers.models import LetterTarget, ResponsibilityLetter
from ledgers.services.letters import letters_generate

TARGETS = [("成立文明创建领导小组，制定年度《工作方案》《工作计划》", Decimal("10")),
           ("每月开展“我们的节日”主题活动，活动档案及时上传文明网", Decimal("15")),
           ("校园环境整洁，日结日清，督查问题整改率100%", Decimal("20"))]


@pytest.fixture
def targets(year):
    return [LetterTarget.objects.create(year=year, order=i, text=t, points=p) for i, (t, p) in enumerate(TARGETS, 1)]


@pytest.fixture
def letters(targets, year, admin_user, school_a, school_b):
    letters_generate(year=year, user=admin_user)
    return {letter.unit: letter for letter in ResponsibilityLetter.objects.all()}


@pytest.fixture
def letter_a(letters, school_a):
    return letters[school_a]


@pytest.fixture
def letter_b(letters, school_b):
    return letters[school_b]
