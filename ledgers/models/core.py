"""Bureaus, units, campaign years and users: who belongs where and who may see what.

One installation holds a whole city: the city bureau (市教育局) → district/county bureaus
(区县教育局) → units (股室、学校、直属单位). Every unit belongs to exactly one bureau (the city
bureau has its own units too); users belong to a unit and so to its bureau.

Every query for unit-owned data goes through `visible_to(user)`, defined once here
(`UnitOwnedQuerySet`) so that no view can forget it:

- a liaison sees their own unit;
- a district's admin, inspectors and leaders see the units of their district;
- the city's admin, inspectors and leaders (and superusers) see every unit.

`actable_by(user)` is the narrower set a user may change: the same, except that city users
act only on what the city owns (its own units). `ledgers.access.get_visible_or_404` uses it for
POST requests, so a city user reads a district's record but cannot change it.
"""
from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class UnitKind(models.TextChoices):
    SECTION = "section", _("股室")
    SCHOOL = "school", _("学校")
    AFFILIATE = "affiliate", _("直属单位")


class Role(models.TextChoices):
    ADMIN = "admin", _("局文明办（管理员）")
    INSPECTOR = "inspector", _("督导组")
    LIAISON = "liaison", _("单位联络员")
    LEADER = "leader", _("局领导")


class BureauKind(models.TextChoices):
    CITY = "city", _("市教育局")
    DISTRICT = "district", _("区县教育局")


class BureauQuerySet(models.QuerySet):
    def city(self):
        return self.filter(kind=BureauKind.CITY).first()

    def districts(self):
        return self.filter(kind=BureauKind.DISTRICT)

    def visible_to(self, user):
        """City roles see every bureau; everybody else only their own."""
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        if user.is_city:
            return self
        bureau_id = user.bureau_id
        return self.filter(pk=bureau_id) if bureau_id else self.none()

    def default_district(self):
        """The bureau a unit created without one joins: the first district.

        A fresh installation (tests, a new unit typed into an empty database) gets a city
        bureau and one district named from settings, the same shape migration 0004 gives an
        existing single-bureau database.
        """
        district = self.districts().order_by("pk").first()
        if district is None:
            city = self.city() or self.create(kind=BureauKind.CITY, name=settings.CITY_BUREAU_NAME,
                                               short_name=settings.CITY_BUREAU_NAME, code="city")
            district = self.create(kind=BureauKind.DISTRICT, name=settings.BUREAU_NAME, parent=city,
                                   short_name=short_bureau_name(settings.BUREAU_NAME), code="district1")
        return district


    def default_city(self):
        return self.city() or self.default_district().parent


def short_bureau_name(name):
    """"漯河市郾城区教育局" -> "郾城区": what a ranking column shows."""
    text = name.removesuffix("教育局").removesuffix("教体局").removesuffix("教育体育局")
    for mark in ("市", "州", "盟"):
        head, sep, tail = text.partition(mark)
        if sep and tail:
            return tail
    return text or name


class Bureau(models.Model):
    """An education bureau: the city's (市教育局) or a district's/county's (区县教育局)."""

    name = models.CharField(_("名称"), max_length=100, unique=True, help_text=_("如 漯河市郾城区教育局"))
    short_name = models.CharField(_("简称"), max_length=30, blank=True, help_text=_("如 郾城区，用于排名表"))
    code = models.SlugField(_("简码"), max_length=30, unique=True)
    kind = models.CharField(_("级别"), max_length=20, choices=BureauKind.choices, default=BureauKind.DISTRICT)
    parent = models.ForeignKey("self", verbose_name=_("上级"), on_delete=models.PROTECT, null=True, blank=True,
                               related_name="districts")
    sort_order = models.PositiveIntegerField(_("排序"), default=0)
    # Who signs the responsibility letters for the bureau (甲方): the letter proposes the head.
    head_name = models.CharField(_("局主要负责人"), max_length=50, blank=True)
    deputy_head_name = models.CharField(_("分管负责人"), max_length=50, blank=True,
                                        help_text=_("分管文明创建工作的局领导"))
    # The default evidence rule of an activity archive, wherever its indicator has none (ledgers.rules).
    evidence_min_photos = models.PositiveSmallIntegerField(
        _("活动档案默认最少照片数"), default=1, help_text=_("关联指标未规定佐证要求时，提交活动档案至少需要的照片张数"))
    evidence_captions = models.BooleanField(_("照片默认须有说明"), default=True)
    caption_elements = models.CharField(_("照片说明要素"), max_length=60, default="时间、地点、人物、事件、成效",
                                        help_text=_("照片说明应写明的内容，提示联络员并用于退回提示"))

    objects = BureauQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("教育局")
        verbose_name_plural = _("教育局（市、区县）")
        ordering = ["kind", "sort_order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["kind"], condition=models.Q(kind="city"), name="one_city_bureau"),
            models.CheckConstraint(
                condition=(models.Q(kind="city", parent__isnull=True)
                           | models.Q(kind="district", parent__isnull=False)),
                name="district_has_city_parent"),
        ]

    def __str__(self):
        return self.name

    @property
    def is_city(self):
        return self.kind == BureauKind.CITY

    @property
    def label(self):
        return self.short_name or self.name


