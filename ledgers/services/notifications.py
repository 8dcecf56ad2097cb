"""Notifications (消息提醒): who is told what, when.

The services of each area call `after_commit(event_function, ...)` once their transaction has
done its work: the event runs only if the action commits (a refused or rolled-back action tells
no one), and a failure here is logged, never shown to the user who acted.

An event stores one `Notification` per recipient (in-app, at once: the bell counts it) and
queues its deliveries — an email when the recipient has an address and has not opted out, a
post to the unit's (or bureau's) group robot — which `reports.jobs.notifications.deliver` sends in
the worker, retrying with backoff. Every event has a key: the same key for the same person is
stored and sent once, whoever records it and however often (`dedupe_key`).

Events and recipients (the table "消息提醒" of docs/features.md):
- task_assigned        a unit is given a task            → the unit's liaisons (+ unit robot)
- task_due_soon/today/overdue   daily scan, once a stage → the unit's liaisons (in-app)
- problem_raised       a problem against a unit          → the unit's liaisons (+ unit robot)
- problem_rejected     复查不通过, with the reason         → the unit's liaisons (+ unit robot)
- problem_overdue      daily scan                         → the unit's liaisons and the bureau's admins (in-app)
- problem_submitted    整改 submitted for 复查              → the inspector who raised it (or, if that
                                                             account is gone, every inspector of the bureau)
- activity_returned / assignment_returned  退回 with reason → the unit's liaisons (+ unit robot)
- letter_issued        a responsibility letter to sign    → the unit's liaisons (+ unit robot)
- letter_returned      the bureau returns a signed scan    → the unit's liaisons (+ unit robot)
- bulletin_published   a weekly bulletin                  → every unit's liaisons, each with its own rank
                                                             and score (+ unit robots, + bureau robot)
- monthly_published    a monthly summary                  → the bureau's leaders and admins (+ bureau robot)
- digest               daily 日结日清, one per person        → everybody with something due, overdue or
                                                             waiting (in-app + email; unit and bureau robots)

Liaisons are only ever chosen by the unit the record belongs to: nobody hears of another unit.
"""
import datetime
import logging

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from ..models import (
    ActivityStatus, AssignmentStatus, Channel, Delivery, LetterStatus, Notification, NotificationKind,
    NotificationSettings, Role, Unit, User, Webhook,
)
from ..signals import deliveries_queued

logger = logging.getLogger("ledgers.notifications")
K = NotificationKind
DUE_SOON_DAYS = 3
SHOWN, LISTED = 10, 100  # a digest names 10 items of a kind and counts up to 100


def after_commit(event, *args, **kwargs):
    """Run `event(*args, **kwargs)` once the current transaction commits; failures are logged."""
    def run():
        try:
            event(*args, **kwargs)
        except Exception:  # a notification must never fail the action that caused it
            logger.exception("notification %s failed", getattr(event, "__name__", event))

    transaction.on_commit(run)


def absolute(url):
    return f"{settings.SITE_URL}{url}" if url.startswith("/") else url


# --- recipients --------------------------------------------------------------------------------

def liaisons_of(unit_id):
    return list(User.objects.filter(is_active=True, role=Role.LIAISON, unit_id=unit_id, unit__is_active=True))


def bureau_people(bureau_id, *roles):
    return list(User.objects.filter(is_active=True, role__in=roles, unit__bureau_id=bureau_id))


def _liaisons_by_unit(unit_ids):
    found = {}
    for user in User.objects.filter(is_active=True, role=Role.LIAISON, unit_id__in=list(unit_ids),
                                    unit__is_active=True):
        found.setdefault(user.unit_id, []).append(user)
    return found


def unit_webhook(unit):
    return Webhook.objects.filter(unit=unit, is_active=True).first() if unit is not None else None


def bureau_webhook(bureau_id):
    return Webhook.objects.filter(bureau_id=bureau_id, unit__isnull=True, is_active=True).first()


# --- storing and queueing ----------------------------------------------------------------------

