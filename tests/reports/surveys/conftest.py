from tests.ledgers.surveys.conftest import bank, link_a, link_b, survey_round  # noqa: F401