class BureauSettings(Bureau):
    """本局设置: the bureau's own settings page in the admin (its heads, the default evidence rule)."""

    class Meta:
        proxy = True
        verbose_name = _("本局设置")
        verbose_name_plural = _("本局设置")


class BureauOwned:
    """Mixin for models with a `bureau` field (the owner): one saved without an owner belongs to
    the first district, as migration 0004 gives every existing row (code written before the
    hierarchy, test fixtures). Services and views set the owner explicitly."""

    def _default_bureau(self):
        if not self.bureau_id:
            self.bureau = Bureau.objects.default_district()

    def full_clean(self, *args, **kwargs):
        self._default_bureau()
        super().full_clean(*args, **kwargs)

    def save(self, *args, **kwargs):
        self._default_bureau()
        super().save(*args, **kwargs)


class SharedDownQuerySet(models.QuerySet):
    """Records a bureau publishes for itself and, from the city, for every district beneath it
    (the evaluation system, the question bank): a district works with the city's and its own."""

    def for_bureau(self, bureau):
        """What a bureau works with: the city's records and the bureau's own."""
        if bureau is None:
            return self.filter(bureau__kind="city")
        if bureau.is_city:
            return self.filter(bureau=bureau)
        return self.filter(models.Q(bureau__kind="city") | models.Q(bureau=bureau))

    def visible_to(self, user):
        # Public to every signed-in user of the bureaus they belong to: the city's to everybody, a
        # district's own to that district (and the city).
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        if user.is_city:
            return self
        return self.for_bureau(user.bureau)


class UnitOwnedQuerySet(models.QuerySet):
    """Base QuerySet for every model that belongs to a unit.

    Subclasses whose unit sits behind a relation set `unit_lookup`
    (e.g. "assignment__unit").
    """

    unit_lookup = "unit"

    @property
    def bureau_lookup(self):
        return "bureau" if self.unit_lookup == "pk" else f"{self.unit_lookup}__bureau"

    def visible_to(self, user):
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        if user.is_liaison:
            return self.filter(**{self.unit_lookup: user.unit_id}) if user.unit_id else self.none()
        if user.is_city:
            return self
        return self.in_bureau_id(user.bureau_id)

    def actable_by(self, user):
        """What the user may change: as visible_to, but a city user only the city's own units."""
        qs = self.visible_to(user)
        if getattr(user, "is_city", False) and not user.is_superuser:
            qs = qs.in_bureau_id(user.bureau_id)
        return qs

    def in_bureau_id(self, bureau_id):
        if not bureau_id:
            return self.none()
        return self.filter(**{self.bureau_lookup: bureau_id})

    def in_bureau(self, bureau):
        """Records of one bureau's units; the city bureau (or None) means every unit."""
        if bureau is None or bureau.is_city:
            return self
        return self.in_bureau_id(bureau.pk)


class UnitQuerySet(UnitOwnedQuerySet):
    unit_lookup = "pk"

    def active(self):
        return self.filter(is_active=True)

    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        if any(not o.bureau_id for o in objs):
            default = Bureau.objects.default_district()
            for o in objs:
                o.bureau_id = o.bureau_id or default.pk
        return super().bulk_create(objs, *args, **kwargs)


