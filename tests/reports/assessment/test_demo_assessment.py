"""The demo year's assessment: every active unit has a score, and the demo liaison has points to win back."""
import pytest
from django.core.management import call_command

from ledgers.models import AssessmentScheme, CampaignYear, IndicatorRule, User
from reports.assessment import assessment, unit_sheet

pytestmark = pytest.mark.django_db


def test_demo_scheme_scores_every_unit_and_shows_missing_points():
    call_command("load_demo")
    year = CampaignYear.objects.current()
    scheme = AssessmentScheme.objects.get(year=year)
    assert IndicatorRule.objects.filter(scheme=scheme).values("kind").distinct().count() == 6
    result = assessment(year)
    assert result.rows and all(r.percent is not None for r in result.rows)
    assert len({r.percent for r in result.rows}) > 5  # scores differ between units
    liaison = User.objects.get(username="liaison")
    sheet = unit_sheet(year, liaison.unit)
    assert 0 < sheet.row.total < sheet.row.full
    assert any(a.fixable for a in sheet.actions)
    call_command("load_demo")
    assert AssessmentScheme.objects.count() == 1
