"""Fixtures of the problems tests (shared builders live in tests/ledgers/checks/factories.py)."""
from tests.ledgers.checks.factories import *  # noqa: F401,F403
