"""What flows down and up between the city and its districts: the city's indicators and check
templates used by every district (which adds its own beneath), the city's tasks dispatched to
districts (each district assigns them to its units; the city sees progress per district), and
bulletins and summaries at both levels."""
import datetime

from django.urls import reverse
from django.utils import timezone

from ledgers.models import (AssignmentStatus, CheckTemplate, Indicator, Task, TaskAssignment)
from ledgers.services import tasks as task_services
from reports.summaries import Month, monthly_summary


def test_city_indicators_reach_every_district_which_adds_its_own(year, city, district, district2, admin_user,
                                                                  district2_admin, client_for):
    Indicator.objects.create(bureau=city, year=year, code="1", title="市级指标：组织领导")
    Indicator.objects.create(bureau=district, year=year, code="1.9", title="郾城区自设指标")
    html = client_for(district2_admin).get(reverse("ledgers:indicator_list")).content.decode()
    assert "市级指标：组织领导" in html and "郾城区自设指标" not in html
    html = client_for(admin_user).get(reverse("ledgers:indicator_list")).content.decode()
    assert "市级指标：组织领导" in html and "郾城区自设指标" in html


def test_a_district_checks_with_city_templates_but_edits_only_its_own(year, city, district2, district2_admin,
                                                                      client_for):
    city_template = CheckTemplate.objects.create(bureau=city, year=year, name="市统一检查表")
    client = client_for(district2_admin)
    assert "市统一检查表" in client.get(reverse("ledgers:template_list")).content.decode()
    assert client.get(reverse("ledgers:template_edit", args=[city_template.pk])).status_code == 404
    response = client.post(reverse("ledgers:template_create"), {
        "name": "源汇区卫生检查表", "description": "", "is_active": "on",
        "items-TOTAL_FORMS": "1", "items-INITIAL_FORMS": "0", "items-MIN_NUM_FORMS": "1",
        "items-MAX_NUM_FORMS": "1000", "items-0-title": "教室卫生", "items-0-max_points": "10",
        "items-0-standard": "", "items-0-indicator": "", "items-0-sort_order": "1"})
    assert response.status_code == 302, response.content.decode()[:500]
    assert CheckTemplate.objects.get(name="源汇区卫生检查表").bureau == district2


def test_city_task_is_dispatched_assigned_by_each_district_and_followed_by_the_city(
        year, city_admin, city_office, district, district2, admin_user, district2_admin, school_a, school_c,
        liaison3, client_for):
    deadline = timezone.localdate() + datetime.timedelta(days=10)
    task = task_services.task_save(task=Task(year=year, title="全市统一开展文明校园创建", deadline=deadline),
                                   units=[city_office], user=city_admin)
    assert task.bureau.is_city
    city = client_for(city_admin)
    response = city.post(reverse("ledgers:task_dispatch", args=[task.pk]),
                         {"district": [district.pk, district2.pk]})
    assert response.status_code == 302
    copies = {t.bureau_id: t for t in Task.objects.filter(parent=task)}
    assert set(copies) == {district.pk, district2.pk}

    # Each district sees the city's task in its own breakdown table and assigns its units.
    d2 = client_for(district2_admin)
    assert "全市统一开展文明校园创建" in d2.get(reverse("ledgers:task_matrix")).content.decode()
    mine = copies[district2.pk]
    response = d2.post(reverse("ledgers:task_edit", args=[mine.pk]), {
        "number": "", "indicator": "", "title": mine.title, "requirement": "", "lead_unit": "",
        "units": [school_c.pk], "deadline": deadline.isoformat(), "frequency": "once", "version": mine.version})
    assert response.status_code == 302, response.content.decode()[:800]
    # …but cannot hand it to another district's school.
    response = d2.post(reverse("ledgers:task_edit", args=[mine.pk]), {
        "number": "", "indicator": "", "title": mine.title, "requirement": "", "lead_unit": "",
        "units": [school_a.pk], "deadline": deadline.isoformat(), "frequency": "once",
        "version": Task.objects.get(pk=mine.pk).version})
    assert response.status_code == 200
    assert list(TaskAssignment.objects.filter(task=mine).values_list("unit", flat=True)) == [school_c.pk]
    assignment = TaskAssignment.objects.get(task=mine)
    task_services.progress_add(assignment=assignment, user=liaison3, date=timezone.localdate(), content="已开展")
    task_services.assignment_complete(assignment=assignment, user=liaison3)
    assert TaskAssignment.objects.get(pk=assignment.pk).status == AssignmentStatus.DONE

    # The city follows progress per district on its task's page.
    page = city.get(task.get_absolute_url())
    rows = {row["bureau"].pk: row for row in page.context["dispatched"]}
    assert (rows[district2.pk]["units"], rows[district2.pk]["done"]) == (1, 1)
    assert rows[district.pk]["units"] == 0
    assert "待分解" in page.content.decode()
    # The district's copy is the district's: the city reads it but does not change it.
    assert city.get(mine.get_absolute_url()).status_code == 200
    assert city.get(reverse("ledgers:task_edit", args=[mine.pk])).status_code == 404
    # A district cannot dispatch (404: not its task) nor see the city's own task.
    assert d2.post(reverse("ledgers:task_dispatch", args=[task.pk]), {"district": [district2.pk]}).status_code == 404


