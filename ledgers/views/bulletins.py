"""Pages of the weekly bulletin (每周督查通报): list, draft, preview, publish, PDF.

A draft shows live figures; a published bulletin shows its frozen snapshot only.
"""
import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from reports.pdf import render_pdf

from ..access import get_visible_or_404, role_required
from ..forms_checks import BulletinCreateForm, BulletinForm
from ..models import Bulletin, Role
from ..services import bulletins as service
from .checks import BUREAU, RECORDERS, attempt, page_of, refuse_into


def _last_week():
    iso_year, iso_week = (timezone.localdate() - datetime.timedelta(days=7)).isocalendar()[:2]
    return service.week_value(iso_year, iso_week)


@require_safe
@role_required(*BUREAU)
def bulletin_list(request):
    bulletins = Bulletin.objects.visible_to(request.user).select_related("published_by")
    form = None
    if service.can_draft(request.user):
        form = BulletinCreateForm(initial={"week": _last_week()})
    return render(request, "ledgers/bulletins/bulletin_list.html",
                  {"page": page_of(request, bulletins, 30), "form": form})


@require_POST
@role_required(*RECORDERS)
def bulletin_create(request):
    form = BulletinCreateForm(request.POST)
    if form.is_valid():
        week = service.parse_week(form.cleaned_data["week"])
        if week is None:
            form.add_error("week", "周次格式不正确，应如 2026-W10。")
        else:
            try:
                bulletin = service.bulletin_create(user=request.user, iso_year=week[0], iso_week=week[1])
            except (ValidationError, PermissionDenied) as error:
                refuse_into(form, error)
            else:
                messages.success(request, f"已起草{bulletin.week_label}督查通报，请核对后发布。")
                return redirect(bulletin)
    bulletins = Bulletin.objects.visible_to(request.user).select_related("published_by")
    return render(request, "ledgers/bulletins/bulletin_list.html",
                  {"page": page_of(request, bulletins, 30), "form": form}, status=400)


@role_required(*BUREAU)
def bulletin_detail(request, pk):
    bulletin = get_visible_or_404(Bulletin.objects.select_related("published_by", "created_by"), request.user, pk=pk)
    form = None
    if not bulletin.is_published and service.can_draft(request.user):
        form = BulletinForm(request.POST or None, instance=bulletin)
        if request.method == "POST" and form.is_valid():
            try:
                service.bulletin_update(bulletin=bulletin, user=request.user, foreword=form.cleaned_data["foreword"])
            except (ValidationError, PermissionDenied) as error:
                refuse_into(form, error)
            else:
                messages.success(request, "按语已保存。")
                return redirect(bulletin)
    elif request.method == "POST":
        raise PermissionDenied("通报已发布或您无权修改。")
    return render(request, "ledgers/bulletins/bulletin_detail.html", {
        "bulletin": bulletin, "doc": service.bulletin_document(bulletin), "form": form,
        "can_publish": not bulletin.is_published and service.can_publish(request.user),
    })


@require_POST
@role_required(Role.ADMIN)
def bulletin_publish(request, pk):
    bulletin = get_visible_or_404(Bulletin, request.user, pk=pk)
    attempt(request, service.bulletin_publish, lambda b: f"通报已发布为第{b.number}期，内容已固定。",
            bulletin=bulletin, user=request.user)
    return redirect(bulletin)


@require_safe
@role_required(*BUREAU)
def bulletin_pdf(request, pk):
    bulletin = get_visible_or_404(Bulletin, request.user, pk=pk)
    data = render_pdf("reports/pdf/bulletin.html", {
        "bulletin": bulletin, "doc": service.bulletin_document(bulletin), "BUREAU_NAME": bulletin.bureau.name,
    })
    response = HttpResponse(data, content_type="application/pdf")
    name = f"bulletin-{bulletin.number or 'draft'}-{bulletin.iso_year}W{bulletin.iso_week:02d}.pdf"
    response["Content-Disposition"] = f'inline; filename="{name}"'
    return response
