"""Target responsibility letters (目标责任书): the year's list with who has not signed, the target
items the bureau edits, each letter's page, its PDF for signing, and the signed scan upload."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_safe

from .. import files
from ..access import get_visible_or_404, role_required, selected_bureau
from ..forms.tasks import LetterForm, LetterReturnForm, LetterTargetFormSet, ScanForm
from ..models import LetterStatus, LetterTarget, ResponsibilityLetter, Role, SignedScan, Unit
from ..services import letters as services
from ..services.tasks import MoveRefused
from .imports import selected_year
from .core import register_home_panel
from .tasks import editor_post


@require_safe
@login_required
def letter_list(request):
    year = selected_year(request)
    letters = ResponsibilityLetter.objects.visible_to(request.user).for_year(year).select_related("unit")
    context = {"year": year, "letters": letters, "statuses": LetterStatus.choices}
    if request.user.sees_all_units:
        # A bureau's own letters (its units'); the city's roles pick a district with ?bureau=.
        bureau = selected_bureau(request)
        letters = context["letters"] = letters.in_bureau_id(bureau.pk)
        status = request.GET.get("status", "")
        if status in LetterStatus.values:
            letters = letters.filter(status=status)
        context.update(
            letters=letters, status=status,
            unsigned=list(context["letters"].unsigned()),
            without_letter=Unit.objects.visible_to(request.user).filter(bureau=bureau).active().exclude(
                letters__year=year),
            target_count=LetterTarget.objects.filter(year=year, bureau=bureau).count(),
            may_manage=services.may_manage_letters(request.user) and request.user.bureau_id == bureau.pk,
            bureau=bureau,
        )
    return render(request, "ledgers/letters/list.html", context)


@role_required(Role.ADMIN)
def letter_targets(request):
    year = selected_year(request)
    bureau = request.user.owning_bureau()
    formset = LetterTargetFormSet(request.POST or None, queryset=LetterTarget.objects.filter(year=year, bureau=bureau))
    if request.method == "POST" and formset.is_valid():
        for target in formset.save(commit=False):
            target.year = year
            target.bureau = bureau
            target.save()
        for target in formset.deleted_objects:
            target.delete()
        messages.success(request, "目标条目已保存。草稿状态的责任书可点击“生成责任书”更新为新条目。")
        return redirect(f"{reverse('ledgers:letter_list')}?year={year.year}")
    return render(request, "ledgers/letters/targets.html", {"year": year, "formset": formset})


@role_required(Role.ADMIN)
@editor_post
def letter_generate(request):
    year = selected_year(request)
    try:
        created, refreshed = services.letters_generate(year=year, user=request.user)
        messages.success(request, f"已生成 {created} 份责任书，更新草稿 {refreshed} 份。")
    except MoveRefused as refused:
        messages.error(request, refused.message)
    return redirect(f"{reverse('ledgers:letter_list')}?year={year.year}")


@role_required(Role.ADMIN)
@editor_post
def letter_issue_all(request):
    year = selected_year(request)
    try:
        count = services.letters_issue_all(year=year, user=request.user)
        messages.success(request, f"已下发 {count} 份责任书。")
    except MoveRefused as refused:
        messages.error(request, refused.message)
    return redirect(f"{reverse('ledgers:letter_list')}?year={year.year}")


def _get_letter(request, pk):
    return get_visible_or_404(ResponsibilityLetter.objects.with_items().select_related("unit__bureau"), request.user,
                              pk=pk)


def _letter_page(request, letter, scan_form=None, return_form=None, status=200):
    user = request.user
    may_manage = services.may_manage_letters(user, letter)
    return render(request, "ledgers/letters/detail.html", {
        "letter": letter, "scan_form": scan_form or ScanForm(),
        "may_upload": services.may_sign(user, letter) and letter.status in (LetterStatus.ISSUED, LetterStatus.PENDING),
        "may_manage": may_manage,
        "return_form": (return_form or LetterReturnForm()) if may_manage and letter.status == LetterStatus.PENDING else None,
        "letter_form": LetterForm(instance=letter) if services.may_manage_letters(user, letter) else None,
    }, status=status)


@require_safe
@login_required
def letter_detail(request, pk):
    return _letter_page(request, _get_letter(request, pk))


@editor_post
def letter_upload(request, pk):
    letter = _get_letter(request, pk)
    form = ScanForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.letter_upload_scan(letter=letter, user=request.user, upload=form.cleaned_data["file"])
        except ValidationError as refused:
            form.add_error("file", refused.messages[0])
        except MoveRefused as refused:
            form.add_error(None, refused.message)
        else:
            messages.success(request, "签字扫描件已上传，等待局文明办确认（确认后为“已签订”）。")
            return redirect(letter)
    return _letter_page(request, letter, scan_form=form, status=400)


# What the bureau is told after a move (by default "责任书已下发。" …).
MOVED = {LetterStatus.SIGNED: "已确认签订，该单位的“签订目标责任书”任务已完成。"}


@editor_post
def letter_move(request, pk, to):
    """下发, 确认签订 (the uploaded scan: 已签订, completing the unit's letter task) and 归档."""
    letter = _get_letter(request, pk)
    try:
        services.letter_move(letter=letter, to=to, user=request.user)
        messages.success(request, MOVED.get(to, f"责任书已{LetterStatus(to).label[1:]}。"))
    except MoveRefused as refused:
        messages.error(request, refused.message)
    return redirect(letter)


@role_required(Role.ADMIN)
@editor_post
def letter_return(request, pk):
    """The bureau returns a bad scan with a reason; the liaison uploads another."""
    letter = _get_letter(request, pk)
    form = LetterReturnForm(request.POST)
    if form.is_valid():
        try:
            services.letter_return(letter=letter, user=request.user, reason=form.cleaned_data["reason"])
        except MoveRefused as refused:
            form.add_error("reason", refused.message)
        else:
            messages.success(request, "扫描件已退回，联络员将看到退回原因并重新上传。")
            return redirect(letter)
    return _letter_page(request, letter, return_form=form, status=400)


@role_required(Role.ADMIN)
@editor_post
def letter_signatories(request, pk):
    letter = _get_letter(request, pk)
    form = LetterForm(request.POST, instance=letter)
    if form.is_valid():
        form.save()
        messages.success(request, "签字人已保存。")
    return redirect(letter)


@require_safe
@login_required
def letter_scan(request, pk):
    scan = get_visible_or_404(SignedScan.objects.select_related("letter"), request.user, pk=pk)
    if scan.letter.status == LetterStatus.DRAFT and not request.user.sees_all_units:
        return redirect("ledgers:letter_list")
    return files.serve_file(request, scan.file, download_name=scan.original_name, as_attachment=not scan.is_image)


@register_home_panel(cached="units")
def letter_panel(request):
    """A liaison whose letter waits for signing (or for the bureau's confirmation) sees it on the home page."""
    user = request.user
    if not user.is_liaison:
        return None
    waiting = ResponsibilityLetter.objects.visible_to(user).filter(
        status__in=[LetterStatus.ISSUED, LetterStatus.PENDING]).select_related("year")
    return {"template": "ledgers/letters/_panel_liaison.html", "letters": list(waiting)} if waiting else None
