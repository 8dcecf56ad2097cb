"""Published reports: frozen copies of what was handed out at a meeting.

A monthly summary (bureau-wide or for one unit) can be published: its PDF and Excel are
rendered once and kept in storage with who and when, so the same document can be printed
again unchanged after the data moves on.
"""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ledgers.models import Bureau, BureauOwned, Unit, UnitOwnedQuerySet


class ReportKind(models.TextChoices):
    MONTHLY = "monthly", _("每月分析小结")
    BULLETIN = "bulletin", _("督查通报")

    ASSESSMENT = "assessment", _("年度考核")


class PublishedReportQuerySet(UnitOwnedQuerySet):
    """A liaison sees only their unit's published reports, never the bureau-wide ones; a
    district's roles their district's units' and the district-wide ones; the city's, all."""

    def visible_to(self, user):
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        if user.is_liaison or user.is_city:
            return super().visible_to(user)
        bureau_id = user.bureau_id
        if not bureau_id:
            return self.none()
        return self.filter(models.Q(unit__bureau=bureau_id) | models.Q(unit__isnull=True, bureau=bureau_id))


class PublishedReport(BureauOwned, models.Model):
    bureau = models.ForeignKey(Bureau, verbose_name=_("教育局"), on_delete=models.PROTECT, related_name="+",
                               help_text=_("全局汇总所属的教育局（市或区县）"))
    kind = models.CharField(_("报表类型"), max_length=20, choices=ReportKind.choices, default=ReportKind.MONTHLY)
    period = models.CharField(_("期间"), max_length=10, help_text=_("如 2026-11；通报如 2026-W10"))
    unit = models.ForeignKey(Unit, verbose_name=_("单位"), on_delete=models.PROTECT, null=True, blank=True,
                             help_text=_("为空表示全局汇总"))
    title = models.CharField(_("标题"), max_length=200)
    pdf = models.FileField(_("PDF"), max_length=255)
    xlsx = models.FileField(_("Excel"), max_length=255, blank=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("发布人"), on_delete=models.PROTECT,
                                     related_name="+")
    published_at = models.DateTimeField(_("发布时间"), auto_now_add=True)

    objects = PublishedReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("已发布报表")
        verbose_name_plural = _("已发布报表")
        ordering = ["-published_at"]
        indexes = [models.Index(fields=["kind", "period"])]

    def __str__(self):
        return self.title


# --- background jobs (我的下载) ------------------------------------------------------------------

class JobStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("生成中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("失败")


ACTIVE_STATUSES = (JobStatus.QUEUED, JobStatus.RUNNING)


class Job(models.Model):
    """One long document a user asked for, built by the job worker (see reports/jobs/__init__.py).

    The file is offered only when status is DONE: the worker writes it under a temporary name
    and stores it and sets DONE in one step at the end, so a worker killed mid-job leaves no
    half file behind a download button. `unit` is the unit whose data the file holds (None: the
    whole bureau); the download re-checks it against `visible_to` every time.
    """
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("发起人"), on_delete=models.CASCADE,
                             related_name="jobs")
    kind = models.CharField(_("类型"), max_length=40)
    params = models.JSONField(_("参数"), default=dict)
    key = models.CharField(_("去重键"), max_length=255, help_text=_("类型与参数：同一用户同一导出只排一次"))
    title = models.CharField(_("名称"), max_length=200)
    unit = models.ForeignKey(Unit, verbose_name=_("单位"), on_delete=models.CASCADE, null=True, blank=True,
                             related_name="+", help_text=_("为空表示全局数据"))
    status = models.CharField(_("状态"), max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED)
    stage = models.CharField(_("进度说明"), max_length=200, blank=True)
    percent = models.PositiveSmallIntegerField(_("进度"), default=0)
    attempt = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    task_id = models.CharField(_("任务编号"), max_length=64, blank=True)
    heartbeat_at = models.DateTimeField(_("心跳时间"), null=True, blank=True)
    file = models.FileField(_("文件"), max_length=255, blank=True)
    file_name = models.CharField(_("下载文件名"), max_length=200, blank=True)
    file_size = models.BigIntegerField(_("文件大小"), default=0)
    result_url = models.CharField(_("结果页面"), max_length=255, blank=True,
                                  help_text=_("没有文件的任务（如发布）完成后打开的页面"))
    error = models.TextField(_("失败原因"), blank=True)
    created_at = models.DateTimeField(_("发起时间"), auto_now_add=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    expires_at = models.DateTimeField(_("文件保留至"), null=True, blank=True)

    class Meta:
        verbose_name = _("后台任务")
        verbose_name_plural = _("后台任务")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "-created_at"]), models.Index(fields=["status", "heartbeat_at"])]
        constraints = [
            # Starting the same export twice while it runs joins the running job.
            models.UniqueConstraint(fields=["user", "key"], condition=models.Q(status__in=["queued", "running"]),
                                    name="one_active_job_per_user_and_key"),
        ]

    def __str__(self):
        return self.title

    @property
    def is_active(self):
        return self.status in ACTIVE_STATUSES

    @property
    def has_file(self):
        return self.status == JobStatus.DONE and bool(self.file)
