"""Pages of the activity archives (活动档案): list, stats, create/edit with photos, moves, files, binder."""
import os
import re
import uuid
from datetime import datetime, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.views.decorators.http import require_POST, require_safe

from .. import rules
from ..access import can_edit, get_visible_or_404, role_required, selected_bureau
from ..concurrency import EditConflict
from ..files import UploadRefused, serve_file
from ..forms.activities import (ActivityFilterForm, ActivityForm, CaptionFormSet, ReviewForm, UploadedForm,
                                parse_month)
from ..models import Activity, ActivityPhoto, ActivityStatus, CampaignYear, Role, Unit
from ..models.activities import archived_q, in_month, photo_flags
from ..params import to_int
from ..services import activities as services
from .core import register_home_panel

PAGE_SIZE = 20


@require_safe
@login_required
def activity_list(request):
    user = request.user
    year = CampaignYear.objects.current()

    def listing():
        filters = ActivityFilterForm(request.GET or None, user=user, year=year)
        activities = Activity.objects.visible_to(user).filter(year=year)
        if request.GET.get("bureau"):
            activities = activities.in_bureau_id(selected_bureau(request).pk)
        qs = filters.apply(activities.with_list_data()).order_by("-date", "-pk")
        page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
        return {"filters": filters, "page": page, "rows": SimpleLazyObject(lambda: _rows_with_photo_flags(page, user))}

    # The filter form and the rows are worked out when the list is rendered, not when it comes from
    # the cache ({% versioned %}); a bureau user's binder buttons need the chosen unit first.
    listing = SimpleLazyObject(listing)
    if user.is_liaison:
        binder_unit = user.unit
    else:
        filters = listing["filters"]
        binder_unit = filters.cleaned_data.get("unit") if filters.is_bound and filters.is_valid() else None
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "ledgers/activities/list.html", {
        "listing": listing, "year": year, "binder_unit": binder_unit,
        "may_create": _may_create(user), "query": query.urlencode(),
    })


def _rows_with_photo_flags(page, user):
    activities = list(page)
    flags = photo_flags([p for a in activities for p in a.photos.all()], user)
    for activity in activities:
        activity.flag_count = sum(1 for p in activity.photos.all() if flags.get(p.pk))
        activity.first_photo = next(iter(activity.ordered_photos()), None)
    return activities


def _may_create(user):
    return bool(user.unit_id) and (user.is_liaison or user.is_bureau_admin)


def _month_bounds(month):
    return month, (month.replace(day=28) + timedelta(days=4)).replace(day=1)


@require_safe
@role_required(Role.ADMIN, Role.INSPECTOR, Role.LEADER)
def activity_stats(request):
    today = timezone.localdate()
    month = parse_month(request.GET.get("month"), today.replace(day=1))
    start, end = _month_bounds(month)
    in_month = Q(activities__date__gte=start, activities__date__lt=end)
    archived = in_month & archived_q("activities__")
    units = Unit.objects.visible_to(request.user).active()
    if request.GET.get("bureau"):
        units = units.in_bureau_id(selected_bureau(request).pk)
    units = units.annotate(
        archived_count=Count("activities", filter=archived, distinct=True),
        draft_count=Count("activities", filter=in_month & Q(activities__status__in=[
            ActivityStatus.DRAFT, ActivityStatus.RETURNED]), distinct=True),
        photo_count=Count("activities__photos", filter=archived),
    )
    units = list(units)
    empty = [u for u in units if not u.archived_count]
    if request.GET.get("empty"):
        units = empty
    return render(request, "ledgers/activities/stats.html", {
        "month": month, "units": units, "empty_count": len(empty),
        "activity_total": sum(u.archived_count for u in units),
        "photo_total": sum(u.photo_count for u in units), "only_empty": bool(request.GET.get("empty")),
    })


@login_required
def activity_create(request):
    if not _may_create(request.user):
        raise PermissionDenied("只有单位联络员可以建立活动档案。")
    return _activity_form_page(request, None)


@login_required
def activity_edit(request, pk):
    activity = get_visible_or_404(Activity.objects.actable_by(request.user), request.user, pk=pk)
    if not activity.can_edit(request.user):
        raise PermissionDenied("此活动档案已提交或您无权修改。")
    return _activity_form_page(request, activity)


TOKEN = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
SHA256 = re.compile(r"^[0-9a-f]{64}$")


def _token(value):
    value = (value or "").strip()
    return value if TOKEN.match(value) else ""


def _key_captions(post):
    """{upload key: caption} typed on the phone for photos sent by the upload queue."""
    return {key[len("capkey-"):]: value.strip() for key, value in post.items()
            if key.startswith("capkey-") and _token(key[len("capkey-"):])}


