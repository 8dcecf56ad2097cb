"""The demo year's assessment: every active unit has a score, and the demo liaison has points to win back."""
import pytest
from django.core.management import call_command

from ledgers.models import AssessmentScheme, Bureau, CampaignYear, IndicatorRule, Unit, User
from reports.assessment import assessment, unit_sheet

pytestmark = pytest.mark.django_db


def test_demo_scheme_scores_every_unit_and_shows_missing_points():
    call_command("load_demo")
    year = CampaignYear.objects.current()
    yancheng = Bureau.objects.get(name__contains="郾城区")
    scheme = AssessmentScheme.objects.get(year=year, bureau=yancheng)
    assert IndicatorRule.objects.filter(scheme=scheme).values("kind").distinct().count() == 6
    result = assessment(year, bureau=yancheng)
    assert {r.unit for r in result.rows} == set(Unit.objects.filter(bureau=yancheng, is_active=True)
                                                .values_list("name", flat=True))
    assert result.rows and all(r.percent is not None for r in result.rows)
    assert len({r.percent for r in result.rows}) > 5  # scores differ between units
    liaison = User.objects.get(username="liaison")
    sheet = unit_sheet(year, liaison.unit)
    assert 0 < sheet.row.total < sheet.row.full
    assert any(a.fixable for a in sheet.actions)
    # The demo's other districts have their own schemes, scoring their own units.
    schemes = AssessmentScheme.objects.filter(year=year)
    assert schemes.count() >= 3
    for other in schemes.exclude(bureau=yancheng).select_related("bureau"):
        rows = assessment(year, bureau=other.bureau).rows
        assert rows and all(Unit.objects.get(name=r.unit).bureau_id == other.bureau_id for r in rows)
    count = schemes.count()
    call_command("load_demo")
    assert AssessmentScheme.objects.count() == count
