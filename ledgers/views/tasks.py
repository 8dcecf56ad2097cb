"""The task breakdown table: the bureau's matrix of tasks × units, task forms, the assignment
page with its progress timeline, 我的任务 for liaisons, and the Excel import."""
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from .. import files
from ..access import can_edit, get_visible_or_404, role_required, selected_bureau
from ..concurrency import EditConflict
from ..forms.tasks import ProgressForm, ReturnForm, TaskForm
from ..params import int_param, text_param, to_int
from ..models import (
    AssignmentStatus, Bureau, Indicator, LetterStatus, ProgressAttachment, ProgressEntry, ResponsibilityLetter, Role,
    Task,
    TaskAssignment, Unit, UnitKind,
)
from ..services import tasks as services
from .core import register_home_panel
from .imports import selected_year

BUREAU = (Role.ADMIN, Role.INSPECTOR, Role.LEADER)


def editor_post(view):
    """POST only, signed in, and never a leader (they read everything and change nothing)."""

    @wraps(view)
    @login_required
    @require_POST
    def wrapper(request, *args, **kwargs):
        if not can_edit(request.user):
            raise PermissionDenied("局领导只能查看，不能修改。")
        return view(request, *args, **kwargs)

    return wrapper


@require_safe
@role_required(*BUREAU)
def task_matrix(request):
    year = selected_year(request)
    bureau = selected_bureau(request)
    kind, status, indicator = (text_param(request, k) for k in ("kind", "status", "indicator"))
    unit_pk = int_param(request, "unit")  # one unit's column (a leader's figure for a unit opens it)
    unit = get_visible_or_404(Unit, request.user, pk=unit_pk) if unit_pk is not None else None
    query = request.GET.copy()
    query.pop("page", None)
    user, page = request.user, request.GET.get("page")
    return render(request, "ledgers/tasks/matrix.html", {
        "year": year, "query": query.urlencode(), "kinds": UnitKind.choices, "statuses": AssignmentStatus.choices,
        "f": {"kind": kind, "status": status, "indicator": indicator}, "unit": unit,
        "bureau": bureau,
        # Built and read when the matrix is rendered, not when it comes from the cache ({% versioned %}).
        "top_indicators": lambda: Indicator.objects.for_year(year).for_bureau(bureau).filter(parent=None),
        "counts": lambda: TaskAssignment.objects.visible_to(user).filter(task__bureau=bureau).for_year(
            year).status_counts(),
        "matrix": lambda: _matrix(_matrix_tasks(user, bureau, year, kind, status, indicator, unit), kind, page, unit),
    })


def _matrix_tasks(user, bureau, year, kind, status, indicator, unit=None):
    tasks = Task.objects.visible_to(user).filter(bureau=bureau).for_year(year).with_assignments().in_table_order()
    if kind in UnitKind.values:
        tasks = tasks.filter(assignments__unit__kind=kind).distinct()
    assignments = TaskAssignment.objects.filter(unit=unit) if unit is not None else TaskAssignment.objects.all()
    if status == "overdue":
        tasks = tasks.filter(assignments__in=assignments.overdue()).distinct()
    elif status in AssignmentStatus.values:
        tasks = tasks.filter(assignments__in=assignments.filter(status=status)).distinct()
    elif unit is not None:
        tasks = tasks.filter(assignments__unit=unit).distinct()
    if indicator:
        tasks = tasks.filter(indicator__code__startswith=indicator)
    return tasks


def _matrix(tasks, kind, page_number, unit=None):
    """The page of tasks, the units that are its columns, and per task its cell per column."""
    page = Paginator(tasks, 40).get_page(page_number)
    units, rows = {}, []
    for task in page:
        shown = [a for a in task.assignments.all() if (not kind or a.unit.kind == kind)
                 and (unit is None or a.unit_id == unit.pk)]
        for a in shown:
            units.setdefault(a.unit_id, a.unit)
        rows.append((task, {a.unit_id: a for a in shown}))
    columns = sorted(units.values(), key=lambda u: (u.sort_order, u.name))
    return {"page": page, "columns": columns,
            "rows": [(task, [_matrix_cell(cells.get(u.pk)) for u in columns]) for task, cells in rows]}


