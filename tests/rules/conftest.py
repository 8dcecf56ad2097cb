"""The checks' fixtures (templates, an indicator) for the rules' tests."""
from tests.ledgers.checks.factories import indicator, small_template, template  # noqa: F401
