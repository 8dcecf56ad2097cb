"""Weekly checks (每周督查): check templates with their items, and the checks inspectors record.

A template's items are of the kinds the bureaus' published tables use (`ItemKind`): 计分 (0…满分),
达标/不达标 (with points, or without: counted as a 达标率), 扣分 (from the points down per finding),
一票否决, 抽查 (so many asked, the item passes at a threshold), under group headings (分组) whose
points cap their items; any item may allow 不适用. The score of a check is `ledgers.rules.check_score`
(earned ÷ applicable points, or 达标率 for a template without points); the figures it gives are
stored on the check (total, max_total, vetoed …) and per item (`CheckScore`: earned and applicable),
so every surface reads the same numbers.

A check scores one unit against one template on one date; its ISO week is derived from the
date (the weekly bulletin ranks units by week). A check is a draft until submitted; after that
only a bureau admin may correct it, and every correction is kept (`CheckCorrection`).
Status moves and score writes go through `ledgers.services.checks`.
"""
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ..pk_urls import pk_url
from .core import Bureau, BureauOwned, CampaignYear, SharedDownQuerySet, Unit, UnitOwnedQuerySet
from .files import StoredPhoto
from .indicators import Indicator


class CheckKind(models.TextChoices):
    ROUTINE = "routine", _("常规督查")
    SANITATION = "sanitation", _("卫生检查评比")
    UNANNOUNCED = "unannounced", _("暗访")
    MOCK = "mock", _("模拟测评")


class CheckStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已提交")


class ItemKind(models.TextChoices):
    SCORED = "scored", _("计分")
    PASSFAIL = "passfail", _("达标")
    DEDUCTION = "deduction", _("扣分")
    VETO = "veto", _("一票否决")
    SAMPLING = "sampling", _("抽查")
    GROUP = "group", _("分组")


class CheckBasis(models.TextChoices):
    POINTS = "points", _("得分率")
    PASS_RATE = "pass_rate", _("达标率")


def format_points(value):
    """20.00 -> "20", 7.50 -> "7.5", 2E+1 -> "20": points as people write them."""
    value = Decimal(value)
    return format(value.quantize(Decimal(1)) if value == value.to_integral() else value.normalize(), "f")


class CheckTemplateQuerySet(SharedDownQuerySet):
    """The templates a bureau checks with: the city's and its own (for_bureau, visible_to)."""

    def active(self):
        return self.filter(is_active=True)

    def for_year(self, year):
        return self.filter(year=year)

    def with_items(self):
        return self.prefetch_related(models.Prefetch("items", CheckItem.objects.select_related("indicator")))

    def actable_by(self, user):
        """Templates the user may edit: their own bureau's."""
        bureau_id = getattr(user, "bureau_id", None)
        if getattr(user, "is_superuser", False) and not bureau_id:
            return self
        return self.visible_to(user).filter(bureau_id=bureau_id) if bureau_id else self.none()


class CheckTemplate(BureauOwned, models.Model):
    bureau = models.ForeignKey(Bureau, verbose_name=_("发布单位"), on_delete=models.PROTECT,
                               related_name="check_templates")
    year = models.ForeignKey(CampaignYear, verbose_name=_("创建年度"), on_delete=models.PROTECT,
                             related_name="check_templates")
    name = models.CharField(_("检查表名称"), max_length=100)
    description = models.TextField(_("说明"), blank=True)
    is_active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects = CheckTemplateQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("检查表")
        verbose_name_plural = _("检查表")
        ordering = ["year", "name"]
        constraints = [models.UniqueConstraint(fields=["year", "bureau", "name"], name="unique_check_template_name")]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return pk_url("ledgers:template_edit", self.pk)

    @property
    def basis(self):
        """得分率 or 达标率 (a template of pass/fail items without points): ledgers.rules.check_basis."""
        from .. import rules

        return rules.check_basis(list(self.items.all()))

    @property
    def max_total(self):
        """Full marks with every item applicable (达标率: the number of pass/fail items)."""
        from .. import rules

        return rules.check_score(list(self.items.all()), {}).max_total

    @property
    def item_count(self):
        return sum(1 for item in self.items.all() if not item.is_group)

    @property
    def max_total_text(self):
        if self.basis == CheckBasis.PASS_RATE:
            return f"{format_points(self.max_total)} 项，按达标率"
        return f"{format_points(self.max_total)} 分"


