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
