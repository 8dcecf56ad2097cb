"""Who is told what: each event reaches the right people once, and nobody hears of another unit."""
import datetime

import pytest
from django.db import transaction
from django.test.utils import CaptureQueriesContext
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from ledgers import versions
from ledgers.models import (
    Activity, ActivityCategory, ActivityStatus, LetterTarget, Notification, NotificationKind, ResponsibilityLetter,
    Task, TaskAssignment,
)
from ledgers.services import activities as activity_service
from ledgers.services import bulletins as bulletin_service
from ledgers.services import letters as letter_service
from ledgers.services import notifications
from ledgers.services import problems as problem_service
from ledgers.services import tasks as task_service
from tests.ledgers.checks.factories import jpeg, make_check, make_problem

K = NotificationKind


def messages_of(user):
    return list(Notification.objects.filter(recipient=user).order_by("pk"))


def test_a_raised_problem_reaches_its_unit_liaison_with_the_deadline_and_no_one_else(
        commit, inspector, liaison, liaison2, school_a):
    deadline = timezone.localdate() + datetime.timedelta(days=2)
    with commit():
        problem = make_problem(inspector, school_a, "教学楼走廊墙面有乱贴乱画", deadline=deadline)
    [note] = messages_of(liaison)
    assert note.kind == K.PROBLEM_RAISED and note.url == problem.get_absolute_url()
    assert f"{deadline:%m月%d日}前整改" in note.title and "教学楼走廊墙面有乱贴乱画" in note.body
    assert messages_of(liaison2) == []
    assert messages_of(inspector) == []


def test_a_refused_or_rolled_back_action_tells_no_one(commit, inspector, liaison, school_a):
    with commit():
        with pytest.raises(RuntimeError):
            with transaction.atomic():
                make_problem(inspector, school_a, "回滚的问题")
                raise RuntimeError("rolled back")
        with pytest.raises(Exception):
            make_problem(liaison, school_a, "联络员不能交办")
    assert Notification.objects.count() == 0


def test_the_rectification_loop_notifies_inspector_and_liaison(commit, inspector, inspector2, liaison, school_a):
    problem = make_problem(inspector, school_a)
    with commit():
        problem_service.problem_submit_rectification(problem=problem, user=liaison, note="已清理", photos=[jpeg()])
    [to_inspector] = messages_of(inspector)
    assert to_inspector.kind == K.PROBLEM_SUBMITTED and "已清理" in to_inspector.body
    assert messages_of(inspector2) == []
    with commit():
        problem_service.problem_reject(problem=problem, user=inspector2, reason="角落仍有烟头")
    [rejected] = [n for n in messages_of(liaison) if n.kind == K.PROBLEM_REJECTED]
    assert "角落仍有烟头" in rejected.body and rejected.url == problem.get_absolute_url()


def test_rectification_goes_to_every_inspector_when_the_raiser_is_gone(commit, inspector, inspector2, liaison,
                                                                       school_a):
    problem = make_problem(inspector, school_a)
    inspector.is_active = False
    inspector.save()
    with commit():
        problem_service.problem_submit_rectification(problem=problem, user=liaison, note="已清理", photos=[jpeg()])
    assert [n.kind for n in messages_of(inspector2)] == [K.PROBLEM_SUBMITTED]
    assert messages_of(inspector) == []


def test_task_assignment_returned_activity_and_issued_letter(commit, year, admin_user, inspector, liaison, liaison2,
                                                             school_a, school_b):
    today = timezone.localdate()
    with commit():
        task = task_service.task_save(task=Task(year=year, title="开展文明礼仪教育", deadline=today + datetime.timedelta(days=20)),
                                      units=[school_a], user=admin_user)
    [assigned] = messages_of(liaison)
    assert assigned.kind == K.TASK_ASSIGNED and "开展文明礼仪教育" in assigned.title
    assert assigned.url == TaskAssignment.objects.get(task=task).get_absolute_url()
    assert messages_of(liaison2) == []

    category = ActivityCategory.objects.ensure_defaults().first()
    activity = Activity.objects.create(unit=school_a, year=year, category=category, created_by=liaison,
                                       title="学雷锋志愿服务", date=today, status=ActivityStatus.SUBMITTED)
    with commit():
        activity_service.activity_review(activity=activity, user=inspector, approve=False, reason="缺少活动照片")
    returned = [n for n in messages_of(liaison) if n.kind == K.ACTIVITY_RETURNED]
    assert len(returned) == 1 and "缺少活动照片" in returned[0].body and "学雷锋志愿服务" in returned[0].title

    LetterTarget.objects.create(year=year, order=1, text="成立文明创建领导小组", points=10)
    letter_service.letters_generate(year=year, user=admin_user)
    with commit():
        letter_service.letters_issue_all(year=year, user=admin_user)
    issued = [n for n in messages_of(liaison) if n.kind == K.LETTER_ISSUED]
    assert len(issued) == 1 and issued[0].url == ResponsibilityLetter.objects.get(unit=school_a).get_absolute_url()
    assert [n.kind for n in messages_of(liaison2)] == [K.LETTER_ISSUED]
    assert messages_of(liaison2)[0].unit_id == school_b.pk


