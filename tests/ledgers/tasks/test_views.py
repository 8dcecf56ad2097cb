"""Pages of the task breakdown table: the matrix, 我的任务, the task form, attachments."""
import re
from datetime import timedelta
from html import unescape

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from ledgers.models import ProgressAttachment, ProgressEntry, Task, TaskAssignment, Unit, UnitKind
from ledgers.services.tasks import progress_add

from .conftest import jpeg_upload, make_task


def make_units(n, start=0):
    return [Unit.objects.create(name=f"测试学校{i}", kind=UnitKind.SCHOOL, code=f"t{i}") for i in range(start, start + n)]


def test_matrix_query_count_stays_flat_as_tasks_and_units_grow(client_for, admin_user, year,
                                                               django_assert_max_num_queries):
    client = client_for(admin_user)
    units = make_units(3)
    for i in range(4):
        make_task(year, units, admin_user, days=i - 2, title=f"任务{i}")
    with django_assert_max_num_queries(12):
        small = client.get(reverse("ledgers:task_matrix"))
    units += make_units(9, start=3)
    for i in range(4, 16):
        make_task(year, units, admin_user, days=i - 2, title=f"任务{i}")
    with django_assert_max_num_queries(12):
        big = client.get(reverse("ledgers:task_matrix"))
    assert small.status_code == big.status_code == 200
    html = big.content.decode()
    assert "测试学校11" in html and "任务15" in html
    assert "逾期" in html  # tasks 0 and 1 are past their deadline


def test_matrix_is_for_bureau_roles_only(client_for, year, liaison, inspector, leader):
    assert client_for(liaison).get(reverse("ledgers:task_matrix")).status_code == 403
    assert client_for(inspector).get(reverse("ledgers:task_matrix")).status_code == 200
    assert client_for(leader).get(reverse("ledgers:task_matrix")).status_code == 200


def test_matrix_filters_overdue_cells(client_for, admin_user, year, school_a):
    make_task(year, [school_a], admin_user, days=-1, title="已过期的任务")
    make_task(year, [school_a], admin_user, days=9, title="还没到期的任务")
    html = client_for(admin_user).get(reverse("ledgers:task_matrix") + "?status=overdue").content.decode()
    assert "已过期的任务" in html and "还没到期的任务" not in html


def matrix_rows(html):
    """{task title: [(badge text, link, tooltip, badge class) or None for an empty cell, ...]} as shown."""
    body = html.split('data-testid="task-matrix"', 1)[1].split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    rows = {}
    for row in re.findall(r"<tr>(.*?)</tr>", body, re.S):
        title = re.search(r'<td class="task-col">\s*<a href="[^"]+">([^<]+)</a>', row)[1]
        rows[unescape(title)] = [
            (unescape(m[4]), m[1], unescape(m[3]), m[2]) if m[1] else None
            for m in re.finditer(r'<td class="cell text-center">(?:<a href="([^"]+)" class="badge ([^"]+)" '
                                 r'title="([^"]+)">([^<]+)</a>)?</td>', row)]
    return rows


def test_matrix_cells_show_each_units_status_and_link_to_its_record(client_for, admin_user, year, school_a,
                                                                      school_b):
    late = make_task(year, [school_a, school_b], admin_user, days=-1, title="已过期的任务")
    make_task(year, [school_a], admin_user, days=5, title="<只给一小>的任务")
    done = TaskAssignment.objects.get(task=late, unit=school_b)
    TaskAssignment.objects.filter(pk=done.pk).update(status="done")
    TaskAssignment.objects.filter(task__title="<只给一小>的任务").update(status="in_progress")
    a_late = TaskAssignment.objects.get(task=late, unit=school_a)
    a_open = TaskAssignment.objects.get(task__title="<只给一小>的任务")
    html = client_for(admin_user).get(reverse("ledgers:task_matrix")).content.decode()
    assert matrix_rows(html) == {
        "已过期的任务": [
            ("逾期", a_late.get_absolute_url(), "郾城区第一实验小学：未开始（逾期）", "text-bg-danger"),
            ("已完", done.get_absolute_url(), "郾城区第二实验小学：已完成", "text-bg-success")],
        "<只给一小>的任务": [
            ("进行", a_open.get_absolute_url(), "郾城区第一实验小学：进行中", "text-bg-primary"), None],
    }
    assert "&lt;只给一小&gt;的任务" in html


