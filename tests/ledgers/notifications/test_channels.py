"""Mail through a real SMTP server on loopback and robot posts to a real local HTTP server: the
Chinese arrives intact, each robot gets the JSON it expects, a robot that is down delays the
message (retried later) but never the user's action, and the digest comes once a day."""
import datetime

from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from ledgers.models import (
    Delivery, DeliveryStatus, Flavour, Notification, NotificationKind, NotificationSettings, ProblemStatus, Task,
    Webhook,
)
from reports.jobs.notifications import deliver
from reports.jobs.notifications import send_delivery
from ledgers.services import notifications
from ledgers.services import tasks as task_service
from tests.ledgers.checks.factories import make_problem

K = NotificationKind


def with_email(user, address):
    user.email = address
    user.save()
    return user


def test_a_raised_problem_is_mailed_in_chinese(commit, run_jobs, smtp, inspector, liaison, liaison2, school_a):
    with_email(liaison, "maxl@example.com")
    with_email(liaison2, "yzw@example.com")
    deadline = timezone.localdate() + datetime.timedelta(days=1)
    with commit():
        problem = make_problem(inspector, school_a, "校门口共享单车摆放杂乱", deadline=deadline)
    assert smtp.mails == []  # nothing is sent in the user's request: the worker sends it
    run_jobs()
    [mail] = smtp.to("maxl@example.com")
    # (The header is folded after "Subject:"; unfolding leaves a blank before the value.)
    assert mail["Subject"].strip() == f"【文明创建】新交办问题，请于{deadline:%m月%d日}前整改"
    body = mail.get_content()
    assert "校门口共享单车摆放杂乱" in body and f"{deadline:%Y年%m月%d日}" in body
    assert problem.get_absolute_url() in body
    assert smtp.to("yzw@example.com") == []
    assert Delivery.objects.get().status == DeliveryStatus.SENT


def test_an_opted_out_user_gets_no_mail_but_the_message(commit, run_jobs, smtp, inspector, liaison, school_a):
    with_email(liaison, "maxl@example.com")
    NotificationSettings.objects.create(user=liaison, email_opt_out=True)
    with commit():
        make_problem(inspector, school_a)
    run_jobs()
    assert smtp.mails == [] and Delivery.objects.count() == 0
    assert Notification.objects.filter(recipient=liaison).count() == 1


def test_wecom_and_dingtalk_robots_get_their_own_json(commit, run_jobs, robot, inspector, school_a, school_b,
                                                      district):
    Webhook.objects.create(bureau=district, unit=school_a, flavour=Flavour.WECOM, url=f"{robot.url}/wecom?key=a")
    Webhook.objects.create(bureau=district, unit=school_b, flavour=Flavour.DINGTALK,
                           url=f"{robot.url}/dingtalk?access_token=b")
    with commit():
        a = make_problem(inspector, school_a, "甲校问题：楼道堆放杂物")
        b = make_problem(inspector, school_b, "乙校问题：宣传栏破损")
    run_jobs()
    posts = {path: (ctype, body) for path, ctype, body in robot.posts}
    assert set(posts) == {"/wecom?key=a", "/dingtalk?access_token=b"}
    ctype, wecom = posts["/wecom?key=a"]
    assert ctype.startswith("application/json")
    assert set(wecom) == {"msgtype", "markdown"} and wecom["msgtype"] == "markdown"
    assert set(wecom["markdown"]) == {"content"}
    assert "甲校问题：楼道堆放杂物" in wecom["markdown"]["content"]
    assert f"http://testserver{a.get_absolute_url()}" in wecom["markdown"]["content"] or \
        a.get_absolute_url() in wecom["markdown"]["content"]
    assert "乙校" not in wecom["markdown"]["content"]
    _, ding = posts["/dingtalk?access_token=b"]
    assert set(ding) == {"msgtype", "markdown"} and ding["msgtype"] == "markdown"
    assert set(ding["markdown"]) == {"title", "text"}
    assert "新交办问题" in ding["markdown"]["title"]
    assert "乙校问题：宣传栏破损" in ding["markdown"]["text"] and b.get_absolute_url() in ding["markdown"]["text"]
    assert "甲校" not in ding["markdown"]["text"]


def test_a_robot_that_is_down_is_retried_later_and_the_action_succeeds(commit, run_jobs, robot_down, settings,
                                                                       client_for, inspector, liaison, school_a,
                                                                       district):
    settings.NOTIFY_RETRY_SECONDS = 600
    Webhook.objects.create(bureau=district, unit=school_a, flavour=Flavour.WECOM, url=f"{robot_down.url}/send?key=x")
    with commit():
        response = client_for(inspector).post(reverse("ledgers:problem_create"), {
            "unit": school_a.pk, "description": "食堂门口地面湿滑", "deadline": timezone.localdate().isoformat()})
    assert response.status_code == 302
    run_jobs()
    delivery = Delivery.objects.get()
    assert delivery.status == DeliveryStatus.RETRY and delivery.attempts == 1
    assert "Connection refused" in delivery.last_error or "URLError" in delivery.last_error
    assert delivery.next_try_at > timezone.now() + datetime.timedelta(seconds=500)
    # The problem and its in-app message are there all the same.
    assert Notification.objects.filter(recipient=liaison, kind=K.PROBLEM_RAISED).count() == 1
    # The robot comes back; when the retry falls due the message lands, once.
    robot_down.start()
    queued = DBTaskResult.objects.filter(task_path=deliver.module_path, status="READY")
    assert queued.count() == 1 and queued.get().run_after > timezone.now()
    queued.update(run_after=timezone.now())  # time passes
    run_jobs()
    run_jobs()
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENT and delivery.attempts == 2 and delivery.last_error == ""
    assert len(robot_down.posts) == 1 and "食堂门口地面湿滑" in robot_down.posts[0][2]["markdown"]["content"]


