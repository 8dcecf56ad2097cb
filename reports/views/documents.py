"""Printed and exported documents of the ledgers, rendered here so that ledgers/ never imports
reports/ (moved from ledgers/views/{activities,bulletins,letters,problems}.py; same URL paths).

Small documents answer at once: one letter's PDF, a bulletin's PDF, a small problem export.
Long ones are background jobs (reports/jobs/documents.py): the button POSTs to the same URL, which
starts (or joins) the job and opens its progress page; a GET of that URL (a bookmark) shows what
will be made and the start button, with no side effect.
"""
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from ledgers.access import get_visible_or_404, role_required, selected_bureau
from ledgers.models import Bulletin, Bureau, CampaignYear, ResponsibilityLetter, Role
from ledgers.views.imports import content_disposition, selected_year
from ledgers.views.problems import filtered_problems

from .. import binder
from ..jobs.documents import PROBLEM_FILTERS, bulletin_pdf_bytes, frozen_bulletin_pdf, problems_title
from ..problems_excel import problems_workbook
from .jobs import start_and_follow, start_page

BUREAU = (Role.ADMIN, Role.INSPECTOR, Role.LEADER)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# A filtered problem export up to this many rows is written in the request (~0.3 ms a row);
# more becomes a background job.
PROBLEM_EXPORT_INLINE_ROWS = 1000


def _params(request, *names):
    source = request.POST if request.method == "POST" and any(n in request.POST for n in names) else request.GET
    return {name: source.get(name, "") for name in names}


def _job_view(request, kind, params, *, back, description=""):
    if request.method == "POST":
        return start_and_follow(request, kind, params, back=back)
    return start_page(request, kind, params, description=description, back=back)


# --- activity binders (台账档案册) ---------------------------------------------------------------

BINDER_HELP = ("档案册较大时需要几十秒到几分钟。点击后在后台生成，可以离开此页面，"
               "完成后在“我的下载”中下载（文件保留 {days} 天）。")


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def binder_pdf(request):
    return _job_view(request, "binder_pdf", _params(request, "unit", "year", "period"),
                     back=reverse("ledgers:activity_list"),
                     description=BINDER_HELP.format(days=settings.JOBS_KEEP_DAYS))


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def binder_zip(request):
    return _job_view(request, "binder_zip", _params(request, "unit", "year", "period"),
                     back=reverse("ledgers:activity_list"),
                     description=BINDER_HELP.format(days=settings.JOBS_KEEP_DAYS))


@require_http_methods(["GET", "HEAD", "POST"])
@role_required(*BUREAU)
def bureau_binder(request):
    """Every unit's binder of one bureau in one ZIP (a folder per unit: 目录.xlsx, photos, binder
    PDF): the user's own bureau's units; the city's roles choose a district with ?bureau=."""
    params = _params(request, "year", "period", "bureau")
    if request.method == "POST":
        return start_and_follow(request, "bureau_binder", params, back=reverse("ledgers:activity_list"))
    years = CampaignYear.objects.all()
    bureau = selected_bureau(request)
    return render(request, "reports/jobs/bureau_binder.html", {
        "years": years, "periods": binder.PERIODS.items(),
        "year": selected_year(request), "period": params["period"] or "year",
        "keep_days": settings.JOBS_KEEP_DAYS, "bureau": bureau,
        "bureaus": Bureau.objects.visible_to(request.user) if request.user.is_city else None,
    })


# --- responsibility letters (目标责任书) ----------------------------------------------------------

def _pdf_response(data, filename):
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition(filename, inline=True)
    return response


@require_safe
@login_required
def letter_pdf(request, pk):
    from ..pdf import render_pdf

    letter = get_visible_or_404(ResponsibilityLetter.objects.with_items().select_related("unit__bureau"),
                                request.user, pk=pk)
    pdf = render_pdf("reports/pdf/letter.html", {"letters": [letter], "bureau_name": letter.unit.bureau.name})
    return _pdf_response(pdf, f"{letter.year.year}年度目标责任书-{letter.unit.name}.pdf")


@require_http_methods(["GET", "HEAD", "POST"])
@role_required(*BUREAU)
def letter_year_pdf(request):
    year = selected_year(request)
    bureau = selected_bureau(request)  # the city's roles choose a district with ?bureau=
    return _job_view(request, "letters_year", {"year": year.year, "bureau": bureau.pk},
                     back=f"{reverse('ledgers:letter_list')}?year={year.year}&bureau={bureau.pk}",
                     description=f"{bureau.name}全部单位的责任书合成一个 PDF，在后台生成，完成后在“我的下载”中下载。")


# --- weekly bulletins (督查通报) -----------------------------------------------------------------

@require_safe
@role_required(*BUREAU)
def bulletin_pdf(request, pk):
    bulletin = get_visible_or_404(Bulletin, request.user, pk=pk)
    name = f"bulletin-{bulletin.number or 'draft'}-{bulletin.iso_year}W{bulletin.iso_week:02d}.pdf"
    frozen = frozen_bulletin_pdf(bulletin)
    if frozen is not None and frozen.pdf:
        with frozen.pdf.open("rb") as handle:
            return _pdf_response(handle.read(), name)
    return _pdf_response(bulletin_pdf_bytes(bulletin), name)


@require_POST
@role_required(Role.ADMIN)
def bulletin_publish(request, pk):
    bulletin = get_visible_or_404(Bulletin, request.user, pk=pk)
    if not (request.user.is_superuser or bulletin.bureau_id == request.user.bureau_id):
        raise PermissionDenied("只能发布本局的通报。")
    return start_and_follow(request, "bulletin_publish", {"bulletin": bulletin.pk}, back=bulletin.get_absolute_url())


# --- the rectification ledger's Excel (整改台账) --------------------------------------------------

@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def problem_export(request):
    params = {name: request.GET.get(name, "") for name in PROBLEM_FILTERS}  # ?bureau= included
    back = reverse("ledgers:problem_list") + (f"?{request.GET.urlencode()}" if request.GET else "")
    if request.method == "POST":
        return start_and_follow(request, "problems_export", params, back=back)
    form, problems = filtered_problems(request)
    total = problems.count()
    if total > PROBLEM_EXPORT_INLINE_ROWS:
        return start_page(request, "problems_export", params, back=back,
                          description=f"共 {total} 条问题，数据较多，将在后台生成 Excel，完成后在“我的下载”中下载。")
    user = request.user
    data = problems_workbook(problems, title=problems_title(user, params["bureau"]))
    response = HttpResponse(data, content_type=XLSX)
    stamp = timezone.localdate().strftime("%Y%m%d")
    response["Content-Disposition"] = content_disposition(f"整改台账-{stamp}.xlsx")
    return response

