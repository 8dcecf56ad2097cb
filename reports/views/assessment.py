"""Assessment pages (年度考核 · 模拟测评): the bureau ranking, one unit's score sheet, their PDF
and Excel, publishing, the evaluator's material catalog, and the liaison's home panel.

/reports/assessment/2026/            ranking (bureau roles) of one bureau's units, each bureau under its
                                     own scheme: ?bureau=<id> (the city's roles drill into a district;
                                     by default the user's own bureau), ?kind=school, ?as_of=2026-06-30
/reports/assessment/2026/?unit=<id>  one unit's sheet; a liaison always gets their own unit,
                                     another unit's id is 404
/reports/assessment/2026.pdf|.xlsx   the same as documents
"""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header, urlencode
from django.views.decorators.http import require_http_methods, require_POST

from ledgers.access import selected_bureau
from ledgers.models import AssessmentScheme, CampaignYear, Unit, UnitKind
from ledgers.views.core import register_home_panel

from ..assessment import documents as output
from .. import catalog
from ..assessment import assessment, default_as_of, kinds, parse_as_of, unit_actions, unit_sheet
from ..models import PublishedReport, ReportKind
from .monthly import XLSX, _unit_for
from .jobs import start_and_follow, start_page


def _year(year):
    return get_object_or_404(CampaignYear, year=year)


def _as_of(request, year):
    raw = request.GET.get("as_of") or request.POST.get("as_of")
    as_of = parse_as_of(raw, year)
    if raw and as_of is None:
        messages.warning(request, f"“{raw}”不是日期（应为 2026-06-30 这样的格式），已按今天计算。")
    return as_of


def _kind(request):
    kind = request.GET.get("kind") or request.POST.get("kind") or ""
    return kind if kind in UnitKind.values else ""


def _query(**params):
    params = {k: v for k, v in params.items() if v}
    return f"?{urlencode(params)}" if params else ""


@login_required
def assessment_index(request):
    year = CampaignYear.objects.current()
    if year is None:
        raise Http404("还没有创建年度")
    return redirect("reports:assessment", year=year.year)


def _context(request, year):
    """(unit or None, as_of) for this request; a liaison always gets their own unit."""
    return _unit_for(request), _as_of(request, year)


def _ranking(request, year, as_of, kind):
    """The selected bureau's ranking (?bureau=, by default the user's own): its units the user may see."""
    bureau = selected_bureau(request)
    return assessment(year, as_of=as_of, units=Unit.objects.visible_to(request.user), kind=kind, bureau=bureau)


def _bureau_param(request, result):
    """?bureau= to keep in links when the page shows another bureau than the user's own."""
    bureau = result.bureau
    return None if bureau is None or bureau.pk == request.user.owning_bureau().pk else bureau.pk


@login_required
def assessment_page(request, year):
    year = _year(year)
    unit, as_of = _context(request, year)
    if unit is not None:
        return _sheet_page(request, year, unit, as_of)
    kind = _kind(request)
    result = _ranking(request, year, as_of, kind)
    as_of_text = f"{result.as_of:%Y-%m-%d}" if as_of else ""
    bureau_param = _bureau_param(request, result)
    return render(request, "reports/assessment/ranking.html", {
        "result": result, "kinds": kinds(), "kind": kind, "as_of_value": f"{result.as_of:%Y-%m-%d}",
        "query": _query(bureau=bureau_param, kind=kind, as_of=as_of_text),
        "as_of_query": _query(bureau=bureau_param, as_of=as_of_text), "bureau_param": bureau_param,
        "bureaus": _bureau_choices(request),
        "can_publish": output.can_publish(request.user, result.bureau),
        "can_edit_scheme": request.user.is_bureau_admin and bureau_param is None,
        "published": _published(request, year, None, result.bureau),
    })


def _bureau_choices(request):
    """The bureaus a city user may pick (None for everybody else)."""
    if not request.user.is_city:
        return None
    from ledgers.models import Bureau

    return list(Bureau.objects.visible_to(request.user))


def _published(request, year, unit, bureau=None):
    qs = PublishedReport.objects.visible_to(request.user).filter(
        kind=ReportKind.ASSESSMENT, period=str(year.year), unit=unit)
    if unit is None and bureau is not None:
        qs = qs.filter(bureau=bureau)
    return qs.select_related("published_by")


