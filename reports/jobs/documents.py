"""The documents built as background jobs: for each, `prepare` (who may ask, which data, its
title) and the body run by the worker (see reports/jobs/__init__.py).

- binder_pdf / binder_zip: one unit's archive binder (台账档案册) of a year or semester;
- bureau_binder: every unit's binder in one ZIP (a folder per unit: 目录.xlsx, photos, PDF);
- problems_export: the rectification ledger (整改台账) Excel of a large filtered set;
- letters_year: every unit's responsibility letter of a year in one PDF;
- monthly_publish / bulletin_publish: render and freeze a monthly summary / a weekly bulletin.

`prepare` runs in the web request and again is implied at download (`jobs.may_download`);
the body runs with the starting user's `visible_to`, so it never holds more than they may see.
Bureau-wide documents keep to one bureau (city → district): the user's own, or for the city's
roles the district chosen with ?bureau=; the params carry its id and the body checks it again
against the starting user's visible bureaus.
"""
import tempfile

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.http import Http404, QueryDict
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import get_random_string

from ledgers.access import get_visible_or_404
from ledgers.models import Bulletin, Bureau, CampaignYear, ResponsibilityLetter, Role, Unit
from ledgers.params import to_int

from .. import binder
from . import JobOutput, JobRefused, JobSpec, job_kind
from ..models import PublishedReport, ReportKind

BUREAU_ROLES = (Role.ADMIN, Role.INSPECTOR, Role.LEADER)


def _year(value):
    value = to_int(value)  # junk ("²", NUL, huge) -> the current year, like the pages
    year = CampaignYear.objects.filter(year=value).first() if value is not None else CampaignYear.objects.current()
    if year is None:
        raise Http404("没有这个年度")
    return year


def _unit_param(user, value):
    """The unit of ?unit=<id> if the user may see it; 404 for junk or another's unit."""
    pk = to_int(value)
    if pk is None:
        raise Http404("没有这个单位")
    return get_visible_or_404(Unit, user, pk=pk)


def _period(value):
    return value if value in binder.PERIODS else "year"


def _bureau_param(user, value):
    """The bureau of ?bureau=<id> among those the user may see (404 for junk or another
    district's), by default the user's own — `ledgers.access.selected_bureau` for job params."""
    if value in (None, ""):
        bureau = user.owning_bureau()
        if bureau is None:
            raise Http404("您的账号尚未分配教育局")
        return bureau
    pk = to_int(value)
    bureau = Bureau.objects.visible_to(user).filter(pk=pk).first() if pk is not None else None
    if bureau is None:
        raise Http404("没有这个教育局")
    return bureau


def _bureau_only(user):
    if not user.has_role(*BUREAU_ROLES):
        raise PermissionDenied("您的角色无权使用此功能。")


# --- one unit's binder -------------------------------------------------------------------------

def _unit_binder_spec(user, params, ext, label):
    unit = _unit_param(user, params.get("unit") or user.unit_id)
    year, period = _year(params.get("year")), _period(params.get("period"))
    return JobSpec(params={"unit": unit.pk, "year": year.year, "period": period},
                   title=f"{unit.name} {binder.period_label(year, period)}台账档案册（{label}）", unit=unit)


def _unit_binder_target(job):
    unit = get_visible_or_404(Unit, job.user, pk=job.params["unit"])
    return unit, _year(job.params["year"]), job.params.get("period")


@job_kind("binder_pdf", label="档案册 PDF")
def prepare_binder_pdf(user, params):
    return _unit_binder_spec(user, params, ".pdf", "PDF")


@prepare_binder_pdf.runner
def run_binder_pdf(job, progress):
    unit, year, period = _unit_binder_target(job)
    stage = f"正在生成{unit.name}的档案册 PDF…"
    handle = binder.binder_pdf(unit, year, period=period, progress=lambda d, t: progress(d, t, stage))
    return JobOutput(handle, binder.file_name(unit, year, ".pdf", period))


@job_kind("binder_zip", label="原图 ZIP")
def prepare_binder_zip(user, params):
    return _unit_binder_spec(user, params, ".zip", "原图 ZIP")


@prepare_binder_zip.runner
def run_binder_zip(job, progress):
    unit, year, period = _unit_binder_target(job)
    stage = f"正在打包{unit.name}的原图…"
    handle = binder.binder_zip(unit, year, period=period, progress=lambda d, t: progress(d, t, stage))
    return JobOutput(handle, binder.file_name(unit, year, ".zip", period))


