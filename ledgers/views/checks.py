"""Pages of weekly checks (督查记录) and check templates (检查表).

Bureau roles see checks; inspectors and bureau admins record them; only a bureau admin edits
templates and corrects submitted checks. Writes go through `ledgers.services.checks`.
"""
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count
from django.db.models.deletion import ProtectedError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.views.decorators.http import require_POST, require_safe

from .. import rules
from ..access import get_visible_or_404, role_required, selected_bureau
from ..forms.checks import (
    CheckCorrectionForm, CheckFilterForm, CheckForm, CheckItemFormSet, CheckTemplateForm, ProblemRaiseForm,
)
from ..files import serve_file
from ..models import CampaignYear, Check, CheckPhoto, CheckTemplate, Role
from ..models.checks import format_points
from ..params import to_int
from ..services import checks as service
from ..services.bulletins import parse_week

BUREAU = (Role.ADMIN, Role.INSPECTOR, Role.LEADER)
RECORDERS = (Role.ADMIN, Role.INSPECTOR)
PHOTO_SIZES = {"thumb": "thumbnail", "display": "display", "original": "original"}


def refusal(error):
    """The Chinese message(s) of a refused move, from ValidationError or PermissionDenied."""
    if isinstance(error, ValidationError):
        return error.messages
    return [str(error) or "您无权执行此操作。"]


def refuse_into(form, error):
    for message in refusal(error):
        form.add_error(None, message)


def attempt(request, move, success, **kwargs):
    """Make one service move; show its refusal, or the success message (text or a function of the result)."""
    try:
        result = move(**kwargs)
    except (ValidationError, PermissionDenied) as error:
        for message in refusal(error):
            messages.error(request, message)
        return None
    messages.success(request, success(result) if callable(success) else success)
    return result


def serve_photo(request, photo, size):
    field = PHOTO_SIZES.get(size)
    if field is None:
        raise Http404("没有这种尺寸")
    name = f"{photo.original_name.rsplit('.', 1)[0]}_{size}.jpg" if size != "original" else photo.original_name
    return serve_file(request, getattr(photo, field), download_name=name, as_attachment=size == "original")


def page_of(request, queryset, per_page):
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))


def filtered_page(request, filtered, rows, per_page):
    """{"form", "page"} of a filtered list, worked out when the list is rendered, not when it comes
    from the cache ({% versioned %}): `filtered(request)` gives the form and the records, `rows(records)`
    what a page of rows reads."""
    def listing():
        form, records = filtered(request)
        return {"form": form, "page": page_of(request, rows(records), per_page)}
    return SimpleLazyObject(listing)


def filtered_checks(request):
    form = CheckFilterForm(request.GET or None, user=request.user)
    checks = Check.objects.visible_to(request.user)
    if request.GET.get("bureau"):
        checks = checks.in_bureau_id(selected_bureau(request).pk)
    if form.is_valid():
        data = form.cleaned_data
        week = parse_week(data["week"])
        if week:
            checks = checks.for_week(*week)
        if data["unit"]:
            checks = checks.filter(unit=data["unit"])
        if data["kind"]:
            checks = checks.filter(kind=data["kind"])
        if data["status"]:
            checks = checks.filter(status=data["status"])
    return form, checks


@require_safe
@role_required(*BUREAU)
def check_list(request):
    return render(request, "ledgers/checks/check_list.html", {
        "listing": filtered_page(request, filtered_checks, lambda checks: checks.for_list().annotate(
            problem_count=Count("problems")).order_by("-date", "-pk"), 30),
        "can_record": service.can_record_checks(request.user),
        "query": request.GET.copy().urlencode() if "page" not in request.GET else "",
    })


def _current_templates(user):
    """This year's templates the user's bureau checks with: the city's and its own."""
    year = CampaignYear.objects.current()
    if year is None:
        return CheckTemplate.objects.none()
    return CheckTemplate.objects.active().for_year(year).for_bureau(user.owning_bureau()).with_items()


