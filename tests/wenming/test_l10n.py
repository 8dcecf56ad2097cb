"""wenming.l10n.localize prints what Django's localize prints."""
import datetime
from decimal import Decimal

import pytest
from django.test import override_settings
from django.utils import formats, translation

from wenming.l10n import localize

VALUES = ["第一中学", "", 0, 7, -12, 1234567, True, False, None, 3.25, Decimal("98.50"),
          datetime.date(2026, 11, 30), datetime.datetime(2026, 11, 30, 8, 5)]


@pytest.mark.parametrize("thousands", [False, True])
@pytest.mark.parametrize("language", ["zh-hans", "en", "de"])
def test_the_same_as_djangos_localize(thousands, language):
    with override_settings(USE_THOUSAND_SEPARATOR=thousands), translation.override(language):
        for value in VALUES:
            assert localize(value) == formats.localize(value), value
    # the fast path is really taken for text and whole numbers
    assert localize(1234567) == "1234567" or thousands
