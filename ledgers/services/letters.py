"""Writes to target responsibility letters: generating a year's letters, the status moves, and
the signed scan upload (which is what makes a letter 已签订).

Keyword-only functions, each in one transaction; `MoveRefused` carries the Chinese refusal.
"""
from django.db import transaction
from django.utils import timezone

from .. import files
from ..access import can_edit
from ..models import LetterItem, LetterStatus, LetterTarget, ResponsibilityLetter, SignedScan, Unit
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


# (from, to) -> (who may, refusal message, timestamp field prefix)
TRANSITIONS = {
    (L.DRAFT, L.ISSUED): (lambda user, letter: may_manage_letters(user, letter), "只有局文明办可以下发责任书。", "issued"),
    (L.ISSUED, L.SIGNED): (may_sign, "只有本单位联络员可以上传签字扫描件。", "signed"),
    (L.SIGNED, L.ARCHIVED): (lambda user, letter: may_manage_letters(user, letter), "只有局文明办可以归档。", "archived"),
}


def letter_move(*, letter, to, user):
    """Move a letter to status `to` if the move is allowed for this user; records who/when."""
    with transaction.atomic():
        current = ResponsibilityLetter.objects.select_for_update().get(pk=letter.pk)
        rule = TRANSITIONS.get((current.status, to))
        if rule is None:
            raise MoveRefused(f"当前状态为“{current.get_status_display()}”，不能改为“{L(to).label}”。")
        allowed, refusal, stamp = rule
        if not allowed(user, current):
            raise MoveRefused(refusal)
        if to == L.SIGNED and not current.scans.exists():
            raise MoveRefused("请先上传签字盖章后的扫描件。")
        current.status = to
        setattr(current, f"{stamp}_at", timezone.now())
        setattr(current, f"{stamp}_by", user)
        current.save()
        if to == L.ISSUED:
            after_commit(notifications.letter_issued, current.pk)
    letter.refresh_from_db()
    return letter


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
        for unit in Unit.objects.actable_by(user).filter(bureau=bureau).active():
            letter = existing.get(unit.pk)
            if letter is None:
                letter = ResponsibilityLetter.objects.create(year=year, unit=unit,
                                                             unit_signatory=unit.contact_name)
                created += 1
            elif letter.status == L.DRAFT:
                refreshed += 1
            else:
                continue
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
    """Keep the signed scan (PDF or image); an issued letter becomes 已签订."""
    if not may_sign(user, letter):
        raise MoveRefused("只有本单位联络员可以上传签字扫描件。")
    if letter.status not in (L.ISSUED, L.SIGNED):
        raise MoveRefused(f"责任书状态为“{letter.get_status_display()}”，不能上传签字扫描件。")
    files.check_upload(upload, SignedScan.allowed_kinds)
    with transaction.atomic():
        scan = SignedScan.build(upload, uploaded_by=user, letter=letter)
        scan.save()
        if letter.status == L.ISSUED:
            letter_move(letter=letter, to=L.SIGNED, user=user)
    return scan
