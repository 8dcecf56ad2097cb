"""Records made once per test module and shared by its tests, each test still on its own.

The sweeps (tests/ops/test_url_sweeps.py, test_district_sweeps.py) run a hundred-odd tests over
the same records (a task with progress and photos, a letter with its scan, a check, a problem,
a published report ...); making them again for every test was most of the sweeps' time. Here:

- `module_db` opens a transaction before a module's first test that needs the shared records and
  rolls it back after the module's last test. Each test runs inside it in a savepoint of its own
  (pytest-django's `db` nests in the open transaction), rolled back after the test: no test sees
  another's writes, and nothing reaches the next module.
- `media_location` is the module's (one folder, one key prefix in the bucket), so the files of
  the shared records are where each test of the module looks for them.
- the function-scoped fixtures named as tests/conftest.py's (`school_b`, `admin_user`, `year` ...)
  read their row again for each test, so a test that changes an object in memory hands nothing on.

A module opts in by importing these fixtures (see test_url_sweeps.py): `shared_records` builds
what tests/conftest.py's fixtures of the same names would (same names, codes and roles).
"""
import os
import uuid
from unittest import mock

import pytest
from django.db import transaction
from django.test import override_settings

from ledgers.models import CampaignYear, CheckItem, CheckTemplate, Indicator, Role, Unit, UnitKind
from tests.conftest import make_user, settings_for_tests


@pytest.fixture(scope="module")
def media_location(tmp_path_factory):
    return tmp_path_factory.mktemp("shared") / "media", f"t/{uuid.uuid4().hex}"


@pytest.fixture(scope="module")
def module_db(django_db_setup, django_db_blocker, media_location):
    """A transaction around the module's tests, rolled back after the last one. The database
    stays blocked in between, for tests without `db` as everywhere else."""
    from django.conf import settings

    values = settings_for_tests(settings, media_location)
    with override_settings(**values), mock.patch.dict(os.environ, {"AWS_LOCATION": media_location[1]}):
        with django_db_blocker.unblock():
            outer = transaction.atomic()
            outer.__enter__()
        try:
            yield
        finally:
            with django_db_blocker.unblock():
                transaction.set_rollback(True)
                outer.__exit__(None, None, None)


def shared_fixture(build):
    """A module-scoped fixture of what `build()` makes in the module's transaction (`module_db`).
    Tests reach it through function-scoped fixtures that request `db` (see `fresh_fixture`)."""
    @pytest.fixture(scope="module")
    def fixture(module_db, django_db_blocker):
        with django_db_blocker.unblock():
            return build()
    return fixture


def base_objects():
    """What tests/conftest.py's year, section, inspection_office, school_a, school_b, admin_user,
    inspector, liaison2 and tests/ledgers/checks/factories.py's indicator and template make."""
    year = CampaignYear.objects.create(year=2026, title="2026年度文明创建", is_current=True)
    section = Unit.objects.create(name="局办公室（文明办）", kind=UnitKind.SECTION, code="bgs")
    inspection_office = Unit.objects.create(name="督导室", kind=UnitKind.SECTION, code="ddshi")
    school_a = Unit.objects.create(name="郾城区第一实验小学", kind=UnitKind.SCHOOL, code="school01")
    school_b = Unit.objects.create(name="郾城区第二实验小学", kind=UnitKind.SCHOOL, code="school02")
    indicator = Indicator.objects.create(year=year, code="3.2.1", title="校园环境整洁有序", points=5)
    template = CheckTemplate.objects.create(year=year, name="校园环境卫生检查表")
    CheckItem.objects.create(template=template, title="校园环境卫生", max_points=20, indicator=indicator, sort_order=1)
    CheckItem.objects.create(template=template, title="宣传氛围", max_points=15, sort_order=2)
    CheckItem.objects.create(template=template, title="文明礼仪", max_points=15, sort_order=3)
    return {
        "year": year, "section": section, "inspection_office": inspection_office,
        "school_a": school_a, "school_b": school_b, "indicator": indicator, "template": template,
        "admin_user": make_user("admin", Role.ADMIN, section, "王建华"),
        "inspector": make_user("inspector", Role.INSPECTOR, inspection_office, "孙丽娟"),
        "liaison2": make_user("liaison2", Role.LIAISON, school_b, "杨志伟"),
    }


def fresh(obj):
    """The object's row read again (within the current test's savepoint)."""
    return type(obj)._base_manager.get(pk=obj.pk)


def fresh_fixture(key):
    """A function-scoped fixture: `shared_records[key]` read again in the test's own savepoint."""
    @pytest.fixture
    def fixture(db, shared_records):
        return fresh(shared_records[key])
    return fixture


year = fresh_fixture("year")
section = fresh_fixture("section")
inspection_office = fresh_fixture("inspection_office")
school_a = fresh_fixture("school_a")
school_b = fresh_fixture("school_b")
indicator = fresh_fixture("indicator")
template = fresh_fixture("template")
admin_user = fresh_fixture("admin_user")
inspector = fresh_fixture("inspector")
liaison2 = fresh_fixture("liaison2")
