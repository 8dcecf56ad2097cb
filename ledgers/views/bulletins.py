"""Pages of the weekly bulletin (每周督查通报): list, draft, preview (publishing and the PDF are in
reports/views/documents.py).

A draft shows live figures; a published bulletin shows its frozen snapshot only.
"""
import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from ..access import get_visible_or_404, role_required
from ..forms.checks import BulletinCreateForm, BulletinForm
from ..models import Bulletin
from ..services import bulletins as service
from .checks import BUREAU, RECORDERS, page_of, refuse_into


def _last_week():
    iso_year, iso_week = (timezone.localdate() - datetime.timedelta(days=7)).isocalendar()[:2]
    return service.week_value(iso_year, iso_week)


@require_safe
@role_required(*BUREAU)
def bulletin_list(request):
    bulletins = Bulletin.objects.visible_to(request.user).select_related("published_by", "bureau")
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
    bulletins = Bulletin.objects.visible_to(request.user).select_related("published_by", "bureau")
    return render(request, "ledgers/bulletins/bulletin_list.html",
                  {"page": page_of(request, bulletins, 30), "form": form}, status=400)


@role_required(*BUREAU)
def bulletin_detail(request, pk):
    bulletin = get_visible_or_404(Bulletin.objects.select_related("published_by", "created_by", "bureau"), request.user,
                                  pk=pk)
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
        "can_publish": not bulletin.is_published and service.can_publish(request.user)
        and (request.user.is_superuser or bulletin.bureau_id == request.user.bureau_id),
        # The issuing bureau heads the document (a district reads the city's bulletins too).
        "issuer_name": bulletin.bureau.name,
        "from_other_bureau": bulletin.bureau_id != request.user.bureau_id,
    })