def emit(*, kind, key, recipients, title, body="", url="", unit=None, bureau_id=None, email=True, webhooks=()):
    """Store the message for each recipient (once per key) and queue its email and robot posts.

    Returns the ids of the deliveries queued (the caller may send them at once, e.g. send_digest).
    """
    bureau_id = bureau_id or (unit.bureau_id if unit is not None else None)
    deliveries = []
    with transaction.atomic():
        recipients = [u for u in {u.pk: u for u in recipients}.values()]
        have = set(Notification.objects.filter(recipient__in=recipients, dedupe_key=key)
                   .values_list("recipient_id", flat=True))
        created = []
        for user in recipients:
            if user.pk in have:
                continue
            try:
                with transaction.atomic():
                    created.append(Notification.objects.create(
                        recipient=user, kind=kind, unit=unit, title=title[:200], body=body, url=url,
                        dedupe_key=key))
            except IntegrityError:  # the same event stored this moment by another run
                continue
        if email and created:
            opted_out = set(NotificationSettings.objects.filter(user__in=[n.recipient_id for n in created],
                                                                email_opt_out=True).values_list("user_id", flat=True))
            for note in created:
                user = note.recipient
                if user.email and user.pk not in opted_out:
                    deliveries += _queue(channel=Channel.EMAIL, key=f"email:{note.pk}", target=user.email,
                                         notification=note, title=title, body=body, url=url,
                                         bureau_id=bureau_id or user.bureau_id)
        for hook in webhooks:
            if hook is not None and hook.is_active:
                deliveries += _queue(channel=Channel.WEBHOOK, key=f"webhook:{hook.pk}:{key}", target=hook.url,
                                     webhook=hook, title=title, body=body, url=url, bureau_id=hook.bureau_id)
        ids = [d.pk for d in deliveries]
        if ids:
            transaction.on_commit(lambda: _enqueue(ids))
    return ids


def _queue(*, channel, key, target, title, body, url, bureau_id, notification=None, webhook=None):
    if bureau_id is None:
        return []
    try:
        with transaction.atomic():
            delivery, created = Delivery.objects.get_or_create(dedupe_key=key[:160], defaults=dict(
                channel=channel, target=target[:300], notification=notification, webhook=webhook,
                subject=title[:200], body=body, url=url, bureau_id=bureau_id))
    except IntegrityError:
        return []
    return [delivery] if created else []


def _enqueue(ids):
    deliveries_queued.send(sender=Delivery, ids=ids)


# --- events from the services ------------------------------------------------------------------

def _deadline_text(task):
    return task.deadline_text or f"{task.deadline:%Y年%m月%d日}"


def task_assigned(task_id, unit_ids):
    from ..models import TaskAssignment

    for a in TaskAssignment.objects.filter(task_id=task_id, unit_id__in=list(unit_ids)).select_related("task", "unit"):
        task = a.task
        emit(kind=K.TASK_ASSIGNED, key=f"task_assigned:{a.pk}", recipients=liaisons_of(a.unit_id), unit=a.unit,
             title=f"新任务：{task.title}",
             body=f"完成时限：{_deadline_text(task)}。\n{task.requirement or ''}".strip(),
             url=a.get_absolute_url(), webhooks=[unit_webhook(a.unit)])


def assignment_returned(assignment_id, event_id):
    from ..models import AssignmentEvent

    event = AssignmentEvent.objects.select_related("assignment__task", "assignment__unit").get(pk=event_id)
    a = event.assignment
    emit(kind=K.ASSIGNMENT_RETURNED, key=f"assignment_returned:{event.pk}", recipients=liaisons_of(a.unit_id),
         unit=a.unit, title=f"任务落实被退回：{a.task.title}", body=f"退回原因：{event.note}",
         url=a.get_absolute_url(), webhooks=[unit_webhook(a.unit)])


def _problem(problem_id):
    from ..models import Problem

    return Problem.objects.select_related("unit", "raised_by").get(pk=problem_id)


def problem_raised(problem_id):
    p = _problem(problem_id)
    emit(kind=K.PROBLEM_RAISED, key=f"problem_raised:{p.pk}", recipients=liaisons_of(p.unit_id), unit=p.unit,
         title=f"新交办问题，请于{p.deadline:%m月%d日}前整改",
         body=f"{p.description}\n整改时限：{p.deadline:%Y年%m月%d日}（{p.unit.name}）",
         url=p.get_absolute_url(), webhooks=[unit_webhook(p.unit)])


