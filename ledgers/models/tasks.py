"""The task breakdown table (任务分解表): tasks, one assignment per responsible unit, progress.

A Task is one row of the table (indicator, requirement, lead unit, deadline, frequency). Each
responsible unit gets a TaskAssignment whose status moves 未开始 → 进行中 → 已完成 (the bureau may
send it back: 已退回) only through `ledgers.services.tasks`. Progress entries are separate rows, so
two people reporting at once never overwrite each other. Overdue is derived from the deadline.
"""
from django.conf import settings
from django.db import models
from django.db.models import Count, Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ..pk_urls import pk_url
from .. import files
from ..concurrency import Versioned
from .core import Bureau, BureauOwned, CampaignYear, Unit, UnitOwnedQuerySet
from .files import StoredFile
from .indicators import Indicator


class Frequency(models.TextChoices):
    ONCE = "once", _("一次性")
    WEEKLY = "weekly", _("每周")
    MONTHLY = "monthly", _("每月")
    QUARTERLY = "quarterly", _("每季度")
    TERM = "term", _("每学期")
    ONGOING = "ongoing", _("长期坚持")

    @classmethod
    def recurring(cls):
        """Frequencies whose deadline repeats: one TaskDeadline per period."""
        return (cls.MONTHLY, cls.QUARTERLY, cls.TERM)


class AssignmentStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("未开始")
    IN_PROGRESS = "in_progress", _("进行中")
    DONE = "done", _("已完成")
    RETURNED = "returned", _("已退回")


class TaskQuerySet(UnitOwnedQuerySet):
    # A bureau's roles see the bureau's whole table (the city's: every table); a liaison only
    # tasks their unit is responsible for.
    unit_lookup = "assignments__unit"
    bureau_lookup = "bureau"

    def for_year(self, year):
        return self.filter(year=year)

    def visible_to(self, user):
        qs = super().visible_to(user)
        return qs.distinct() if getattr(user, "is_liaison", False) else qs

    def with_assignments(self):
        """Tasks with indicator, lead unit and every assignment (with its unit) in 4 queries."""
        return self.select_related("indicator", "lead_unit").prefetch_related(
            Prefetch("assignments", queryset=TaskAssignment.objects.select_related("unit").order_by(
                "unit__sort_order", "unit__name"))
        )


