"""The assessment in the city → district hierarchy: each bureau's scheme, scores and ranking are
its own; another district's are 404; the city reads a district's ranking with ?bureau=."""
import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from openpyxl import load_workbook
from pypdf import PdfReader

from ledgers.models import Adjustment, AssessmentScheme, Indicator, IndicatorRule, ManualScore
from ledgers.services import assessment as service
from ledgers.services.tasks import MoveRefused
from reports.models import PublishedReport, ReportKind

URL = "/reports/assessment/2026/"
END = "as_of=2026-12-31"
SECRET = "郾城区第一实验小学"  # units["A"], district 1


@pytest.fixture
def district2_scheme(year, district2, district2_admin, school_c):
    """District 2's own scheme: one task rule on its own indicator."""
    indicator = Indicator.objects.create(year=year, bureau=district2, code="9", title="源汇区特色", points=10)
    scheme = service.scheme_for(year=year, user=district2_admin, create=True)
    service.rule_save(scheme=scheme, indicator=indicator, user=district2_admin, kind="letter",
                      unit_kinds=["school", "section"])
    return scheme


def test_a_district2_admin_cannot_open_or_edit_district1_scheme(client_for, scored_year, scheme, indicators,
                                                                 district, district2_admin, district2_scheme):
    client = client_for(district2_admin)
    assert client.get(f"/assessment/scheme/?year=2026&bureau={district.pk}").status_code == 404
    assert client.get(f"/assessment/adjustments/?year=2026&bureau={district.pk}").status_code == 404
    # Their own scheme page shows their own indicator, not district 1's.
    html = client.get("/assessment/scheme/?year=2026").content.decode()
    assert "源汇区特色" in html and "我们的节日" not in html
    # District 1's own indicator: 404, and district 1's rule is unchanged.
    response = client.post(f"/assessment/rules/{indicators['3.1'].pk}/",
                           {f"i{indicators['3.1'].pk}-kind": "", f"i{indicators['3.1'].pk}-unit_kinds": "school"})
    assert response.status_code == 404
    assert IndicatorRule.objects.filter(scheme=scheme, indicator=indicators["3.1"]).exists()
    # Thresholds go to their own scheme only.
    client.post("/assessment/scheme/thresholds/?year=2026", {"excellent": "95", "good": "85", "passing": "70"})
    scheme.refresh_from_db()
    district2_scheme.refresh_from_db()
    assert scheme.excellent == Decimal(90) and district2_scheme.excellent == Decimal(95)
    with pytest.raises(MoveRefused):
        service.scheme_update(scheme=scheme, user=district2_admin, excellent=50, good=40, passing=30)


def test_a_district2_admin_cannot_touch_district1_manual_scores_or_adjustments(
        client_for, scored_year, scheme, district2_admin, district2_scheme):
    client = client_for(district2_admin)
    adjustment = Adjustment.objects.filter(scheme=scheme).first()
    manual = ManualScore.objects.filter(rule__scheme=scheme).first()
    assert client.post(f"/assessment/adjustments/{adjustment.pk}/delete/").status_code == 404
    assert Adjustment.objects.filter(pk=adjustment.pk).exists()
    assert client.get(f"/assessment/adjustments/{adjustment.pk}/file/").status_code == 404
    assert client.get(f"/assessment/manual/{manual.pk}/file/").status_code == 404
    # Their adjustments page lists none of district 1's items nor units.
    html = client.get("/assessment/adjustments/?year=2026").content.decode()
    assert SECRET not in html
    # Typing a district-1 unit's id into the form is refused; nothing is added.
    before = Adjustment.objects.count()
    response = client.post("/assessment/adjustments/?year=2026", {
        "adj-unit": scored_year["A"].pk, "adj-kind": "bonus", "adj-points": "5", "adj-reason": "越权加分",
        "adj-date": "2026-12-01"})
    assert response.status_code in (400, 404)
    assert Adjustment.objects.count() == before
    # The services refuse too, whatever the caller.
    rule = IndicatorRule.objects.get(scheme=scheme, kind="manual")
    with pytest.raises((MoveRefused, ValidationError)):
        service.manual_score_save(rule=rule, unit=scored_year["A"], user=district2_admin, score=1, reason="越权",
                                  date=None)
    with pytest.raises((MoveRefused, ValidationError)):
        service.adjustment_add(scheme=district2_scheme, unit=scored_year["A"], user=district2_admin, kind="bonus",
                               points=1, reason="越权", date=scheme.updated_at.date())


