"""Sending notifications, in the background worker (django-tasks, `manage.py db_worker`).

- `deliver(delivery_id)`: sends one queued `Delivery` — an email through Django's email backend
  (SMTP settings from the environment) or a markdown post to a group robot (企业微信 / 钉钉) with
  urllib. A failure is kept on the row (`last_error`) and tried again NOTIFY_RETRY_SECONDS later,
  doubling each time (`run_after`), until NOTIFY_MAX_ATTEMPTS tries: then it is 发送失败 on the
  admin's 发送记录 page. A delivery is claimed with one UPDATE before sending, so two workers (or a
  task queued twice) never send it twice.
- `daily_notifications()`: the 问责 rules' scan (ledgers.services.accountability), the daily scan
  (deadline stages, overdue problems), the 日结日清 digest
  and a sweep of deliveries whose task was lost, at NOTIFY_DIGEST_TIME local time; it re-enqueues
  itself for the next day like the daily upkeep (reports/jobs/upkeep.py). `ensure_daily_scheduled()`
  runs after every `manage.py migrate`; `manage.py send_digest` runs it by hand.
"""
import datetime
import json
import logging
import urllib.error
import urllib.request

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import DatabaseError
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django_tasks import task

from reports.jobs import daily

from ledgers.models import Channel, Delivery, DeliveryStatus, Flavour

logger = logging.getLogger("ledgers.notifications")
STUCK_AFTER = datetime.timedelta(minutes=30)  # a delivery "sending" this long: its worker died


def queue_deliveries(sender, ids, **kwargs):
    """Receives ledgers.signals.deliveries_queued: a task per delivery."""
    for pk in ids:
        try:
            deliver.enqueue(pk)
        except Exception:  # the queue is down: the daily run picks the delivery up again
            logger.exception("could not queue delivery %s", pk)


# --- one delivery --------------------------------------------------------------------------------

@task()
def deliver(delivery_id):
    return send_delivery(delivery_id)


def send_delivery(delivery_id, now=None):
    """Send one delivery if it is due; returns its status afterwards (or "skipped")."""
    now = now or timezone.now()
    claimed = (Delivery.objects.filter(pk=delivery_id, status__in=[DeliveryStatus.PENDING, DeliveryStatus.RETRY])
               .update(status=DeliveryStatus.SENDING, attempts=F("attempts") + 1, next_try_at=now))
    if not claimed:
        return "skipped"
    delivery = Delivery.objects.select_related("webhook").get(pk=delivery_id)
    try:
        if delivery.channel == Channel.EMAIL:
            send_email(delivery)
        else:
            post_webhook(delivery)
    except Exception as error:  # any failure of the far side is kept and retried
        delivery.last_error = f"{type(error).__name__}: {error}"[:2000]
        if delivery.attempts >= settings.NOTIFY_MAX_ATTEMPTS:
            delivery.status = DeliveryStatus.FAILED
            logger.warning("delivery %s failed for good: %s", delivery.pk, delivery.last_error)
        else:
            delivery.status = DeliveryStatus.RETRY
            delay = settings.NOTIFY_RETRY_SECONDS * 2 ** (delivery.attempts - 1)
            delivery.next_try_at = now + datetime.timedelta(seconds=delay)
            logger.info("delivery %s failed (%s), retry at %s", delivery.pk, delivery.last_error,
                        delivery.next_try_at)
        delivery.save(update_fields=["status", "last_error", "next_try_at"])
        if delivery.status == DeliveryStatus.RETRY:
            deliver.using(run_after=delivery.next_try_at).enqueue(delivery.pk)
        return delivery.status
    delivery.status, delivery.sent_at, delivery.last_error = DeliveryStatus.SENT, timezone.now(), ""
    delivery.save(update_fields=["status", "sent_at", "last_error"])
    return delivery.status


def _absolute(url):
    return f"{settings.SITE_URL}{url}" if url.startswith("/") else url


def send_email(delivery):
    lines = [delivery.body] if delivery.body else []
    if delivery.url:
        lines.append(f"查看详情：{_absolute(delivery.url)}")
    lines += ["", "—— 文明创建工作台账（此邮件由系统自动发送，请勿回复）",
              f"不想接收邮件提醒？请在个人设置中关闭：{_absolute(reverse('ledgers:notification_settings'))}"]
    message = EmailMessage(subject=f"【文明创建】{delivery.subject}", body="\n".join(lines),
                           to=[delivery.target])
    message.send(fail_silently=False)


