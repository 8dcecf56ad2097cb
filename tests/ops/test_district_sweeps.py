"""Sweeps of the city hierarchy (市 → 区县 → 单位) over every URL of ledgers/urls.py and
reports/urls.py, so pages added later are covered too:

- a user of district 2 (admin, inspector, leader) who types the URL of any district-1 record —
  page, photo, file, PDF, export — gets 404, by GET or POST, and nothing changes;
- on every page without an id, with another district's unit or bureau in the query string, a
  district-2 admin never sees a district-1 unit's name (lists, filters, forms' choices, exports);
- the city's inspector and admin open every district-1 record (they read every district), but
  their POST to it is 404 and changes nothing (they act only on what the city owns);
- a liaison is unchanged (tests/ops/test_url_sweeps.py).

A new URL with an `<int:pk>` needs an entry in RECORDS (test_url_sweeps.py) or REPORT_RECORDS
below, or the sweep fails and says so.
"""
import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from ledgers import urls as ledger_urls
from ledgers.models import Role
from reports import monthly as monthly_service
from reports import urls as report_urls
from reports.jobs import start_job
from reports.summaries import Month
from tests.conftest import make_user
from tests.ops.test_url_sweeps import PK_PATTERNS, POST_DATA, RECORDS, make_records, snapshot, url_of
from tests.shared import (admin_user, base_objects, fresh, indicator, inspection_office, inspector,  # noqa: F401
                          liaison2, media_location, module_db, school_a, school_b, section, shared_fixture, template,
                          year)

REPORT_PATTERNS = {p.name: p for p in report_urls.urlpatterns}
REPORT_PK_PATTERNS = sorted(name for name, p in REPORT_PATTERNS.items() if "pk" in p.pattern.converters)
REPORT_RECORDS = {
    "published_file": ("published", {"fmt": "pdf"}),
    "letter_pdf": ("letter", {}), "bulletin_pdf": ("bulletin", {}), "bulletin_publish": ("bulletin", {}),
    "login_slips": ("import_upload", {}),
    "job_detail": ("job", {}), "job_status": ("job", {}), "job_file": ("job", {}), "job_retry": ("job", {}),
    "robot_test": ("webhook", {}),
    "survey_poster": ("survey", {}), "survey_responses": ("survey", {}),
}
# Records private to the user who made them (a download, an import), not to a bureau: nobody
# else opens them, the city included.
PRIVATE = {"login_slips", "job_detail", "job_status", "job_file", "job_retry",
           "import_map", "import_preview", "import_run", "import_done", "notification_open"}

# Pages that are forms for changing a record (GET shows the form): the city does not get them.
EDIT_PAGES = {"task_edit", "activity_edit", "check_edit", "check_correct", "template_edit", "group_edit",
              "question_edit", "survey_edit"}

# Records the city itself keeps: a district (its names, its admins). The city's POST to them is its
# own business (the form below is refused for want of a name: still nothing changes).
CITY_KEEPS = {"district_detail", "district_admin_add"}

# Downloads whose fixed example text happens to name 郾城区 schools (no data from the database).
FIXED_EXAMPLES = {"import_template"}

# What a district-1 record's page shows that a district-2 user must never see.
SECRET = "郾城区第二实验小学"


@shared_fixture
def shared_records():
    """The ledgers records of school_b (district 1) plus its published monthly summary, and the
    users and units they belong to, made once for this module's tests (tests/shared.py: each test
    runs in a savepoint of the module's transaction)."""
    base = base_objects()
    records = make_records(**{key: base[key] for key in (
        "year", "admin_user", "inspector", "liaison2", "school_a", "school_b", "template", "indicator")})
    admin_user, school_b = base["admin_user"], base["school_b"]
    month = Month.containing(timezone.localdate())
    published = monthly_service.monthly_publish(user=admin_user, month=month, unit=school_b)
    job, _joined = start_job(user=admin_user, kind="binder_zip", params={"unit": school_b.pk})
    return {**base, "records": {**records, "published": published, "job": job}}


@pytest.fixture
def city_records(db, shared_records):
    """The shared records, each read again for this test."""
    return {key: fresh(obj) for key, obj in shared_records["records"].items()}


def all_pk_urls(city_records):
    urls = [(name, url_of(name, city_records)) for name in PK_PATTERNS]
    for name in REPORT_PK_PATTERNS:
        key, extra = REPORT_RECORDS[name]
        urls.append((name, reverse(f"reports:{name}", kwargs={"pk": city_records[key].pk, **extra})))
    return urls


def get_or_post(client, url):
    response = client.get(url)
    if response.status_code == 405:  # a POST-only move: try it the way a form would
        response = client.post(url, POST_DATA)
    return response


