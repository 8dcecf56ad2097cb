"""Binder tests reuse the activity fixtures."""
from tests.ledgers.activities.conftest import (  # noqa: F401
    activity_a, activity_b, category, indicator, indicator_plain,
)