# --- the whole bureau's binder ------------------------------------------------------------------

@job_kind("bureau_binder", label="全局档案册 ZIP")
def prepare_bureau_binder(user, params):
    _bureau_only(user)
    year, period = _year(params.get("year")), _period(params.get("period"))
    bureau = _bureau_param(user, params.get("bureau"))
    return JobSpec(params={"year": year.year, "period": period, "bureau": bureau.pk},
                   title=f"{bureau.name} 全部单位 {binder.period_label(year, period)}台账档案册（ZIP）", unit=None)


@prepare_bureau_binder.runner
def run_bureau_binder(job, progress):
    year, period = _year(job.params["year"]), job.params.get("period")
    bureau = _bureau_param(job.user, job.params.get("bureau"))
    units = (Unit.objects.visible_to(job.user).in_bureau_id(bureau.pk).active()
             .select_related("bureau").order_by("sort_order", "kind", "name"))
    handle = binder.bureau_binder_zip(units, year, period=period, progress=progress)
    return JobOutput(handle, f"{bureau.name}-全部单位-{binder.period_label(year, period)}台账档案册.zip")


# --- the rectification ledger -------------------------------------------------------------------

PROBLEM_FILTERS = ("unit", "status", "week", "kind", "indicator", "overdue", "bureau")


def problem_query(user, params):
    """The filters of the problem list as a request-like object for `filtered_problems`."""
    from types import SimpleNamespace

    query = QueryDict(mutable=True)
    for name in PROBLEM_FILTERS:
        if params.get(name):
            query[name] = str(params[name])
    return SimpleNamespace(user=user, GET=query)


@job_kind("problems_export", label="整改台账 Excel")
def prepare_problems_export(user, params):
    params = {name: str(params[name]) for name in PROBLEM_FILTERS if params.get(name)}
    unit = None
    if user.is_liaison:
        if not user.unit_id:
            raise Http404("您的账号尚未分配单位")
        unit = user.unit
    elif params.get("unit"):
        unit = _unit_param(user, params["unit"])
    if params.get("bureau"):
        bureau = _bureau_param(user, params["bureau"])  # 404 for another district's, like the list
        params["bureau"] = str(bureau.pk)
        scope = unit.name if unit else f"{bureau.name} 全部单位"
    else:
        scope = unit.name if unit else f"{user.bureau_name} 全部单位".strip()
    title = f"{scope} 问题整改台账（Excel）"
    return JobSpec(params=params, title=title, unit=unit)


@prepare_problems_export.runner
def run_problems_export(job, progress):
    from ledgers.views.problems import filtered_problems

    from ..problems_excel import problems_workbook

    user = job.user
    _form, problems = filtered_problems(problem_query(user, job.params))
    total = problems.count()
    progress(0, 1, f"正在导出 {total} 条问题…")
    data = problems_workbook(problems, title=problems_title(user, job.params.get("bureau")))
    handle = tempfile.TemporaryFile()
    handle.write(data)
    handle.seek(0)
    return JobOutput(handle, f"整改台账-{timezone.localdate():%Y%m%d}.xlsx")


def problems_title(user, bureau_param=None):
    """The export's heading: the liaison's unit, else the (chosen) bureau's name."""
    if user.is_liaison:
        return f"{user.unit or ''}问题整改台账"
    name = _bureau_param(user, bureau_param).name if bureau_param else user.bureau_name
    return f"{name or ''}问题整改台账"


# --- all letters of a year ----------------------------------------------------------------------

@job_kind("letters_year", label="全部责任书 PDF")
def prepare_letters_year(user, params):
    _bureau_only(user)
    year = _year(params.get("year"))
    bureau = _bureau_param(user, params.get("bureau"))
    if not _letters(user, year, bureau).exists():
        raise JobRefused("本年度还没有生成责任书。")
    return JobSpec(params={"year": year.year, "bureau": bureau.pk},
                   title=f"{bureau.name} {year.year}年度目标责任书（全部单位，PDF）", unit=None)


def _letters(user, year, bureau):
    """A bureau's own letters of the year (its units'), as far as the user may see."""
    return (ResponsibilityLetter.objects.visible_to(user).in_bureau_id(bureau.pk).for_year(year)
            .select_related("unit__bureau"))


