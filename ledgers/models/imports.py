"""Excel imports: uploaded files kept between the steps, remembered column mappings, unit aliases.

- `ImportUpload` is an uploaded .xlsx of one user, stored (through the storage API) from the upload
  until the import is confirmed or the file is a day old; the mapping and preview steps read it
  again, so nobody uploads twice. Only its owner reaches it (views look it up by `uploaded_by`).
- `ImportMapping` remembers which column is which field for a header seen before: keyed by the
  import kind and a signature of the header's text.
- `UnitAlias` is another name people type for a unit (郾城区一小 → 郾城区第一实验小学).
"""
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .core import CampaignYear, Unit


class ImportKind(models.TextChoices):
    TASKS = "tasks", _("任务分解表")
    INDICATORS = "indicators", _("测评指标")
    UNITS = "units", _("单位")
    USERS = "users", _("联络员账号")
    CHECKLISTS = "checklists", _("检查表")
    OVERSIGHTS = "oversights", _("包抓分工")
    QUESTIONS = "questions", _("应知应会题库")


class ImportUploadQuerySet(models.QuerySet):
    def stale(self, now=None):
        return self.filter(uploaded_at__lt=(now or timezone.now()) - timedelta(hours=ImportUpload.KEEP_HOURS))

    def delete_with_files(self):
        count = 0
        for upload in self:
            upload.delete_file()
            upload.delete()
            count += 1
        return count


class ImportUpload(models.Model):
    KEEP_HOURS = 24

    kind = models.CharField(_("导入类型"), max_length=20, choices=ImportKind.choices)
    year = models.ForeignKey(CampaignYear, verbose_name=_("创建年度"), on_delete=models.CASCADE,
                             null=True, blank=True, related_name="+")
    file = models.FileField(_("文件"), max_length=255)
    original_name = models.CharField(_("原文件名"), max_length=255)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("上传人"),
                                    on_delete=models.CASCADE, related_name="+")
    uploaded_at = models.DateTimeField(_("上传时间"), default=timezone.now)
    # The mapping step's choices: Excel row numbers (1-based) and {column index: field}.
    header_first = models.PositiveIntegerField(_("表头首行"), default=1)
    header_last = models.PositiveIntegerField(_("表头末行"), default=1)
    data_first = models.PositiveIntegerField(_("数据首行"), default=2)
    columns = models.JSONField(_("列对应"), default=dict, blank=True)
    # What the upload step chose besides the file: the check template imported into
    # ({"template": id} or {"name": "新检查表"}).
    options = models.JSONField(_("导入选项"), default=dict, blank=True)
    mapped = models.BooleanField(_("已确认列对应"), default=False)
    excluded = models.JSONField(_("排除的行"), default=list, blank=True)
    result = models.CharField(_("导入结果"), max_length=200, blank=True)
    imported_at = models.DateTimeField(_("导入时间"), null=True, blank=True)

    objects = ImportUploadQuerySet.as_manager()

    class Meta:
        verbose_name = _("导入文件")
        verbose_name_plural = _("导入文件")
        ordering = ["-uploaded_at"]

    def __str__(self):
        return self.original_name

    def delete_file(self):
        if self.file:
            self.file.storage.delete(self.file.name)


class ImportMapping(models.Model):
    kind = models.CharField(_("导入类型"), max_length=20, choices=ImportKind.choices)
    signature = models.CharField(_("表头指纹"), max_length=64)
    header_text = models.TextField(_("表头"), blank=True)
    header_first = models.PositiveIntegerField(_("表头首行"))
    header_last = models.PositiveIntegerField(_("表头末行"))
    data_offset = models.PositiveIntegerField(_("数据首行距表头末行"), default=1)
    columns = models.JSONField(_("列对应"), default=dict)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("设置人"),
                                   on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("导入列对应")
        verbose_name_plural = _("导入列对应")
        ordering = ["-updated_at"]
        constraints = [models.UniqueConstraint(fields=["kind", "signature"], name="one_mapping_per_header")]

    def __str__(self):
        return f"{self.get_kind_display()}：{self.header_text[:60]}"


class UnitAlias(models.Model):
    unit = models.ForeignKey(Unit, verbose_name=_("单位"), on_delete=models.CASCADE, related_name="aliases")
    # Unique within the unit's bureau (ledgers.services.units keeps it so), like unit names.
    name = models.CharField(_("别名"), max_length=100, db_index=True,
                            help_text=_("表格里常写的简称，如“郾城区一小”"))

    class Meta:
        verbose_name = _("单位别名")
        verbose_name_plural = _("单位别名")
        ordering = ["unit", "name"]

    def __str__(self):
        return f"{self.name} → {self.unit}"
