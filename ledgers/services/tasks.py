"""Writes to the task breakdown table: saving tasks with their assignments, reporting progress,
and the one place where an assignment's status moves.

Every function is keyword-only, runs in one transaction and raises `MoveRefused` (Chinese
message) when the user may not do it. Views never assign `status`.
"""
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from .. import files
from ..access import can_edit
from ..concurrency import claim_version
from ..models import AssignmentEvent, AssignmentStatus, ProgressAttachment, ProgressEntry, Role, TaskAssignment
from . import notifications
from .notifications import after_commit

S = AssignmentStatus


class MoveRefused(Exception):
    """A move or write the user may not make; `message` is shown to them."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


def may_manage_tasks(user):
    return user.is_authenticated and user.is_bureau_admin


def may_report(user, assignment):
    """The unit's own liaison reports progress; the bureau admin may do it on the unit's behalf."""
    if not can_edit(user):
        return False
    return user.is_bureau_admin or (user.is_liaison and user.unit_id == assignment.unit_id)


def may_review(user, assignment=None):
    return can_edit(user) and user.has_role(Role.ADMIN, Role.INSPECTOR)


# (from, to) -> (who may, refusal message)
TRANSITIONS = {
    (S.NOT_STARTED, S.IN_PROGRESS): (may_report, "只有本单位联络员可以填报落实情况。"),
    (S.RETURNED, S.IN_PROGRESS): (may_report, "只有本单位联络员可以填报落实情况。"),
    (S.IN_PROGRESS, S.DONE): (may_report, "只有本单位联络员可以标记完成。"),
    (S.DONE, S.RETURNED): (may_review, "只有局文明办或督导组可以退回。"),
}


def assignment_move(*, assignment, to, user, note="", completed_at=None):
    """Move an assignment to status `to`, checking the move and who makes it; records who/when.
    `completed_at`: when the unit's work was done, if earlier than now (a confirmed letter's upload)."""
    with transaction.atomic():
        # Lock the row and read the status as it is now, not as the caller saw it.
        current = TaskAssignment.objects.select_for_update().select_related("task").get(pk=assignment.pk)
        rule = TRANSITIONS.get((current.status, to))
        if rule is None:
            raise MoveRefused(f"当前状态为“{current.get_status_display()}”，不能改为“{S(to).label}”。")
        allowed, refusal = rule
        if not allowed(user, current):
            raise MoveRefused(refusal)
        now = timezone.now()
        from_status = current.status
        current.status = to
        if to == S.DONE:
            current.completed_at, current.completed_by = min(completed_at or now, now), user
        elif to == S.RETURNED:
            current.returned_at, current.returned_by, current.returned_reason = now, user, note
            current.completed_at, current.completed_by = None, None
        current._change_reason = note  # simple_history keeps it beside who/when
        current.save()
        event = AssignmentEvent.objects.create(assignment=current, from_status=from_status, to_status=to,
                                               by=user, at=now, note=note)
        if to == S.RETURNED:
            after_commit(notifications.assignment_returned, current.pk, event.pk)
    assignment.refresh_from_db()
    return assignment


def assignment_complete(*, assignment, user, note=""):
    if not assignment.progress.exists():
        raise MoveRefused("请先填报落实情况，再标记完成。")
    fresh = TaskAssignment.objects.with_items().select_related("task").get(pk=assignment.pk)
    missed = [item.label for item in fresh.missed() if item.label]
    if missed:
        raise MoveRefused(f"{'、'.join(missed[:6])}{'等' if len(missed) > 6 else ''}尚未填报落实情况，"
                          "请先补报再标记完成。")
    return assignment_move(assignment=assignment, to=S.DONE, user=user, note=note)


def assignment_return(*, assignment, user, reason):
    reason = (reason or "").strip()
    if not reason:
        raise MoveRefused("请填写退回原因。")
    return assignment_move(assignment=assignment, to=S.RETURNED, user=user, note=reason)


def progress_add(*, assignment, user, date, content, uploads=()):
    """Add a progress entry with attachments; the first entry (or one after 退回) starts the work.

    Entries are inserted rows: two people reporting at the same time both keep theirs.
    """
    if not may_report(user, assignment):
        raise MoveRefused("只有本单位联络员可以填报落实情况。")
    if assignment.status == S.DONE:
        raise MoveRefused("该任务已标记完成；如需补充，请联系局文明办退回后再填报。")
    for upload in uploads:  # refuse bad files before anything is written
        files.check_upload(upload, ProgressAttachment.allowed_kinds)
    with transaction.atomic():
        entry = ProgressEntry.objects.create(assignment=assignment, author=user, date=date, content=content)
        for upload in uploads:
            ProgressAttachment.build(upload, uploaded_by=user, entry=entry).save()
        if assignment.status in (S.NOT_STARTED, S.RETURNED):
            try:
                assignment_move(assignment=assignment, to=S.IN_PROGRESS, user=user, note="填报落实情况")
            except MoveRefused:
                # Someone else moved it meanwhile (e.g. already 进行中): the entry still counts.
                assignment.refresh_from_db()
    return entry


def task_save(*, task, units, user, version=None):
    """Create or edit a task; one assignment per responsible unit.

    Removing a unit deletes its assignment only while it has no progress entries. `version` is
    the version the user's form was built from: EditConflict if someone saved the task since.
    """
    if not may_manage_tasks(user):
        raise MoveRefused("只有局文明办可以编辑任务分解表。")
    units = list(units)
    if not units:
        raise MoveRefused("请至少选择一个责任单位。")
    if task.pk is None and not task.bureau_id:
        task.bureau = user.owning_bureau()
    if task.pk is not None and not user.is_superuser and task.bureau_id != user.bureau_id:
        raise MoveRefused("只能编辑本局下达的任务。")
    if task.parent_id:
        # A district's copy of a city task: what the city set (市局下发) is the city's to change.
        for name in DISPATCHED_FIELDS:
            setattr(task, name, getattr(task.parent, name))
    periods = task.periods()
    if periods:  # a recurring task is due at its last period's end
        task.deadline = periods[-1].end
    strangers = [unit.name for unit in units if unit.bureau_id != task.bureau_id or not user.may_act_on_unit(unit)]
    if strangers:
        raise MoveRefused(f"{'、'.join(strangers)} 不属于本局，不能作为责任单位。")
    with transaction.atomic():
        claim_version(task, version)
        if task.pk is None:
            task.created_by = user
        task.full_clean()
        task.save()
        if not task.parent_id:  # a district's copy has the city task's periods (sync_dispatched)
            sync_periods(task=task)
        wanted = {unit.pk for unit in units}
        existing = {a.unit_id: a for a in task.assignments.select_related("unit")}
        dropped = [a for unit_id, a in existing.items() if unit_id not in wanted]
        busy = [a.unit.name for a in dropped if a.progress.exists()]
        if busy:
            raise MoveRefused(f"{'、'.join(busy)} 已填报落实情况，不能从责任单位中移除。")
        for assignment in dropped:
            assignment.delete()
        added = [unit_id for unit_id in wanted if unit_id not in existing]
        bulk_create_with_history(
            [TaskAssignment(task=task, unit_id=unit_id) for unit_id in added],
            TaskAssignment, default_user=user,
        )
        sync_dispatched(task=task)
        if added:
            after_commit(notifications.task_assigned, task.pk, added)
    return task


def sync_periods(*, task):
    """Make the task's periods (TaskDeadline) those of its frequency in its campaign year
    (Task.periods): every recurring task has them, however it was made."""
    from ..models import TaskDeadline

    periods = task.periods()
    wanted = [(p.label, p.start, p.end) for p in periods]
    if [(p.label, p.starts, p.due) for p in task.period_deadlines.all()] != wanted:
        task.period_deadlines.all().delete()
        TaskDeadline.objects.bulk_create(TaskDeadline(task=task, label=label, starts=starts, due=due)
                                         for label, starts, due in wanted)


def year_periods_sync(*, year):
    """A campaign year's semesters changed (spring_term_end): its 每学期 tasks follow."""
    from ..models import Frequency, Task

    tasks = list(Task.objects.filter(year=year, frequency=Frequency.TERM).select_related("year"))
    with transaction.atomic():
        for task in tasks:
            task.year = year
            sync_periods(task=task)
            deadline = task.periods()[-1].end
            if task.deadline != deadline:
                task.deadline = deadline
                task.save()
    return len(tasks)


