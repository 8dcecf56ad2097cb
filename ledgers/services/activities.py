"""Writes and status moves of activity archives (活动档案), each one transaction.

- `photos_stage`: check and store each uploaded photo on its own; good ones become pending
  photos of the uploader, refused ones come back as Chinese messages naming the file.
- `activity_save`: create or update an activity with its indicators, captions, removed photos
  and the pending photos to attach.
- `activity_submit`, `activity_review`, `activity_mark_uploaded`: the status moves, each
  checking who may make it and recording who and when.
"""
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from ..concurrency import claim_version
from ..files import UploadRefused
from ..models import Activity, ActivityCategory, ActivityPhoto, ActivityStatus, CampaignYear

ACTIVITY_FIELDS = ["title", "category", "date", "place", "participants", "organizer", "summary"]


def photos_stage(*, user, uploads):
    """Store each good upload as a pending photo of `user`; return (photos, refusals)."""
    if not user.is_authenticated or user.is_leader:
        raise PermissionDenied("您的角色只能查看，不能上传照片。")
    photos, refusals = [], []
    for uploaded in uploads:
        try:
            photo = ActivityPhoto.build(uploaded, uploaded_by=user)
        except UploadRefused as refused:
            refusals.append(refused.messages[0])
            continue
        photo.save()
        photos.append(photo)
    return photos, refusals


@transaction.atomic
def activity_save(*, user, fields, indicators, activity=None, unit=None, captions=None,
                  delete_ids=(), pending=(), version=None):
    """Create (with `unit`) or update `activity`; attach `pending` photos; return the activity.

    `captions` maps photo pk → caption for this activity's photos; `delete_ids` are photos to drop.
    `version` is the version the user's form was built from: EditConflict if it has moved since.
    """
    if activity is None:
        if unit is None or not (user.is_bureau_admin or user.is_liaison) or not user.may_act_on_unit(unit):
            raise PermissionDenied("只能为本单位建立活动档案。")
        year = CampaignYear.objects.current()
        if year is None:
            raise ValidationError("尚未设置创建年度，请联系局文明办。")
        activity = Activity(unit=unit, year=year, created_by=user)
    elif not activity.can_edit(user):
        raise PermissionDenied("此活动档案已提交，不能再修改。")
    else:
        claim_version(activity, version)
    for name in ACTIVITY_FIELDS:
        setattr(activity, name, fields[name])
    activity.full_clean()
    activity.save()
    activity.indicators.set(indicators)

    photos = {p.pk: p for p in activity.photos.all()} if activity.pk else {}
    for pk in delete_ids:
        photo = photos.pop(pk, None)
        if photo:
            files = [photo.original.name, photo.display.name, photo.thumbnail.name]
            photo.delete()
            transaction.on_commit(lambda f=files: _delete_stored(f))
    for pk, caption in (captions or {}).items():
        photo = photos.get(pk)
        if photo and photo.caption != caption:
            photo.caption = caption
            photo.save(update_fields=["caption"])
    next_order = (activity.photos.aggregate(m=Max("sort_order"))["m"] or 0) + 1
    for offset, photo in enumerate(p for p in pending if p.activity_id is None and p.uploaded_by_id == user.pk):
        photo.activity = activity
        photo.sort_order = next_order + offset
        photo.save(update_fields=["activity", "sort_order"])
    return activity


def _delete_stored(names):
    from django.core.files.storage import default_storage

    for name in names:
        if name:
            default_storage.delete(name)


@transaction.atomic
def activity_submit(*, activity, user):
    """草稿/已退回 → 已提交, refused with the list of what is missing from the evidence rules."""
    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    if not activity.can_edit(user):
        raise PermissionDenied("只有本单位联络员可以提交草稿或退回的活动档案。")
    problems = activity.evidence_problems()
    if problems:
        raise ValidationError(problems)
    activity.status = ActivityStatus.SUBMITTED
    activity.submitted_at = timezone.now()
    activity.submitted_by = user
    activity.save()
    return activity


@transaction.atomic
def activity_review(*, activity, user, approve, reason=""):
    """已提交 → 已审核, or → 已退回 with a reason (督导组 or 局文明办)."""
    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    if not activity.can_review(user):
        raise PermissionDenied("只有督导组或局文明办可以审核已提交的活动档案。")
    reason = (reason or "").strip()
    if not approve and not reason:
        raise ValidationError("退回时请填写退回原因。")
    activity.status = ActivityStatus.APPROVED if approve else ActivityStatus.RETURNED
    activity.return_reason = "" if approve else reason
    activity.reviewed_at = timezone.now()
    activity.reviewed_by = user
    activity.save()
    return activity


@transaction.atomic
def activity_mark_uploaded(*, activity, user, uploaded, on_date=None):
    """Record (or clear) that the activity was uploaded to the city's 文明创建管理系统."""
    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    if not activity.can_mark_uploaded(user):
        raise PermissionDenied("只有已提交或已审核的活动档案可以标记上传。")
    activity.uploaded_to_city = bool(uploaded)
    activity.uploaded_to_city_on = (on_date or timezone.localdate()) if uploaded else None
    activity.save()
    return activity


@transaction.atomic
def activity_delete(*, activity, user):
    """Delete a draft with its photos (files removed once the transaction commits)."""
    if activity.status != ActivityStatus.DRAFT or not activity.can_edit(user):
        raise PermissionDenied("只能删除本单位的草稿。")
    names = [n for p in activity.photos.all() for n in (p.original.name, p.display.name, p.thumbnail.name)]
    activity.delete()
    transaction.on_commit(lambda: _delete_stored(names))


def categories():
    return ActivityCategory.objects.ensure_defaults()