def test_every_report_url_with_a_pk_has_a_record_for_the_sweeps():
    missing = sorted(set(REPORT_PK_PATTERNS) - set(REPORT_RECORDS))
    assert not missing, f"add these URL names to REPORT_RECORDS in {__file__}: {missing}"
    missing = sorted(set(PK_PATTERNS) - set(RECORDS))
    assert not missing, f"add these URL names to RECORDS in tests/ops/test_url_sweeps.py: {missing}"


@pytest.fixture
def district2_users(district2_office):
    return [make_user("d2-admin", Role.ADMIN, district2_office), make_user("d2-inspector", Role.INSPECTOR,
                                                                            district2_office),
            make_user("d2-leader", Role.LEADER, district2_office)]


def test_a_district2_user_gets_404_for_every_district1_record(city_records, district2_users, client_for):
    before = snapshot()
    for user in district2_users:
        client = client_for(user)
        # The district's admin may use every page, so any refusal is the district wall (404);
        # an inspector or leader may also meet a page their role may not use (403).
        refused = (404,) if user.role == Role.ADMIN else (403, 404)
        for name, url in all_pk_urls(city_records):
            response = get_or_post(client, url)
            assert response.status_code in refused, (user.username, name, url, response.status_code)
            response = client.post(url, POST_DATA)
            assert response.status_code in (403, 404, 405), (user.username, name, "POST", response.status_code)
    assert snapshot() == before


def test_the_city_reads_every_district1_record_but_changes_none(city_records, city_admin, city_inspector,
                                                                client_for):
    before = snapshot()
    for user in (city_inspector, city_admin):
        client = client_for(user)
        for name, url in all_pk_urls(city_records):
            if name in PRIVATE:
                continue
            response = client.get(url)
            if response.status_code == 405:
                continue  # POST-only moves: below
            if name in EDIT_PAGES:  # forms for changing a record: only its own bureau opens them
                assert response.status_code in (403, 404), (user.username, name, response.status_code)
                continue
            # Never the district wall (404); 403 only for a page the role itself may not use.
            assert response.status_code in (200, 302, 403), (user.username, name, url, response.status_code)
            if user.role == Role.ADMIN:
                assert response.status_code != 403, (name, url)
            if response.status_code == 302:  # e.g. a draft that only its bureau edits
                assert "/accounts/login" not in response["Location"], (name, response["Location"])
        for name, url in all_pk_urls(city_records):
            response = client.post(url, POST_DATA)
            if name in CITY_KEEPS and user.role == Role.ADMIN:
                continue
            assert response.status_code in (403, 404, 405), (user.username, name, "POST", response.status_code)
    assert snapshot() == before


def _plain_urls():
    """Every URL without a pk, ledgers and reports (the month ones for this month)."""
    month = str(Month.containing(timezone.localdate()))
    urls = []
    for namespace, patterns in (("ledgers", ledger_urls.urlpatterns), ("reports", report_urls.urlpatterns)):
        for p in patterns:
            converters = p.pattern.converters
            if "pk" in converters:
                continue
            values = {"month": month, "year": timezone.localdate().year, "kind": "tasks", "fmt": "pdf"}
            kwargs = {name: value for name, value in values.items() if name in converters}
            urls.append((p.name, reverse(f"{namespace}:{p.name}", kwargs=kwargs)))
    return urls


@pytest.mark.parametrize("name,url", _plain_urls())
def test_a_district2_admin_never_sees_a_district1_unit_on_any_page(name, url, city_records, district,
                                                                  district2_admin, school_b, client_for):
    if name in FIXED_EXAMPLES:
        pytest.skip("a blank import template whose example row names sample schools")
    client = client_for(district2_admin)
    before = snapshot()
    for query in ("", f"?unit={school_b.pk}", f"?bureau={district.pk}"):
        response = client.get(url + query)
        assert response.status_code in (200, 302, 403, 404, 405), (name, query, response.status_code)
        if response.status_code == 200:
            body = b"".join(response.streaming_content) if response.streaming else response.content
            if response["Content-Type"].startswith("text/"):
                assert SECRET not in body.decode(), (name, query)
            elif "spreadsheetml" in response["Content-Type"]:
                import io

                from openpyxl import load_workbook

                book = load_workbook(io.BytesIO(body), read_only=True)
                cells = {str(c) for sheet in book for row in sheet.iter_rows(values_only=True) for c in row if c}
                assert SECRET not in " ".join(cells), (name, query)
            elif response["Content-Type"] == "application/pdf":
                import io

                from pypdf import PdfReader

                text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages)
                assert SECRET not in text, (name, query)
    assert snapshot() == before


def test_the_city_drills_into_district1_lists(city_records, district, city_inspector, client_for):
    client = client_for(city_inspector)
    for name in ("problem_list", "check_list", "task_matrix", "activity_list", "letter_list"):
        html = client.get(reverse(f"ledgers:{name}") + f"?bureau={district.pk}").content.decode()
        assert SECRET in html, name