class Task(BureauOwned, Versioned):
    bureau = models.ForeignKey(Bureau, verbose_name=_("下达单位"), on_delete=models.PROTECT,
                               related_name="tasks")
    # A district's linked copy of the city's task: the city's changes reach it (services.tasks.
    # sync_dispatched). PROTECT: the city withdraws its copies first (task_withdraw), which is
    # refused while a district's units have reported progress.
    parent = models.ForeignKey("self", verbose_name=_("市局任务"), on_delete=models.PROTECT, null=True,
                               blank=True, related_name="dispatched",
                               help_text=_("市教育局下达到本区县的任务"))
    year = models.ForeignKey(CampaignYear, verbose_name=_("创建年度"), on_delete=models.PROTECT,
                             related_name="tasks")
    number = models.CharField(_("序号"), max_length=20, blank=True)
    indicator = models.ForeignKey(Indicator, verbose_name=_("测评指标"), on_delete=models.SET_NULL,
                                  null=True, blank=True, related_name="tasks")
    title = models.CharField(_("测评内容（任务）"), max_length=300)
    requirement = models.TextField(_("工作要求"), blank=True)
    lead_unit = models.ForeignKey(Unit, verbose_name=_("牵头单位"), on_delete=models.PROTECT,
                                  null=True, blank=True, related_name="led_tasks")
    units = models.ManyToManyField(Unit, verbose_name=_("责任单位"), through="TaskAssignment",
                                   related_name="tasks")
    deadline = models.DateField(_("完成时限"), help_text=_("周期性任务为最后一期的截止日期"))
    deadline_text = models.CharField(_("完成时限（原文）"), max_length=60, blank=True,
                                     help_text=_("导入时表格中的写法，如“每月”“6月底”"))
    frequency = models.CharField(_("工作频次"), max_length=20, choices=Frequency.choices,
                                 default=Frequency.ONCE)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("创建人"),
                                   on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects = TaskQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("任务")
        verbose_name_plural = _("任务分解表")
        ordering = ["deadline", "pk"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return pk_url("ledgers:task_detail", self.pk)

    def is_overdue_date(self):
        return self.deadline < timezone.localdate()

    def current_period(self, today=None):
        """The first period deadline on or after today (None for one-off tasks or when all passed)."""
        today = today or timezone.localdate()
        return next((p for p in self.period_deadlines.all() if p.due >= today), None)


class TaskDeadline(models.Model):
    """One period's deadline of a recurring task (每月 → 12 rows, 每季度 → 4, 每学期 → 2).

    `Task.deadline` stays the last period's date, so every page that orders or filters by it keeps
    working; a unit's report for a period is a progress entry dated within it (derived, not stored).
    """

    task = models.ForeignKey(Task, verbose_name=_("任务"), on_delete=models.CASCADE,
                             related_name="period_deadlines")
    label = models.CharField(_("周期"), max_length=30)
    starts = models.DateField(_("开始"))
    due = models.DateField(_("截止日期"))

    class Meta:
        verbose_name = _("周期截止日期")
        verbose_name_plural = _("周期截止日期")
        ordering = ["task", "due"]
        constraints = [models.UniqueConstraint(fields=["task", "due"], name="one_deadline_per_period")]

    def __str__(self):
        return f"{self.label} {self.due}"


class TaskAssignmentQuerySet(UnitOwnedQuerySet):
    def for_year(self, year):
        return self.filter(task__year=year)

    def open(self):
        return self.exclude(status=AssignmentStatus.DONE)

    def overdue(self, today=None):
        # Compared in SQL: deadline before today and not done. Never stored.
        return self.open().filter(task__deadline__lt=today or timezone.localdate())

    def with_task(self):
        return self.select_related("task", "task__indicator", "task__lead_unit", "unit")

    def status_counts(self):
        today = timezone.localdate()
        return self.aggregate(
            total=Count("pk"),
            done=Count("pk", filter=Q(status=AssignmentStatus.DONE)),
            overdue=Count("pk", filter=~Q(status=AssignmentStatus.DONE) & Q(task__deadline__lt=today)),
        )


class TaskAssignment(models.Model):
    task = models.ForeignKey(Task, verbose_name=_("任务"), on_delete=models.CASCADE, related_name="assignments")
    unit = models.ForeignKey(Unit, verbose_name=_("责任单位"), on_delete=models.PROTECT,
                             related_name="task_assignments")
    status = models.CharField(_("落实状态"), max_length=20, choices=AssignmentStatus.choices,
                              default=AssignmentStatus.NOT_STARTED)
    completed_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    completed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("标记完成人"),
                                     on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    returned_at = models.DateTimeField(_("退回时间"), null=True, blank=True)
    returned_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("退回人"),
                                    on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    returned_reason = models.TextField(_("退回原因"), blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = TaskAssignmentQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("任务落实")
        verbose_name_plural = _("任务落实")
        ordering = ["task__deadline", "task_id", "unit__sort_order"]
        constraints = [models.UniqueConstraint(fields=["task", "unit"], name="one_assignment_per_unit")]
        # Every column the month summary's task figures read (reports.summaries._task_figures): the
        # assignments are counted from the index, not the table.
        indexes = [models.Index(fields=["unit", "task", "status", "completed_at"], name="assignment_month_figures")]

    def __str__(self):
        return f"{self.task} · {self.unit}"

    def get_absolute_url(self):
        return pk_url("ledgers:assignment_detail", self.pk)

    def is_overdue(self, today=None):
        return self.status != AssignmentStatus.DONE and self.task.deadline < (today or timezone.localdate())

    def period_rows(self, today=None):
        """Each period deadline of a recurring task with whether this unit reported in it (a
        progress entry dated within the period) and whether it is overdue: [(period, reported, late)]."""
        today = today or timezone.localdate()
        dates = [e.date for e in self.progress.all()]
        rows = []
        for period in self.task.period_deadlines.all():
            reported = any(period.starts <= d <= period.due for d in dates)
            rows.append((period, reported, not reported and period.due < today))
        return rows

    @property
    def days_left(self):
        return (self.task.deadline - timezone.localdate()).days

    @property
    def days_late(self):
        return -self.days_left

    def badge_class(self, today=None):
        if self.is_overdue(today):
            return "text-bg-danger"
        return STATUS_BADGES[self.status]


STATUS_BADGES = {
    AssignmentStatus.NOT_STARTED: "text-bg-secondary",
    AssignmentStatus.IN_PROGRESS: "text-bg-primary",
    AssignmentStatus.DONE: "text-bg-success",
    AssignmentStatus.RETURNED: "text-bg-warning",
}


class AssignmentEvent(models.Model):
    """One status move of an assignment: who, when, from, to and why (the timeline)."""

    assignment = models.ForeignKey(TaskAssignment, verbose_name=_("任务落实"), on_delete=models.CASCADE,
                                   related_name="events")
    from_status = models.CharField(_("原状态"), max_length=20, choices=AssignmentStatus.choices)
    to_status = models.CharField(_("新状态"), max_length=20, choices=AssignmentStatus.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("操作人"), on_delete=models.PROTECT,
                           related_name="+")
    at = models.DateTimeField(_("时间"), default=timezone.now)
    note = models.TextField(_("说明"), blank=True)

    class Meta:
        verbose_name = _("状态变更")
        verbose_name_plural = _("状态变更")
        ordering = ["at", "pk"]


class ProgressEntryQuerySet(UnitOwnedQuerySet):
    unit_lookup = "assignment__unit"


class ProgressEntry(models.Model):
    assignment = models.ForeignKey(TaskAssignment, verbose_name=_("任务落实"), on_delete=models.CASCADE,
                                   related_name="progress")
    date = models.DateField(_("日期"), default=timezone.localdate)
    content = models.TextField(_("落实情况"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("填报人"), on_delete=models.PROTECT,
                               related_name="+")
    created_at = models.DateTimeField(_("填报时间"), auto_now_add=True)

    objects = ProgressEntryQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("落实情况")
        verbose_name_plural = _("落实情况")
        ordering = ["-date", "-created_at"]

    def __str__(self):
        return f"{self.date} {self.content[:20]}"


class ProgressAttachmentQuerySet(UnitOwnedQuerySet):
    unit_lookup = "entry__assignment__unit"


class ProgressAttachment(StoredFile):
    upload_folder = "tasks"
    allowed_kinds = {files.IMAGE, files.PDF, files.WORD, files.EXCEL}

    entry = models.ForeignKey(ProgressEntry, verbose_name=_("落实情况"), on_delete=models.CASCADE,
                              related_name="attachments")

    objects = ProgressAttachmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("佐证材料")
        verbose_name_plural = _("佐证材料")
        ordering = ["pk"]
