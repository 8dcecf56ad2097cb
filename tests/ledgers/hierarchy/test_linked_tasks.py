"""The city's dispatched tasks are linked: a district's copy keeps its city task, the city's edits
(content, requirement, indicator, deadline, periods …) reach every copy in one transaction, the
district still picks its units (the city's fields are shown as 市局下发, not editable), and the
city withdraws its task only while no district unit has reported progress."""
import datetime

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from ledgers.models import Indicator, Task, TaskAssignment, TaskDeadline
from ledgers.services import tasks as task_services


@pytest.fixture
def dispatched(year, city, city_admin, city_office, district, district2):
    deadline = timezone.localdate() + datetime.timedelta(days=10)
    task = task_services.task_save(task=Task(year=year, title="全市统一开展文明校园创建", requirement="按市局方案开展",
                                             deadline=deadline), units=[city_office], user=city_admin)
    task_services.task_dispatch(task=task, districts=[district, district2], user=city_admin)
    copies = {t.bureau_id: t for t in Task.objects.filter(parent=task)}
    return task, copies


def _edit_form(task, **changes):
    data = {"number": task.number, "indicator": task.indicator_id or "", "title": task.title,
            "requirement": task.requirement, "lead_unit": task.lead_unit_id or "",
            "units": [a.unit_id for a in task.assignments.all()], "deadline": task.deadline.isoformat(),
            "frequency": task.frequency, "version": task.version}
    data.update(changes)
    return data


def test_the_citys_edit_reaches_every_district_copy(dispatched, year, city, city_admin, city_office, district,
                                                    district2, school_c, district2_admin, client_for):
    task, copies = dispatched
    mine = copies[district2.pk]
    task_services.task_save(task=mine, units=[school_c], user=district2_admin)  # the district assigns it
    indicator = Indicator.objects.create(bureau=city, year=year, code="2.1", title="市级指标：文明校园")
    new_deadline = timezone.localdate() + datetime.timedelta(days=30)
    response = client_for(city_admin).post(reverse("ledgers:task_edit", args=[task.pk]), _edit_form(
        task, title="全市统一开展文明校园创建（修订）", requirement="按市局修订方案开展", indicator=indicator.pk,
        deadline=new_deadline.isoformat(), units=[city_office.pk]))
    assert response.status_code == 302, response.content.decode()[:1500]
    for copy in Task.objects.filter(parent=task):
        assert (copy.title, copy.requirement, copy.indicator, copy.deadline) == (
            "全市统一开展文明校园创建（修订）", "按市局修订方案开展", indicator, new_deadline), copy.bureau
    # The district's own choice of units is untouched.
    assert list(TaskAssignment.objects.filter(task=mine).values_list("unit", flat=True)) == [school_c.pk]
    # The district sees the new text, marked as the city's.
    page = client_for(district2_admin).get(mine.get_absolute_url()).content.decode()
    assert "全市统一开展文明校园创建（修订）" in page and "市局下发" in page


def test_period_deadlines_follow_the_city_task(dispatched, year):
    task, copies = dispatched
    due = timezone.localdate() + datetime.timedelta(days=20)
    TaskDeadline.objects.create(task=task, label="第一期", starts=timezone.localdate(), due=due)
    with transaction.atomic():
        task_services.sync_dispatched(task=task)
    for copy in copies.values():
        assert [(p.label, p.due) for p in copy.period_deadlines.all()] == [("第一期", due)]


def test_a_district_cannot_change_what_the_city_set_but_assigns_its_units(dispatched, district2, school_c,
                                                                          district2_admin, client_for):
    task, copies = dispatched
    mine = copies[district2.pk]
    client = client_for(district2_admin)
    form_page = client.get(reverse("ledgers:task_edit", args=[mine.pk])).content.decode()
    assert "市局下发，由市教育局修改" in form_page and "disabled" in form_page
    response = client.post(reverse("ledgers:task_edit", args=[mine.pk]), _edit_form(
        mine, title="区县自改的标题", requirement="区县自改", units=[school_c.pk], lead_unit=school_c.pk))
    assert response.status_code == 302, response.content.decode()[:1500]
    mine.refresh_from_db()
    assert (mine.title, mine.requirement, mine.lead_unit) == (task.title, task.requirement, school_c)
    # Even a direct service call keeps the city's fields.
    mine.title = "绕过表单"
    task_services.task_save(task=mine, units=[school_c], user=district2_admin)
    assert Task.objects.get(pk=mine.pk).title == task.title


def test_an_edit_that_fails_changes_no_copy(dispatched, city_admin, city_office):
    task, copies = dispatched
    task.title = "不应保存的标题"
    with pytest.raises(task_services.MoveRefused):
        task_services.task_save(task=task, units=[], user=city_admin)
    assert set(Task.objects.filter(parent=task).values_list("title", flat=True)) == {"全市统一开展文明校园创建"}


def test_withdrawing_is_refused_once_a_district_reported_and_allowed_before(
        dispatched, city_admin, district, district2, school_c, district2_admin, liaison3, client_for):
    task, copies = dispatched
    mine = copies[district2.pk]
    task_services.task_save(task=mine, units=[school_c], user=district2_admin)
    assignment = TaskAssignment.objects.get(task=mine)
    task_services.progress_add(assignment=assignment, user=liaison3, date=timezone.localdate(), content="已开展")
    client = client_for(city_admin)
    page = client.get(task.get_absolute_url()).content.decode()
    assert "已填报" in page and reverse("ledgers:task_withdraw", args=[task.pk]) in page
    response = client.post(reverse("ledgers:task_withdraw", args=[task.pk]), {"district": [district2.pk]},
                           follow=True)
    assert "源汇区已有单位填报落实情况，不能撤回" in response.content.decode()
    assert Task.objects.filter(pk=mine.pk).exists() and assignment.progress.count() == 1
    # Refused for both when one of them reported: nothing removed.
    client.post(reverse("ledgers:task_withdraw", args=[task.pk]), {"district": [district.pk, district2.pk]})
    assert Task.objects.filter(parent=task).count() == 2
    # 郾城区 had not started: withdrawn.
    response = client.post(reverse("ledgers:task_withdraw", args=[task.pk]), {"district": [district.pk]},
                           follow=True)
    assert "已从 1 个区县撤回该任务" in response.content.decode()
    assert list(Task.objects.filter(parent=task).values_list("bureau", flat=True)) == [district2.pk]
    # The city task itself cannot be deleted while a copy exists (admin: protected).
    from django.db.models import ProtectedError
    with pytest.raises(ProtectedError):
        task.delete()


def test_only_the_city_withdraws(dispatched, district2, district2_admin, city_inspector, client_for):
    task, copies = dispatched
    for user in (district2_admin, city_inspector):
        response = client_for(user).post(reverse("ledgers:task_withdraw", args=[task.pk]),
                                         {"district": [district2.pk]})
        assert response.status_code in (403, 404), user.username
    assert Task.objects.filter(parent=task).count() == 2
    with pytest.raises(task_services.MoveRefused):
        task_services.task_withdraw(task=task, districts=[district2], user=district2_admin)
