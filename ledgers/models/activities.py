"""Activity archives (活动档案): what a unit did, with photos and captions, as proof for inspectors.

- `ActivityCategory` is a short list the bureau edits in the admin; the default names are created
  on demand (`ActivityCategory.objects.ensure_defaults()`), never by a data migration.
- `Activity` moves 草稿 → 已提交 → 已审核 / 已退回 only through ledgers.services.activities.
- `ActivityPhoto` is a `StoredPhoto`. A photo with no activity yet is a *pending* upload: it was
  fine, but the form it came with was not; it is visible only to its uploader and is attached when
  the form is saved, so a liaison on a slow connection never uploads a good photo twice.

Visibility: a liaison sees their own unit's activities in every status and nothing else; bureau
roles (admin, inspectors, leaders) see every unit's activities including drafts, so the bureau can
help a school whose archive is stuck (leaders still change nothing).
"""
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Count, Func, IntegerField, Prefetch, Q, Subquery, Value
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ..pk_urls import pk_url
from ..concurrency import Versioned

from .core import CampaignYear, Unit, UnitOwnedQuerySet
from .files import StoredPhoto
from .indicators import Indicator

DEFAULT_CATEGORIES = ["我们的节日", "学雷锋志愿服务", "主题教育", "文明礼仪", "诚信建设", "法治宣传",
                      "关爱未成年人", "志愿服务", "其他"]


def photo_date_tolerance_days():
    """Photos taken more than this many days from the activity's date are flagged."""
    return getattr(settings, "ACTIVITY_PHOTO_DATE_TOLERANCE_DAYS", 3)


class ActivityCategoryQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)

    def ensure_defaults(self):
        """Create the default categories when the table is empty; return the active ones."""
        if not self.model.objects.exists():
            self.model.objects.bulk_create(
                [self.model(name=name, sort_order=i * 10) for i, name in enumerate(DEFAULT_CATEGORIES)],
                ignore_conflicts=True,
            )
        return self.model.objects.active()


class ActivityCategory(models.Model):
    name = models.CharField(_("类别名称"), max_length=50, unique=True)
    sort_order = models.PositiveIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)

    objects = ActivityCategoryQuerySet.as_manager()

    class Meta:
        verbose_name = _("活动类别")
        verbose_name_plural = _("活动类别")
        ordering = ["sort_order", "name"]

    def __str__(self):
        return self.name


class ActivityStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已提交")
    APPROVED = "approved", _("已审核")
    RETURNED = "returned", _("已退回")


def archived_q(prefix=""):
    """Q: 已建档 — submitted or approved (a draft or a returned archive is not); `prefix` reaches the
    activity through a relation ("activities__")."""
    return Q(**{f"{prefix}status__in": [ActivityStatus.SUBMITTED, ActivityStatus.APPROVED]})


def in_month(month_start):
    """Q: dated in the month starting at `month_start` (a date on the 1st)."""
    next_month = (month_start + timedelta(days=32)).replace(day=1)
    return Q(date__gte=month_start, date__lt=next_month)


class ActivityQuerySet(UnitOwnedQuerySet):
    def for_month(self, month_start):
        """Activities dated in the month starting at `month_start` (a date on the 1st)."""
        return self.filter(in_month(month_start))

    def archived(self):
        """已建档: submitted or approved (not drafts, not returned); submission checks the evidence rule."""
        return self.filter(archived_q())

    def with_list_data(self):
        """Everything a list row shows, in a fixed number of queries."""
        return (
            self.select_related("unit", "category", "year")
            .annotate(photo_count=Count("photos", distinct=True))
            .prefetch_related(
                Prefetch("photos", queryset=ActivityPhoto.objects.order_by("sort_order", "pk")),
                Prefetch("indicators", queryset=Indicator.objects.order_by("sort_key")),
            )
        )