def _same_week(form, template, check=None):
    """Submitted checks of the form's unit and template in the week of its date (the form warns)."""
    data = form.cleaned_data if form.is_bound and form.is_valid() else {
        "unit": form.initial.get("unit") or (check.unit if check else None),
        "date": form.initial.get("date") or (check.date if check else None)}
    unit, date = data.get("unit"), data.get("date")
    if not unit or not date:
        return []
    if not hasattr(unit, "pk"):  # ?unit= of a link: one of the form's choices, or none
        unit = form.fields["unit"].queryset.filter(pk=to_int(unit)).first() if to_int(unit) else None
        if unit is None:
            return []
    return list(rules.duplicate_checks(unit=unit, template=template, date=date, exclude=check))


def _check_form_page(request, form, template, check=None, **context):
    """Save (or submit) the form's check and go to it, or show the form again. Submitting a second
    check of the unit and template in one week asks once more: the two are averaged, not added."""
    same_week = _same_week(form, template, check)
    if request.method == "POST" and form.is_valid():
        if "submit" in request.POST and same_week and not request.POST.get("same_week_ok"):
            form.add_error(None, "本周已有该单位同一检查表的已提交督查（见下方），同一周的多次督查按平均分计一次。"
                                 "确认无误请勾选“仍然提交”后再提交，或改为保存草稿。")
        else:
            saved = _save_check(request, form, template, check=check)
            if saved:
                _saved_message(request, saved)
                return redirect(saved)
    return render(request, "ledgers/checks/check_form.html",
                  {"form": form, "template": template, "check": check, "same_week": same_week, **context})


def _save_check(request, form, template, check=None):
    data = form.cleaned_data
    try:
        return service.check_save(
            user=request.user, unit=data["unit"], date=data["date"], kind=data["kind"], template=template,
            remarks=data["remarks"], scores=form.scores(), inspectors=data["inspectors"], photos=data["photos"],
            item_photos=form.item_photos(), check=check, submit="submit" in request.POST,
        )
    except (ValidationError, PermissionDenied) as error:
        refuse_into(form, error)
        return None


def _saved_message(request, check):
    if check.is_draft:
        messages.success(request, "督查记录已保存为草稿，核对无误后请提交。")
    else:
        messages.success(request, submitted_message(check))


def submitted_message(check):
    """"督查记录已提交，得分 45 分。" (达标率: "达标 9 / 11 项"), and 一票否决 when it failed one."""
    if check.by_pass_rate:
        text = f"督查记录已提交，达标 {check.passed_items} / {check.pass_items} 项（达标率 {check.percent}%）。"
    else:
        text = f"督查记录已提交，得分 {format_points(check.total)} 分。"
    return text + ("一票否决项不达标，本次检查不合格。" if check.vetoed else "")


@role_required(*RECORDERS)
def check_create(request):
    templates = _current_templates(request.user)
    template_id = request.POST.get("template") or request.GET.get("template")
    if not template_id and len(templates) == 1:
        template_id = templates[0].pk
    if not template_id:
        return render(request, "ledgers/checks/template_pick.html",
                      {"templates": templates, "unit": request.GET.get("unit", "")})
    template_pk = to_int(template_id)
    template = get_object_or_404(templates, pk=template_pk) if template_pk is not None else None
    if template is None:
        raise Http404("检查表不存在")
    initial = {"date": timezone.localdate(), "inspectors": [request.user], "unit": request.GET.get("unit")}
    form = CheckForm(request.POST or None, request.FILES or None, template=template, initial=initial,
                     user=request.user)
    return _check_form_page(request, form, template, templates=templates)


@role_required(*RECORDERS)
def check_edit(request, pk):
    check = get_visible_or_404(Check.objects.actable_by(request.user), request.user, pk=pk)
    if not check.is_draft:
        messages.error(request, "督查记录已提交，只能由局文明办更正。")
        return redirect(check)
    form = CheckForm(request.POST or None, request.FILES or None, instance=check, template=check.template,
                     user=request.user)
    return _check_form_page(request, form, check.template, check=check)


