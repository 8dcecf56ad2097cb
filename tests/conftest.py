"""Shared fixtures: a small bureau with one user per role and two schools.

`liaison` belongs to school_a and must never see school_b's data (`liaison2`'s unit).
"""
import uuid

import pytest

from ledgers import versions
from ledgers.models import CampaignYear, Role, Unit, UnitKind, User

PASSWORD = "wenming2026"


@pytest.fixture
def media_location(tmp_path):
    """Where a test's stored files go: (MEDIA_ROOT, key prefix in the S3 bucket). A module whose
    tests share records made once (tests/shared.py) shares this too."""
    return tmp_path / "media", f"t/{uuid.uuid4().hex}"


def settings_for_tests(django_settings, media_location):
    """The settings every test runs with, for `media_location`."""
    media_root, prefix = media_location
    values = {"MEDIA_ROOT": media_root}
    storages = django_settings.STORAGES
    if django_settings.STORAGE_BACKEND == "s3":
        # bin/with-seaweedfs: every test keeps its objects under its own key prefix in the shared
        # bucket (as each has its own MEDIA_ROOT on disk), also in the servers and workers it
        # starts (AWS_LOCATION). MEDIA_ROOT is a plain file, so that anything writing media to
        # the local disk fails even as root (no local disk assumed under s3).
        default = storages["default"]
        storages = {**storages, "default": {**default, "OPTIONS": {**default["OPTIONS"], "location": prefix}}}
        if not media_root.exists():
            media_root.write_text("MEDIA_ROOT is not used when STORAGE_BACKEND=s3\n")
    values["STORAGES"] = {
        **storages,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    values["PASSWORD_HASHERS"] = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return values


@pytest.fixture(autouse=True)
def _test_settings(settings, media_location, monkeypatch):
    if settings.STORAGE_BACKEND == "s3":
        monkeypatch.setenv("AWS_LOCATION", media_location[1])
    for name, value in settings_for_tests(settings, media_location).items():
        setattr(settings, name, value)
    # Each test's data is rolled back at its end, so the counters of ledgers.versions go back too:
    # results cached under them must go with it.
    versions.clear()


# The objects the fixtures below make, by fixture name (tests/shared.py makes the same ones once per
# module for the sweeps).
UNITS = {
    "section": ("局办公室（文明办）", UnitKind.SECTION, "bgs"),
    "inspection_office": ("督导室", UnitKind.SECTION, "ddshi"),
    "school_a": ("郾城区第一实验小学", UnitKind.SCHOOL, "school01"),
    "school_b": ("郾城区第二实验小学", UnitKind.SCHOOL, "school02"),
}
USERS = {  # fixture: (username, role, name)
    "admin_user": ("admin", Role.ADMIN, "王建华"),
    "inspector": ("inspector", Role.INSPECTOR, "孙丽娟"),
    "liaison2": ("liaison2", Role.LIAISON, "杨志伟"),
}


def make_year():
    return CampaignYear.objects.create(year=2026, title="2026年度文明创建", is_current=True)


def make_unit(fixture_name):
    name, kind, code = UNITS[fixture_name]
    return Unit.objects.create(name=name, kind=kind, code=code)


@pytest.fixture
def year(db):
    return make_year()


@pytest.fixture
def section(db):
    return make_unit("section")


@pytest.fixture
def inspection_office(db):
    return make_unit("inspection_office")


@pytest.fixture
def school_a(db):
    return make_unit("school_a")


@pytest.fixture
def school_b(db):
    return make_unit("school_b")


def make_user(username, role, unit, name=""):
    user = User(username=username, role=role, unit=unit, name=name or username)
    user.set_password(PASSWORD)
    user.save()
    return user


def make_named_user(fixture_name, unit):
    username, role, name = USERS[fixture_name]
    return make_user(username, role, unit, name)


@pytest.fixture
def admin_user(section):
    return make_named_user("admin_user", section)


@pytest.fixture
def inspector(inspection_office):
    return make_named_user("inspector", inspection_office)


@pytest.fixture
def inspector2(inspection_office):
    return make_user("inspector2", Role.INSPECTOR, inspection_office, "周文斌")


@pytest.fixture
def leader(section):
    return make_user("leader", Role.LEADER, section, "陈志远")


@pytest.fixture
def superuser(db):
    """Whoever installs and keeps the system: the only one the Django admin (/admin/) lets in."""
    user = User(username="root", name="系统管理员", role=Role.ADMIN, is_superuser=True)
    user.set_password(PASSWORD)
    user.save()
    return user


@pytest.fixture
def liaison(school_a):
    return make_user("liaison", Role.LIAISON, school_a, "马晓丽")


@pytest.fixture
def liaison2(school_b):
    return make_named_user("liaison2", school_b)


@pytest.fixture
def client_for(client):
    """client_for(user) -> a test client logged in as that user."""
    from django.test import Client

    def make(user):
        c = Client()
        c.force_login(user)
        return c

    return make


@pytest.fixture
def run_jobs(settings):
    """run_jobs() runs every queued background job with the real worker loop, in this process."""
    from tests.reports.jobs.support import run_jobs_inline

    settings.JOBS_HEARTBEAT_SECONDS = 3600  # no second connection writing beside the test's transaction
    return run_jobs_inline


# --- the city hierarchy (市 → 区县 → 单位) -------------------------------------------------
# Units created without a bureau (every fixture above) join the first district, `district`.
# `district2` is a second district with its own school, admin, inspector and liaison; `city`
# is the city bureau above both, with its own office and the city's admin and inspector.

@pytest.fixture
def district(db):
    from ledgers.models import Bureau

    return Bureau.objects.default_district()


@pytest.fixture
def city(district):
    return district.parent


@pytest.fixture
def district2(city):
    from ledgers.models import Bureau, BureauKind

    return Bureau.objects.create(name="漯河市源汇区教育局", short_name="源汇区", code="yuanhui",
                                 kind=BureauKind.DISTRICT, parent=city, sort_order=2)


def unit_fixture(name, code, bureau_fixture, kind=UnitKind.SECTION):
    """A fixture: the unit `name` in the bureau that the fixture `bureau_fixture` gives."""
    @pytest.fixture
    def fixture(request):
        return Unit.objects.create(name=name, kind=kind, code=code, bureau=request.getfixturevalue(bureau_fixture))
    return fixture


def user_fixture(username, role, unit_from, name):
    """A fixture: the user `username` of the unit that the fixture `unit_from` gives."""
    @pytest.fixture
    def fixture(request):
        return make_user(username, role, request.getfixturevalue(unit_from), name)
    return fixture


city_office = unit_fixture("市教育局文明办", "city-wmb", "city")
district2_office = unit_fixture("源汇区教育局办公室", "yh-bgs", "district2")
school_c = unit_fixture("源汇区第一实验小学", "yh-school01", "district2", kind=UnitKind.SCHOOL)
city_admin = user_fixture("city", Role.ADMIN, "city_office", "市文明办管理员")
city_inspector = user_fixture("city_inspector", Role.INSPECTOR, "city_office", "市督导组")
district2_admin = user_fixture("district2", Role.ADMIN, "district2_office", "源汇区管理员")
district2_inspector = user_fixture("district2_inspector", Role.INSPECTOR, "district2_office", "源汇区督导组")
liaison3 = user_fixture("liaison3", Role.LIAISON, "school_c", "源汇区联络员")


# --- order: the slowest tests first ---------------------------------------------------------
# bin/test shares the tests between two processes (pytest-xdist), which take them in this order.
# The longest (tens of seconds each, from `--durations`) start first, side by side, instead of
# one of them running alone at the end while the other process waits.
SLOW_FIRST = [
    # browser phase
    "tests/browser/test_user_guide.py::test_bin_serve_shows_the_products_own_pages_with_debug_off",
    "tests/browser/test_user_guide.py::test_every_roles_week_as_the_guide_shows_it",
    "tests/browser/test_phone_reports.py::test_report_pages_read_on_a_phone_and_keep_their_content_on_a_desktop",
    "tests/browser/test_journey_capture.py::test_offline_after_three_photos_then_reload_and_the_rest_go_up_by_themselves",
    "tests/browser/test_journey_capture.py::test_ten_large_photos_on_a_slow_uplink_arrive_once_each_with_their_dates",
    "tests/browser/test_journey_downloads.py::test_inspector_builds_the_bureau_binder_in_the_background",
    # the other phases
    "tests/ops/test_backup.py::test_backup_and_restore_round_trip_demo_data_and_files",
    "tests/ops/test_param_sweep.py::test_no_url_answers_junk_query_parameters_with_a_500",
    "tests/ops/test_production.py::test_gunicorn_serves_pages_and_hashed_static_files",
    "tests/ledgers/test_demo.py::test_demo_is_a_believable_city_with_the_readme_logins_and_loads_once",
    "tests/reports/test_print_style.py::test_every_document_prints_like_the_bureaus_own",
    "tests/reports/jobs/test_worker_process.py::test_the_worker_beside_web_requests_writing_at_the_same_time",
    "tests/ops/test_backup_under_load.py::test_a_backup_taken_while_people_work_restores_exactly_its_snapshot",
    "tests/reports/jobs/test_worker_process.py::test_kill_9_mid_job_offers_no_half_file_and_the_job_is_retried",
    "tests/ops/test_two_servers.py::test_two_app_servers_share_photos_sessions_lockouts_and_jobs",
    "tests/ops/test_orphans.py::test_a_worker_killed_mid_upload_leaves_only_what_clean_orphans_removes",
    "tests/reports/jobs/test_worker_process.py::test_stopping_the_worker_twice_hands_its_job_back_to_the_queue",
]


def pytest_collection_modifyitems(items):
    rank = {nodeid: i for i, nodeid in enumerate(SLOW_FIRST)}
    items.sort(key=lambda item: rank.get(item.nodeid, len(rank)))  # stable: the rest keep their order