def problem_rejected(problem_id, event_id):
    p = _problem(problem_id)
    emit(kind=K.PROBLEM_REJECTED, key=f"problem_rejected:{event_id}", recipients=liaisons_of(p.unit_id),
         unit=p.unit, title="整改复查不通过，请重新整改",
         body=f"问题：{p.description}\n复查意见：{p.recheck_note}\n整改时限：{p.deadline:%Y年%m月%d日}",
         url=p.get_absolute_url(), webhooks=[unit_webhook(p.unit)])


def problem_submitted(problem_id, event_id):
    p = _problem(problem_id)
    raiser = p.raised_by
    if raiser.is_active and raiser.role in (Role.INSPECTOR, Role.ADMIN):
        recipients = [raiser]
    else:
        recipients = bureau_people(p.unit.bureau_id, Role.INSPECTOR)
    emit(kind=K.PROBLEM_SUBMITTED, key=f"problem_submitted:{event_id}", recipients=recipients, unit=p.unit,
         title=f"{p.unit.name}已提交整改，待复查",
         body=f"问题：{p.description}\n整改情况：{p.rectification}", url=p.get_absolute_url())


def activity_returned(activity_id, reviewed_at):
    from ..models import Activity

    a = Activity.objects.select_related("unit").get(pk=activity_id)
    emit(kind=K.ACTIVITY_RETURNED, key=f"activity_returned:{a.pk}:{reviewed_at:%Y%m%d%H%M%S%f}",
         recipients=liaisons_of(a.unit_id), unit=a.unit, title=f"活动档案被退回：{a.title}",
         body=f"退回原因：{a.return_reason}\n请修改后重新提交。", url=a.get_absolute_url(),
         webhooks=[unit_webhook(a.unit)])


def letter_issued(letter_id):
    from ..models import ResponsibilityLetter

    letter = ResponsibilityLetter.objects.select_related("unit", "year").get(pk=letter_id)
    emit(kind=K.LETTER_ISSUED, key=f"letter_issued:{letter.pk}", recipients=liaisons_of(letter.unit_id),
         unit=letter.unit, title=f"{letter.year.year}年度目标责任书已下发，请签订",
         body="请打印责任书，签字盖章后上传扫描件。", url=letter.get_absolute_url(),
         webhooks=[unit_webhook(letter.unit)])


def letter_returned(letter_id):
    from ..models import ResponsibilityLetter

    letter = ResponsibilityLetter.objects.select_related("unit", "year").get(pk=letter_id)
    emit(kind=K.LETTER_RETURNED, key=f"letter_returned:{letter.pk}:{letter.returned_at:%Y%m%d%H%M%S%f}",
         recipients=liaisons_of(letter.unit_id), unit=letter.unit,
         title=f"{letter.year.year}年度目标责任书扫描件被退回，请重新上传",
         body=f"退回原因：{letter.return_reason}", url=letter.get_absolute_url(),
         webhooks=[unit_webhook(letter.unit)])


def bulletin_published(bulletin_id):
    """Every unit of the bulletin's bureau hears its own rank and score rate."""
    from ..models import Bulletin

    bulletin = Bulletin.objects.select_related("bureau").get(pk=bulletin_id)
    doc = bulletin.snapshot or {}
    ranking = {row["unit_id"]: row for row in doc.get("ranking", [])}
    criticised = {row["unit_id"]: row["reason"] for row in doc.get("criticised", [])}
    units = list(Unit.objects.in_bureau(bulletin.bureau).active())
    people = _liaisons_by_unit(u.pk for u in units)
    hooks = {h.unit_id: h for h in Webhook.objects.filter(unit__in=units, is_active=True)}
    url = bulletin.get_absolute_url()
    for unit in units:
        row = ranking.get(unit.pk)
        if row:
            body = f"本单位本周得分率 {row['rate']}%，平均得分 {row['average']}，排名第 {row['rank']} 名（共 {len(ranking)} 个单位）。"
        else:
            body = "本单位本周未被督查，无排名。"
        if unit.pk in criticised:
            body += f"\n被通报批评：{criticised[unit.pk]}，请立行立改。"
        emit(kind=K.BULLETIN_PUBLISHED, key=f"bulletin:{bulletin.pk}", recipients=people.get(unit.pk, []),
             unit=unit, title=f"{bulletin}已发布", body=body, url=url, webhooks=[hooks.get(unit.pk)])
    top = "、".join(row["unit"] for row in doc.get("praised", [])) or "无"
    emit(kind=K.BULLETIN_PUBLISHED, key=f"bulletin:{bulletin.pk}", recipients=[], bureau_id=bulletin.bureau_id,
         title=f"{bulletin}已发布", body=f"本周表扬：{top}\n逾期未整改问题：{doc.get('problems', {}).get('overdue', 0)} 个",
         url=url, email=False, webhooks=[bureau_webhook(bulletin.bureau_id)])