def test_city_summary_ranks_districts_and_drills_into_one(year, city, district, district2, school_a, school_c,
                                                          city_inspector, admin_user, client_for):
    month = Month.containing(timezone.localdate())
    summary = monthly_summary(month, bureau=city)
    names = [d.bureau for d in summary.districts]
    assert "郾城区" in names and "源汇区" in names
    assert {r.unit for r in summary.rows} >= {school_a.name, school_c.name}
    district_summary = monthly_summary(month, bureau=district)
    assert school_c.name not in {r.unit for r in district_summary.rows}
    client = client_for(city_inspector)
    html = client.get(reverse("reports:monthly", args=[month])).content.decode()
    assert "各区县排名" in html and f"?bureau={district2.pk}" in html
    html = client.get(reverse("reports:monthly", args=[month]) + f"?bureau={district2.pk}").content.decode()
    assert school_c.name in html and school_a.name not in html
    # The district's own summary is unchanged for its users: no district ranking.
    html = client_for(admin_user).get(reverse("reports:monthly", args=[month])).content.decode()
    assert "各区县排名" not in html and school_a.name in html and school_c.name not in html


def test_city_summary_query_count_does_not_grow_with_districts_or_units(year, city, district, school_a,
                                                                         django_assert_max_num_queries):
    from ledgers.models import Bureau, Unit

    month = Month.containing(timezone.localdate())
    with django_assert_max_num_queries(30) as small:
        monthly_summary(month, bureau=city)
    for n in range(4):
        bureau = Bureau.objects.create(name=f"第{n}区教育局", short_name=f"第{n}区", code=f"q{n}", parent=city)
        for k in range(3):
            Unit.objects.create(name=f"第{n}区第{k}小学", kind="school", code=f"q{n}-{k}", bureau=bureau)
    with django_assert_max_num_queries(len(small.captured_queries)):
        summary = monthly_summary(month, bureau=city)
    assert len(summary.districts) == 6  # the city's own units, 郾城区 and the four new districts


def test_bulletins_exist_at_both_levels_each_numbered_and_covering_its_own_units(
        year, city, district, district2, city_admin, city_inspector, inspector, admin_user, school_a, school_c,
        district2_admin, client_for):
    from ledgers.models import Check
    from ledgers.services import bulletins as service

    today = timezone.localdate()
    template = CheckTemplate.objects.create(bureau=city, year=year, name="市统一检查表")
    for unit, total in ((school_a, 90), (school_c, 70)):
        Check.objects.create(year=year, unit=unit, date=today, template=template, total=total, max_total=100,
                             status="submitted", created_by=inspector)
    iso_year, iso_week = today.isocalendar()[:2]
    city_bulletin = service.bulletin_create(user=city_inspector, iso_year=iso_year, iso_week=iso_week)
    district_bulletin = service.bulletin_create(user=inspector, iso_year=iso_year, iso_week=iso_week)
    assert (city_bulletin.bureau, district_bulletin.bureau) == (city, district)
    city_units = [r["unit"] for r in service.bulletin_document(city_bulletin)["ranking"]]
    district_units = [r["unit"] for r in service.bulletin_document(district_bulletin)["ranking"]]
    assert city_units == [school_a.name, school_c.name] and district_units == [school_a.name]
    assert service.bulletin_publish(bulletin=city_bulletin, user=city_admin).number == 1
    assert service.bulletin_publish(bulletin=district_bulletin, user=admin_user).number == 1
    # 源汇区 reads the city's published bulletin (sent to every district), never 郾城区's own; the
    # city reads 郾城区's.
    d2 = client_for(district2_admin)
    assert d2.get(reverse("ledgers:bulletin_detail", args=[district_bulletin.pk])).status_code == 404
    page = d2.get(reverse("ledgers:bulletin_detail", args=[city_bulletin.pk])).content.decode()
    assert "漯河市教育局发布的通报" in page and "漯河市教育局文明创建督导组" in page
    assert client_for(city_inspector).get(
        reverse("ledgers:bulletin_detail", args=[district_bulletin.pk])).status_code == 200