def _activity_form_page(request, activity):
    user = request.user
    photos_qs = activity.photos.order_by("sort_order", "pk") if activity else ActivityPhoto.objects.none()
    pending = []
    batch = (activity.capture_batch if activity else "") or uuid.uuid4().hex
    if request.method == "POST":
        form = ActivityForm(request.POST, instance=activity)
        formset = CaptionFormSet(request.POST, queryset=photos_qs, prefix="photos")
        pending_ids = [pk for pk in map(to_int, request.POST.getlist("pending")) if pk is not None]
        batch = (activity.capture_batch if activity else "") or _token(request.POST.get("capture_batch")) or batch
        staged, refusals = services.photos_stage(user=user, uploads=request.FILES.getlist("photos"))
        pending = list(ActivityPhoto.objects.pending_for(user, pending_ids, batch)) + staged
        for refusal in refusals:
            messages.error(request, refusal)
        if form.is_valid() and formset.is_valid():
            try:
                activity = services.activity_save(
                    user=user, activity=activity, unit=user.unit, fields=form.cleaned_data,
                    indicators=form.cleaned_data["indicators"],
                    captions={f.instance.pk: f.cleaned_data.get("caption", "") for f in formset.forms if f.instance.pk},
                    delete_ids={f.instance.pk for f in formset.deleted_forms}, pending=pending,
                    version=form.loaded_version, batch=batch, key_captions=_key_captions(request.POST),
                )
            except EditConflict as conflict:
                form.show_conflict(conflict)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                return _after_save(request, activity, refusals)
        elif pending:
            messages.info(request, f"已收到 {len(pending)} 张照片，改正上面标红的内容后保存即可，无需重新选择照片。")
    else:
        form = ActivityForm(instance=activity, initial=None if activity else {"date": timezone.localdate()})
        formset = CaptionFormSet(queryset=photos_qs, prefix="photos")
    elements = rules.default_evidence(activity.unit.bureau if activity else user.owning_bureau()).elements
    for caption_form in formset.forms:
        caption_form.fields["caption"].widget.attrs["placeholder"] = elements
    return render(request, "ledgers/activities/form.html", {
        "form": form, "formset": formset, "activity": activity, "pending": pending,
        "max_mb": _max_mb(), "capture_batch": batch, "caption_elements": elements,
    })


def _json_error(message, status, **extra):
    return JsonResponse({"error": message, **extra}, status=status, json_dumps_params={"ensure_ascii": False})


def _reported_time(value):
    """The EXIF time the phone read ('2026-04-03T09:15:00', local wall clock), or None."""
    try:
        moment = datetime.fromisoformat((value or "").strip()[:19])
    except ValueError:
        return None
    if not 1990 <= moment.year <= 2100:
        return None
    return timezone.make_aware(moment, timezone.get_current_timezone())


@require_POST
def activity_photo_upload(request):
    """One photo from the phone's upload queue (static/js/capture.js); JSON in and out.

    Fields: `photo` (the file, shrunk on the phone), `key` (the photo's upload key: a retry
    returns the photo stored the first time), `activity` or `batch` (where it belongs), `user`
    (the id the queue belongs to: never stored under another account), and the flags' inputs
    read from the original on the phone: `sha256`, `taken_at`. Optional `caption`.
    """
    user = request.user
    if not user.is_authenticated:
        return _json_error("登录已过期，请重新登录，未上传的照片会继续上传。", 401, login=True)
    if not can_edit(user):
        return _json_error("局领导只能查看，不能上传照片（无权修改）。", 403, final=True)
    if request.POST.get("user") != str(user.pk):
        return _json_error("这些照片属于另一个账号，已停止上传。", 409, wrong_user=True)
    key = _token(request.POST.get("key"))
    uploaded = request.FILES.get("photo")
    if not key or uploaded is None:
        return _json_error("上传内容不完整，请重试。", 400)
    activity = None
    if (request.POST.get("activity") or "").strip():
        activity = get_visible_or_404(Activity, user, pk=to_int(request.POST["activity"]) or 0)
    sha = (request.POST.get("sha256") or "").strip().lower()
    try:
        photo, created = services.photo_receive(
            user=user, uploaded=uploaded, key=key, activity=activity, batch=_token(request.POST.get("batch")),
            source_sha256=sha if SHA256.match(sha) else "", taken_at=_reported_time(request.POST.get("taken_at")),
            caption=(request.POST.get("caption") or "").strip(),
        )
    except PermissionDenied as denied:
        return _json_error(str(denied) or "您无权上传照片。", 403, final=True)
    except UploadRefused as refused:
        return _json_error(refused.messages[0], 422, final=True)
    except ValidationError as error:
        return _json_error("；".join(error.messages), 409, final=True)
    taken = timezone.localtime(photo.taken_at).strftime("%Y-%m-%d %H:%M") if photo.taken_at else ""
    return JsonResponse({
        "id": photo.pk, "created": created, "activity": photo.activity_id, "taken_at": taken,
        "thumb": reverse("ledgers:activity_photo", args=[photo.pk, "thumb"]), "name": photo.original_name,
    }, status=201 if created else 200, json_dumps_params={"ensure_ascii": False})


def _max_mb():
    from django.conf import settings

    return settings.UPLOAD_MAX_MB


