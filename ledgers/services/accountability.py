"""问责: the bureau's rules raise 问责提示; the bureau records what it did and closes them.

Raising (`scan(today, bureau=None)`, run by the daily notifications job and by 立即检查): every
active rule of every bureau (or of one) is read against the ledgers, with the rules of the published
figures (ledgers.rules), and each unit that meets it gets one case per cause (`key`, unique per
unit), so a rule met again the next day raises nothing new:

- 被督查通报批评 N 次 in one month: the unit is in the 通报批评 list of N or more published
  bulletins (its own bureau's, or the city's sent to every district) published in one calendar
  month of the campaign year — key `criticised:2026-03`;
- 问题逾期超过 N 天: a problem 逾期未整改 (ledgers.rules.overdue_q) whose 逾期天数 (from the
  deadline in force) is more than N — key `problem:<id>`;
- 任务未按期 N 次: the unit's items (a one-off task's deadline, each period of a recurring task:
  ledgers.rules.TaskItems) not done by their deadlines this campaign year reach N, 2N, 3N …
  — key `task_missed:2026:<N·k>`.

Nothing else raises one. Recording (`action_add`: 提醒谈话 / 约谈 / 通报批评 / 问责 with date, who,
attendees, notes, attachments) moves a case to 处理中; `case_close` (with a note, after at least
one action) to 已办结. Only the bureau's admins record and close; each write is one transaction.
"""
import datetime
from collections import Counter, defaultdict

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone

from .. import rules
from ..models import (
    AccountabilityAction, AccountabilityAttachment, AccountabilityCase, AccountabilityRule, Bulletin, Bureau,
    CampaignYear, CaseStatus, Problem, TaskAssignment, TriggerKind, Unit,
)
from ..models.accountability import DEFAULT_THRESHOLDS
from . import notifications
from .notifications import after_commit

LISTED = 10  # a reason names at most this many items


def can_handle(user, unit=None):
    """The bureau's admins record and close cases (of their own bureau's units)."""
    if not (user.is_authenticated and user.is_active and user.is_bureau_admin):
        return False
    return unit is None or user.may_act_on_unit(unit)


# --- the rules ------------------------------------------------------------------------------------

def rules_for(bureau):
    """The bureau's rules, one per kind: the defaults (2 次, 7 天, 2 次; not yet saved) until it sets
    its own. Reading them writes nothing."""
    have = {r.kind: r for r in AccountabilityRule.objects.filter(bureau=bureau)}
    return [have.get(kind) or AccountabilityRule(bureau=bureau, kind=kind, threshold=DEFAULT_THRESHOLDS[kind])
            for kind in TriggerKind.values]


def rule_save(*, user, rule, threshold, is_active):
    if not can_handle(user) or (rule.bureau_id != user.owning_bureau().pk and not user.is_superuser):
        raise PermissionDenied("只有本局文明办可以设置问责规则。")
    if not threshold or threshold < 1:
        raise ValidationError("次数/天数至少为 1。")
    with transaction.atomic():
        saved = AccountabilityRule.objects.select_for_update().filter(bureau=rule.bureau_id, kind=rule.kind).first()
        rule = saved or rule
        rule.threshold, rule.is_active = threshold, is_active
        rule.full_clean()
        rule.save()
    return rule


# --- raising --------------------------------------------------------------------------------------

def scan(today=None, bureau=None):
    """Raise the cases the active rules call for (every bureau, or `bureau`); returns the new cases."""
    today = today or timezone.localdate()
    year = CampaignYear.objects.current()
    if year is None:
        return []
    bureaus = [bureau] if bureau is not None else list(Bureau.objects.all())
    raised = []
    for b in bureaus:
        for rule in rules_for(b):
            if not rule.is_active:
                continue
            finder = {TriggerKind.CRITICISED: _criticised, TriggerKind.PROBLEM_OVERDUE: _problems_overdue,
                      TriggerKind.TASK_MISSED: _tasks_missed}[rule.kind]
            for unit_id, key, reason in finder(b, year, rule.threshold, today):
                case = _raise(year=year, unit_id=unit_id, rule=rule, key=key, reason=reason, today=today)
                if case is not None:
                    raised.append(case)
    return raised


def _raise(*, year, unit_id, rule, key, reason, today):
    if AccountabilityCase.objects.filter(unit_id=unit_id, key=key).exists():
        return None
    try:
        with transaction.atomic():
            case = AccountabilityCase.objects.create(year=year, unit_id=unit_id, kind=rule.kind,
                                                     threshold=rule.threshold, key=key, reason=reason,
                                                     raised_on=today)
            after_commit(notifications.accountability_raised, case.pk)
    except IntegrityError:  # raised this instant by another run
        return None
    return case


def _units_of(bureau):
    return Unit.objects.filter(bureau=bureau, is_active=True)