def test_a_district2_admin_cannot_pick_a_district1_unit_in_any_form(city_records, district2_admin, school_b,
                                                                    school_c, client_for):
    client = client_for(district2_admin)
    for url in (reverse("ledgers:task_create"), reverse("ledgers:problem_create"),
                reverse("ledgers:check_create") + f"?template={city_records['template'].pk}",
                reverse("ledgers:user_create"), reverse("ledgers:unit_list"), reverse("ledgers:user_list"),
                reverse("ledgers:oversight_list"), reverse("ledgers:robot_create"), reverse("ledgers:case_list")):
        html = client.get(url).content.decode()
        assert SECRET not in html, url
    # Typing the id into the form anyway is refused.
    today = timezone.localdate()
    response = client.post(reverse("ledgers:problem_create"), {
        "unit": school_b.pk, "description": "越权交办", "deadline": (today + datetime.timedelta(days=3)).isoformat()})
    assert response.status_code == 200 and "越权交办" in response.content.decode()
    assert not school_b.problems.filter(description="越权交办").exists()


def test_a_district2_admin_opening_admin_pages_is_sent_to_the_apps_page_and_gets_404(
        city_records, district2_admin, school_b, admin_user, client_for):
    client = client_for(district2_admin)
    for url in (reverse("admin:ledgers_unit_change", args=[school_b.pk]),
                reverse("admin:ledgers_user_change", args=[admin_user.pk]),
                reverse("admin:ledgers_problem_change", args=[city_records["problem"].pk]),
                reverse("admin:ledgers_task_change", args=[city_records["task"].pk]),
                reverse("admin:ledgers_webhook_change", args=[city_records["webhook"].pk])):
        response = client.get(url, follow=True)
        assert response.status_code == 404, url  # the app's own page, and the district wall
        assert "/admin/" not in response.redirect_chain[-1][0], url


# --- bulletins flow down: the city's published 通报 reach every district ------------------------

@pytest.fixture
def city_bulletins(year, city_inspector, city_admin, school_b):
    """A published city bulletin (its ranking names 郾城区's schools) and a city draft."""
    from ledgers.services import bulletins as bulletin_service
    from reports.jobs.documents import bulletin_publish_and_freeze

    today = timezone.localdate()
    iso_year, iso_week = today.isocalendar()[:2]
    published = bulletin_service.bulletin_create(user=city_inspector, iso_year=iso_year, iso_week=iso_week)
    published = bulletin_publish_and_freeze(bulletin=published, user=city_admin)
    last_week = (today - datetime.timedelta(days=7)).isocalendar()[:2]
    draft = bulletin_service.bulletin_create(user=city_inspector, iso_year=last_week[0], iso_week=last_week[1])
    return published, draft


def test_district_roles_read_the_citys_published_bulletins_and_nothing_more(city_records, city_bulletins,
                                                                            district2_users, liaison3,
                                                                            client_for):
    published, draft = city_bulletins
    district1_bulletin = city_records["bulletin"]
    before = snapshot()
    for user in district2_users:
        client = client_for(user)
        listing = client.get(reverse("ledgers:bulletin_list")).content.decode()
        assert f"/bulletins/{published.pk}/" in listing, user.username
        assert f"/bulletins/{draft.pk}/" not in listing and f"/bulletins/{district1_bulletin.pk}/" not in listing
        assert client.get(reverse("ledgers:bulletin_detail", args=[published.pk])).status_code == 200
        pdf = client.get(reverse("reports:bulletin_pdf", args=[published.pk]))
        assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
        # The city's draft (live city-wide figures) and another district's own stay walled off.
        for bulletin in (draft, district1_bulletin):
            assert client.get(reverse("ledgers:bulletin_detail", args=[bulletin.pk])).status_code == 404
            assert client.get(reverse("reports:bulletin_pdf", args=[bulletin.pk])).status_code == 404
        # Reading is not acting: no edit, no publishing of the city's bulletin.
        assert client.post(reverse("ledgers:bulletin_detail", args=[published.pk]),
                           {"foreword": "改"}).status_code in (403, 404)
        assert client.post(reverse("reports:bulletin_publish", args=[draft.pk])).status_code in (403, 404)
    # A liaison reads no bulletin, the city's included (as before).
    liaison_client = client_for(liaison3)
    for bulletin in (published, draft):
        assert liaison_client.get(reverse("ledgers:bulletin_detail", args=[bulletin.pk])).status_code in (403, 404)
        assert liaison_client.get(reverse("reports:bulletin_pdf", args=[bulletin.pk])).status_code in (403, 404)
    assert snapshot() == before
