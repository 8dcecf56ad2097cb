"""Writing checks (督查记录): save a draft with its scores and photos, submit it, correct it.

Each function is one transaction and checks who may do it: inspectors and bureau admins
record checks; once submitted, only a bureau admin may correct one, and the correction keeps
the figures before and after. Refusals are PermissionDenied / ValidationError with a Chinese
message that views show as they are.
"""
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from ..models import Check, CheckCorrection, CheckPhoto, CheckScore, CheckStatus, Role
from ..models.checks import format_points


def can_record_checks(user):
    return user.is_authenticated and user.has_role(Role.ADMIN, Role.INSPECTOR)


def can_edit_check(user, check):
    return can_record_checks(user) and check.is_draft


def can_correct_check(user, check):
    return user.is_authenticated and user.is_bureau_admin and not check.is_draft


def validate_scores(items, scores, *, complete):
    """Check {item_id: Decimal or None} against the items; return the errors as {item_id: message}."""
    errors = {}
    for item in items:
        score = scores.get(item.pk)
        if score is None:
            if complete:
                errors[item.pk] = f"“{item.title}”尚未打分，不能提交。"
            continue
        try:
            item.validate_score(score)
        except ValidationError as error:
            errors[item.pk] = error.messages[0]
    return errors


def _require_recorder(user):
    if not can_record_checks(user):
        raise PermissionDenied("只有督导组或局文明办可以录入督查记录。")


def _write_scores(check, items, scores):
    errors = validate_scores(items, scores, complete=False)
    if errors:
        raise ValidationError(list(errors.values()))
    kept = {item.pk: scores.get(item.pk) for item in items if scores.get(item.pk) is not None}
    check.scores.exclude(item_id__in=kept).delete()
    existing = {s.item_id: s for s in check.scores.all()}
    for item_id, score in kept.items():
        row = existing.get(item_id) or CheckScore(check_record=check, item_id=item_id)
        if row.pk is None or row.score != score:
            row.score = score
            row.save()
    check.total = sum(kept.values(), Decimal(0))
    check.max_total = sum((item.max_points for item in items), Decimal(0))


def _mark_submitted(check, user, items):
    scores = {s.item_id: s.score for s in check.scores.all()}
    errors = validate_scores(items, scores, complete=True)
    if errors:
        raise ValidationError(list(errors.values()))
    check.status = CheckStatus.SUBMITTED
    check.submitted_by = user
    check.submitted_at = timezone.now()


@transaction.atomic
def check_save(*, user, unit, date, kind, template, remarks="", scores, inspectors=(), photos=(),
               check=None, submit=False):
    """Create or update a draft check with its scores and new photos; submit it when asked."""
    _require_recorder(user)
    if unit is None or not unit.is_active:
        raise ValidationError("受检单位不存在或已停用，请重新选择。")
    if not user.may_act_on_unit(unit):
        raise PermissionDenied("只能督查本局所属的单位。")
    if check is None:
        check = Check(created_by=user)
    else:
        check = Check.objects.select_for_update().get(pk=check.pk)
        if not check.is_draft:
            raise PermissionDenied("督查记录已提交，只能由局文明办更正。")
    items = list(template.items.all())
    check.year_id, check.unit, check.date, check.kind = template.year_id, unit, date, kind
    check.template, check.remarks = template, remarks
    check.save()
    _write_scores(check, items, scores)
    check.inspectors.set(list(inspectors) or [user])
    for uploaded in photos:
        CheckPhoto.build(uploaded, uploaded_by=user, check_record=check).save()
    if submit:
        _mark_submitted(check, user, items)
    check.save()
    return check


@transaction.atomic
def check_submit(*, check, user):
    _require_recorder(user)
    check = Check.objects.select_for_update().get(pk=check.pk)
    if not check.is_draft:
        raise ValidationError("该督查记录已经提交。")
    _mark_submitted(check, user, list(check.template.items.all()))
    check.save()
    return check


def _figures(check):
    return {
        "scores": {s.item.title: format_points(s.score) for s in check.scores.select_related("item")},
        "total": format_points(check.total),
        "remarks": check.remarks,
    }


@transaction.atomic
def check_correct(*, check, user, scores, remarks, reason):
    """A bureau admin corrects a submitted check; the figures before and after are kept."""
    if not user.is_bureau_admin:
        raise PermissionDenied("只有局文明办可以更正已提交的督查记录。")
    check = Check.objects.select_for_update().get(pk=check.pk)
    if check.is_draft:
        raise ValidationError("草稿可以直接修改，无需更正。")
    if not (reason or "").strip():
        raise ValidationError("请填写更正理由。")
    items = list(check.template.items.all())
    errors = validate_scores(items, scores, complete=True)
    if errors:
        raise ValidationError(list(errors.values()))
    before = _figures(check)
    check.remarks = remarks
    _write_scores(check, items, scores)
    check.save()
    CheckCorrection.objects.create(check_record=check, by=user, reason=reason.strip(), before=before,
                                   after=_figures(check))
    return check
