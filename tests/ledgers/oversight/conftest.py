"""Fixtures of 领导包抓 · 督导组包督查: schools, leaders and inspectors of district 1, and a hand-built
week of checks (ISO week 2026-W10, Monday 2 March; "today" is its Wednesday)."""
import datetime

import pytest

from ledgers.models import Role, Unit, UnitKind
from ledgers.services import oversight as service
from tests.conftest import make_user
from tests.ledgers.checks.factories import *  # noqa: F401,F403 (indicator, template, jpeg, make_check …)

WEDNESDAY = datetime.date(2026, 3, 4)


def make_school(name, code, order, bureau=None):
    return Unit.objects.create(name=name, kind=UnitKind.SCHOOL, code=code, sort_order=order,
                               **({"bureau": bureau} if bureau else {}))


@pytest.fixture
def schools(school_a, school_b):
    """Four schools of district 1 in unit order: school_a, school_b, 第三实验小学, 实验中学."""
    return [school_a, school_b, make_school("郾城区第三实验小学", "school03", 3), make_school("郾城区实验中学", "school04", 4)]


@pytest.fixture
def leader2(section):
    return make_user("leader2", Role.LEADER, section, "张爱华")


@pytest.fixture
def group(year, admin_user, inspector):
    return service.group_save(user=admin_user, year=year, name="第一督导组", rhythm="weekly", members=[inspector])