@prepare_letters_year.runner
def run_letters_year(job, progress):
    from ..pdf import render_pdf

    year = _year(job.params["year"])
    bureau = _bureau_param(job.user, job.params.get("bureau"))
    letters = list(_letters(job.user, year, bureau).with_items())
    progress(0, 1, f"正在排版 {len(letters)} 份责任书…")
    handle = tempfile.TemporaryFile()
    # Each letter prints its own unit's bureau as 甲方 (letter.unit.bureau.name).
    render_pdf("reports/pdf/letter.html", {"letters": letters, "bureau_name": bureau.name}, target=handle)
    handle.seek(0)
    return JobOutput(handle, f"{year.year}年度目标责任书（{bureau.name}全部单位）.pdf")


# --- the monthly summary's PDF at city scale -----------------------------------------------------

def _month_unit_bureau(user, params):
    """(month, unit, bureau) as the monthly page picks them (reports/views/monthly.py `_summary`): one
    unit's summary (bureau None), or a bureau-wide one of ?bureau= / the user's own bureau."""
    from ..summaries import Month

    month = Month.parse(str(params.get("month", "")))
    if month is None:
        raise Http404("没有这个月份")
    unit = None
    if params.get("unit"):
        unit = _unit_param(user, params["unit"])
    elif not user.sees_all_units:
        if not user.unit_id:
            raise Http404("您的账号尚未分配单位")
        unit = user.unit
    bureau = None if unit is not None else _bureau_param(user, params.get("bureau"))
    return month, unit, bureau


def _scope_name(unit, bureau):
    return f"{unit.name} " if unit else f"{bureau.name} " if bureau else ""


@job_kind("monthly_pdf", label="分析小结 PDF")
def prepare_monthly_pdf(user, params):
    month, unit, bureau = _month_unit_bureau(user, params)
    return JobSpec(params={"month": str(month), "unit": unit.pk if unit else None,
                           "bureau": bureau.pk if bureau else None},
                   title=f"{_scope_name(unit, bureau)}{month.label}分析小结（PDF）", unit=unit)


@prepare_monthly_pdf.runner
def run_monthly_pdf(job, progress):
    from .. import monthly
    from ..summaries import monthly_summary

    month, unit, bureau = _month_unit_bureau(job.user, job.params)
    progress(0, 2, "正在汇总本月数据…")
    summary = monthly_summary(month, unit=unit, bureau=bureau)
    progress(1, 2, "正在排版 PDF…")
    handle = tempfile.TemporaryFile()
    handle.write(monthly.monthly_pdf(summary))
    handle.seek(0)
    return JobOutput(handle, f"{monthly.file_stem(summary)}.pdf")


# --- publishing: render + freeze ----------------------------------------------------------------

@job_kind("monthly_publish", label="发布分析小结")
def prepare_monthly_publish(user, params):
    from .. import monthly
    from ..summaries import Month

    if not monthly.can_publish(user):
        raise PermissionDenied("只有局文明办可以发布分析小结。")
    month = Month.parse(str(params.get("month", "")))
    if month is None:
        raise Http404("没有这个月份")
    unit = _unit_param(user, params["unit"]) if params.get("unit") else None
    bureau = None if unit is not None else _bureau_param(user, params.get("bureau"))
    _check_may_publish(user, unit, bureau)
    return JobSpec(params={"month": str(month), "unit": unit.pk if unit else None,
                           "bureau": bureau.pk if bureau else None},
                   title=f"发布{_scope_name(unit, bureau)}{month.label}分析小结", unit=unit)


def _check_may_publish(user, unit, bureau):
    """A bureau's admin publishes only their own bureau's summary (or one of its units')."""
    allowed = (user.may_act_on_unit(unit) if unit is not None
               else user.is_superuser or (bureau is not None and bureau.pk == user.bureau_id))
    if not allowed:
        raise PermissionDenied("只能发布本局的分析小结。")


@prepare_monthly_publish.runner
def run_monthly_publish(job, progress):
    from .. import monthly
    from ..summaries import Month

    month = Month.parse(job.params["month"])
    unit = get_visible_or_404(Unit, job.user, pk=job.params["unit"]) if job.params.get("unit") else None
    bureau = None if unit is not None else _bureau_param(job.user, job.params.get("bureau"))
    try:
        _check_may_publish(job.user, unit, bureau)
        progress(0, 1, "正在生成并固定 PDF 和 Excel…")
        report = monthly.monthly_publish(user=job.user, month=month, unit=unit, bureau=bureau)
    except PermissionDenied as error:
        raise JobRefused(str(error) or "只能发布本局的分析小结。")
    query = (f"?unit={unit.pk}" if unit
             else f"?bureau={bureau.pk}" if bureau and bureau.pk != job.user.bureau_id else "")
    return JobOutput(result_url=reverse("reports:monthly", args=[month]) + query, file_name=report.title)