def monthly_published(*, report_id, title, url, bureau_id, unit_id=None):
    """Called by reports after a monthly summary is published (ledgers never imports reports)."""
    recipients = bureau_people(bureau_id, Role.LEADER, Role.ADMIN)
    emit(kind=K.MONTHLY_PUBLISHED, key=f"monthly:{report_id}", recipients=recipients, bureau_id=bureau_id,
         title=f"{title}已发布", body="本月分析小结已发布，可在线查看或下载 PDF、Excel。", url=url,
         webhooks=[bureau_webhook(bureau_id)])


# --- the daily scan: deadline stages and overdue problems --------------------------------------

def scan(today=None):
    """Tell each unit once per stage: its task due in 3 days, due today, overdue; its problem overdue.

    Returns how many messages were stored. Safe to run any number of times a day (dedupe keys).
    """
    from ..models import CampaignYear, Problem, TaskAssignment

    today = today or timezone.localdate()
    stored = 0
    year = CampaignYear.objects.current()
    if year is not None:
        open_assignments = (TaskAssignment.objects.filter(task__year=year, unit__is_active=True)
                            .exclude(status=AssignmentStatus.DONE)
                            .filter(task__deadline__lte=today + datetime.timedelta(days=DUE_SOON_DAYS),
                                    task__period_deadlines__isnull=True)  # recurring: per period, below
                            .select_related("task", "unit"))
        assignments = list(open_assignments)
        people = _liaisons_by_unit({a.unit_id for a in assignments})
        for a in assignments:
            deadline = a.task.deadline
            if deadline < today:
                kind, title = K.TASK_OVERDUE, f"任务已逾期：{a.task.title}"
            elif deadline == today:
                kind, title = K.TASK_DUE_TODAY, f"任务今天到期：{a.task.title}"
            else:
                kind, title = K.TASK_DUE_SOON, f"任务{(deadline - today).days}天后到期：{a.task.title}"
            stored += _stage(kind=kind, key=f"{kind}:{a.pk}:{deadline:%Y%m%d}", recipients=people.get(a.unit_id, []),
                             unit=a.unit, title=title, body=f"完成时限：{deadline:%Y年%m月%d日}",
                             url=a.get_absolute_url())
        stored += _scan_periods(year, today)
    problems = list(Problem.objects.overdue(today).filter(unit__is_active=True).select_related("unit"))
    people = _liaisons_by_unit({p.unit_id for p in problems})
    admins = {}
    for p in problems:
        if p.unit.bureau_id not in admins:
            admins[p.unit.bureau_id] = bureau_people(p.unit.bureau_id, Role.ADMIN)
        stored += _stage(kind=K.PROBLEM_OVERDUE, key=f"problem_overdue:{p.pk}:{p.deadline:%Y%m%d}",
                         recipients=people.get(p.unit_id, []) + admins[p.unit.bureau_id], unit=p.unit,
                         title=f"问题已逾期未整改（{p.unit.name}）",
                         body=f"{p.description}\n整改时限：{p.deadline:%Y年%m月%d日}", url=p.get_absolute_url())
    return stored