def test_my_tasks_lists_only_own_unit_sorted_by_deadline(client_for, liaison, year, school_a, school_b, admin_user):
    make_task(year, [school_a], admin_user, days=20, title="后到期")
    make_task(year, [school_a], admin_user, days=2, title="先到期")
    make_task(year, [school_b], admin_user, days=1, title="别的学校的任务")
    html = client_for(liaison).get(reverse("ledgers:my_tasks")).content.decode()
    assert "别的学校的任务" not in html
    assert html.index("先到期") < html.index("后到期")


def test_liaison_home_shows_overdue_tasks_first(client_for, liaison, year, school_a, admin_user):
    make_task(year, [school_a], admin_user, days=3, title="本周任务")
    make_task(year, [school_a], admin_user, days=-2, title="逾期任务")
    html = client_for(liaison).get(reverse("home")).content.decode()
    assert "我的任务" in html and "逾期 1 项" in html
    assert html.index("逾期任务") < html.index("本周任务")


def test_bureau_home_counts_overdue_assignments(client_for, admin_user, year, school_a, school_b):
    make_task(year, [school_a, school_b], admin_user, days=-2)
    html = client_for(admin_user).get(reverse("home")).content.decode()
    assert "逾期未完成的任务" in html
    assert '<div class="display-6 text-overdue">2</div>' in html


def test_creating_a_task_creates_one_assignment_per_unit(client_for, admin_user, year, indicator, school_a, school_b):
    response = client_for(admin_user).post(reverse("ledgers:task_create"), {
        "title": "建设校园文化长廊", "indicator": indicator.pk, "deadline": "2026-06-30", "frequency": "once",
        "units": [school_a.pk, school_b.pk], "lead_unit": school_a.pk,
    })
    task = Task.objects.get(title="建设校园文化长廊")
    assert response.status_code == 302
    assert set(task.assignments.values_list("unit__name", flat=True)) == {school_a.name, school_b.name}


def test_task_form_without_units_keeps_what_was_typed(client_for, admin_user, year):
    response = client_for(admin_user).post(reverse("ledgers:task_create"), {
        "title": "开展学雷锋志愿服务", "deadline": "2026-03-05", "frequency": "monthly"})
    html = response.content.decode()
    assert "请至少选择一个责任单位" in html and "开展学雷锋志愿服务" in html
    assert not Task.objects.exists()


def test_removing_a_unit_that_has_reported_is_refused(client_for, admin_user, task, assignment_a, liaison, school_b):
    progress_add(assignment=assignment_a, user=liaison, date=timezone.localdate(), content="已开展")
    response = client_for(admin_user).post(reverse("ledgers:task_edit", args=[task.pk]), {
        "title": task.title, "deadline": task.deadline.isoformat(), "frequency": "once", "units": [school_b.pk]})
    assert "已填报落实情况，不能从责任单位中移除" in response.content.decode()
    assert TaskAssignment.objects.filter(task=task).count() == 2


def test_progress_with_attachment_is_served_to_own_unit_only(client_for, liaison, liaison2, assignment_a):
    client = client_for(liaison)
    response = client.post(reverse("ledgers:assignment_progress", args=[assignment_a.pk]), {
        "date": "2026-03-05", "content": "学雷锋志愿服务", "attachments": [jpeg_upload(), jpeg_upload("第二张.jpg")]})
    assert response.status_code == 302
    attachments = ProgressAttachment.objects.all()
    assert attachments.count() == 2
    url = reverse("ledgers:progress_attachment", args=[attachments[0].pk])
    assert client.get(url).status_code == 200
    assert client_for(liaison2).get(url).status_code == 404