# --- the city's tasks, dispatched to districts ------------------------------------------------

# What a district's copy takes from the city's task (shown as 市局下发; only the city changes it).
# The district picks the lead unit and the responsible units of its copy.
DISPATCHED_FIELDS = ["year", "number", "indicator", "title", "requirement", "deadline", "deadline_text",
                     "frequency", "is_letter_task"]


def sync_dispatched(*, task):
    """Carry the city task's fields and its periods to every district copy; call inside the
    transaction that saved the city task, so all copies change with it or none does."""
    from ..models import Task, TaskDeadline

    copies = list(Task.objects.select_for_update().filter(parent=task)) if task.pk else []
    if not copies:
        return 0
    periods = [(p.label, p.starts, p.due) for p in task.period_deadlines.all()]
    for copy in copies:
        changed = [name for name in DISPATCHED_FIELDS if getattr(copy, name) != getattr(task, name)]
        if changed:
            for name in changed:
                setattr(copy, name, getattr(task, name))
            copy._change_reason = "市局修改任务"
            copy.save()
        if [(p.label, p.starts, p.due) for p in copy.period_deadlines.all()] != periods:
            copy.period_deadlines.all().delete()
            TaskDeadline.objects.bulk_create(TaskDeadline(task=copy, label=label, starts=starts, due=due)
                                             for label, starts, due in periods)
    return len(copies)


