"""Writes to target responsibility letters: generating a year's letters (proposing the heads who
sign them), the status moves, the signed scan upload (the letter then waits for the bureau: 待确认)
and the bureau's answer to it: confirmed (已签订, completing the unit's letter task in the same
transaction) or returned with a reason (back to 已下发, for a better scan).

Keyword-only functions, each in one transaction; `MoveRefused` carries the Chinese refusal.
"""
from django.db import transaction
from django.utils import timezone

from .. import files
from ..access import can_edit
from ..models import (
    AssignmentStatus, LetterItem, LetterStatus, LetterTarget, ResponsibilityLetter, SignedScan, TaskAssignment, Unit,
)
from . import notifications
from .notifications import after_commit
from .tasks import MoveRefused

L = LetterStatus


def may_manage_letters(user, letter=None):
    """A bureau admin manages their own bureau's letters (the city's admin: the city units')."""
    if not (user.is_authenticated and user.is_bureau_admin and can_edit(user)):
        return False
    return letter is None or user.may_act_on_unit(letter.unit)


def may_sign(user, letter):
    if not can_edit(user):
        return False
    return (user.is_bureau_admin and user.may_act_on_unit(letter.unit)) or (
        user.is_liaison and user.unit_id == letter.unit_id)


def _manager(user, letter):
    return may_manage_letters(user, letter)


# (from, to) -> (who may, refusal message, timestamp field prefix)
TRANSITIONS = {
    (L.DRAFT, L.ISSUED): (_manager, "只有局文明办可以下发责任书。", "issued"),
    (L.ISSUED, L.PENDING): (may_sign, "只有本单位联络员可以上传签字扫描件。", "uploaded"),
    (L.PENDING, L.SIGNED): (_manager, "只有局文明办可以确认签订。", "signed"),
    (L.PENDING, L.ISSUED): (_manager, "只有局文明办可以退回扫描件。", "returned"),
    (L.SIGNED, L.ARCHIVED): (_manager, "只有局文明办可以归档。", "archived"),
}


def letter_move(*, letter, to, user, reason=""):
    """Move a letter to status `to` if the move is allowed for this user; records who/when."""
    with transaction.atomic():
        current = ResponsibilityLetter.objects.select_for_update().get(pk=letter.pk)
        rule = TRANSITIONS.get((current.status, to))
        if rule is None:
            raise MoveRefused(f"当前状态为“{current.get_status_display()}”，不能改为“{L(to).label}”。")
        allowed, refusal, stamp = rule
        if not allowed(user, current):
            raise MoveRefused(refusal)
        if to in (L.PENDING, L.SIGNED) and not current.scans.exists():
            raise MoveRefused("请先上传签字盖章后的扫描件。")
        returning = current.status == L.PENDING and to == L.ISSUED
        if returning and not reason.strip():
            raise MoveRefused("请填写退回原因（如：扫描件不清晰、缺少签字或公章）。")
        now = timezone.now()
        current.status = to
        setattr(current, f"{stamp}_at", now)
        setattr(current, f"{stamp}_by", user)
        if returning:
            current.return_reason = reason.strip()
        elif to == L.PENDING:
            current.return_reason = ""
        current.save()
        if to == L.ISSUED and not returning:
            after_commit(notifications.letter_issued, current.pk)
        if returning:
            after_commit(notifications.letter_returned, current.pk)
        if to == L.SIGNED:
            _complete_letter_tasks(current, user)
    letter.refresh_from_db()
    return letter


def letter_confirm(*, letter, user):
    """The bureau confirms the uploaded scan: 已签订, and the unit's letter task is done."""
    return letter_move(letter=letter, to=L.SIGNED, user=user)


def letter_return(*, letter, user, reason):
    """The bureau sends a bad scan back with a reason: 已下发 again, the liaison uploads another."""
    return letter_move(letter=letter, to=L.ISSUED, user=user, reason=reason or "")