def test_bulletin_tells_each_unit_its_own_rank(commit, admin_user, inspector, liaison, liaison2, school_a, school_b,
                                               template):
    today = timezone.localdate()
    make_check(inspector, school_a, template, [20, 15, 15], date=today)
    make_check(inspector, school_b, template, [10, 10, 10], date=today)
    iso_year, iso_week = today.isocalendar()[:2]
    bulletin = bulletin_service.bulletin_create(user=inspector, iso_year=iso_year, iso_week=iso_week)
    with commit():
        bulletin_service.bulletin_publish(bulletin=bulletin, user=admin_user)
    [a] = messages_of(liaison)
    [b] = messages_of(liaison2)
    assert "排名第 1 名" in a.body and "100.0%" in a.body
    assert "排名第 2 名" in b.body and "60.0%" in b.body
    assert "100.0%" not in b.body and "第一实验小学" not in b.body


def test_the_same_event_twice_is_one_message(commit, inspector, liaison, school_a):
    with commit():
        problem = make_problem(inspector, school_a)
    notifications.problem_raised(problem.pk)
    notifications.problem_raised(problem.pk)
    assert len(messages_of(liaison)) == 1


def test_daily_scan_tells_each_stage_once(commit, year, admin_user, inspector, liaison, liaison2, school_a):
    today = timezone.localdate()
    task = task_service.task_save(task=Task(year=year, title="周期检查", deadline=today + datetime.timedelta(days=3)),
                                  units=[school_a], user=admin_user)
    problem = make_problem(inspector, school_a, "垃圾桶满溢", deadline=today)
    for day in (today, today, today + datetime.timedelta(days=3), today + datetime.timedelta(days=3),
                today + datetime.timedelta(days=4)):
        notifications.scan(day)
    kinds = [n.kind for n in messages_of(liaison)]
    assert kinds.count(K.TASK_DUE_SOON) == 1 and kinds.count(K.TASK_DUE_TODAY) == 1
    assert kinds.count(K.TASK_OVERDUE) == 1 and kinds.count(K.PROBLEM_OVERDUE) == 1
    assert [n.kind for n in messages_of(admin_user)] == [K.PROBLEM_OVERDUE]
    assert messages_of(liaison2) == []
    assert task and problem


# --- the pages -----------------------------------------------------------------------------------

def test_messages_page_lists_unread_first_and_opening_one_lands_on_its_record(commit, client_for, inspector, liaison,
                                                                            liaison2, school_a):
    with commit():
        first = make_problem(inspector, school_a, "第一个问题")
        second = make_problem(inspector, school_a, "第二个问题")
    older, newer = messages_of(liaison)
    browser = client_for(liaison)
    response = browser.get(reverse("ledgers:notification_open", args=[newer.pk]))
    assert response.status_code == 302 and response.url == second.get_absolute_url()
    page = browser.get(reverse("ledgers:notification_list")).content.decode()
    assert page.index("第一个问题") < page.index("第二个问题")  # the unread one first
    assert 'data-testid="bell-count">1<' in page
    # Another person's message is not found, and stays unread.
    assert client_for(liaison2).get(reverse("ledgers:notification_open", args=[older.pk])).status_code == 404
    assert Notification.objects.get(pk=older.pk).read_at is None
    response = browser.post(reverse("ledgers:notification_read_all"), follow=True)
    assert "已将 1 条消息标为已读" in response.content.decode()
    assert 'data-testid="bell-count"' not in response.content.decode()
    assert first


def test_settings_keep_email_and_opt_out_and_refuse_a_bad_address(client_for, liaison):
    browser = client_for(liaison)
    url = reverse("ledgers:notification_settings")
    response = browser.post(url, {"email": "不是邮箱", "email_opt_out": "on"})
    page = response.content.decode()
    assert response.status_code == 200 and "请输入正确的邮箱地址" in page and "不是邮箱" in page
    browser.post(url, {"email": "maxl@example.com", "email_opt_out": "on"})
    liaison.refresh_from_db()
    assert liaison.email == "maxl@example.com" and liaison.notification_settings.email_opt_out


