"""The rectification ledger (问题整改台账): list with filters, Excel export, one problem's page
with its timeline and the moves the user may make, and raising problems.

The same list URL serves the bureau (every unit, filterable) and a liaison (their own unit),
because every query goes through `Problem.objects.visible_to(user)`.
"""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_safe

from .. import rules
from ..access import can_edit, get_visible_or_404, role_required, selected_bureau
from ..forms.checks import DIRECT, UNCLOSED, ProblemFilterForm, ProblemRaiseForm, RecheckForm, RectifyForm
from ..models import Check, Problem, ProblemPhoto, ProblemStatus
from ..params import int_param
from ..services import problems as service
from ..services.bulletins import parse_week
from .checks import RECORDERS, attempt, filtered_page, refuse_into, serve_photo
from .core import register_home_panel


def filtered_problems(request):
    user = request.user
    form = ProblemFilterForm(request.GET or None, user=user)
    problems = Problem.objects.visible_to(user)  # the list reads `for_list()`, the Excel its own columns
    if request.GET.get("bureau"):
        # The city's roles drill into one district (links from the city dashboard).
        problems = problems.in_bureau_id(selected_bureau(request).pk)
    if form.is_valid():
        data = form.cleaned_data
        if data.get("unit"):
            problems = problems.filter(unit=data["unit"])
        if data["status"] == UNCLOSED:
            problems = problems.open()
        elif data["status"]:
            problems = problems.filter(status=data["status"])
        week = parse_week(data["week"])
        if week:
            problems = problems.for_week(*week)
        if data["kind"] == DIRECT:
            problems = problems.filter(check_record__isnull=True)
        elif data["kind"]:
            problems = problems.of_kind(data["kind"])
        if data["indicator"]:
            problems = problems.filter(indicator=data["indicator"])
        if data["overdue"]:
            problems = problems.overdue()
    if user.sees_all_units:
        problems = problems.order_by("-found_on", "-pk")
    else:
        problems = problems.overdue_first()
    return form, problems


@require_safe
@login_required
def problem_list(request):
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "ledgers/problems/problem_list.html", {
        "listing": filtered_page(request, filtered_problems, lambda problems: problems.for_list(), 50),
        "query": query.urlencode(),
        "today": timezone.localdate(), "can_raise": service.can_raise(request.user),
    })


