"""Report pages: the monthly summary (HTML preview, PDF, Excel), its published archive, the
bureau dashboard and the liaison's home panel.

URLs are stable and bookmarkable: /reports/monthly/2026-11/, …/2026-11.pdf, …/2026-11.xlsx,
with ?unit=<id> for one unit. A liaison gets their own unit whatever they ask for: another
unit's id is 404.
"""
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseNotAllowed, Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from ledgers import rules, versions
from ledgers.access import get_visible_or_404, role_required, selected_bureau
from ledgers.files import serve_file
from ledgers.models import Bureau, CampaignYear, InspectionGroup, Problem, Role, Unit
from ledgers.params import int_param
from ledgers.services.oversight import coverage
from ledgers.views.core import register_home_panel

from .. import monthly as service
from ..charts import line_chart
from ..models import PublishedReport, ReportKind
from ..monthly_excel import monthly_workbook
from ..summaries import Month, monthly_summary, unit_month_row, weekly_score_trend
from .jobs import start_and_follow, start_page

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _unit_for(request):
    """The unit asked for (?unit=), checked through visible_to; a liaison's own by default."""
    user = request.user
    pk = int_param(request, "unit") or int_param(request, "unit", source=request.POST)
    if pk:
        return get_visible_or_404(Unit, user, pk=pk)
    if user.sees_all_units:
        return None
    if not user.unit_id:
        raise Http404("您的账号尚未分配单位")
    return user.unit


def _bureau_for(request, unit):
    """The bureau of a bureau-wide summary: ?bureau= (the city's roles drill into a district),
    else the user's own; None for one unit's summary."""
    if unit is not None:
        return None
    return selected_bureau(request)


def _summary(request, month):
    unit = _unit_for(request)
    return cached_summary(month, unit=unit, bureau=_bureau_for(request, unit))


def cached_summary(month, *, unit=None, bureau=None, lists=True):
    """monthly_summary for the pages: cached until a record of its units, a shared table or the
    date changes (ledgers.versions). A unit's is cached under its district's units (it ranks among
    them). Documents are made from a fresh one."""
    return versions.cached(
        "monthly_summary", unit.bureau if unit else bureau,
        lambda: monthly_summary(month, unit=unit, bureau=bureau, lists=lists),
        str(month), unit and unit.pk, bureau and bureau.pk, lists)


def _query(summary):
    if summary.unit:
        return f"?unit={summary.unit.pk}"
    return f"?bureau={summary.bureau.pk}" if summary.bureau is not None else ""


def _may_publish(user, summary):
    """A bureau admin publishes their own bureau's summary (or one of its units')."""
    if not service.can_publish(user):
        return False
    if summary.unit is not None:
        return user.may_act_on_unit(summary.unit)
    return user.is_superuser or (summary.bureau is not None and summary.bureau.pk == user.bureau_id)


@require_safe
@login_required
def monthly(request, month):
    summary = _summary(request, month)
    context = service.document_context(summary, links=True, problems=100)
    context.update(
        query=_query(summary),
        previous=summary.month.previous(), next=summary.month.next(),
        can_publish=_may_publish(request.user, summary),
        published=lambda: PublishedReport.objects.visible_to(request.user).filter(  # read only when not cached
            kind=ReportKind.MONTHLY, period=str(summary.month), unit=summary.unit,
            **({"bureau": summary.bureau} if summary.unit is None and summary.bureau else {})).select_related(
            "published_by"),
        # The pickers' choices: built only when the cached part is made (each read once: `if` and `for`).
        units=SimpleLazyObject(lambda: (
            Unit.objects.visible_to(request.user).active().in_bureau(summary.bureau or summary.unit.bureau)
            if request.user.sees_all_units else None)),
        bureaus=SimpleLazyObject(lambda: Bureau.objects.visible_to(request.user) if request.user.is_city else None),
    )
    return render(request, "reports/monthly.html", context)


# The bureau-wide PDF of more units than this is a background job (3 s at 330 units).
MONTHLY_PDF_INLINE_UNITS = 100