def _after_save(request, activity, refusals):
    if "submit" in request.POST:
        try:
            services.activity_submit(activity=activity, user=request.user)
        except ValidationError as error:
            messages.warning(request, "已保存为草稿，但还不能提交：" + "；".join(error.messages) + "。")
            return redirect("ledgers:activity_edit", activity.pk)
        messages.success(request, f"《{activity.title}》已提交，等待督导组审核。")
        return redirect(activity)
    messages.success(request, f"《{activity.title}》已保存为草稿。")
    if refusals:
        return redirect("ledgers:activity_edit", activity.pk)
    return redirect(activity)


@require_safe
@login_required
def activity_detail(request, pk):
    qs = Activity.objects.with_list_data().select_related("unit__bureau", "created_by", "submitted_by", "reviewed_by")
    activity = get_visible_or_404(qs, request.user, pk=pk)
    photos = activity.ordered_photos()
    flags = photo_flags(photos, request.user)
    for photo in photos:
        photo.flags = flags.get(photo.pk, [])
    user = request.user
    return render(request, "ledgers/activities/detail.html", {
        "activity": activity, "photos": photos, "evidence": activity.evidence_rules(),
        "problems": activity.evidence_problems(photos) if activity.is_editable else [],
        "can_edit": activity.can_edit(user), "can_review": activity.can_review(user),
        "can_mark_uploaded": activity.can_mark_uploaded(user),
        "review_form": ReviewForm(), "uploaded_form": UploadedForm(initial={
            "uploaded": True, "on_date": activity.uploaded_to_city_on or timezone.localdate()}),
    })


def _post_move(request, pk, move):
    activity = get_visible_or_404(Activity, request.user, pk=pk)
    if not can_edit(request.user):
        raise PermissionDenied("局领导只能查看，不能修改。")
    try:
        message = move(activity)
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
    else:
        if message:
            messages.success(request, message)
    return redirect(activity)


@require_POST
@login_required
def activity_submit(request, pk):
    def move(activity):
        services.activity_submit(activity=activity, user=request.user)
        return f"《{activity.title}》已提交，等待督导组审核。"

    return _post_move(request, pk, move)


@require_POST
@login_required
def activity_review(request, pk):
    def move(activity):
        form = ReviewForm(request.POST)
        if not form.is_valid():
            raise ValidationError([e for errors in form.errors.values() for e in errors])
        approve = form.cleaned_data["decision"] == "approve"
        services.activity_review(activity=activity, user=request.user, approve=approve,
                                 reason=form.cleaned_data["reason"])
        return "已审核通过。" if approve else "已退回，单位联络员将看到退回原因。"

    return _post_move(request, pk, move)


@require_POST
@login_required
def activity_mark_uploaded(request, pk):
    def move(activity):
        form = UploadedForm(request.POST)
        if not form.is_valid():  # "2026-02-30" is refused, never saved as today
            raise ValidationError([f"上传日期：{e}" for errors in form.errors.values() for e in errors])
        data = form.cleaned_data
        services.activity_mark_uploaded(activity=activity, user=request.user,
                                        uploaded=data.get("uploaded"), on_date=data.get("on_date"))
        return "已标记为已上传文明网。" if data.get("uploaded") else "已取消“已上传文明网”标记。"

    return _post_move(request, pk, move)


@require_POST
@login_required
def activity_delete(request, pk):
    activity = get_visible_or_404(Activity, request.user, pk=pk)
    services.activity_delete(activity=activity, user=request.user)
    messages.success(request, f"草稿《{activity.title}》已删除。")
    return redirect("ledgers:activity_list")


PHOTO_SIZES = {"thumb": "thumbnail", "display": "display", "original": "original"}


@require_safe
@login_required
def activity_photo(request, pk, size):
    if size not in PHOTO_SIZES:
        raise Http404("没有这种尺寸")
    photo = get_visible_or_404(ActivityPhoto, request.user, pk=pk)
    field = getattr(photo, PHOTO_SIZES[size])
    if size == "original":
        stem = os.path.splitext(photo.original_name)[0]
        ext = os.path.splitext(field.name)[1]
        return serve_file(request, field, download_name=stem + ext, as_attachment=True)
    return serve_file(request, field)


@register_home_panel(cached="units")
def activities_home_panel(request):
    user = request.user
    today = timezone.localdate()
    month = today.replace(day=1)
    if user.is_liaison:
        if not user.unit_id:
            return None
        mine = Activity.objects.visible_to(user)
        counts = mine.aggregate(  # both counts in one query; 已建档 is archived_q's, never a draft
            month=Count("pk", filter=in_month(month) & archived_q()),
            drafts=Count("pk", filter=Q(status=ActivityStatus.DRAFT)))
        return {
            "template": "ledgers/activities/_home_liaison.html",
            "month_count": counts["month"],
            "drafts": counts["drafts"],
            "returned": list(mine.filter(status=ActivityStatus.RETURNED).order_by("-reviewed_at")[:5]),
        }
    archived_units = Activity.objects.visible_to(user).for_month(month).archived().values("unit").distinct()
    empty = Unit.objects.visible_to(user).active().exclude(pk__in=archived_units).count()
    return {"template": "ledgers/activities/_home_bureau.html", "empty_count": empty, "month": month,
            "waiting": Activity.objects.visible_to(user).filter(status=ActivityStatus.SUBMITTED).count()}