class Activity(Versioned):
    year = models.ForeignKey(CampaignYear, verbose_name=_("创建年度"), on_delete=models.PROTECT,
                             related_name="activities")
    unit = models.ForeignKey(Unit, verbose_name=_("单位"), on_delete=models.PROTECT, related_name="activities")
    title = models.CharField(_("活动名称"), max_length=200)
    category = models.ForeignKey(ActivityCategory, verbose_name=_("活动类别"), on_delete=models.PROTECT,
                                 related_name="activities")
    date = models.DateField(_("活动日期"))
    place = models.CharField(_("活动地点"), max_length=200, blank=True)
    participants = models.CharField(_("参加人员"), max_length=200, blank=True,
                                    help_text=_("如：全体师生 500 人"))
    organizer = models.CharField(_("组织者"), max_length=100, blank=True,
                                 help_text=_("如：德育处、少先队大队部"))
    summary = models.TextField(_("活动简介"), blank=True)
    indicators = models.ManyToManyField(Indicator, verbose_name=_("关联测评指标"), blank=True,
                                        related_name="activities")
    status = models.CharField(_("状态"), max_length=20, choices=ActivityStatus.choices,
                              default=ActivityStatus.DRAFT, db_index=True)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("提交人"), null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("审核人"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    return_reason = models.TextField(_("退回原因"), blank=True)
    uploaded_to_city = models.BooleanField(_("已上传文明网"), default=False)
    uploaded_to_city_on = models.DateField(_("上传文明网日期"), null=True, blank=True)
    # The phone form's batch token (capture.js): photos queued on the phone before the activity
    # existed carry it, so they join this activity when they arrive after the form was saved.
    capture_batch = models.CharField(_("手机上传批次"), max_length=40, blank=True, db_index=True, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("建档人"),
                                   on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("建档时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = ActivityQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("活动档案")
        verbose_name_plural = _("活动档案")
        ordering = ["-date", "-pk"]
        indexes = [
            models.Index(fields=["unit", "date"]),
            # A month's archives across units (the month summary's counts and highlights): archived
            # (status) and dated in the month, their unit read from the index.
            models.Index(fields=["status", "date", "unit"], name="activity_status_date_unit"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(uploaded_to_city=False) | Q(uploaded_to_city_on__isnull=False),
                name="activity_upload_has_date",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return pk_url("ledgers:activity_detail", self.pk)

    @property
    def is_editable(self):
        return self.status in (ActivityStatus.DRAFT, ActivityStatus.RETURNED)

    def can_edit(self, user):
        """The unit's liaison or a bureau admin may change a draft or a returned activity."""
        if not self.is_editable or not user.is_authenticated or user.is_leader:
            return False
        return (user.is_bureau_admin or user.is_liaison) and user.may_act_on_unit(self.unit)

    def can_review(self, user):
        return (self.status == ActivityStatus.SUBMITTED and (user.is_bureau_admin or user.is_inspector)
                and user.may_act_on_unit(self.unit))

    def can_mark_uploaded(self, user):
        if self.status not in (ActivityStatus.SUBMITTED, ActivityStatus.APPROVED) or user.is_leader:
            return False
        return (user.is_bureau_admin or user.is_liaison) and user.may_act_on_unit(self.unit)

    def ordered_photos(self):
        """Photos in display order; uses the prefetch cache when there is one."""
        return sorted(self.photos.all(), key=lambda p: (p.sort_order, p.pk))

    def evidence_rules(self, indicators=None):
        """[(indicator or None, rule)]: the evidence rule in force for each linked indicator — its
        own, else the bureau's default — and the default alone when none is linked (ledgers.rules)."""
        from .. import rules

        indicators = sorted(self.indicators.all(), key=lambda i: i.sort_key) if indicators is None else indicators
        bureau = self.unit.bureau
        return [(i, rules.evidence_rule(i, bureau)) for i in indicators] or [(None, rules.evidence_rule(None, bureau))]

    def evidence_problems(self, photos=None, indicators=None):
        """What keeps this activity from meeting its evidence rules, in Chinese (empty when it meets them)."""
        photos = self.ordered_photos() if photos is None else photos
        problems = []
        ruled = self.evidence_rules(indicators)
        for indicator, rule in ruled:
            if len(photos) < rule.min_photos:
                whose = f"指标 {indicator.code} " if indicator is not None and rule.own else "本局"
                problems.append(f"{whose}要求至少 {rule.min_photos} 张照片，目前 {len(photos)} 张")
        elements = next((rule.elements for _, rule in ruled if rule.captions), None)
        if elements:
            for number, photo in enumerate(photos, start=1):
                if not photo.caption.strip():
                    problems.append(f"第 {number} 张照片缺少说明（请写明{elements}）")
        return list(dict.fromkeys(problems))


class ActivityPhotoQuerySet(UnitOwnedQuerySet):
    unit_lookup = "activity__unit"

    def count_of(self, activity):
        """The number of the activity's photos (`activity`: an OuterRef to its pk), as a subquery
        (SELECT COUNT(*) … WHERE activity_id = …: one row, 0 when none). Counting through a join
        would need the activities grouped, or counted distinct, again."""
        return Subquery(self.filter(activity=activity).order_by().annotate(n=Func(Value(1), function="COUNT"))
                        .values("n"), output_field=IntegerField())

    def visible_to(self, user):
        """Photos of visible activities, plus the user's own pending uploads."""
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        pending = Q(activity__isnull=True, uploaded_by=user)
        if user.is_liaison:
            return self.filter(Q(activity__unit=user.unit_id) | pending) if user.unit_id else self.filter(pending)
        if user.is_city:
            return self.filter(Q(activity__isnull=False) | pending)
        if not user.bureau_id:
            return self.filter(pending)
        return self.filter(Q(activity__unit__bureau=user.bureau_id) | pending)

    def pending_for(self, user, ids, batch=""):
        """The user's pending photos named by `ids`, plus (with a batch token) those of that batch."""
        wanted = Q(pk__in=ids)
        if batch:
            wanted |= Q(capture_batch=batch)
        return self.filter(wanted, activity__isnull=True, uploaded_by=user).order_by("pk")


class ActivityPhoto(StoredPhoto):
    upload_folder = "activities"

    activity = models.ForeignKey(Activity, verbose_name=_("活动档案"), on_delete=models.CASCADE,
                                 related_name="photos", null=True, blank=True)
    sort_order = models.PositiveIntegerField(_("顺序"), default=0)
    # Phone uploads (capture.js, one photo per request). `upload_key` is made on the phone for each
    # photo: a retried upload finds the photo already stored instead of storing it twice.
    upload_key = models.CharField(_("上传标识"), max_length=64, null=True, blank=True, editable=False)
    capture_batch = models.CharField(_("手机上传批次"), max_length=40, blank=True, db_index=True, editable=False)
    # Inputs of the flags only, as reported by the phone that shrank the photo before upload:
    # the sha256 of the untouched original (reused-photo flag) and whether `taken_at` came from
    # the phone's EXIF reading because the shrunk file carries none (date-mismatch flag).
    source_sha256 = models.CharField(_("原图指纹（手机计算）"), max_length=64, blank=True, db_index=True,
                                     editable=False)
    taken_at_reported = models.BooleanField(_("拍摄时间由手机读取"), default=False, editable=False)

    objects = ActivityPhotoQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("活动照片")
        verbose_name_plural = _("活动照片")
        ordering = ["sort_order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["uploaded_by", "upload_key"], condition=Q(upload_key__isnull=False),
                                    name="activityphoto_one_upload_per_key"),
        ]

    @property
    def fingerprints(self):
        """Content hashes that identify the photo: of the stored file and of the phone's original."""
        return {h for h in (self.sha256, self.source_sha256) if h}

    def date_gap_days(self, activity_date=None):
        """Days between when the photo was taken and the activity date, when over the tolerance."""
        activity_date = activity_date or (self.activity.date if self.activity_id else None)
        if not self.taken_at or not activity_date:
            return None
        gap = abs((timezone.localtime(self.taken_at).date() - activity_date).days)
        return gap if gap > photo_date_tolerance_days() else None


def photo_flags(photos, user):
    """{photo pk: [Chinese warnings]} for inspectors: date far from the activity, photo reused.

    One query however many photos: photos with the same content hash in another activity. A
    photo shrunk on the phone before upload is matched by the sha256 of its original as well
    (`source_sha256`), so picking the same gallery photo again is still flagged.
    A liaison is told a photo was reused in another unit's archive but not that archive's title.
    """
    photos = [p for p in photos if p.activity_id]
    flags = {p.pk: [] for p in photos}
    hashes = set().union(*(p.fingerprints for p in photos)) if photos else set()
    others = {}
    if hashes:
        rows = (ActivityPhoto.objects.filter(Q(sha256__in=hashes) | Q(source_sha256__in=hashes),
                                             activity__isnull=False)
                .values_list("sha256", "source_sha256", "activity_id", "activity__title", "activity__unit_id",
                             "activity__unit__bureau_id")
                .order_by("activity__date", "activity_id"))
        for sha, source_sha, activity_id, title, unit_id, bureau_id in rows:
            for key in {sha, source_sha} - {""}:
                others.setdefault(key, []).append((activity_id, title, unit_id, bureau_id))
    for photo in photos:
        gap = photo.date_gap_days(photo.activity.date)
        if gap:
            flags[photo.pk].append(f"拍摄日期与活动日期相差 {gap} 天")
        seen = set()
        matches = [m for key in sorted(photo.fingerprints) for m in others.get(key, [])]
        for activity_id, title, unit_id, bureau_id in matches:
            if activity_id == photo.activity_id or activity_id in seen:
                continue
            seen.add(activity_id)
            # The title only to those who may open that archive (same unit, same district, the city).
            if user.is_city or unit_id == user.unit_id or (user.sees_all_units and bureau_id == user.bureau_id):
                flags[photo.pk].append(f"此照片已用于《{title}》")
            else:
                flags[photo.pk].append("此照片已用于其他单位的活动档案")
    return flags