def _sheet_page(request, year, unit, as_of):
    sheet = unit_sheet(year, unit, as_of=as_of)
    as_of_text = f"{sheet.assessment.as_of:%Y-%m-%d}" if as_of else ""
    return render(request, "reports/assessment/sheet.html", {
        "sheet": sheet, "result": sheet.assessment, "row": sheet.row, "unit": unit,
        "as_of_value": f"{sheet.assessment.as_of:%Y-%m-%d}",
        "query": _query(unit=unit.pk if request.user.sees_all_units else None, as_of=as_of_text),
        "can_publish": output.can_publish(request.user, unit.bureau, unit), "published": _published(request, year, unit),
        "units": Unit.objects.visible_to(request.user).active().filter(bureau=unit.bureau_id)
        if request.user.sees_all_units else None,
    })


def _download(data, name, content_type, attachment):
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(attachment, name)
    return response


@login_required
def assessment_pdf(request, year):
    year = _year(year)
    unit, as_of = _context(request, year)
    if unit is not None:
        sheet = unit_sheet(year, unit, as_of=as_of)
        return _download(output.sheet_pdf(sheet), f"{output.sheet_stem(sheet)}.pdf", "application/pdf", False)
    result = _ranking(request, year, as_of, _kind(request))
    return _download(output.ranking_pdf(result), f"{output.ranking_stem(result)}.pdf", "application/pdf", False)


@login_required
def assessment_xlsx(request, year):
    year = _year(year)
    unit, as_of = _context(request, year)
    if unit is not None:
        sheet = unit_sheet(year, unit, as_of=as_of)
        return _download(output.sheet_workbook(sheet), f"{output.sheet_stem(sheet)}.xlsx", XLSX, True)
    result = _ranking(request, year, as_of, _kind(request))
    return _download(output.ranking_workbook(result), f"{output.ranking_stem(result)}.xlsx", XLSX, True)


@require_POST
@login_required
def assessment_publish(request, year):
    year = _year(year)
    unit, as_of = _context(request, year)
    # Only the admin of the bureau itself publishes (the city: its own units' ranking).
    bureau = unit.bureau if unit is not None else request.user.owning_bureau()
    if not output.can_publish(request.user, bureau, unit):
        raise PermissionDenied("只有本局文明办可以发布本局的考核结果。")
    report = output.assessment_publish(user=request.user, year=year, unit=unit, as_of=as_of, kind=_kind(request),
                                       bureau=bureau)
    messages.success(request, f"已发布《{report.title}》，今后可原样重印。")
    return redirect(reverse("reports:assessment", args=[year.year]) + _query(unit=unit.pk if unit else None))


@require_http_methods(["GET", "HEAD", "POST"])  # POST starts the whole bureau's catalog as a job
@login_required
def assessment_catalog(request, year, fmt):
    """测评材料目录 of one unit as PDF or ZIP at once; the whole bureau's is a background job."""
    year = _year(year)
    builder = {"pdf": catalog.catalog_pdf, "zip": catalog.catalog_zip}.get(fmt)
    if builder is None:
        raise Http404("没有这种格式")
    unit = _unit_for(request)
    if unit is None:
        params = {"year": year.year, "fmt": fmt, "bureau": selected_bureau(request).pk}
        back = reverse("reports:assessment", args=[year.year])
        if request.method == "POST":
            return start_and_follow(request, "assessment_catalog", params, back=back)
        return start_page(request, "assessment_catalog", params, back=back,
                          description="全局测评材料目录较大，点击后在后台生成，可以离开此页面，完成后在“我的下载”中下载。")
    if request.method == "POST":  # one unit's catalog is answered at once: nothing to start
        return HttpResponseNotAllowed(["GET", "HEAD"])
    import tempfile

    out = tempfile.TemporaryFile()
    builder(out, year=year, unit=unit)
    out.seek(0)
    return FileResponse(out, as_attachment=fmt == "zip", filename=catalog.file_name(year, unit, f".{fmt}"),
                        content_type="application/pdf" if fmt == "pdf" else "application/zip")


@register_home_panel(cached="units")
def liaison_assessment_panel(request):
    """模拟测评 on the liaison's home: the unit's score now and where points are being lost."""
    user = request.user
    if user.sees_all_units or not user.unit_id:
        return None
    # One query when the current year has no scheme (the home page stays light).
    scheme = (AssessmentScheme.objects.filter(year__is_current=True, bureau__units=user.unit_id)
              .select_related("year", "bureau").first())
    if scheme is None:
        return None
    year = scheme.year
    row, fixable = unit_actions(year, user.unit, scheme, as_of=default_as_of(year, timezone.localdate()))
    return {"template": "reports/assessment/_home_panel.html", "row": row,
            "actions": fixable[:5], "more": max(len(fixable) - 5, 0), "year": year}
