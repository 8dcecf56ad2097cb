"""Background documents keep to one bureau (city → district): a district's admin gets only their
district's units; the city's roles choose a district with ?bureau= and get that district's; the
job re-checks the bureau against the starting user when it runs."""
import io
import zipfile
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from ledgers.models import ActivityCategory, LetterTarget, ResponsibilityLetter
from ledgers.services.activities import activity_submit
from ledgers.services.letters import letters_generate
from ledgers.services.problems import problem_raise
from reports.jobs import start_job
from reports.models import Job, JobStatus, PublishedReport
from tests.ledgers.activities.conftest import add_photo, make_activity
from tests.reports.jobs.support import export_through_job, file_of, run_jobs_inline

from .conftest import pdf_text

pytestmark = pytest.mark.usefixtures("run_jobs")


@pytest.fixture
def district2_archive(year, school_c, liaison3):
    category = ActivityCategory.objects.ensure_defaults().get(name="学雷锋志愿服务")
    activity = make_activity(school_c, liaison3, category, year, title="源汇区学雷锋活动", date=date(2026, 4, 8))
    add_photo(activity, liaison3, caption="源汇区照片", name="IMG_0001.jpg")
    activity_submit(activity=activity, user=liaison3)
    return activity


def zip_names(data):
    return zipfile.ZipFile(io.BytesIO(data)).namelist()


def folders(data):
    return {name.split("/", 1)[0] for name in zip_names(data) if "/" in name}


# --- the bureau binder -------------------------------------------------------------------------

def test_a_district_admins_bureau_binder_has_only_their_districts_units(
        client_for, district2_admin, school_a, school_b, school_c, archives, district2_archive):
    job, data = export_through_job(client_for(district2_admin), reverse("reports:bureau_binder"), {"year": 2026})
    assert school_c.name in folders(data) and not folders(data) & {school_a.name, school_b.name}
    assert all("源汇区" in folder for folder in folders(data))  # its school and its office
    assert "源汇区" in job.title and "源汇区" in job.file_name


def test_a_city_user_chooses_a_district_with_bureau(
        client_for, city_admin, district, school_a, school_b, school_c, archives, district2_archive):
    client = client_for(city_admin)
    page = client.get(reverse("reports:bureau_binder"), {"bureau": district.pk}).content.decode()
    assert f'value="{district.pk}" selected' in page  # the district select shows the choice
    _job, data = export_through_job(client, reverse("reports:bureau_binder"), {"year": 2026, "bureau": district.pk})
    assert {school_a.name, school_b.name} <= folders(data) and school_c.name not in folders(data)


def test_a_district_user_asking_for_another_district_gets_404(client_for, district2_admin, district, archives):
    client = client_for(district2_admin)
    url = reverse("reports:bureau_binder")
    assert client.get(url, {"bureau": district.pk}).status_code == 404
    assert client.post(f"{url}?bureau={district.pk}").status_code == 404
    assert client.post(url, {"year": 2026, "bureau": district.pk}).status_code == 404
    assert not Job.objects.exists()


def test_the_job_checks_the_bureau_again_when_it_runs(city_admin, district, school_a, archives):
    job, _joined = start_job(user=city_admin, kind="bureau_binder", params={"year": 2026, "bureau": district.pk})
    # Moved to a district office between the click and the run: the city's choice no longer applies.
    from ledgers.models import Bureau, BureauKind, Unit, UnitKind

    other = Bureau.objects.create(name="漯河市召陵区教育局", short_name="召陵区", code="zl", kind=BureauKind.DISTRICT,
                                  parent=district.parent)
    city_admin.unit = Unit.objects.create(name="召陵区办公室", kind=UnitKind.SECTION, code="zl-bgs", bureau=other)
    city_admin.save()
    run_jobs_inline()
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and not job.file


# --- all letters of a year ---------------------------------------------------------------------

@pytest.fixture
def letters_both(year, admin_user, district2_admin, district, district2, school_a, school_b, school_c):
    for bureau, user in ((district, admin_user), (district2, district2_admin)):
        LetterTarget.objects.create(year=year, order=1, text=f"{bureau.short_name}年度目标", points=10, bureau=bureau)
        letters_generate(year=year, user=user)
    return ResponsibilityLetter.objects.all()


def test_a_district_admins_letters_pdf_has_only_their_districts_letters(
        client_for, district2_admin, district2, school_a, school_b, school_c, letters_both):
    job, data = export_through_job(client_for(district2_admin), reverse("reports:letter_year_pdf"), {"year": 2026})
    text = pdf_text(data)
    assert school_c.name in text and district2.name in text
    assert school_a.name not in text and school_b.name not in text
    assert "漯河市源汇区教育局" in job.title


def test_a_city_user_gets_a_districts_letters_with_bureau(
        client_for, city_admin, district, school_a, school_b, school_c, letters_both):
    _job, data = export_through_job(client_for(city_admin), reverse("reports:letter_year_pdf"),
                                    {"year": 2026, "bureau": district.pk})
    text = pdf_text(data)
    assert school_a.name in text and school_b.name in text and school_c.name not in text
    assert district.name in text  # 甲方 is the letter's unit's bureau


def test_one_letter_prints_its_units_bureau(client_for, district2_admin, district2, school_c, letters_both):
    letter = ResponsibilityLetter.objects.get(unit=school_c)
    response = client_for(district2_admin).get(reverse("reports:letter_pdf", args=[letter.pk]))
    assert district2.name in pdf_text(response.content)


# --- the rectification ledger's Excel -----------------------------------------------------------