class CheckItem(models.Model):
    template = models.ForeignKey(CheckTemplate, verbose_name=_("检查表"), on_delete=models.CASCADE,
                                 related_name="items")
    kind = models.CharField(_("类型"), max_length=20, choices=ItemKind.choices, default=ItemKind.SCORED)
    parent = models.ForeignKey("self", verbose_name=_("所属分组"), on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="children", limit_choices_to={"kind": ItemKind.GROUP})
    number = models.CharField(_("序号"), max_length=20, blank=True, help_text=_("表中的序号，如 1、（一）、II-1"))
    title = models.CharField(_("检查项目"), max_length=500)
    standard = models.TextField(_("检查要点"), blank=True)
    max_points = models.DecimalField(_("满分"), max_digits=5, decimal_places=1, default=0,
                                     help_text=_("分组的分值为其各项合计的上限；达标项不填分值则按达标率计"))
    deduct = models.DecimalField(_("每处扣分"), max_digits=5, decimal_places=1, null=True, blank=True,
                                 help_text=_("扣分项：每发现一处扣的分；不填则由检查人直接填扣分"))
    deduct_floor = models.BooleanField(_("扣完为止"), default=False)
    sample_size = models.PositiveSmallIntegerField(_("抽查人数"), null=True, blank=True)
    sample_pass = models.PositiveSmallIntegerField(_("达标人数"), null=True, blank=True,
                                                   help_text=_("抽查项：至少多少人达标为达标；不填为全部达标"))
    allow_na = models.BooleanField(_("可不适用"), default=False, help_text=_("检查时可选“不适用”，不计入满分"))
    indicator = models.ForeignKey(Indicator, verbose_name=_("测评指标"), on_delete=models.SET_NULL,
                                  null=True, blank=True, related_name="check_items")
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("检查项目")
        verbose_name_plural = _("检查项目")
        ordering = ["template", "sort_order", "pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(max_points__gte=0), name="check_item_max_points_not_negative"),
            models.CheckConstraint(condition=~models.Q(kind=ItemKind.SCORED) | models.Q(max_points__gt=0),
                                   name="check_item_scored_has_points"),
        ]

    def __str__(self):
        if not self.max_points:
            return f"{self.title}（{self.get_kind_display()}）"
        return f"{self.title}（{format_points(self.max_points)} 分）"

    @property
    def is_group(self):
        return self.kind == ItemKind.GROUP

    @property
    def points_text(self):
        return format_points(self.max_points) if self.max_points else ""

    def rule_text(self):
        """How the item is scored, in the table's words: "每处扣0.5分，扣完为止", "抽查5人，3人及以上达标"."""
        if self.kind == ItemKind.DEDUCTION:
            rule = f"每处扣{format_points(self.deduct)}分" if self.deduct is not None else "按扣分标准扣分"
            return rule + ("，扣完为止" if self.deduct_floor else "")
        if self.kind == ItemKind.SAMPLING:
            size = f"抽查{self.sample_size}人" if self.sample_size else "抽查"
            return f"{size}，{self.sample_pass}人及以上达标" if self.sample_pass is not None else f"{size}，全部达标为达标"
        if self.kind in (ItemKind.PASSFAIL, ItemKind.VETO):
            return "一票否决：不达标则本次检查不合格" if self.kind == ItemKind.VETO else "达标 / 不达标"
        return ""

    def validate_answer(self, answer, *, complete):
        """Refuse an answer that does not fit the item, with a message naming it; `complete`: every
        item must be answered (submitting)."""
        name = f"“{self.title[:30]}”"
        if answer is None or answer.blank:
            if complete and not self.is_group:
                raise ValidationError(f"{name}尚未{'打分' if self.kind == ItemKind.SCORED else '填写'}，不能提交。")
            return
        if answer.not_applicable:
            if not self.allow_na:
                raise ValidationError(f"{name}不能选“不适用”。")
            return
        if self.kind == ItemKind.SCORED:
            if answer.score is None:
                raise ValidationError(f"{name}尚未打分。")
            if answer.score < 0:
                raise ValidationError(f"{name}得分不能为负数。")
            if answer.score > self.max_points:
                raise ValidationError(f"{name}得分不能超过 {format_points(self.max_points)} 分。")
        elif self.kind in (ItemKind.PASSFAIL, ItemKind.VETO):
            if answer.passed is None and complete:
                raise ValidationError(f"{name}请选择达标或不达标。")
        elif self.kind == ItemKind.DEDUCTION:
            if self.deduct is not None:
                if answer.findings is None and complete:
                    raise ValidationError(f"{name}请填写发现几处（没有填 0）。")
                if answer.findings is not None and answer.findings < 0:
                    raise ValidationError(f"{name}发现处数不能为负数。")
            else:
                if answer.deducted is None and complete:
                    raise ValidationError(f"{name}请填写扣分（没有扣分填 0）。")
                if answer.deducted is not None and answer.deducted < 0:
                    raise ValidationError(f"{name}扣分不能为负数。")
                if answer.deducted is not None and self.max_points and answer.deducted > self.max_points:
                    raise ValidationError(f"{name}扣分不能超过 {format_points(self.max_points)} 分。")
        elif self.kind == ItemKind.SAMPLING:
            if (answer.asked is None or answer.sample_passed is None) and complete:
                raise ValidationError(f"{name}请填写抽查人数和达标人数。")
            if answer.asked is not None and answer.asked < 1:
                raise ValidationError(f"{name}抽查人数至少为 1。")
            if answer.sample_passed is not None and answer.sample_passed < 0:
                raise ValidationError(f"{name}达标人数不能为负数。")
            if None not in (answer.asked, answer.sample_passed) and answer.sample_passed > answer.asked:
                raise ValidationError(f"{name}达标人数不能多于抽查人数（{answer.asked} 人）。")

    def validate_score(self, score):
        """Refuse a score outside 0…max with a message naming the item (a 计分 item)."""
        from .. import rules

        self.validate_answer(rules.Answer(score=score) if score is not None else None, complete=False)