def _complete_letter_tasks(letter, user):
    """Inside the confirmation's transaction: the unit's 签订责任书 tasks of the letter's year are
    done, as of the scan's upload (the unit's part was done then; the bureau's wait is not its delay)."""
    from . import tasks as task_services

    scan = letter.latest_scan()
    uploaded_at = letter.uploaded_at or timezone.now()
    assignments = (TaskAssignment.objects.filter(unit=letter.unit_id, task__year=letter.year_id,
                                                 task__is_letter_task=True)
                   .exclude(status=AssignmentStatus.DONE).select_related("task"))
    for assignment in assignments:
        if not assignment.progress.exists():
            task_services.progress_add(assignment=assignment, user=user, date=timezone.localdate(uploaded_at),
                                       content=f"目标责任书已签订（{scan.original_name if scan else '扫描件'}），局文明办确认。")
            assignment.refresh_from_db()
        task_services.assignment_move(assignment=assignment, to=AssignmentStatus.DONE, user=user,
                                      note="目标责任书经局文明办确认签订", completed_at=uploaded_at)


def _copy_items(letter, targets):
    letter.items.all().delete()
    LetterItem.objects.bulk_create(
        [LetterItem(letter=letter, order=i, text=t.text, points=t.points) for i, t in enumerate(targets, 1)]
    )


def letters_generate(*, year, user):
    """One letter per active unit for `year`, items copied from the year's targets.

    Letters still in 草稿 get the current items again; issued letters are left as they were.
    Returns (created, refreshed).
    """
    if not may_manage_letters(user):
        raise MoveRefused("只有局文明办可以生成责任书。")
    bureau = user.owning_bureau()
    targets = list(LetterTarget.objects.filter(year=year, bureau=bureau))
    if not targets:
        raise MoveRefused("请先填写本年度责任书的目标条目。")
    created = refreshed = 0
    with transaction.atomic():
        existing = {letter.unit_id: letter
                    for letter in ResponsibilityLetter.objects.filter(year=year, unit__bureau=bureau)}
        # The bureau's own units only: each district signs letters with its own units.
        for unit in Unit.objects.actable_by(user).filter(bureau=bureau).active().select_related("bureau"):
            letter = existing.get(unit.pk)
            if letter is None:
                letter = ResponsibilityLetter(year=year, unit=unit)
                created += 1
            elif letter.status == L.DRAFT:
                refreshed += 1
            else:
                continue
            # The heads sign (单位主要负责人; 局主要负责人, else 分管负责人), never the liaison; a name
            # the bureau already typed into a draft is kept.
            letter.unit_signatory = letter.unit_signatory or unit.head_name
            heads = unit.bureau
            letter.bureau_signatory = letter.bureau_signatory or heads.head_name or heads.deputy_head_name
            letter.save()
            _copy_items(letter, targets)
    return created, refreshed


def letters_issue_all(*, year, user):
    """Issue every draft letter of the year; returns how many were issued."""
    drafts = list(ResponsibilityLetter.objects.actable_by(user).filter(year=year, status=L.DRAFT,
                                                                       unit__bureau=user.owning_bureau()))
    with transaction.atomic():
        for letter in drafts:
            letter_move(letter=letter, to=L.ISSUED, user=user)
    return len(drafts)


def letter_upload_scan(*, letter, user, upload):
    """Keep the signed scan (PDF or image); the letter waits for the bureau's confirmation (待确认)."""
    if not may_sign(user, letter):
        raise MoveRefused("只有本单位联络员可以上传签字扫描件。")
    if letter.status not in (L.ISSUED, L.PENDING):
        raise MoveRefused(f"责任书状态为“{letter.get_status_display()}”，不能上传签字扫描件。")
    files.check_upload(upload, SignedScan.allowed_kinds)
    with transaction.atomic():
        scan = SignedScan.build(upload, uploaded_by=user, letter=letter)
        scan.save()
        if letter.status == L.ISSUED:
            letter_move(letter=letter, to=L.PENDING, user=user)
        else:  # a better scan while waiting: the wait starts again from it
            ResponsibilityLetter.objects.filter(pk=letter.pk).update(uploaded_at=timezone.now(), uploaded_by=user)
    return scan