def test_renamed_exe_attachment_is_refused_and_text_kept(client_for, liaison, assignment_a):
    fake = SimpleUploadedFile("活动照片.jpg", b"MZ\x90\x00" + b"\x00" * 200)
    response = client_for(liaison).post(reverse("ledgers:assignment_progress", args=[assignment_a.pk]), {
        "date": "2026-03-05", "content": "清明节祭英烈活动", "attachments": [fake]})
    html = response.content.decode()
    assert response.status_code == 400
    assert "“活动照片.jpg”不是可接受的文件" in html
    assert "清明节祭英烈活动" in html
    assert not ProgressEntry.objects.exists()


@pytest.mark.parametrize("name", ["indicator_list", "letter_list"])
def test_everyone_can_open_the_shared_lists(client_for, liaison, leader, year, indicator, name):
    for user in (liaison, leader):
        response = client_for(user).get(reverse(f"ledgers:{name}"))
        assert response.status_code == 200


def test_indicator_tree_shows_codes_points_method_and_evidence_rule(client_for, liaison, indicator):
    html = client_for(liaison).get(reverse("ledgers:indicator_list")).content.decode()
    assert "3.2.1" in html and "文明校园创建" in html and "材料审核" in html
    assert "至少 2 张照片，每张照片须有说明" in html
    assert "indicator-depth-2" in html


def test_task_detail_of_a_liaison_lists_only_own_assignment(client_for, liaison, task, school_b):
    html = client_for(liaison).get(reverse("ledgers:task_detail", args=[task.pk])).content.decode()
    assert school_b.name not in html


def test_liaison_cannot_open_a_task_of_other_units(client_for, liaison, year, school_b, admin_user):
    other = make_task(year, [school_b], admin_user, days=timedelta(days=3).days)
    assert client_for(liaison).get(reverse("ledgers:task_detail", args=[other.pk])).status_code == 404


def test_a_deadline_in_year_9999_is_refused_with_the_form_kept(client_for, admin_user, year, indicator, school_a):
    response = client_for(admin_user).post(reverse("ledgers:task_create"), {
        "title": "建设校园文化长廊", "indicator": indicator.pk, "deadline": "9999-12-31", "frequency": "once",
        "units": [school_a.pk], "lead_unit": school_a.pk,
    })
    html = response.content.decode()
    assert response.status_code == 200 and "超出合理范围" in html and "建设校园文化长廊" in html
    assert not Task.objects.exists()


def test_matrix_groups_tasks_as_the_breakdown_table_does(client_for, admin_user, year, school_a):
    """Tasks of no 分组 first, then each 分组 in the order its first task was entered (not by name: by code
    point 三 sorts before 二), by deadline within each, with the 分组 as a heading row."""
    for days, title, group in [(30, "三组的任务", "三、环境卫生"), (20, "一组晚的任务", "一、组织领导"),
                               (5, "一组早的任务", "一、组织领导"), (1, "二组的任务", "二、宣传氛围"),
                               (50, "不分组的任务", "")]:
        task = make_task(year, [school_a], admin_user, days=days, title=title)
        Task.objects.filter(pk=task.pk).update(group=group)
    for query in ("", "?kind=school"):  # a filter that makes the query DISTINCT keeps the order (PostgreSQL)
        html = client_for(admin_user).get(reverse("ledgers:task_matrix") + query).content.decode()
        body = html.split("<tbody>", 1)[1]
        shown = re.findall(r'data-testid="task-group"><th colspan="2">([^<]+)</th>|<a href="/tasks/\d+/">([^<]+)</a>',
                           body)
        assert [heading or title for heading, title in shown] == [
            "不分组的任务", "三、环境卫生", "三组的任务", "一、组织领导", "一组早的任务", "一组晚的任务", "二、宣传氛围",
            "二组的任务"], query