def item_depths(items):
    """{item id: how deep under group headings it sits} (0: not in a group)."""
    parents = {item.pk: item.parent_id for item in items}
    depths = {}
    for item in items:
        depth, parent = 0, item.parent_id
        while parent and depth < 10:
            depth, parent = depth + 1, parents.get(parent)
        depths[item.pk] = depth
    return depths


class CheckQuerySet(UnitOwnedQuerySet):
    def submitted(self):
        return self.filter(status=CheckStatus.SUBMITTED)

    def for_week(self, iso_year, iso_week):
        return self.filter(iso_year=iso_year, iso_week=iso_week)

    def with_related(self):
        return self.select_related("unit", "template", "created_by", "submitted_by").prefetch_related("inspectors")

    def for_list(self):
        """What a row of the check list shows: the unit, the template's name and the inspectors'
        names (not the creator's and submitter's whole accounts)."""
        from .core import User

        return self.select_related("unit", "template").prefetch_related(
            models.Prefetch("inspectors", queryset=User.objects.only("pk", "name", "username")))


class Check(models.Model):
    year = models.ForeignKey(CampaignYear, verbose_name=_("创建年度"), on_delete=models.PROTECT,
                             related_name="checks")
    unit = models.ForeignKey(Unit, verbose_name=_("受检单位"), on_delete=models.PROTECT, related_name="checks")
    date = models.DateField(_("检查日期"))
    iso_year = models.PositiveSmallIntegerField(_("周次年份"), editable=False, db_index=True)
    iso_week = models.PositiveSmallIntegerField(_("周次"), editable=False, db_index=True)
    kind = models.CharField(_("督查类型"), max_length=20, choices=CheckKind.choices, default=CheckKind.ROUTINE)
    template = models.ForeignKey(CheckTemplate, verbose_name=_("检查表"), on_delete=models.PROTECT,
                                 related_name="checks")
    inspectors = models.ManyToManyField(settings.AUTH_USER_MODEL, verbose_name=_("检查人"), blank=True,
                                        related_name="checks_inspected")
    remarks = models.TextField(_("检查情况"), blank=True)
    total = models.DecimalField(_("得分"), max_digits=6, decimal_places=1, default=0,
                                help_text=_("按达标率计的检查表为达标项数"))
    max_total = models.DecimalField(_("满分"), max_digits=6, decimal_places=1, default=0,
                                    help_text=_("适用项目的满分（不适用的不计）；按达标率计的为适用的达标项数"))
    basis = models.CharField(_("计分方式"), max_length=20, choices=CheckBasis.choices, default=CheckBasis.POINTS)
    vetoed = models.BooleanField(_("一票否决"), default=False, help_text=_("一票否决项不达标：本次检查不合格"))
    passed_items = models.PositiveSmallIntegerField(_("达标项数"), default=0)
    pass_items = models.PositiveSmallIntegerField(_("达标类项目数"), default=0)
    status = models.CharField(_("状态"), max_length=20, choices=CheckStatus.choices, default=CheckStatus.DRAFT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("录入人"), on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(_("录入时间"), auto_now_add=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("提交人"), on_delete=models.PROTECT,
                                     null=True, blank=True, related_name="+")
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)

    objects = CheckQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("督查记录")
        verbose_name_plural = _("督查记录")
        ordering = ["-date", "-pk"]
        indexes = [models.Index(fields=["iso_year", "iso_week", "unit"], name="check_week_unit")]
        constraints = [
            models.CheckConstraint(condition=models.Q(total__gte=0), name="check_total_not_negative"),
        ]

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self.unit} {self.get_kind_display()}"

    def save(self, *args, **kwargs):
        self.iso_year, self.iso_week = self.date.isocalendar()[:2]
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return pk_url("ledgers:check_detail", self.pk)

    @property
    def is_draft(self):
        return self.status == CheckStatus.DRAFT

    @property
    def week_label(self):
        return f"{self.iso_year}年第{self.iso_week}周"

    @property
    def percent(self):
        """Score as a percentage of the applicable maximum (得分率, or 达标率 for a template without
        points), so that templates compare (the one rounding of score rates: ledgers.rules.score_rate)."""
        from .. import rules

        return rules.score_rate(self.total, self.max_total)

    @property
    def by_pass_rate(self):
        return self.basis == CheckBasis.PASS_RATE

    @property
    def total_text(self):
        """The check's figure in a sentence: "77 分", or "达标 2 / 3 项" for a checklist scored by 达标率."""
        if self.by_pass_rate:
            return f"达标 {self.passed_items} / {self.pass_items} 项"
        return f"{format_points(self.total)} 分"

    @property
    def rate_label(self):
        return self.get_basis_display()

    @property
    def verdict(self):
        """合格 / 不合格 (一票否决), for the pages and documents that show it."""
        return "不合格（一票否决）" if self.vetoed else ""