def test_the_city_admin_scores_only_the_citys_own_units(scored_year, scheme, city_admin, city_office, year):
    with pytest.raises(MoveRefused):
        service.adjustment_add(scheme=scheme, unit=scored_year["A"], user=city_admin, kind="bonus", points=1,
                               reason="越级", date=scheme.updated_at.date())
    city_scheme = service.scheme_for(year=year, user=city_admin, create=True)
    assert city_scheme.bureau_id == city_office.bureau_id
    item = service.adjustment_add(scheme=city_scheme, unit=city_office, user=city_admin, kind="bonus", points=1,
                                  reason="市直表彰", date=scheme.updated_at.date())
    assert item.unit == city_office


def test_a_district2_ranking_lists_no_district1_unit(client_for, scored_year, district, district2_admin,
                                                      district2_scheme, school_c):
    client = client_for(district2_admin)
    html = client.get(f"{URL}?{END}").content.decode()
    assert "源汇区第一实验小学" in html and SECRET not in html
    assert client.get(f"{URL}?{END}&bureau={district.pk}").status_code == 404
    book = load_workbook(io.BytesIO(client.get(f"/reports/assessment/2026.xlsx?{END}").content), read_only=True)
    cells = " ".join(str(c) for sheet in book for row in sheet.iter_rows(values_only=True) for c in row if c)
    assert "源汇区第一实验小学" in cells and SECRET not in cells
    pdf = client.get(f"/reports/assessment/2026.pdf?{END}").content
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert school_c.bureau.name in text and SECRET not in text


def test_the_city_sees_a_districts_ranking_with_the_bureau_parameter(client_for, scored_year, district,
                                                                     city_inspector, district2_scheme):
    client = client_for(city_inspector)
    html = client.get(f"{URL}?{END}&bureau={district.pk}").content.decode()
    assert SECRET in html and "85.0" in html and "源汇区第一实验小学" not in html
    # Without ?bureau= the city's own units (none of district 1's).
    assert SECRET not in client.get(f"{URL}?{END}").content.decode()
    # The district's scheme reads, without the forms that change it.
    page = client.get(f"/assessment/scheme/?year=2026&bureau={district.pk}").content.decode()
    assert "我们的节日" in page and "保存分数线" not in page


def test_publishing_belongs_to_the_bureau(client_for, scored_year, admin_user, district, city_admin,
                                          district2_admin, district2_scheme):
    assert client_for(admin_user).post(f"{URL}publish/", {"as_of": "2026-12-31"}).status_code == 302
    report = PublishedReport.objects.get(kind=ReportKind.ASSESSMENT, unit=None)
    assert report.bureau_id == district.pk
    # District 2's admin neither sees it nor publishes one of district 1's units.
    assert client_for(district2_admin).get(f"/reports/published/{report.pk}.pdf").status_code == 404
    response = client_for(district2_admin).post(f"{URL}publish/", {"unit": scored_year["A"].pk})
    assert response.status_code == 404
    # The city admin may read district 1's units but not publish their sheets.
    assert client_for(city_admin).post(f"{URL}publish/", {"unit": scored_year["A"].pk}).status_code in (403, 404)
    assert PublishedReport.objects.filter(kind=ReportKind.ASSESSMENT).count() == 1


def test_each_unit_is_scored_under_its_own_bureaus_scheme(scored_year, year, district2_scheme, school_c,
                                                          liaison3):
    from reports.assessment import unit_sheet

    sheet = unit_sheet(year, school_c, as_of=year_end(year))
    assert sheet.assessment.scheme == district2_scheme
    assert [n.code for n in sheet.assessment.nodes if n.rule] == ["9"]
    a = unit_sheet(year, scored_year["A"], as_of=year_end(year))
    assert a.assessment.scheme.bureau_id == scored_year["A"].bureau_id
    assert "9" not in [n.code for n in a.assessment.nodes]
    assert AssessmentScheme.objects.filter(year=year).count() == 2


def year_end(year):
    import datetime

    return datetime.date(year.year, 12, 31)