def test_a_delivery_failing_every_time_ends_failed_on_the_admin_page(robot_down, settings, client_for, admin_user,
                                                                     district2_admin, district, school_a, liaison):
    settings.NOTIFY_MAX_ATTEMPTS = 3
    hook = Webhook.objects.create(bureau=district, unit=school_a, url=f"{robot_down.url}/send?key=x")
    [pk] = notifications.emit(kind=K.PROBLEM_RAISED, key="e1", recipients=[liaison], unit=school_a,
                              title="测试消息", webhooks=[hook])
    for _ in range(3):
        Delivery.objects.filter(pk=pk).update(next_try_at=timezone.now())
        send_delivery(pk)
    delivery = Delivery.objects.get(pk=pk)
    assert delivery.status == DeliveryStatus.FAILED and delivery.attempts == 3
    assert send_delivery(pk) == "skipped"
    page = client_for(admin_user).get(reverse("ledgers:delivery_list")).content.decode()
    assert "发送失败" in page and "测试消息" in page
    other = client_for(district2_admin)
    assert "测试消息" not in other.get(reverse("ledgers:delivery_list")).content.decode()
    assert other.post(reverse("ledgers:delivery_resend", args=[pk])).status_code == 404
    # 重新发送 once the robot is back.
    robot_down.start()
    client_for(admin_user).post(reverse("ledgers:delivery_resend", args=[pk]))
    assert Delivery.objects.get(pk=pk).status == DeliveryStatus.RETRY
    send_delivery(pk)
    assert Delivery.objects.get(pk=pk).status == DeliveryStatus.SENT and len(robot_down.posts) == 1


def test_digest_is_one_mail_per_person_per_day(smtp, robot, year, admin_user, inspector, liaison, liaison2, school_a,
                                               school_b, district):
    with_email(liaison, "maxl@example.com")
    with_email(liaison2, "yzw@example.com")
    with_email(admin_user, "wjh@example.com")
    Webhook.objects.create(bureau=district, unit=None, flavour=Flavour.DINGTALK, url=f"{robot.url}/bureau")
    today = timezone.localdate()
    task_service.task_save(task=Task(year=year, title="文明校园自查", deadline=today), units=[school_a], user=admin_user)
    make_problem(inspector, school_a, "围墙广告未清理", deadline=today - datetime.timedelta(days=2),
                 found_on=today - datetime.timedelta(days=3))
    make_problem(inspector, school_a, "花坛杂草", deadline=today)
    call_command("send_digest")
    call_command("send_digest")  # by hand, twice: still one each
    [mail] = smtp.to("maxl@example.com")
    assert mail["Subject"].strip().startswith(f"【文明创建】{today.month}月{today.day}日 日结日清提醒")
    body = mail.get_content()
    for text in ("今天到期的任务", "文明校园自查", "逾期未整改的问题", "围墙广告未清理", "今天到期的问题", "花坛杂草"):
        assert text in body, text
    assert smtp.to("yzw@example.com") == []  # school_b has nothing due: no digest, and nothing of school_a's
    [to_admin] = smtp.to("wjh@example.com")
    assert "逾期未整改的问题" in to_admin.get_content() and "郾城区第一实验小学" in to_admin.get_content()
    assert Notification.objects.filter(recipient=liaison, kind=K.DIGEST).count() == 1
    assert Notification.objects.filter(recipient=liaison2).count() == 0
    [(path, _, post)] = robot.posts
    assert path == "/bureau" and set(post["markdown"]) == {"title", "text"}
    assert "日结日清汇总" in post["markdown"]["title"] and "逾期未整改的问题" in post["markdown"]["text"]
    # Stage messages of the scan are in-app only: the day's mail is the digest alone.
    kinds = set(Notification.objects.filter(recipient=liaison).values_list("kind", flat=True))
    assert {K.TASK_DUE_TODAY, K.PROBLEM_OVERDUE, K.DIGEST} <= kinds
    assert ProblemStatus.OPEN


def test_the_daily_run_schedules_itself_at_the_digest_time(settings):
    from reports.jobs.notifications import daily_notifications
    from reports.jobs.notifications import ensure_daily_scheduled
    from reports.jobs.notifications import next_run

    settings.NOTIFY_DIGEST_TIME = "08:00"
    morning = timezone.make_aware(datetime.datetime(2026, 3, 2, 7, 0))
    assert timezone.localtime(next_run(morning)).replace(tzinfo=None) == datetime.datetime(2026, 3, 2, 8, 0)
    evening = timezone.make_aware(datetime.datetime(2026, 3, 2, 9, 0))
    assert timezone.localtime(next_run(evening)).replace(tzinfo=None) == datetime.datetime(2026, 3, 3, 8, 0)
    pending = DBTaskResult.objects.filter(task_path=daily_notifications.module_path, status="READY")
    pending.delete()
    assert ensure_daily_scheduled() is True
    assert ensure_daily_scheduled() is False
    assert pending.count() == 1