class CheckScore(models.Model):
    """One item's answer in a check and what it earned (`ledgers.rules.check_score`); group headings
    get a row too (their capped subtotal), so a figure linked to an indicator reads stored numbers."""
    check_record = models.ForeignKey(Check, verbose_name=_("督查记录"), on_delete=models.CASCADE,
                                     related_name="scores", db_column="check_id")
    item = models.ForeignKey(CheckItem, verbose_name=_("检查项目"), on_delete=models.PROTECT, related_name="scores")
    score = models.DecimalField(_("得分"), max_digits=5, decimal_places=1)
    applicable = models.DecimalField(_("计入满分"), max_digits=5, decimal_places=1, default=0,
                                     help_text=_("不适用为 0；按达标率计的达标项为 1"))
    passed = models.BooleanField(_("达标"), null=True, blank=True)
    findings = models.PositiveSmallIntegerField(_("发现处数"), null=True, blank=True)
    deducted = models.DecimalField(_("扣分"), max_digits=5, decimal_places=1, null=True, blank=True)
    asked = models.PositiveSmallIntegerField(_("抽查人数"), null=True, blank=True)
    sample_passed = models.PositiveSmallIntegerField(_("达标人数"), null=True, blank=True)
    not_applicable = models.BooleanField(_("不适用"), default=False)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("项目得分")
        verbose_name_plural = _("项目得分")
        ordering = ["item__sort_order", "item__pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(score__gte=0), name="check_score_not_negative"),
            models.UniqueConstraint(fields=["check_record", "item"], name="unique_score_per_item"),
        ]

    def __str__(self):
        return f"{self.item.title} {format_points(self.score)}"

    def clean(self):
        self.item.validate_answer(self.answer, complete=False)

    @property
    def answer(self):
        from .. import rules

        return rules.Answer(score=self.score if self.item.kind == ItemKind.SCORED else None, passed=self.passed,
                            findings=self.findings, deducted=self.deducted, asked=self.asked,
                            sample_passed=self.sample_passed, not_applicable=self.not_applicable)

    def result_text(self):
        """The answer as the check page and the documents print it."""
        item = self.item
        if self.not_applicable:
            return "不适用"
        if item.kind in (ItemKind.PASSFAIL, ItemKind.VETO):
            return "达标" if self.passed else "不达标"
        if item.kind == ItemKind.SAMPLING:
            verdict = "达标" if self.passed else "不达标"
            return f"抽查 {self.asked} 人，{self.sample_passed} 人达标，{verdict}" if self.asked is not None else verdict
        if item.kind == ItemKind.DEDUCTION:
            if item.deduct is not None and self.findings is not None:
                return f"发现 {self.findings} 处，扣 {format_points(item.deduct * self.findings)} 分"
            if self.deducted is not None:
                return f"扣 {format_points(self.deducted)} 分"
        return ""

    def figure_text(self, by_pass_rate=False):
        """"8 / 10 分", "5.5 / 10 分（发现 3 处，扣 4.5 分）", "达标", "不适用": an item's line in a document."""
        outcome = self.result_text()
        if self.not_applicable or by_pass_rate or not self.applicable:
            return outcome
        return f"{format_points(self.score)} / {format_points(self.applicable)} 分" + (f"（{outcome}）" if outcome else "")

    @property
    def failed(self):
        """不达标, or points deducted: the items the check page offers to turn into a problem."""
        if self.not_applicable or self.item.is_group:
            return False
        if self.item.kind in (ItemKind.PASSFAIL, ItemKind.VETO, ItemKind.SAMPLING):
            return self.passed is False
        if self.item.kind == ItemKind.DEDUCTION:
            return bool(self.findings) or bool(self.deducted)
        return self.score < self.applicable


