import pytest

from tests.ledgers.surveys.factories import make_bank, make_round


@pytest.fixture
def bank(db):
    return make_bank()


@pytest.fixture
def survey_round(year, admin_user, school_a, school_b, bank):
    return make_round(admin_user, [school_a, school_b], bank, year=year)


@pytest.fixture
def link_a(survey_round, school_a):
    return survey_round.survey_units.get(unit=school_a)


@pytest.fixture
def link_b(survey_round, school_b):
    return survey_round.survey_units.get(unit=school_b)


@pytest.fixture
def same_minute(monkeypatch):
    """Every answer of the test arrives in the same minute (the middle of this one): the per-address
    count is by the minute and must not turn over while a test counts."""
    from django.utils import timezone

    from ledgers.services import surveys

    now = timezone.now().replace(second=30, microsecond=0)
    monkeypatch.setattr(surveys, "clock", lambda: now)
    return now