def _scan_periods(year, today):
    """Recurring tasks (每周, 每月, 每学期 …): each period the unit has not reported in is told due in 3 days,
    due today and overdue, once per stage and period; of the passed periods only the latest one (a
    first run on a year-old database does not list every missed month). The periods and what
    counts as reported are ledgers.rules' (TaskItems), as on every page."""
    from ..models import TaskAssignment

    assignments = list(
        TaskAssignment.objects.filter(task__year=year, unit__is_active=True, task__period_deadlines__isnull=False)
        .exclude(status=AssignmentStatus.DONE).distinct().select_related("task", "unit").with_items())
    people = _liaisons_by_unit({a.unit_id for a in assignments})
    stored = 0
    soon = today + datetime.timedelta(days=DUE_SOON_DAYS)
    for a in assignments:
        items = a.items(today)
        stages = [(item, K.TASK_OVERDUE) for item in items if item.overdue][-1:]
        stages += [(item, K.TASK_DUE_TODAY if item.due == today else K.TASK_DUE_SOON)
                   for item in items if not item.done and today <= item.due <= soon]
        for item, kind in stages:
            when = {K.TASK_OVERDUE: "已逾期", K.TASK_DUE_TODAY: "今天到期"}.get(kind, f"{(item.due - today).days}天后到期")
            # The same key as a one-off deadline: the last period (the task's deadline) is told once.
            stored += _stage(kind=kind, key=f"{kind}:{a.pk}:{item.due:%Y%m%d}", recipients=people.get(a.unit_id, []),
                             unit=a.unit, title=f"{item.label}报送{when}：{a.task.title}",
                             body=f"{item.label}完成时限：{item.due:%Y年%m月%d日}，本期尚未填报落实情况。",
                             url=a.get_absolute_url())
    return stored


def _stage(**kwargs):
    """Deadline stages go in-app; the day's email is the digest, not one mail per item."""
    have = Notification.objects.filter(dedupe_key=kwargs["key"]).count()
    emit(email=False, **kwargs)
    return Notification.objects.filter(dedupe_key=kwargs["key"]).count() - have


# --- the daily digest (日结日清) -----------------------------------------------------------------

def _lines_for_unit(unit, today):
    """[(heading, [item text, ...], url)] of what the unit has due today, overdue and waiting (the
    rules of ledgers.rules: a task's or a period's deadline; a problem's deadline in force)."""
    from ..models import Activity, Problem, ResponsibilityLetter, TaskAssignment

    assignments = list(TaskAssignment.objects.filter(unit=unit).exclude(status=AssignmentStatus.DONE)
                       .select_related("task").with_items().order_by("task__deadline", "task_id")[:LISTED])
    problems = Problem.objects.filter(unit=unit)
    lines = []

    def add(heading, items, url):
        items = list(items)
        if items:
            if len(items) > SHOWN:
                items = items[:SHOWN] + [f"……共 {len(items)}{'+' if len(items) >= LISTED else ''} 项"]
            lines.append((heading, items, url))

    due_today, overdue = [], []
    for a in assignments:
        for item in a.items(today):
            named = f"{a.task.title}（{item.label}）" if item.label else a.task.title
            if item.overdue:
                overdue.append(f"{named}（{item.due:%m月%d日}到期{'，未填报' if item.label else ''}）")
            elif item.due == today and not item.done:
                due_today.append(named)
    add("今天到期的任务", due_today, reverse("ledgers:my_tasks"))
    add("逾期未完成的任务", overdue, reverse("ledgers:my_tasks"))
    awaiting = problems.awaiting_unit()
    add("今天到期的问题", [p.description[:40] for p in awaiting.filter(deadline=today)[:LISTED]],
        reverse("ledgers:problem_list"))
    add("逾期未整改的问题", [f"{p.description[:40]}（{p.deadline:%m月%d日}到期）"
                         for p in problems.overdue(today).order_by("deadline", "pk")[:LISTED]],
        reverse("ledgers:problem_list"))
    add("待整改的问题", [p.description[:40] for p in awaiting.filter(deadline__gt=today)[:LISTED]],
        reverse("ledgers:problem_list"))
    add("被退回的活动档案", [a.title for a in Activity.objects.filter(unit=unit, status=ActivityStatus.RETURNED)[:LISTED]],
        reverse("ledgers:activity_list"))
    add("待签订的目标责任书", [str(letter) for letter in ResponsibilityLetter.objects.filter(
        unit=unit, status=LetterStatus.ISSUED).select_related("year", "unit")[:LISTED]], reverse("ledgers:letter_list"))
    return lines


