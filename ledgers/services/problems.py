"""The rectification loop (发现→交办→整改→复查→销号): one function per move.

Each move locks the problem row, checks who may make it from the current status, changes the
status and records a `ProblemEvent` (who, when, note), all in one transaction. Refusals are
PermissionDenied / ValidationError with a Chinese message for the user.

- problem_raise                    inspector / bureau admin          → 待整改
- problem_start                    the unit's liaison                 待整改 → 整改中
- problem_submit_rectification     the unit's liaison (or a bureau admin on the unit's behalf),
                                   note + at least one photo after     待整改/整改中 → 待复查
- problem_reject                   inspector / bureau admin, reason and
                                   a new deadline (default: the next
                                   day), not the one who rectified    待复查 → 整改中
- problem_close                    inspector / bureau admin,
                                   not the one who rectified          待复查 → 已销号
"""
from django.core.files.base import ContentFile
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from .. import rules
from ..models import (
    CampaignYear, PhotoStage, Problem, ProblemAction, ProblemEvent, ProblemPhoto, ProblemStatus, Role,
)
from ..models.problems import next_day
from . import notifications
from .notifications import after_commit

RECTIFIABLE = (ProblemStatus.OPEN, ProblemStatus.RECTIFYING)


def can_recheck(user):
    return user.is_authenticated and user.has_role(Role.ADMIN, Role.INSPECTOR)


can_raise = can_recheck


def can_rectify(user, problem):
    """The unit's liaison answers its problems; a bureau admin may do it on a unit's behalf."""
    if not user.is_authenticated:
        return False
    if user.is_bureau_admin:
        return user.may_act_on_unit(problem.unit)
    return user.is_liaison and user.unit_id == problem.unit_id


def _locked(problem):
    return Problem.objects.select_for_update().get(pk=problem.pk)


def _record(problem, *, action, from_status, actor, note="", deadline=None):
    return ProblemEvent.objects.create(problem=problem, action=action, from_status=from_status,
                                       to_status=problem.status, actor=actor, note=note, deadline=deadline)


def _status_refusal(problem, doing):
    return ValidationError(f"该问题当前状态为“{problem.get_status_display()}”，不能{doing}。")


def _add_photos(problem, photos, stage, user):
    for uploaded in photos:
        ProblemPhoto.build(uploaded, uploaded_by=user, problem=problem, stage=stage).save()


def _copy_check_photos(problem, photos, user):
    """The check's own photos of the failure become the problem's 整改前 photos (a copy of each, so
    the two records keep their files apart)."""
    for photo in photos:
        if photo.check_record_id != problem.check_record_id:
            raise ValidationError("只能选用本次督查的现场照片。")
        with photo.original.open("rb") as handle:
            copy = ContentFile(handle.read(), name=photo.original_name)
        ProblemPhoto.build(copy, uploaded_by=user, problem=problem, stage=PhotoStage.BEFORE).save()


@transaction.atomic
def problem_raise(*, user, unit, description, deadline=None, indicator=None, check=None, photos=(),
                  check_photos=(), found_on=None, note=""):
    if not can_raise(user):
        raise PermissionDenied("只有督导组或局文明办可以交办问题。")
    if check is not None:
        unit, found_on, year = check.unit, check.date, check.year
    else:
        year = CampaignYear.objects.current()
    if unit is None or not unit.is_active:
        raise ValidationError("责任单位不存在或已停用，请重新选择。")
    if not user.may_act_on_unit(unit):
        raise PermissionDenied("只能向本局所属的单位交办问题。")
    if year is None:
        raise ValidationError("尚未设置创建年度，请先由局文明办设置。")
    description = (description or "").strip()
    if not description:
        raise ValidationError("请填写问题描述。")
    found_on = found_on or timezone.localdate()
    deadline = deadline or next_day()
    if deadline < found_on:
        raise ValidationError("整改时限不能早于发现日期。")
    problem = Problem.objects.create(year=year, unit=unit, check_record=check, indicator=indicator,
                                     description=description, found_on=found_on, deadline=deadline,
                                     raised_by=user)
    _add_photos(problem, photos, PhotoStage.BEFORE, user)
    _copy_check_photos(problem, check_photos, user)
    _record(problem, action=ProblemAction.RAISE, from_status="", actor=user, note=note, deadline=deadline)
    after_commit(notifications.problem_raised, problem.pk)
    return problem