def _matrix_cell(assignment):
    """What a cell of the matrix shows (None: the unit has no part in the task), worked out here
    rather than by a dozen template lookups in each of up to 40 × 40 cells."""
    if assignment is None:
        return None
    status = assignment.get_status_display()
    late = assignment.is_overdue()  # annotated by the matrix's query (TaskAssignmentQuerySet.with_overdue)
    return {"url": assignment.get_absolute_url(), "badge": assignment.badge_class(),
            "title": f"{assignment.unit.name}：{status}{'（逾期）' if late else ''}",
            "label": "逾期" if late else status[:2]}


@role_required(Role.LIAISON)
def my_tasks(request):
    year = selected_year(request)
    # The rows are read when the list is rendered, not when it comes from the cache ({% versioned %}).
    return render(request, "ledgers/tasks/my_tasks.html", {"year": year, "rows": lambda: _my_task_rows(request.user, year)})


def _my_task_rows(user, year):
    today = timezone.localdate()
    rows = []  # what each row shows, worked out once here rather than by a dozen lookups per row
    # the row shows the task and its indicator (not the lead unit, nor the liaison's own unit again)
    for a in TaskAssignment.objects.visible_to(user).for_year(year).select_related("task", "task__indicator").with_items():
        task, items = a.task, a.items(today)
        missed = [item for item in items if item.overdue]
        upcoming = next((item for item in items if not item.done and item.due >= today), None)
        rows.append({"a": a, "task": task, "url": a.get_absolute_url(), "overdue": bool(missed),
                     "badge": "text-bg-danger" if missed else a.badge_class(today),
                     "label": "逾期" if missed else a.get_status_display(),
                     # 逾期: the deadlines passed without the unit's work (a period without a report).
                     "missed": [item.missed_label for item in missed],
                     "days_late": (today - missed[0].due).days if missed else 0,
                     "next": upcoming, "days_left": (upcoming.due - today).days if upcoming else None,
                     "frequency": task.get_frequency_display(), "indicator": task.indicator})
    rows.sort(key=lambda r: (r["a"].status == AssignmentStatus.DONE and not r["overdue"], not r["overdue"],
                             r["next"].due if r["next"] else r["task"].deadline))
    return rows


def _task_form_page(request, task):
    year = task.year if task.pk else selected_year(request)
    form = TaskForm(request.POST or None, instance=task, year=year, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            task = services.task_save(task=form.save(commit=False), units=form.cleaned_data["units"],
                                      user=request.user, version=form.loaded_version)
        except EditConflict as conflict:
            form.show_conflict(conflict)
        except (services.MoveRefused, ValidationError) as refused:
            form.add_error(None, getattr(refused, "message", None) or refused.messages[0])
        else:
            messages.success(request, "任务已保存。")
            return redirect(task)
    return render(request, "ledgers/tasks/form.html", {"form": form, "task": task, "year": year})


@role_required(Role.ADMIN)
def task_create(request):
    return _task_form_page(request, Task())


@role_required(Role.ADMIN)
def task_edit(request, pk):
    return _task_form_page(request, get_visible_or_404(Task.objects.actable_by(request.user), request.user, pk=pk))


@require_safe
@login_required
def task_detail(request, pk):
    task = get_visible_or_404(Task.objects.select_related("indicator", "lead_unit", "year", "bureau", "parent"),
                              request.user, pk=pk)
    assignments = TaskAssignment.objects.visible_to(request.user).filter(task=task).select_related("unit").with_overdue()
    may_manage = services.may_manage_tasks(request.user) and (
        request.user.is_superuser or task.bureau_id == request.user.bureau_id)
    context = {"task": task, "assignments": assignments, "may_manage": may_manage}
    if task.bureau.is_city:
        # The city's task: its progress in each district it was sent to, and sending it further.
        context["dispatched"] = services.dispatch_progress(task)
        if may_manage and request.user.is_city:
            sent = {row["bureau"].pk for row in context["dispatched"]}
            context["undispatched"] = [b for b in Bureau.objects.districts() if b.pk not in sent]
    return render(request, "ledgers/tasks/detail.html", context)


@editor_post
@role_required(Role.ADMIN)
def task_dispatch(request, pk):
    return _move_between_districts(request, pk, services.task_dispatch, "已下达到 {} 个区县，由各区县分解到责任单位。")


@editor_post
@role_required(Role.ADMIN)
def task_withdraw(request, pk):
    """The city withdraws its task from the chosen districts (refused once their units reported)."""
    return _move_between_districts(request, pk, services.task_withdraw, "已从 {} 个区县撤回该任务。")


def _move_between_districts(request, pk, move, done):
    """Dispatch a city task to, or withdraw it from, the districts ticked on its page."""
    task = get_visible_or_404(Task.objects.select_related("bureau"), request.user, pk=pk)
    ids = [n for n in map(to_int, request.POST.getlist("district")) if n is not None]
    try:
        count = move(task=task, districts=Bureau.objects.districts().filter(pk__in=ids), user=request.user)
    except services.MoveRefused as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, done.format(count))
    return redirect(task)


