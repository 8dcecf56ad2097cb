"""Migration ledgers 0004 (and reports 0002) turns a single-bureau database into a one-district
city: a city bureau above, one district named from settings.BUREAU_NAME owning every unit and
record, and no row renumbered."""
import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("ledgers", "0003_versions"), ("reports", "0001_initial")]
AFTER = [("ledgers", "0004_hierarchy"), ("reports", "0002_hierarchy")]


def migrate_to(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture
def an_empty_database(tmp_path):
    """The default connection pointed at an empty database of the test's own, migrated from nothing up to
    BEFORE: taking the shared test database back from the latest migration to 0003 and forward again took
    76 s on SQLite and 89 s on PostgreSQL. The shared database is not touched."""
    saved = dict(connection.settings_dict)
    if connection.vendor == "postgresql":
        name = f"{saved['NAME']}_hierarchy"
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
            cursor.execute(f'CREATE DATABASE "{name}"')
    else:
        name = str(tmp_path / "hierarchy.sqlite3")
    connection.close()
    connection.settings_dict["NAME"] = name
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict.update(saved)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')


@pytest.mark.django_db(transaction=True)
def test_single_bureau_database_becomes_a_one_district_city(settings, an_empty_database):
    settings.BUREAU_NAME = "漯河市郾城区教育局"
    settings.CITY_BUREAU_NAME = "漯河市教育局"
    old = migrate_to(BEFORE)
    try:
        Unit = old.get_model("ledgers", "Unit")
        User = old.get_model("ledgers", "User")
        CampaignYear = old.get_model("ledgers", "CampaignYear")
        Task = old.get_model("ledgers", "Task")
        Bulletin = old.get_model("ledgers", "Bulletin")
        Indicator = old.get_model("ledgers", "Indicator")
        CheckTemplate = old.get_model("ledgers", "CheckTemplate")
        LetterTarget = old.get_model("ledgers", "LetterTarget")
        PublishedReport = old.get_model("reports", "PublishedReport")
        # Ids with gaps, so that renumbering would show.
        office = Unit.objects.create(pk=7, name="局办公室（文明办）", kind="section", code="bgs")
        school = Unit.objects.create(pk=42, name="郾城区第一实验小学", kind="school", code="school01")
        admin = User.objects.create(pk=11, username="admin", role="admin", unit=office)
        User.objects.create(pk=12, username="liaison", role="liaison", unit=school)
        year = CampaignYear.objects.create(pk=3, year=2026, is_current=True)
        indicator = Indicator.objects.create(pk=90, year=year, code="1.1", title="组织领导", sort_key="0001.0001")
        task = Task.objects.create(pk=55, year=year, title="成立领导小组", deadline=datetime.date(2026, 3, 1),
                                   indicator=indicator)
        template = CheckTemplate.objects.create(pk=5, year=year, name="常规督查表")
        bulletin = Bulletin.objects.create(pk=8, year=year, iso_year=2026, iso_week=10, created_by=admin)
        target = LetterTarget.objects.create(pk=4, year=year, text="成立文明创建领导小组")
        report = PublishedReport.objects.create(pk=6, period="2026-03", title="3月分析小结", pdf="a.pdf",
                                                xlsx="a.xlsx", published_by=admin)
    finally:
        new = migrate_to(AFTER)
    Bureau = new.get_model("ledgers", "Bureau")
    city = Bureau.objects.get(kind="city")
    district = Bureau.objects.get(kind="district")
    assert (city.name, district.name, district.short_name) == ("漯河市教育局", "漯河市郾城区教育局", "郾城区")
    assert district.parent_id == city.pk
    Unit = new.get_model("ledgers", "Unit")
    assert sorted(Unit.objects.values_list("pk", "bureau_id")) == [(7, district.pk), (42, district.pk)]
    User = new.get_model("ledgers", "User")
    assert sorted(User.objects.values_list("pk", "unit_id")) == [(11, 7), (12, 42)]
    for model, pk in [("Task", task.pk), ("Bulletin", bulletin.pk), ("Indicator", indicator.pk),
                      ("CheckTemplate", template.pk), ("LetterTarget", target.pk)]:
        assert new.get_model("ledgers", model).objects.get(pk=pk).bureau_id == district.pk, model
    assert new.get_model("ledgers", "Task").objects.get(pk=55).indicator_id == 90
    assert new.get_model("reports", "PublishedReport").objects.get(pk=report.pk).bureau_id == district.pk