class CheckPhotoQuerySet(UnitOwnedQuerySet):
    unit_lookup = "check_record__unit"


class CheckPhoto(StoredPhoto):
    upload_folder = "checks"

    check_record = models.ForeignKey(Check, verbose_name=_("督查记录"), on_delete=models.CASCADE,
                                     related_name="photos", db_column="check_id")
    item = models.ForeignKey(CheckItem, verbose_name=_("检查项目"), on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="+", help_text=_("不达标或扣分项目的现场照片"))

    objects = CheckPhotoQuerySet.as_manager()

    class Meta:
        verbose_name = _("督查照片")
        verbose_name_plural = _("督查照片")
        ordering = ["pk"]


class CheckCorrection(models.Model):
    check_record = models.ForeignKey(Check, verbose_name=_("督查记录"), on_delete=models.CASCADE,
                                     related_name="corrections", db_column="check_id")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("更正人"), on_delete=models.PROTECT,
                           related_name="+")
    at = models.DateTimeField(_("更正时间"), auto_now_add=True)
    reason = models.TextField(_("更正理由"))
    before = models.JSONField(_("更正前"), default=dict)
    after = models.JSONField(_("更正后"), default=dict)

    class Meta:
        verbose_name = _("督查记录更正")
        verbose_name_plural = _("督查记录更正")
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.check_record} 更正于 {self.at:%Y-%m-%d %H:%M}"