class Unit(models.Model):
    bureau = models.ForeignKey(Bureau, verbose_name=_("所属教育局"), on_delete=models.PROTECT,
                               related_name="units")
    # Unique within the bureau: two districts may each have a 第一中学 (city-wide pages show
    # the district beside the name, `Unit.full_label`).
    name = models.CharField(_("单位名称"), max_length=100)
    kind = models.CharField(_("单位类别"), max_length=20, choices=UnitKind.choices)
    code = models.SlugField(_("简码"), max_length=30, unique=True, help_text=_("字母或数字，用于文件名等"))
    contact_name = models.CharField(_("联系人"), max_length=50, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=30, blank=True)
    head_name = models.CharField(_("单位主要负责人"), max_length=50, blank=True,
                                 help_text=_("校长或股室负责人：目标责任书乙方签字人"))
    is_active = models.BooleanField(_("启用"), default=True)
    sort_order = models.PositiveIntegerField(_("排序"), default=0)

    objects = UnitQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("单位")
        verbose_name_plural = _("单位")
        ordering = ["sort_order", "kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["bureau", "name"], name="unique_unit_name_per_bureau",
                                    violation_error_message=_("本局已有同名单位，请换一个名称。")),
        ]

    def __str__(self):
        return self.name

    @property
    def full_label(self):
        """"第一中学（源汇区）": the name with its bureau, for pages listing several districts' units
        (load the bureau with the unit: select_related("bureau") / ("unit__bureau"))."""
        return f"{self.name}（{self.bureau.label}）"

    def _default_bureau(self):
        if not self.bureau_id:
            # Code written before the hierarchy (and test fixtures) creates units without a
            # bureau: they join the first district.
            self.bureau = Bureau.objects.default_district()

    def full_clean(self, *args, **kwargs):
        self._default_bureau()
        super().full_clean(*args, **kwargs)

    def save(self, *args, **kwargs):
        self._default_bureau()
        super().save(*args, **kwargs)


class CampaignYearQuerySet(models.QuerySet):
    def current(self):
        """The year marked current, else the latest one (None when there is none); looked up once
        per page view (`request_memo`) when asked of every year, and on a page view kept per process
        while no shared table changes (years are one: `versions.cached_copy`)."""
        def lookup():
            return self.filter(is_current=True).first() or self.order_by("-year").first()

        if self.query.has_filters():
            return lookup()
        from .. import versions
        from ..page_view import request_memo

        return request_memo("current_year", lambda: versions.cached_copy("current year", lookup, self.db))


class CampaignYear(models.Model):
    year = models.PositiveIntegerField(_("年度"), unique=True)
    title = models.CharField(_("名称"), max_length=100, blank=True)
    is_current = models.BooleanField(_("当前年度"), default=False)
    spring_term_end = models.DateField(
        _("春季学期截止日期"), null=True, blank=True,
        help_text=_("每学期任务春季学期的报送截止日期，也是学期统计的分界；不填为7月31日"))

    objects = CampaignYearQuerySet.as_manager()

    class Meta:
        verbose_name = _("创建年度")
        verbose_name_plural = _("创建年度")
        ordering = ["-year"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_current"], condition=models.Q(is_current=True), name="one_current_year"
            )
        ]

    def __str__(self):
        return self.title or f"{self.year}年度"

    def clean(self):
        if self.spring_term_end and self.spring_term_end.year != self.year:
            raise ValidationError({"spring_term_end": f"春季学期截止日期应在{self.year}年内。"})

    def save(self, *args, **kwargs):
        if self.is_current:
            # Only one current year: marking this one unmarks the others.
            CampaignYear.objects.exclude(pk=self.pk).filter(is_current=True).update(is_current=False)
        super().save(*args, **kwargs)


class UserQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Users another user may see and manage: a district's users to its roles, everybody to
        the city's; a liaison only themself."""
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        if user.is_city:
            return self
        if user.is_liaison or not user.bureau_id:
            return self.filter(pk=user.pk)
        return self.filter(unit__bureau=user.bureau_id)

    def actable_by(self, user):
        """Accounts a user may manage (ledgers.services.people.may_manage): a district's admin their
        district's; the city's admin the city's own and every district's admins; a superuser all."""
        qs = self.visible_to(user)
        if getattr(user, "is_superuser", False):
            return qs
        qs = qs.filter(is_superuser=False)
        if getattr(user, "is_city", False):
            return qs.filter(models.Q(unit__bureau=user.bureau_id)
                             | models.Q(role=Role.ADMIN, unit__bureau__parent=user.bureau_id))
        return qs