def _criticised(bureau, year, threshold, today):
    """(unit id, key, reason) for units criticised in `threshold`+ bulletins published in one month."""
    ids = set(_units_of(bureau).values_list("pk", flat=True))
    bulletins = (Bulletin.objects.published().filter(year=year, published_at__lt=rules.end_of(today))
                 .filter(bureau__in=[bureau.pk] + ([bureau.parent_id] if bureau.parent_id else []))
                 .order_by("published_at", "pk").values_list("number", "published_at", "snapshot"))
    hits = defaultdict(list)  # (unit id, month) -> ["第5期（理由）", ...]
    for number, published_at, snapshot in bulletins:
        month = rules.local_day(published_at).strftime("%Y-%m")
        for row in (snapshot or {}).get("criticised", []):
            if row.get("unit_id") in ids:
                hits[(row["unit_id"], month)].append(f"第{number}期（{row.get('reason', '')}）")
    for (unit_id, month), lines in sorted(hits.items()):
        if len(lines) >= threshold:
            y, m = month.split("-")
            yield (unit_id, f"criticised:{month}",
                   f"{y}年{int(m)}月在督查通报中被通报批评 {len(lines)} 次：{'；'.join(lines)}。")


def _problems_overdue(bureau, year, threshold, today):
    problems = (Problem.objects.filter(unit__in=_units_of(bureau)).overdue(today)
                .filter(deadline__lt=today - datetime.timedelta(days=threshold)).order_by("deadline", "pk"))
    for p in problems:
        days = p.overdue_days_on(today)
        yield (p.unit_id, f"problem:{p.pk}",
               f"问题“{p.description[:60]}”（{p.found_on:%Y年%m月%d日}交办，整改时限{p.deadline:%Y年%m月%d日}）"
               f"逾期未整改 {days} 天，超过 {threshold} 天。")


def _tasks_missed(bureau, year, threshold, today):
    assignments = TaskAssignment.objects.filter(task__year=year, unit__in=_units_of(bureau))
    counts = Counter()
    for qs, periodic in rules.TaskItems(assignments).each():
        for row in qs.filter(rules.TaskItems.missed(periodic, today)).values("unit_id").annotate(n=Count("pk")).order_by():
            counts[row["unit_id"]] += row["n"]
    flagged = {unit_id: n for unit_id, n in counts.items() if n >= threshold}
    if not flagged:
        return
    named = defaultdict(list)  # only the flagged units' items are read one by one, for the reason
    for a in (TaskAssignment.objects.filter(task__year=year, unit_id__in=list(flagged)).select_related("task")
              .with_items().order_by("task__deadline", "task_id")):
        for item in a.items(today):
            if item.missed_by(today):
                named[a.unit_id].append(f"{a.task.title}{'（' + item.label + '）' if item.label else ''}"
                                        f"（{item.due:%m月%d日}到期）")
    for unit_id, n in sorted(flagged.items()):
        level = n // threshold * threshold
        items = named[unit_id]
        more = f"等 {n} 项" if n > LISTED else ""
        yield (unit_id, f"task_missed:{year.year}:{level}",
               f"{year.year}年度任务未按期完成或报送累计 {n} 次（达到 {level} 次）：{'；'.join(items[:LISTED])}{more}。")


# --- recording and closing ------------------------------------------------------------------------

def _locked(case, user, doing):
    """The case, locked, once the user may `doing` it (an open case of their own bureau's unit)."""
    case = AccountabilityCase.objects.select_for_update().select_related("unit").get(pk=case.pk)
    if not can_handle(user, case.unit):
        raise PermissionDenied(f"只有本局文明办可以{doing}。")
    if case.is_closed:
        raise ValidationError(f"该问责提示已办结，不能再{doing}。")
    return case


def action_add(*, case, user, kind, date, conducted_by, attendees="", notes, uploads=()):
    """Record what the bureau did (提醒谈话 / 约谈 / 通报批评 / 问责): the case is 处理中 after it."""
    with transaction.atomic():
        case = _locked(case, user, "记录问责处理情况")
        if date > timezone.localdate():
            raise ValidationError({"date": "日期不能晚于今天。"})
        action = AccountabilityAction(case=case, kind=kind, date=date, conducted_by=conducted_by.strip(),
                                      attendees=attendees.strip(), notes=notes.strip(), recorded_by=user)
        action.full_clean()
        action.save()
        for upload in uploads:
            AccountabilityAttachment.build(upload, uploaded_by=user, action=action).save()
        if case.status == CaseStatus.OPEN:
            case.status = CaseStatus.HANDLING
            case.save()
    return action


def case_close(*, case, user, note):
    with transaction.atomic():
        case = _locked(case, user, "办结问责提示")
        if not case.actions.exists():
            raise ValidationError("请先记录处理情况（提醒谈话、约谈、通报批评或问责），再办结。")
        note = (note or "").strip()
        if not note:
            raise ValidationError("请填写办结情况。")
        case.status, case.closing_note = CaseStatus.CLOSED, note
        case.closed_by, case.closed_at = user, timezone.now()
        case.save()
    return case
