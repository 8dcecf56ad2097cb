"""Fixtures of the 问责 tests: district 1's schools (tests/conftest.py) and the check factories."""
from tests.ledgers.checks.factories import *  # noqa: F401,F403 (indicator, template, jpeg, make_problem …)