def _lines_for_bureau(user_or_bureau, role, today):
    """What a bureau's admin, inspector or leader has waiting: counts over the bureau's units. The
    units' overdue and the inspectors' own wait (待复查超过 N 天) are counted apart, never twice."""
    from .. import rules
    from ..models import Activity, Bureau, Problem, ResponsibilityLetter, TaskAssignment

    bureau = user_or_bureau if isinstance(user_or_bureau, Bureau) else user_or_bureau.bureau
    problems = Problem.objects.in_bureau(bureau)
    lines = []

    def add(heading, count, url):
        if count:
            lines.append((heading, [f"{count} 项"], url))

    overdue = problems.overdue(today)
    if role != Role.INSPECTOR:
        count = overdue.count()
        if count:
            units = overdue.order_by("unit__name").values_list("unit__name", flat=True).distinct()
            lines.append(("逾期未整改的问题", [f"{count} 个（{'、'.join(list(units[:8]))}）"],
                          reverse("ledgers:problem_list") + "?overdue=on"))
        add("逾期未完成的任务", TaskAssignment.objects.in_bureau(bureau).overdue(today).count(),
            reverse("ledgers:task_matrix") + "?status=overdue")
    if role in (Role.INSPECTOR, Role.ADMIN):
        add("待复查的整改", problems.in_review().count(), reverse("ledgers:problem_list") + "?status=review")
    add(f"待复查超过 {rules.recheck_wait_days()} 天的整改", problems.recheck_overdue(today).count(),
        reverse("ledgers:problem_list") + "?status=review")
    if role in (Role.INSPECTOR, Role.ADMIN):
        add("待审核的活动档案", Activity.objects.in_bureau(bureau).filter(status=ActivityStatus.SUBMITTED).count(),
            reverse("ledgers:activity_list"))
    if role == Role.ADMIN:
        add("待确认的目标责任书", ResponsibilityLetter.objects.in_bureau(bureau).filter(
            status=LetterStatus.PENDING).count(), reverse("ledgers:letter_list") + "?status=pending")
    if role == Role.INSPECTOR:
        add("今天到期的问题", problems.awaiting_unit().filter(deadline=today).count(), reverse("ledgers:problem_list"))
    return lines


def _digest_text(lines):
    parts = []
    for heading, items, url in lines:
        parts.append(f"【{heading}】" + "；".join(items))
    return "\n".join(parts)


def _digest_title(today, lines):
    return f"{today.month}月{today.day}日 日结日清提醒：" + "、".join(heading for heading, _, _ in lines[:4])


def send_digest(today=None):
    """One message a day for each person with something due, overdue or waiting (once per day).

    Returns the ids of the deliveries queued (mail and robots)."""
    today = today or timezone.localdate()
    key = f"digest:{today:%Y-%m-%d}"
    queued = []
    unit_lines = {}
    users = User.objects.filter(is_active=True, unit__isnull=False, unit__is_active=True).select_related(
        "unit__bureau")
    for user in users:
        if user.role == Role.LIAISON:
            if user.unit_id not in unit_lines:
                unit_lines[user.unit_id] = _lines_for_unit(user.unit, today)
            lines = unit_lines[user.unit_id]
        else:
            lines = _lines_for_bureau(user, user.role, today)
        if not lines:
            continue
        queued += emit(kind=K.DIGEST, key=key, recipients=[user], unit=user.unit if user.is_liaison else None,
                       bureau_id=user.unit.bureau_id, title=_digest_title(today, lines), body=_digest_text(lines),
                       url=reverse("ledgers:notification_list"))
    for hook in Webhook.objects.filter(is_active=True).select_related("unit", "bureau"):
        if hook.unit_id:
            if not hook.unit.is_active:
                continue
            lines = unit_lines.get(hook.unit_id)
            if lines is None:
                lines = _lines_for_unit(hook.unit, today)
            title = f"{hook.unit.name} {today.month}月{today.day}日 日结日清提醒"
        else:
            lines = _lines_for_bureau(hook.bureau, Role.ADMIN, today)
            title = f"{hook.bureau.label} {today.month}月{today.day}日 日结日清汇总"
        if lines:
            queued += emit(kind=K.DIGEST, key=key, recipients=[], bureau_id=hook.bureau_id, title=title,
                           body=_digest_text(lines), url=lines[0][2], email=False, webhooks=[hook])
    return queued
