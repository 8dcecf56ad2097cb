"""Writes and status moves of activity archives (活动档案), each one transaction.

- `photos_stage`: check and store each uploaded photo on its own; good ones become pending
  photos of the uploader, refused ones come back as Chinese messages naming the file.
- `photo_receive`: one photo sent alone by the phone's upload queue (static/js/capture.js),
  idempotent by its upload key; it joins the activity (named, or found by the form's batch
  token) or waits as a pending photo of the uploader.
- `activity_save`: create or update an activity with its indicators, captions, removed photos
  and the pending photos to attach.
- `activity_submit`, `activity_review`, `activity_mark_uploaded`: the status moves, each
  checking who may make it and recording who and when.
"""
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from ..concurrency import claim_version
from ..files import UploadRefused
from ..models import Activity, ActivityCategory, ActivityPhoto, ActivityStatus, CampaignYear
from . import notifications
from .notifications import after_commit

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


def photo_receive(*, user, uploaded, key, activity=None, batch="", source_sha256="", taken_at=None,
                  caption=""):
    """Store one photo from the phone's queue; return (photo, created).

    Idempotent: a second request with the same `key` from the same user (a retry after a dropped
    connection) returns the photo stored the first time and stores nothing. The file is checked
    like any upload (UploadRefused). `source_sha256` and `taken_at` are what the phone read from the
    original before shrinking it: they feed only the reused-photo and date-mismatch flags, and
    `taken_at` only when the received file has no EXIF time of its own.
    """
    if not user.is_authenticated or user.is_leader:
        raise PermissionDenied("您的角色只能查看，不能上传照片。")
    existing = ActivityPhoto.objects.filter(uploaded_by=user, upload_key=key).first()
    if existing:
        return _join_saved_batch(_caption_if_blank(existing, caption)), False
    if activity is None and batch:
        activity = Activity.objects.filter(capture_batch=batch, created_by=user).first()
    if activity is not None and not activity.can_edit(user):
        raise ValidationError(f"《{activity.title}》已提交或您无权修改，不能再添加照片。")
    photo = ActivityPhoto.build(uploaded, uploaded_by=user, upload_key=key, capture_batch=batch,
                                source_sha256=source_sha256, caption=(caption or "")[:300])
    if photo.taken_at is None and taken_at is not None:
        photo.taken_at, photo.taken_at_reported = taken_at, True
    try:
        with transaction.atomic():
            if activity is not None:
                Activity.objects.select_for_update().filter(pk=activity.pk).first()
                photo.activity = activity
                photo.sort_order = (activity.photos.aggregate(m=Max("sort_order"))["m"] or 0) + 1
            photo.save()
    except IntegrityError:  # the same key arrived twice at once: keep the first
        photo.delete_files()
        return ActivityPhoto.objects.get(uploaded_by=user, upload_key=key), False
    return _join_saved_batch(photo), True


def _join_saved_batch(photo):
    """A pending photo of a batch whose form was saved meanwhile joins that activity.

    The form's save and a photo's upload may run at the same moment, each unable to see the
    other's uncommitted row; both look again after their own commit (here, and
    `activity_save`'s on_commit), so whichever commits last brings the two together.
    """
    if photo.activity_id is not None or not photo.capture_batch:
        return photo
    activity = Activity.objects.filter(capture_batch=photo.capture_batch, created_by=photo.uploaded_by_id).first()
    if activity is not None and activity.is_editable:
        _collect_batch(activity)
        photo.refresh_from_db()
    return photo


@transaction.atomic
def _collect_batch(activity):
    """Attach the creator's pending photos of the activity's batch (in upload order)."""
    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    pending = ActivityPhoto.objects.filter(activity__isnull=True, capture_batch=activity.capture_batch,
                                           uploaded_by=activity.created_by_id).order_by("pk")
    next_order = (activity.photos.aggregate(m=Max("sort_order"))["m"] or 0) + 1
    for offset, photo in enumerate(pending):
        photo.activity = activity
        photo.sort_order = next_order + offset
        photo.save(update_fields=["activity", "sort_order"])


def _caption_if_blank(photo, caption):
    if caption and not photo.caption and (photo.activity_id is None or photo.activity.is_editable):
        photo.caption = caption[:300]
        photo.save(update_fields=["caption"])
    return photo


@transaction.atomic
def activity_save(*, user, fields, indicators, activity=None, unit=None, captions=None,
                  delete_ids=(), pending=(), version=None, batch="", key_captions=None):
    """Create (with `unit`) or update `activity`; attach `pending` photos; return the activity.

    `captions` maps photo pk → caption for this activity's photos; `delete_ids` are photos to drop.
    `version` is the version the user's form was built from: EditConflict if it has moved since.
    `batch` is the phone form's batch token: photos of that batch still on their way join this
    activity when they arrive; `key_captions` maps upload key → caption for photos that arrived
    by the phone's queue while the form was open (this activity's or pending).
    """
    if activity is None:
        if unit is None or not (user.is_bureau_admin or user.is_liaison) or not user.may_act_on_unit(unit):
            raise PermissionDenied("只能为本单位建立活动档案。")
        year = CampaignYear.objects.current()
        if year is None:
            raise ValidationError("尚未设置创建年度，请联系局文明办。")
        activity = Activity(unit=unit, year=year, created_by=user, capture_batch=batch or "")
    elif not activity.can_edit(user):
        raise PermissionDenied("此活动档案已提交，不能再修改。")
    else:
        claim_version(activity, version)
    if batch and not activity.capture_batch:
        activity.capture_batch = batch
    for name in ACTIVITY_FIELDS:
        setattr(activity, name, fields[name])
    headings = [i for i in indicators if i.children.exists()]
    if headings:
        raise ValidationError(f"“{headings[0]}”是分组标题，请选择其下的具体指标。")
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
    if activity.capture_batch:
        saved = activity
        transaction.on_commit(lambda: _collect_batch(saved))
    if key_captions:
        for photo in activity.photos.filter(upload_key__in=list(key_captions)):
            caption = key_captions[photo.upload_key][:300]
            if photo.caption != caption:
                photo.caption = caption
                photo.save(update_fields=["caption"])
    return activity


def _delete_stored(names):
    from django.core.files.storage import default_storage

    for name in names:
        if name:
            default_storage.delete(name)


@transaction.atomic
def activity_submit(*, activity, user):
    """草稿/已退回 → 已提交, refused with the list of what is missing from the evidence rules in force
    (each indicator's own, else the bureau's default: ledgers.rules); the draft keeps everything."""
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
    if not approve:
        after_commit(notifications.activity_returned, activity.pk, activity.reviewed_at)
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