class ScopedUserManager(UserManager.from_queryset(UserQuerySet)):
    pass


class User(AbstractUser):
    name = models.CharField(_("姓名"), max_length=50, blank=True)
    unit = models.ForeignKey(
        Unit, verbose_name=_("所属单位"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="users",
    )
    role = models.CharField(_("角色"), max_length=20, choices=Role.choices, default=Role.LIAISON)
    phone = models.CharField(_("手机号"), max_length=30, blank=True)
    must_change_password = models.BooleanField(
        _("须修改密码"), default=False, help_text=_("使用初始密码的账号，登录后须先修改密码"))

    objects = ScopedUserManager()
    # Every change of an account is kept (who, when, what); a password reset or an unlock is a row
    # with its reason (`_change_reason`). Never the password hash; a login alone is no change.
    history = HistoricalRecords(excluded_fields=["password", "last_login"])

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")
        ordering = ["username"]

    def __str__(self):
        return self.name or self.username

    def save(self, *args, **kwargs):
        # The Django admin is for bureau admins; keep is_staff in step with the role.
        self.is_staff = self.is_superuser or self.role == Role.ADMIN
        if set(kwargs.get("update_fields") or ()) == {"last_login"}:
            self.skip_history_when_saving = True
            try:
                return super().save(*args, **kwargs)
            finally:
                del self.skip_history_when_saving
        super().save(*args, **kwargs)

    def get_full_name(self):
        return self.name or self.username

    @property
    def display_name(self):
        return self.name or self.username

    @property
    def is_bureau_admin(self):
        return self.role == Role.ADMIN or self.is_superuser

    @property
    def is_inspector(self):
        return self.role == Role.INSPECTOR

    @property
    def is_liaison(self):
        return self.role == Role.LIAISON and not self.is_superuser

    @property
    def is_leader(self):
        return self.role == Role.LEADER

    @property
    def sees_all_units(self):
        """Admins, inspectors and leaders see every unit of their bureau (the city's: every
        unit); a liaison only their own. Which units exactly: `visible_units()`."""
        return not self.is_liaison

    @cached_property
    def bureau(self):
        """The bureau of the user's unit (None without a unit)."""
        return self.unit.bureau if self.unit_id else None

    @property
    def bureau_id(self):
        return self.unit.bureau_id if self.unit_id else None

    @property
    def is_city(self):
        """Superusers and the city bureau's admins, inspectors and leaders: they read every district."""
        if self.is_superuser:
            return True
        return not self.is_liaison and self.bureau is not None and self.bureau.is_city

    @property
    def is_district(self):
        return not self.is_liaison and not self.is_city and self.bureau_id is not None

    @property
    def bureau_name(self):
        """The name printed on this user's pages and documents."""
        bureau = self.bureau
        return bureau.name if bureau else settings.BUREAU_NAME

    def may_act_on_unit(self, unit):
        """May this user change records of `unit` (a Unit)? No query: compares bureau ids."""
        if unit is None or not self.is_active:
            return False
        if self.is_liaison:
            return unit.pk == self.unit_id
        if self.is_superuser:
            return True
        return self.bureau_id is not None and unit.bureau_id == self.bureau_id

    def owning_bureau(self):
        """The bureau that owns what this user creates (tasks, bulletins, templates …)."""
        return self.bureau or Bureau.objects.default_city()

    def visible_units(self):
        return Unit.objects.visible_to(self)

    def shows_unit_bureau(self, unit_bureau_id):
        """A city user reads several districts' units (names are unique only per bureau): a unit
        of another bureau than their own is shown with its district, 第一中学（源汇区）."""
        return self.is_city and unit_bureau_id != self.bureau_id

    def actable_units(self):
        """Units this user may act on (pick in a form): a city user only the city's own."""
        return Unit.objects.actable_by(self)

    def has_role(self, *roles):
        if self.is_superuser:
            return True
        return self.role in roles