@require_safe
@role_required(*BUREAU)
def check_detail(request, pk):
    check = get_visible_or_404(Check.objects.with_related(), request.user, pk=pk)
    photos = list(check.photos.all())
    return render(request, "ledgers/checks/check_detail.html", {
        "check": check,
        "rows": service.score_rows(check, photos),
        "photos": [p for p in photos if p.item_id is None],
        "problems": check.problems.with_related(),
        "corrections": check.corrections.select_related("by"),
        "same_week": rules.duplicate_checks(unit=check.unit, template=check.template, date=check.date, exclude=check),
        "can_edit": service.can_edit_check(request.user, check) and request.user.may_act_on_unit(check.unit),
        "can_correct": service.can_correct_check(request.user, check) and request.user.may_act_on_unit(check.unit),
        "problem_form": ProblemRaiseForm(check=check, user=request.user) if (
            service.can_record_checks(request.user) and request.user.may_act_on_unit(check.unit)) else None,
    })


@require_POST
@role_required(*RECORDERS)
def check_submit(request, pk):
    check = get_visible_or_404(Check, request.user, pk=pk)
    attempt(request, service.check_submit, submitted_message, check=check, user=request.user)
    return redirect(check)


@role_required(Role.ADMIN)
def check_correct(request, pk):
    check = get_visible_or_404(Check.objects.actable_by(request.user).with_related(), request.user, pk=pk)
    form = CheckCorrectionForm(request.POST or None, check=check)
    if request.method == "POST" and form.is_valid():
        try:
            service.check_correct(check=check, user=request.user, scores=form.scores(),
                                  remarks=form.cleaned_data["remarks"], reason=form.cleaned_data["reason"])
        except (ValidationError, PermissionDenied) as error:
            refuse_into(form, error)
        else:
            messages.success(request, "督查记录已更正，更正前后的得分已记录。")
            return redirect(check)
    return render(request, "ledgers/checks/check_correct.html", {"form": form, "check": check})


@require_safe
@role_required(*BUREAU)
def check_photo(request, pk, size):
    photo = get_visible_or_404(CheckPhoto.objects.all(), request.user, pk=pk)
    return serve_photo(request, photo, size)


# --- check templates (检查表), bureau admin only ---------------------------------------------

@role_required(Role.ADMIN)
def template_list(request):
    # The bureau's own templates and those the city publishes (read-only to a district).
    templates = (CheckTemplate.objects.visible_to(request.user).for_bureau(request.user.owning_bureau())
                 .select_related("year", "bureau").with_items()
                 .annotate(check_count=Count("checks", distinct=True)).order_by("-year__year", "name"))
    return render(request, "ledgers/checks/template_list.html", {"templates": templates})


@role_required(Role.ADMIN)
def template_edit(request, pk=None):
    # Only the bureau's own templates are edited here: the city's are read-only to a district.
    template = get_visible_or_404(CheckTemplate.objects.actable_by(request.user), request.user, pk=pk) if pk else None
    bureau = template.bureau if template else request.user.owning_bureau()
    year = template.year if template else CampaignYear.objects.current()
    if year is None:
        messages.error(request, "尚未设置创建年度，请先设置。")
        return redirect("ledgers:template_list")
    form = CheckTemplateForm(request.POST or None, instance=template)
    formset = CheckItemFormSet(request.POST or None, instance=template or CheckTemplate(year=year, bureau=bureau),
                               form_kwargs={"bureau": bureau})
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        if CheckTemplate.objects.filter(year=year, bureau=bureau, name=form.cleaned_data["name"]).exclude(
                pk=pk).exists():
            form.add_error("name", "本年度已有同名的检查表。")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        try:
            with transaction.atomic():
                saved = form.save(commit=False)
                saved.year = year
                saved.bureau = bureau
                saved.save()
                formset.instance = saved
                formset.save()
        except ProtectedError:
            form.add_error(None, "已被督查记录使用的检查项目不能删除，可修改名称或停用整张检查表。")
        else:
            messages.success(request, f"检查表“{saved.name}”已保存。")
            return redirect("ledgers:template_list")
    return render(request, "ledgers/checks/template_form.html", {"form": form, "formset": formset, "template": template})