def _require_rectifier(user, problem):
    if not can_rectify(user, problem):
        raise PermissionDenied("只有该问题责任单位的联络员可以整改此问题。")


@transaction.atomic
def problem_start(*, problem, user, note=""):
    problem = _locked(problem)
    _require_rectifier(user, problem)
    if problem.status != ProblemStatus.OPEN:
        raise _status_refusal(problem, "开始整改")
    problem.status = ProblemStatus.RECTIFYING
    problem.save()
    _record(problem, action=ProblemAction.START, from_status=ProblemStatus.OPEN, actor=user, note=note)
    return problem


@transaction.atomic
def problem_submit_rectification(*, problem, user, note, photos=()):
    problem = _locked(problem)
    _require_rectifier(user, problem)
    if problem.status not in RECTIFIABLE:
        raise _status_refusal(problem, "提交整改")
    note = (note or "").strip()
    if not note:
        raise ValidationError("请填写整改情况。")
    has_after = problem.photos.filter(stage=PhotoStage.AFTER).exists()
    if not photos and not has_after:
        raise ValidationError("请至少上传一张整改后照片，才能提交复查。")
    _add_photos(problem, photos, PhotoStage.AFTER, user)
    before = problem.status
    problem.status = ProblemStatus.REVIEW
    problem.rectification = note
    problem.rectified_by = user
    problem.rectified_at = timezone.now()
    problem.save()
    event = _record(problem, action=ProblemAction.SUBMIT, from_status=before, actor=user, note=note)
    after_commit(notifications.problem_submitted, problem.pk, event.pk)
    return problem


def _require_rechecker(user, problem, doing):
    if not can_recheck(user):
        raise PermissionDenied("只有督导组或局文明办可以复查销号。")
    if not user.may_act_on_unit(problem.unit):
        raise PermissionDenied("只能复查本局所属单位的问题。")
    if problem.status != ProblemStatus.REVIEW:
        raise _status_refusal(problem, doing)
    if problem.rectified_by_id == user.pk:
        raise PermissionDenied("不能复查自己提交的整改，请由其他督导组成员复查。")


@transaction.atomic
def problem_reject(*, problem, user, reason, deadline=None):
    """复查不通过: back to 整改中 with a new deadline in force (the inspector's, by default the next
    day: 日结日清); 逾期 and 逾期天数 count from it (ledgers.rules)."""
    problem = _locked(problem)
    _require_rechecker(user, problem, "复查")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("请填写复查不通过的理由。")
    today = timezone.localdate()
    deadline = deadline or rules.deadline_after_rejection(today)
    if deadline < today:
        raise ValidationError("新的整改时限不能早于今天。")
    problem.status = ProblemStatus.RECTIFYING
    problem.recheck_note = reason
    problem.deadline = deadline
    problem.save()
    event = _record(problem, action=ProblemAction.REJECT, from_status=ProblemStatus.REVIEW, actor=user, note=reason,
                    deadline=deadline)
    after_commit(notifications.problem_rejected, problem.pk, event.pk)
    return problem


@transaction.atomic
def problem_close(*, problem, user, note=""):
    problem = _locked(problem)
    _require_rechecker(user, problem, "销号")
    note = (note or "").strip() or "复查通过，予以销号。"
    problem.status = ProblemStatus.CLOSED
    problem.recheck_note = note
    problem.closed_by = user
    problem.closed_at = timezone.now()
    problem.save()
    _record(problem, action=ProblemAction.CLOSE, from_status=ProblemStatus.REVIEW, actor=user, note=note)
    return problem