@require_http_methods(["GET", "HEAD", "POST"])  # POST starts the background job
@login_required
def monthly_pdf(request, month):
    unit = _unit_for(request)
    bureau = _bureau_for(request, unit)
    if unit is None and Unit.objects.active().in_bureau(bureau).count() > MONTHLY_PDF_INLINE_UNITS:
        params = {"month": str(month), "unit": "", "bureau": bureau.pk if bureau else ""}
        back = reverse("reports:monthly", args=[month]) + (f"?bureau={bureau.pk}" if bureau else "")
        if request.method == "POST":
            return start_and_follow(request, "monthly_pdf", params, back=back)
        return start_page(request, "monthly_pdf", params, back=back,
                          description="单位较多，PDF 将在后台生成，完成后在“我的下载”中下载。")
    if request.method == "POST":  # a small PDF is answered at once: nothing to start
        return HttpResponseNotAllowed(["GET", "HEAD"])
    summary = monthly_summary(month, unit=unit, bureau=bureau)
    response = HttpResponse(service.monthly_pdf(summary), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(False, f"{service.file_stem(summary)}.pdf")
    return response


@require_safe
@login_required
def monthly_xlsx(request, month):
    # A document is made from fresh data, never from the pages' cache.
    unit = _unit_for(request)
    summary = monthly_summary(month, unit=unit, bureau=_bureau_for(request, unit))
    response = HttpResponse(monthly_workbook(summary), content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, f"{service.file_stem(summary)}.xlsx")
    return response


@require_POST
@login_required
def monthly_publish(request, month):
    unit = _unit_for(request)
    if not service.can_publish(request.user):
        raise PermissionDenied("只有局文明办可以发布分析小结。")
    if unit is not None and not request.user.may_act_on_unit(unit):
        raise PermissionDenied("只能发布本局的分析小结。")
    # Render + freeze runs as a background job (seconds at city scale): its page says when done.
    bureau = _bureau_for(request, unit)
    url = reverse("reports:monthly", args=[month]) + (
        f"?unit={unit.pk}" if unit else f"?bureau={bureau.pk}" if bureau else "")
    return start_and_follow(request, "monthly_publish", {"month": str(month), "unit": unit.pk if unit else "",
                                                         "bureau": bureau.pk if bureau else ""}, back=url)


@require_safe
@login_required
def published_file(request, pk, fmt):
    report = get_visible_or_404(PublishedReport, request.user, pk=pk)
    field = {"pdf": report.pdf, "xlsx": report.xlsx}.get(fmt)
    if field is None:
        raise Http404("没有这种格式")
    stamp = timezone.localtime(report.published_at).strftime("%Y%m%d")
    return serve_file(request, field, download_name=f"{report.title}（{stamp}发布）.{fmt}",
                      as_attachment=fmt == "xlsx")


@require_safe
@login_required
def monthly_index(request):
    today = timezone.localdate()
    year = CampaignYear.objects.current()
    calendar_year = year.year if year else today.year
    last = 12 if calendar_year < today.year else today.month if calendar_year == today.year else 0
    months = [Month(calendar_year, m) for m in range(last, 0, -1)]
    unit = None if request.user.sees_all_units else request.user.unit
    published = PublishedReport.objects.visible_to(request.user).filter(kind=ReportKind.MONTHLY).select_related(
        "unit", "published_by")[:100]
    return render(request, "reports/monthly_index.html", {
        "months": months, "unit": unit, "published": published, "year": year,
    })


def _trend_chart(year, unit=None):  # unit: a Unit, or a Bureau for its units
    points = weekly_score_trend(year, unit=unit)
    return line_chart([(f"{week}周", value) for week, value in points], max_value=100, suffix="%",
                      title=f"{year}年每周督查平均得分率", responsive=True, empty_text="本年度还没有督查记录")


@require_safe
@role_required(Role.ADMIN, Role.INSPECTOR, Role.LEADER)
def dashboard(request):
    today = timezone.localdate()
    month = Month.containing(today)
    bureau = selected_bureau(request)
    if bureau.is_city and "bureau" not in request.GET:
        return city_dashboard(request)
    return render(request, "reports/dashboard.html", {
        "month": month, "bureau": bureau,
        # The city's roles drilled into a district: every link keeps to that district.
        "bq": f"bureau={bureau.pk}&" if request.user.is_city else "",
        # Worked out when the board is rendered, not when it comes from the cache ({% versioned %}).
        "board": lambda: _board(month, bureau, today),
    })


def _board(month, bureau, today):
    summary = monthly_summary(month, bureau=bureau, today=today, lists=False)
    return {"summary": summary, "empty_units": [r for r in summary.rows if not r.activities],
            # The inspectors' own figure, never the units' overdue (ledgers.rules).
            "recheck_overdue": Problem.objects.in_bureau(bureau).recheck_overdue(today).count(),
            "recheck_days": rules.recheck_wait_days(),
            "charts": service.charts_for(summary, links=True),
            "trend": _trend_chart(today.isocalendar()[0], unit=bureau),
            # 督导组包督查: every group's coverage this period of its rhythm, the unvisited units first.
            "coverage": coverage(InspectionGroup.objects.filter(bureau=bureau, year=CampaignYear.objects.current()),
                                 today)}


def city_dashboard(request):
    """The city's district comparison: completion, score rate, open and overdue problems and
    activities per unit for each district, every figure a link to the district's list behind it."""
    today = timezone.localdate()
    month = Month.containing(today)
    summary = cached_summary(month, bureau=selected_bureau(request))
    return render(request, "reports/city_dashboard.html", {
        "summary": summary, "month": month, "districts": summary.districts,
        "trend": _trend_chart(today.isocalendar()[0]),
    })


@register_home_panel(cached="district")  # the unit's rank among its district's units
def liaison_month_panel(request):
    user = request.user
    if user.sees_all_units or not user.unit_id:
        return None
    today = timezone.localdate()
    month = Month.containing(today)
    return {"template": "reports/_home_liaison.html", "row": unit_month_row(month, user.unit, today),
            "month": month, "trend": _trend_chart(today.isocalendar()[0], unit=user.unit)}


# --- documents of the Excel imports (the import pages live in ledgers/views/imports.py) ---------

@role_required(Role.ADMIN)
def import_template(request, kind):
    from ledgers.views.imports import selected_year

    from ..import_templates import TEMPLATES

    if kind not in TEMPLATES:
        raise Http404("没有这种导入模板")
    build, stem = TEMPLATES[kind]
    year = selected_year(request) if kind in ("tasks", "indicators", "oversights") else None
    response = HttpResponse(build(year), content_type=XLSX)
    name = f"{stem}（{year.year}）.xlsx" if year else f"{stem}.xlsx"
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response


@role_required(Role.ADMIN)
def login_slips(request, pk):
    """The login slips of one import's new accounts, while their passwords are in this session."""
    from ledgers.views.imports import SLIPS_SESSION_KEY

    from ..login_slips import login_slips_pdf

    credentials = request.session.get(SLIPS_SESSION_KEY, {}).get(str(pk))
    if not credentials:
        raise Http404("初始密码已清除或不在本次会话中；如需新密码，请在用户管理中重置。")
    pdf = login_slips_pdf(credentials, site_url=request.build_absolute_uri("/"), bureau_name=request.user.bureau_name)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(False, "账号登录条.pdf")
    return response