@role_required(*RECORDERS)
def problem_create(request):
    check = None
    check_pk = int_param(request, "check")
    if check_pk is not None:
        check = get_visible_or_404(Check, request.user, pk=check_pk)
    # ?item=: a failed or deducted item of the check, whose standard, indicator and photos prefill the form.
    item_pk = int_param(request, "item") if check is not None else None
    score = check.scores.select_related("item", "item__indicator").filter(item_id=item_pk).first() \
        if item_pk is not None else None
    form = ProblemRaiseForm(request.POST or None, request.FILES or None, check=check, score=score, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            problem = service.problem_raise(
                user=request.user, unit=data.get("unit"), description=data["description"],
                deadline=data["deadline"], indicator=data["indicator"], check=check, photos=data["photos"],
                check_photos=data.get("check_photos") or (),
            )
        except (ValidationError, PermissionDenied) as error:
            refuse_into(form, error)
        else:
            messages.success(request, f"问题已交办给{problem.unit}，整改时限 {problem.deadline:%Y-%m-%d}。")
            return redirect(check or problem)
    return render(request, "ledgers/problems/problem_form.html", {"form": form, "check": check, "score": score})


def _detail_context(request, problem, **forms):
    user = request.user
    rectifiable = problem.status in service.RECTIFIABLE and service.can_rectify(user, problem)
    rechecking = (problem.status == ProblemStatus.REVIEW and service.can_recheck(user)
                  and problem.rectified_by_id != user.pk and user.may_act_on_unit(problem.unit))
    photos = list(problem.photos.all())
    return {
        "problem": problem,
        "events": problem.events.select_related("actor"),
        "before_photos": [p for p in photos if p.stage == "before"],
        "after_photos": [p for p in photos if p.stage == "after"],
        "can_start": rectifiable and problem.status == ProblemStatus.OPEN,
        "rectify_form": forms.get("rectify_form") or (RectifyForm() if rectifiable else None),
        "recheck_form": forms.get("recheck_form") or (RecheckForm() if rechecking else None),
        "own_rectification": problem.status == ProblemStatus.REVIEW and problem.rectified_by_id == user.pk,
        "today": timezone.localdate(),
    }


@login_required
def problem_detail(request, pk):
    problem = get_visible_or_404(Problem.objects.with_related(), request.user, pk=pk)
    if request.method != "POST":
        return render(request, "ledgers/problems/problem_detail.html", _detail_context(request, problem))
    if not can_edit(request.user):
        raise PermissionDenied("局领导只能查看，不能修改。")
    action = request.POST.get("action")
    moves = {"start": _start, "rectify": _rectify, "reject": _recheck, "close": _recheck}
    if action not in moves:
        messages.error(request, "未知的操作。")
        return redirect(problem)
    return moves[action](request, problem, action)


def _start(request, problem, action):
    attempt(request, service.problem_start, "已开始整改。整改完成后请上传整改后照片并提交复查。",
            problem=problem, user=request.user)
    return redirect(problem)


def _rectify(request, problem, action):
    form = RectifyForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            service.problem_submit_rectification(problem=problem, user=request.user,
                                                 note=form.cleaned_data["note"], photos=form.cleaned_data["photos"])
        except (ValidationError, PermissionDenied) as error:
            refuse_into(form, error)
        else:
            messages.success(request, "整改情况已提交，等待督导组复查。")
            return redirect(problem)
    return render(request, "ledgers/problems/problem_detail.html",
                  _detail_context(request, problem, rectify_form=form), status=400)


def _recheck(request, problem, action):
    form = RecheckForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            if action == "reject":
                problem = service.problem_reject(problem=problem, user=request.user, reason=data["note"],
                                                 deadline=data["deadline"])
                done = f"复查不通过，已退回整改，新的整改时限 {problem.deadline:%Y-%m-%d}。"
            else:
                service.problem_close(problem=problem, user=request.user, note=data["note"])
                done = "问题已复查销号。"
        except (ValidationError, PermissionDenied) as error:
            refuse_into(form, error)
        else:
            messages.success(request, done)
            return redirect(problem)
    return render(request, "ledgers/problems/problem_detail.html",
                  _detail_context(request, problem, recheck_form=form), status=400)


@require_safe
@login_required
def problem_photo(request, pk, size):
    photo = get_visible_or_404(ProblemPhoto.objects.all(), request.user, pk=pk)
    return serve_photo(request, photo, size)


# --- home-page panels ------------------------------------------------------------------------

@register_home_panel(cached="units")
def liaison_problems_panel(request):
    """The unit's problems to act on (待整改, 整改中), overdue first; those answered and waiting for the
    inspectors' re-check apart (they are not the unit's to act on, nor ever its overdue)."""
    user = request.user
    if user.sees_all_units or not user.unit_id:
        return None
    today = timezone.localdate()
    mine = Problem.objects.visible_to(user)
    rows = list(mine.awaiting_unit().overdue_first(today)[:20])  # a row shows the problem's own fields
    counts = mine.aggregate(total=Count("pk", filter=rules.awaiting_unit_q()), overdue=Count(
        "pk", filter=rules.overdue_q(today)), review=Count("pk", filter=Q(status=ProblemStatus.REVIEW)))
    return {"template": "ledgers/problems/_home_liaison.html", "problems": rows, "today": today, **counts}


@register_home_panel(cached="units")
def bureau_checks_panel(request):
    user = request.user
    if not user.sees_all_units:
        return None
    today = timezone.localdate()
    iso_year, iso_week = today.isocalendar()[:2]
    problems = Problem.objects.visible_to(user)
    return {
        "template": "ledgers/problems/_home_bureau.html",
        "open": problems.open().count(), "overdue": problems.overdue(today).count(),
        "review": problems.in_review().count(), "recheck_overdue": problems.recheck_overdue(today).count(),
        "recheck_days": rules.recheck_wait_days(),
        # Checks count once submitted; a draft is not a check yet.
        "week_checks": Check.objects.visible_to(user).submitted().for_week(iso_year, iso_week).count(),
        "iso_week": iso_week, "week_value": f"{iso_year}-W{iso_week:02d}",
    }
