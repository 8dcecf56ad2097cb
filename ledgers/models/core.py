"""Units, campaign years and users: who belongs where and who may see what.

Every query for unit-owned data goes through `visible_to(user)`, defined once here
(`UnitOwnedQuerySet`) so that no view can forget it.
"""
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
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


class UnitOwnedQuerySet(models.QuerySet):
    """Base QuerySet for every model that belongs to a unit.

    Subclasses whose unit sits behind a relation set `unit_lookup`
    (e.g. "assignment__unit").
    """

    unit_lookup = "unit"

    def visible_to(self, user):
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        if user.sees_all_units:
            return self
        if not user.unit_id:
            return self.none()
        return self.filter(**{self.unit_lookup: user.unit_id})


class UnitQuerySet(UnitOwnedQuerySet):
    unit_lookup = "pk"

    def active(self):
        return self.filter(is_active=True)


class Unit(models.Model):
    name = models.CharField(_("单位名称"), max_length=100, unique=True)
    kind = models.CharField(_("单位类别"), max_length=20, choices=UnitKind.choices)
    code = models.SlugField(_("简码"), max_length=30, unique=True, help_text=_("字母或数字，用于文件名等"))
    contact_name = models.CharField(_("联系人"), max_length=50, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=30, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)
    sort_order = models.PositiveIntegerField(_("排序"), default=0)

    objects = UnitQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("单位")
        verbose_name_plural = _("单位")
        ordering = ["sort_order", "kind", "name"]

    def __str__(self):
        return self.name


class CampaignYearQuerySet(models.QuerySet):
    def current(self):
        """The year marked current, else the latest one (None when there is none)."""
        return self.filter(is_current=True).first() or self.order_by("-year").first()


class CampaignYear(models.Model):
    year = models.PositiveIntegerField(_("年度"), unique=True)
    title = models.CharField(_("名称"), max_length=100, blank=True)
    is_current = models.BooleanField(_("当前年度"), default=False)

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

    def save(self, *args, **kwargs):
        if self.is_current:
            # Only one current year: marking this one unmarks the others.
            CampaignYear.objects.exclude(pk=self.pk).filter(is_current=True).update(is_current=False)
        super().save(*args, **kwargs)


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

    objects = UserManager()

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")
        ordering = ["username"]

    def __str__(self):
        return self.name or self.username

    def save(self, *args, **kwargs):
        # The Django admin is for bureau admins; keep is_staff in step with the role.
        self.is_staff = self.is_superuser or self.role == Role.ADMIN
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
        """Bureau admin, inspectors and leaders see every unit; a liaison only their own."""
        return not self.is_liaison

    def has_role(self, *roles):
        if self.is_superuser:
            return True
        return self.role in roles