def robot_payload(flavour, title, body, url=""):
    """The JSON each robot expects: 企业微信 markdown.content; 钉钉 markdown.title + markdown.text."""
    text = body.replace("\n", "\n\n") if body else ""
    if url:
        text += f"\n\n[查看详情]({_absolute(url)})"
    if flavour == Flavour.DINGTALK:
        return {"msgtype": "markdown",
                "markdown": {"title": f"文明创建：{title}", "text": f"#### 文明创建：{title}\n\n{text}"}}
    return {"msgtype": "markdown", "markdown": {"content": f"**文明创建：{title}**\n{text}"}}


def post_webhook(delivery):
    hook = delivery.webhook
    flavour = hook.flavour if hook is not None else Flavour.WECOM
    data = json.dumps(robot_payload(flavour, delivery.subject, delivery.body, delivery.url),
                      ensure_ascii=False).encode("utf-8")
    request = urllib.request.Request(delivery.target, data=data, method="POST",
                                     headers={"Content-Type": "application/json; charset=utf-8"})
    with urllib.request.urlopen(request, timeout=settings.NOTIFY_WEBHOOK_TIMEOUT) as response:
        answer = response.read()
    try:
        reply = json.loads(answer or b"{}")
    except ValueError:
        reply = {}
    if isinstance(reply, dict) and reply.get("errcode") not in (None, 0):
        raise RuntimeError(f"机器人返回错误 {reply.get('errcode')}：{reply.get('errmsg', '')}")


def send_test_message(webhook, user, now=None):
    """测试发送: one post to the robot now, in the admin's request (they wait for the answer: a few
    seconds at most, NOTIFY_WEBHOOK_TIMEOUT), kept in the 发送记录 like any post; never retried."""
    now = now or timezone.now()
    delivery = Delivery.objects.create(
        bureau_id=webhook.bureau_id, channel=Channel.WEBHOOK, webhook=webhook, target=webhook.url[:300],
        subject="测试消息",
        body=f"{user.display_name}于{timezone.localtime(now):%Y年%m月%d日 %H:%M}发送的测试消息：收到即说明群机器人设置正确。",
        dedupe_key=f"test:{webhook.pk}:{now.timestamp()}"[:160], status=DeliveryStatus.SENDING, attempts=1,
        next_try_at=now)
    try:
        post_webhook(delivery)
    except Exception as error:  # the far side's answer is what the admin wants to read
        delivery.status, delivery.last_error = DeliveryStatus.FAILED, f"{type(error).__name__}: {error}"[:2000]
    else:
        delivery.status, delivery.sent_at = DeliveryStatus.SENT, timezone.now()
    delivery.save(update_fields=["status", "last_error", "sent_at"])
    return delivery


def resend_due(now=None):
    """Queue again what is due but has no task (a queue outage, a worker killed mid-send)."""
    now = now or timezone.now()
    Delivery.objects.filter(status=DeliveryStatus.SENDING, next_try_at__lt=now - STUCK_AFTER).update(
        status=DeliveryStatus.RETRY)
    ids = list(Delivery.objects.due(now).values_list("pk", flat=True))
    for pk in ids:
        deliver.enqueue(pk)
    return len(ids)


# --- the daily run -------------------------------------------------------------------------------

def run_daily(today=None, send_now=False):
    """Scan, digest, sweep. With send_now the day's deliveries are sent here and now (send_digest)."""
    from ledgers.services import accountability, notifications

    raised = len(accountability.scan(today))  # 问责提示 first: their messages join the day's
    stored = notifications.scan(today)
    queued = notifications.send_digest(today)
    if send_now:
        for pk in queued:
            send_delivery(pk)
    swept = resend_due()
    logger.info("daily notifications: %s 问责提示, %s stage messages, %s digest deliveries, %s re-queued",
                raised, stored, len(queued), swept)
    return {"accountability cases": raised, "stage messages": stored, "digest deliveries": len(queued),
            "re-queued": swept}


def digest_time():
    try:
        hour, minute = (int(part) for part in settings.NOTIFY_DIGEST_TIME.split(":"))
        return datetime.time(hour, minute)
    except (ValueError, TypeError):
        logger.warning("NOTIFY_DIGEST_TIME %r is not HH:MM; using 08:00", settings.NOTIFY_DIGEST_TIME)
        return datetime.time(8, 0)


def next_run(now=None):
    return daily.next_daily_run(digest_time(), now)


def ensure_daily_scheduled(now=None):
    return daily.ensure_daily(daily_notifications, digest_time(), now)


@task()
def daily_notifications():
    try:
        return run_daily()
    finally:
        daily.queue_tomorrow(daily_notifications, digest_time())


def schedule_after_migrate(sender, using="default", **kwargs):
    try:
        ensure_daily_scheduled()
    except DatabaseError:
        logger.warning("daily notifications not scheduled: task tables missing")