@pytest.fixture
def problems_both(year, inspector, district2_inspector, school_a, school_b, school_c):
    deadline = timezone.localdate() + timedelta(days=7)
    for user, unit in ((inspector, school_a), (inspector, school_b), (district2_inspector, school_c)):
        problem_raise(user=user, unit=unit, description=f"{unit.name}操场有垃圾", deadline=deadline)


def sheet_text(data):
    sheet = load_workbook(io.BytesIO(data)).active
    return "\n".join(str(cell) for row in sheet.iter_rows(values_only=True) for cell in row if cell)


def test_a_district_admins_problem_export_has_only_their_districts_units(
        client_for, district2_admin, district2, school_a, school_b, school_c, problems_both):
    client = client_for(district2_admin)
    _job, data = export_through_job(client, reverse("reports:problem_export"))
    text = sheet_text(data)
    assert school_c.name in text and school_a.name not in text and school_b.name not in text
    assert district2.name in text  # the heading names the bureau
    inline = client.get(reverse("reports:problem_export"))  # a small export answers at once
    assert sheet_text(inline.content) == text


def test_a_city_user_exports_a_districts_problems_with_bureau(
        client_for, city_admin, district, school_a, school_b, school_c, problems_both):
    client = client_for(city_admin)
    job, data = export_through_job(client, reverse("reports:problem_export"), {"bureau": district.pk})
    text = sheet_text(data)
    assert school_a.name in text and school_b.name in text and school_c.name not in text
    assert job.params["bureau"] == str(district.pk) and district.name in text
    whole = sheet_text(export_through_job(client, reverse("reports:problem_export"))[1])
    assert school_c.name in whole and school_a.name in whole  # without ?bureau= the city sees all


def test_a_district_user_cannot_export_another_districts_problems(client_for, district2_admin, district, problems_both):
    client = client_for(district2_admin)
    assert client.post(reverse("reports:problem_export") + f"?bureau={district.pk}").status_code == 404
    assert client.get(reverse("reports:problem_export"), {"bureau": district.pk}).status_code == 404


# --- monthly summary jobs -----------------------------------------------------------------------

def test_the_monthly_pdf_job_of_a_district_covers_that_district(city_admin, district, school_a, school_c, client_for):
    month = f"{timezone.localdate():%Y-%m}"
    job, _ = start_job(user=city_admin, kind="monthly_pdf", params={"month": month, "bureau": district.pk})
    run_jobs_inline()
    job.refresh_from_db()
    text = pdf_text(file_of(client_for(city_admin), job))
    assert school_a.name in text and school_c.name not in text and district.name in job.title


def test_monthly_publish_only_by_the_bureaus_own_admin(client_for, city_admin, district2_admin, district2, district,
                                                       school_c):
    month = f"{timezone.localdate():%Y-%m}"
    url = reverse("reports:monthly_publish", args=[month])
    # The city's admin reads a district's summary but does not publish it.
    assert client_for(city_admin).post(f"{url}?bureau={district.pk}").status_code == 403
    # The district's admin publishes their own; the report belongs to their district.
    response = client_for(district2_admin).post(url)
    assert response.status_code == 302
    run_jobs_inline()
    report = PublishedReport.objects.get()
    assert report.bureau == district2 and report.unit is None
    job = Job.objects.get(kind="monthly_publish")
    assert job.status == JobStatus.DONE and job.result_url == reverse("reports:monthly", args=[month])
    assert district2.name in job.title


def test_the_list_pages_buttons_keep_the_chosen_district(client_for, city_admin, district, letters_both):
    client = client_for(city_admin)
    letters = client.get(reverse("ledgers:letter_list"), {"year": 2026, "bureau": district.pk}).content.decode()
    assert f"{reverse('reports:letter_year_pdf')}?year=2026&amp;bureau={district.pk}" in letters
    activities = client.get(reverse("ledgers:activity_list"), {"bureau": district.pk}).content.decode()
    assert f"bureau={district.pk}\" data-testid=\"bureau-binder\"" in activities


# --- bulletins ---------------------------------------------------------------------------------

def test_each_districts_published_bulletin_keeps_its_own_pdf_with_its_own_bureau_name(
        client_for, admin_user, district2_admin, city_admin, district, district2, school_a, school_c, year):
    from ledgers.services import bulletins as service

    week = timezone.localdate().isocalendar()
    made = {}
    for user in (admin_user, district2_admin):
        bulletin = service.bulletin_create(user=user, iso_year=week[0], iso_week=week[1])
        # Only the bulletin's own bureau's admin publishes it.
        other = district2_admin if user is admin_user else admin_user
        assert client_for(other).post(reverse("reports:bulletin_publish", args=[bulletin.pk])).status_code == 404
        assert client_for(city_admin).post(reverse("reports:bulletin_publish", args=[bulletin.pk])).status_code in (403, 404)
        assert client_for(user).post(reverse("reports:bulletin_publish", args=[bulletin.pk])).status_code == 302
        run_jobs_inline()
        bulletin.refresh_from_db()
        assert bulletin.is_published and bulletin.number == 1  # numbered per bureau
        made[user.bureau_id] = bulletin
    assert {r.bureau_id for r in PublishedReport.objects.all()} == {district.pk, district2.pk}
    for bureau, other in ((district, district2), (district2, district)):
        bulletin = made[bureau.pk]
        text = pdf_text(client_for(city_admin).get(reverse("reports:bulletin_pdf", args=[bulletin.pk])).content)
        assert bureau.name in text and other.name not in text