def test_the_bell_costs_one_query_however_many_messages(client_for, liaison, school_a):
    browser = client_for(liaison)
    url = reverse("ledgers:my_tasks")

    def bell_queries():
        versions.clear()  # the page's list computed each time, not taken from the cache
        with CaptureQueriesContext(connection) as ctx:
            assert browser.get(url).status_code == 200
        return len(ctx.captured_queries), [q["sql"] for q in ctx.captured_queries if "ledgers_notification" in q["sql"]]

    notifications.emit(kind=K.DIGEST, key="one", recipients=[liaison], title="一条")
    few, bell = bell_queries()
    assert len(bell) == 1
    for i in range(150):
        notifications.emit(kind=K.DIGEST, key=f"k{i}", recipients=[liaison], title=f"消息{i}")
    many, bell = bell_queries()
    assert len(bell) == 1 and many == few
    assert "99+" in browser.get(url).content.decode()


def test_the_bell_stays_flat_on_the_messages_page(client_for, liaison, django_assert_max_num_queries):
    browser = client_for(liaison)
    for i in range(5):
        notifications.emit(kind=K.DIGEST, key=f"a{i}", recipients=[liaison], title=f"消息{i}")
    with CaptureQueriesContext(connection) as ctx:
        browser.get(reverse("ledgers:notification_list"))
    for i in range(60):
        notifications.emit(kind=K.DIGEST, key=f"b{i}", recipients=[liaison], title=f"消息{i}")
    with django_assert_max_num_queries(len(ctx.captured_queries)):
        browser.get(reverse("ledgers:notification_list"))


def test_a_published_monthly_summary_reaches_leaders_and_admins(commit, admin_user, leader, liaison, district,
                                                               district2_admin):
    from reports import monthly
    from reports.summaries import Month

    month = Month.containing(timezone.localdate())
    with commit():
        report = monthly.monthly_publish(user=admin_user, month=month, bureau=district)
    for person in (admin_user, leader):
        [note] = messages_of(person)
        assert note.kind == K.MONTHLY_PUBLISHED and report.title in note.title
        assert note.url == reverse("reports:monthly", args=[month]) + f"?bureau={district.pk}"
    assert messages_of(liaison) == [] and messages_of(district2_admin) == []


def test_a_recurring_task_tells_each_unreported_period_once_and_only_the_latest_missed_one(
        commit, year, admin_user, liaison, liaison2, school_a):
    from ledgers.models import ProgressEntry, TaskDeadline

    today = timezone.localdate()
    day = datetime.timedelta(days=1)
    task = task_service.task_save(task=Task(year=year, title="每月上报文明校园创建进展", deadline=today + 60 * day),
                                  units=[school_a], user=admin_user)
    periods = [("一月", today - 70 * day, today - 40 * day), ("二月", today - 39 * day, today - 10 * day),
               ("三月", today - 9 * day, today + 2 * day), ("四月", today + 3 * day, today + 60 * day)]
    for label, starts, due in periods:
        TaskDeadline.objects.create(task=task, label=label, starts=starts, due=due)
    # Given before its first period (a period over before a task was given is owed by nobody).
    Task.objects.filter(pk=task.pk).update(created_at=timezone.now() - 70 * day)
    assignment = TaskAssignment.objects.get(task=task, unit=school_a)
    # 三月 is reported already: nothing about it; 一月 and 二月 were missed: only 二月 is told.
    ProgressEntry.objects.create(assignment=assignment, author=liaison, date=today - 5 * day, content="已上报")
    for _ in range(2):
        notifications.scan(today)
    titles = sorted(n.title for n in messages_of(liaison))
    assert titles == ["二月报送已逾期：每月上报文明校园创建进展"]
    # Three days before 四月's deadline it is due soon, on the day it is due today — each once.
    for when in (today + 57 * day, today + 57 * day, today + 60 * day):
        notifications.scan(when)
    kinds = [n.kind for n in messages_of(liaison)]
    assert kinds.count(K.TASK_DUE_SOON) == 1 and kinds.count(K.TASK_DUE_TODAY) == 1
    assert "四月报送今天到期" in messages_of(liaison)[-1].title
    assert messages_of(liaison2) == []
    # The morning digest of 二月's last day lists the period among the tasks due today.
    lines = dict((heading, items) for heading, items, _url in notifications._lines_for_unit(school_a, today - 10 * day))
    assert lines["今天到期的任务"] == ["每月上报文明校园创建进展（二月）"]
