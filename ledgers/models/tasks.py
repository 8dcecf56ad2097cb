"""The task breakdown table (任务分解表): tasks, one assignment per responsible unit, progress.

A Task is one row of the table (indicator, requirement, lead unit, deadline, frequency). Each
responsible unit gets a TaskAssignment whose status moves 未开始 → 进行中 → 已完成 (the bureau may
send it back: 已退回) only through `ledgers.services.tasks`. Progress entries are separate rows, so
two people reporting at once never overwrite each other. A recurring task (每周/每月/每季度/每学期)
has its periods (TaskDeadline) however it is made. Overdue is derived, never stored: a deadline
passed without the unit's work, a one-off task's or a period's (ledgers.rules.TaskItems).
"""
from django.conf import settings
from django.db import models
from django.db.models import BooleanField, Case, Count, ExpressionWrapper, OuterRef, Prefetch, Q, Subquery, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ..pk_urls import pk_url
from .. import files, rules
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
        """Frequencies whose deadline repeats: one TaskDeadline per period (ledgers.rules.recurring_periods)."""
        return (cls.WEEKLY, cls.MONTHLY, cls.QUARTERLY, cls.TERM)


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

    def in_table_order(self):
        """The order of the 任务分解表: tasks of no 分组 first, then each 分组 in the order its first task
        was entered (imported rows keep the table's order), by deadline within each."""
        # annotate, not alias: a filter that makes the query DISTINCT needs the ordering in the SELECT on
        # PostgreSQL (tests/ledgers/tasks/test_views.py, ?kind=).
        first_of_group = Task.objects.filter(bureau_id=OuterRef("bureau_id"), year_id=OuterRef("year_id"),
                                             group=OuterRef("group")).order_by("pk").values("pk")[:1]
        return self.annotate(grouped=Case(When(group="", then=Value(0)), default=Value(1)),
                             group_first=Subquery(first_of_group)).order_by("grouped", "group_first", "deadline", "pk")

    def with_assignments(self):
        """Tasks with indicator, lead unit and every assignment (with its unit) in 4 queries."""
        return self.select_related("indicator", "lead_unit").prefetch_related(
            Prefetch("assignments", queryset=TaskAssignment.objects.select_related("unit").with_overdue().order_by(
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
    group = models.CharField(_("分组"), max_length=100, blank=True,
                             help_text=_("任务分解表中的分组标题，如“宣传氛围”"))
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
    is_letter_task = models.BooleanField(
        _("签订责任书任务"), default=False,
        help_text=_("局文明办确认单位的目标责任书已签订时，该单位的这项任务随之完成"))
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

    @property
    def is_recurring(self):
        return self.frequency in Frequency.recurring()

    def periods(self):
        """The periods of the task's frequency in its campaign year (ledgers.rules); a unit owes
        those that end on or after the day the task was given (rules.TaskItems)."""
        return rules.recurring_periods(self.frequency, self.year)


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
        """With a deadline passed without the unit's work: the task's, or a period's (ledgers.rules)."""
        return self.filter(rules.overdue_assignments_q(today or timezone.localdate()))

    def with_overdue(self, today=None):
        """Each assignment knows whether it is overdue (`is_overdue()`) without a query of its own."""
        return self.annotate(overdue_flag=ExpressionWrapper(
            rules.overdue_assignments_q(today or timezone.localdate()), output_field=BooleanField()))

    def with_items(self):
        """The periods and the dates of the reports, for `items()` (two queries for the whole list)."""
        return self.prefetch_related("task__period_deadlines", Prefetch(
            "progress", queryset=ProgressEntry.objects.only("pk", "assignment_id", "date", "created_at")))

    def with_task(self):
        return self.select_related("task", "task__indicator", "task__lead_unit", "unit")

    def status_counts(self):
        return self.aggregate(
            total=Count("pk"),
            done=Count("pk", filter=Q(status=AssignmentStatus.DONE)),
            overdue=Count("pk", filter=rules.overdue_assignments_q(timezone.localdate())),
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
        if today is None and "overdue_flag" in self.__dict__:
            return self.overdue_flag
        return any(item.overdue for item in self.items(today))

    def items(self, today=None):
        """Each deadline the unit owes on this assignment, done or not, overdue or not (ledgers.rules)."""
        return rules.assignment_items(self, today)

    def missed(self, today=None):
        """The items overdue today: the periods without a report, or the task itself."""
        return [item for item in self.items(today) if item.overdue]

    @property
    def days_late(self):
        """Days since the oldest deadline still owed."""
        missed = self.missed()
        return (timezone.localdate() - missed[0].due).days if missed else 0

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
        # Whether a unit reported in a period of a recurring task (ledgers.rules.TaskItems): one range
        # look-up per assignment and period, from the index alone.
        indexes = [models.Index(fields=["assignment", "date", "created_at"], name="progress_period_reports")]

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