def task_dispatch(*, task, districts, user):
    """The city admin sends one of the city's tasks down to districts: each district gets its own
    copy (`parent` = the city's task) in its breakdown table, where its admin picks the units.
    Districts that already have it are left as they are. Returns how many copies were made."""
    from ..models import Bureau, Task

    if not may_manage_tasks(user) or not user.is_city or (task.bureau_id != user.bureau_id and not user.is_superuser):
        raise MoveRefused("只有市教育局可以向区县下达本局的任务。")
    if not task.bureau.is_city:
        raise MoveRefused("只有市教育局的任务可以下达到区县。")
    districts = list(districts)
    if not districts or any(d.kind != "district" for d in districts):
        raise MoveRefused("请选择要下达的区县。")
    made = 0
    with transaction.atomic():
        have = set(Task.objects.filter(parent=task).values_list("bureau_id", flat=True))
        for district in Bureau.objects.filter(pk__in=[d.pk for d in districts]).exclude(pk__in=have):
            copy = Task(parent=task, bureau=district, created_by=user,
                        **{name: getattr(task, name) for name in DISPATCHED_FIELDS})
            copy.save()
            made += 1
        sync_dispatched(task=task)  # the new copies' period deadlines
    return made


def task_withdraw(*, task, districts, user):
    """The city admin withdraws its task from districts: their copies (with their assignments) are
    removed. Refused, with nothing removed, while any unit of those districts has reported
    progress on it — that work is kept. Returns how many copies were removed."""
    from ..models import Task

    if not may_manage_tasks(user) or not user.is_city or (task.bureau_id != user.bureau_id and not user.is_superuser):
        raise MoveRefused("只有市教育局可以撤回本局下达的任务。")
    with transaction.atomic():
        copies = list(Task.objects.select_for_update().filter(parent=task, bureau__in=list(districts))
                      .select_related("bureau"))
        if not copies:
            raise MoveRefused("请选择要撤回的区县。")
        busy = [c.bureau.label for c in copies if ProgressEntry.objects.filter(assignment__task=c).exists()]
        if busy:
            raise MoveRefused(f"{'、'.join(busy)}已有单位填报落实情况，不能撤回；"
                              "如任务内容有变，请直接修改任务，修改会同步到各区县。")
        for copy in copies:
            copy.delete()
    return len(copies)


def dispatch_progress(task):
    """The city's view of a dispatched task: per district, units assigned, done and overdue (one query)."""
    from django.db.models import Count, Q

    from ..models import Task

    from .. import rules

    today = timezone.localdate()
    children = {t.pk: t for t in Task.objects.filter(parent=task).select_related("bureau")}
    rows = (TaskAssignment.objects.filter(task__in=list(children)).values("task_id")
            .annotate(units=Count("pk"), done=Count("pk", filter=Q(status=AssignmentStatus.DONE)),
                      overdue=Count("pk", filter=rules.overdue_assignments_q(today)))
            .order_by())
    figures = {r["task_id"]: r for r in rows}
    reported = set(ProgressEntry.objects.filter(assignment__task__in=list(children))
                   .values_list("assignment__task_id", flat=True).distinct())
    return [{"task": child, "bureau": child.bureau, "reported": pk in reported,
             **{k: figures.get(pk, {}).get(k, 0) for k in ("units", "done", "overdue")}}
            for pk, child in sorted(children.items(), key=lambda item: (item[1].bureau.sort_order, item[0]))]