@job_kind("bulletin_publish", label="发布督查通报")
def prepare_bulletin_publish(user, params):
    from ledgers.services import bulletins as service

    if not service.can_publish(user):
        raise PermissionDenied("只有局文明办可以发布通报。")
    raw = to_int(params.get("bulletin"))
    if raw is None:
        raise Http404("没有这期通报")
    bulletin = get_visible_or_404(Bulletin, user, pk=raw)
    if not (user.is_superuser or bulletin.bureau_id == user.bureau_id):
        raise PermissionDenied("只能发布本局的通报。")
    if bulletin.is_published:
        raise JobRefused("该通报已经发布。")
    return JobSpec(params={"bulletin": bulletin.pk}, title=f"发布{bulletin.week_label}督查通报", unit=None)


@prepare_bulletin_publish.runner
def run_bulletin_publish(job, progress):
    bulletin = get_visible_or_404(Bulletin, job.user, pk=job.params["bulletin"])
    progress(0, 2, "正在编号并固定通报内容…")
    try:
        bulletin = bulletin_publish_and_freeze(bulletin=bulletin, user=job.user)
    except (ValidationError, PermissionDenied) as error:
        raise JobRefused("；".join(getattr(error, "messages", [str(error)])))
    return JobOutput(result_url=bulletin.get_absolute_url(), file_name=str(bulletin))


def bulletin_pdf_bytes(bulletin):
    from ledgers.services import bulletins as service

    from ..pdf import render_pdf

    return render_pdf("reports/pdf/bulletin.html", {
        "bulletin": bulletin, "doc": service.bulletin_document(bulletin), "BUREAU_NAME": bulletin.bureau.name,
    })


def bulletin_publish_and_freeze(*, bulletin, user):
    """Publish (number + snapshot) and keep the printed PDF as it was handed out."""
    from ledgers.services import bulletins as service

    with transaction.atomic():
        bulletin = service.bulletin_publish(bulletin=bulletin, user=user)
        stamp = f"{timezone.localtime():%Y%m%d%H%M%S}-{get_random_string(8).lower()}"
        report = PublishedReport(kind=ReportKind.BULLETIN, period=f"{bulletin.iso_year}-W{bulletin.iso_week:02d}",
                                 unit=None, title=str(bulletin), published_by=user, bureau=bulletin.bureau)
        report.pdf.save(f"reports/bulletins/{stamp}.pdf", ContentFile(bulletin_pdf_bytes(bulletin)), save=False)
        report.save()
    return bulletin


def frozen_bulletin_pdf(bulletin):
    """The PDF kept when the bulletin was published (None for drafts and older bulletins)."""
    if not bulletin.is_published:
        return None
    return (PublishedReport.objects.filter(kind=ReportKind.BULLETIN, title=str(bulletin), bureau=bulletin.bureau_id,
                                           period=f"{bulletin.iso_year}-W{bulletin.iso_week:02d}")
            .order_by("-published_at").first())


# --- the evaluators' material catalog (测评材料目录) of a whole bureau -------------------------

CATALOG_FORMATS = {"pdf": "PDF", "zip": "ZIP"}


@job_kind("assessment_catalog", label="测评材料目录")
def prepare_assessment_catalog(user, params):
    _bureau_only(user)
    year = _year(params.get("year"))
    bureau = _bureau_param(user, params.get("bureau"))
    fmt = params.get("fmt") if params.get("fmt") in CATALOG_FORMATS else "pdf"
    return JobSpec(params={"year": year.year, "bureau": bureau.pk, "fmt": fmt},
                   title=f"{bureau.name} {year.year}年度测评材料目录（{CATALOG_FORMATS[fmt]}）", unit=None)


@prepare_assessment_catalog.runner
def run_assessment_catalog(job, progress):
    from .. import catalog

    year = _year(job.params["year"])
    bureau = _bureau_param(job.user, job.params.get("bureau"))
    fmt = job.params["fmt"]
    progress(0, 1, f"正在整理{bureau.name}的测评材料目录…")
    handle = tempfile.TemporaryFile()
    build = catalog.catalog_pdf if fmt == "pdf" else catalog.catalog_zip
    build(handle, year=year, bureau=bureau)
    handle.seek(0)
    return JobOutput(handle, f"{bureau.name}-{year.year}年度测评材料目录.{fmt}")