def _assignment_page(request, assignment, progress_form=None, return_form=None, status=200):
    user = request.user
    entries = ProgressEntry.objects.filter(assignment=assignment).select_related("author").prefetch_related(
        Prefetch("attachments", queryset=ProgressAttachment.objects.order_by("pk")))
    may_report = services.may_report(user, assignment)
    return render(request, "ledgers/tasks/assignment.html", {
        "a": assignment, "task": assignment.task, "entries": entries,
        "events": assignment.events.select_related("by"),
        "may_report": may_report and assignment.status != AssignmentStatus.DONE,
        "may_complete": may_report and assignment.status == AssignmentStatus.IN_PROGRESS,
        "may_return": services.may_review(user) and assignment.status == AssignmentStatus.DONE,
        "progress_form": progress_form or ProgressForm(initial={"date": timezone.localdate()}),
        "return_form": return_form or ReturnForm(),
    }, status=status)


def _get_assignment(request, pk):
    return get_visible_or_404(TaskAssignment.objects.with_task().with_items(), request.user, pk=pk)


@require_safe
@login_required
def assignment_detail(request, pk):
    return _assignment_page(request, _get_assignment(request, pk))


@editor_post
def assignment_progress(request, pk):
    assignment = _get_assignment(request, pk)
    form = ProgressForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.progress_add(assignment=assignment, user=request.user, date=form.cleaned_data["date"],
                                  content=form.cleaned_data["content"], uploads=form.cleaned_data["attachments"])
        except files.UploadRefused as refused:
            form.add_error("attachments", refused.messages[0])
        except services.MoveRefused as refused:
            form.add_error(None, refused.message)
        else:
            messages.success(request, "落实情况已保存。")
            return redirect(assignment)
    return _assignment_page(request, assignment, progress_form=form, status=400)


@editor_post
def assignment_complete(request, pk):
    assignment = _get_assignment(request, pk)
    try:
        services.assignment_complete(assignment=assignment, user=request.user)
        messages.success(request, "已标记完成。")
    except services.MoveRefused as refused:
        messages.error(request, refused.message)
    return redirect(assignment)


@editor_post
def assignment_return(request, pk):
    assignment = _get_assignment(request, pk)
    form = ReturnForm(request.POST)
    if form.is_valid():
        try:
            services.assignment_return(assignment=assignment, user=request.user, reason=form.cleaned_data["reason"])
        except services.MoveRefused as refused:
            messages.error(request, refused.message)
        else:
            messages.success(request, "已退回，联络员将看到退回原因。")
        return redirect(assignment)
    return _assignment_page(request, assignment, return_form=form, status=400)


@require_safe
@login_required
def progress_attachment(request, pk):
    attachment = get_visible_or_404(ProgressAttachment, request.user, pk=pk)
    return files.serve_file(request, attachment.file, download_name=attachment.original_name,
                            as_attachment=not attachment.is_image)


# --- home panels -------------------------------------------------------------------------

@register_home_panel(cached="units")
def my_tasks_panel(request):
    user = request.user
    if not user.is_liaison or not user.unit_id:
        return None
    from ..models import CampaignYear

    year = CampaignYear.objects.current()
    open_assignments = sorted(
        TaskAssignment.objects.visible_to(user).for_year(year).open().select_related("task").with_overdue(),
        key=lambda a: (not a.is_overdue(), a.task.deadline),
    )
    return {"template": "ledgers/tasks/_panel_liaison.html", "assignments": open_assignments[:8],
            "open_count": len(open_assignments), "overdue_count": sum(a.is_overdue() for a in open_assignments)}


@register_home_panel(cached="units")
def bureau_tasks_panel(request):
    user = request.user
    if not user.sees_all_units:
        return None
    from ..models import CampaignYear

    year = CampaignYear.objects.current()
    letters = ResponsibilityLetter.objects.visible_to(user).for_year(year)
    return {"template": "ledgers/tasks/_panel_bureau.html", "year": year,
            "counts": TaskAssignment.objects.visible_to(user).for_year(year).status_counts(),
            "unsigned": letters.unsigned().count(), "letters": letters.count(),
            "pending": letters.filter(status=LetterStatus.PENDING).count()}
