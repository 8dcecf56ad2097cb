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

from tests.conftest import UNITS, make_named_user, make_unit, make_year, settings_for_tests
from tests.ledgers.checks.factories import make_indicator, make_template


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
    year = make_year()
    units = {name: make_unit(name) for name in UNITS}
    indicator = make_indicator(year)
    return {
        "year": year, **units, "indicator": indicator, "template": make_template(year, indicator),
        "admin_user": make_named_user("admin_user", units["section"]),
        "inspector": make_named_user("inspector", units["inspection_office"]),
        "liaison2": make_named_user("liaison2", units["school_b"]),
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
