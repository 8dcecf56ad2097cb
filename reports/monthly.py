"""Rendering and publishing the monthly summary: charts, the PDF, file names, and the frozen
copy handed out at a meeting (`monthly_publish`).

The figures come from `reports.summaries.monthly_summary`; nothing here computes a figure.
"""
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import get_random_string
from django.utils.functional import SimpleLazyObject

from ledgers import rules
from ledgers.files import remove_on_rollback
from ledgers.services import notifications

from .charts import bar_chart as draw_bar_chart
from .models import PublishedReport, ReportKind
from .monthly_excel import monthly_workbook
from .pdf import CHART_FONT, render_pdf
from .summaries import monthly_summary

CHART_UNITS = 15
PDF_PROBLEMS = 50


def charts_for(summary, *, links=False):
    """SVG charts of the summary. links=True is the web page: each bar opens the list behind it,
    and each chart also has its phone layout (reports.charts, responsive). The PDF (links=False)
    gets the print layout only."""
    # The list behind a bar keeps to what the summary covers: one unit, or the district a city
    # user drilled into (?bureau=); the city's own summary covers every district.
    scope = {}
    if summary.unit is not None:
        scope = {"unit": summary.unit.pk}
    elif summary.bureau is not None and not summary.bureau.is_city:
        scope = {"bureau": summary.bureau.pk}

    def problems_href(**query):
        if not links:
            return None
        query = {**scope, **query}
        return reverse("ledgers:problem_list") + ("?" if query else "") + "&".join(
            f"{k}={v}" for k, v in query.items())

    def bar_chart(*args, **kwargs):
        if not links:
            kwargs["font"] = CHART_FONT
        return draw_bar_chart(*args, responsive=links, **kwargs)

    ranking = summary.ranking[:CHART_UNITS]
    t = summary.totals
    charts = {
        # A unit with a 一票否决 failure is ranked last whatever its rate: its bar says why.
        "ranking": bar_chart([(f"{r.unit}（一票否决）" if r.vetoed else r.unit, r.score_rate) for r in ranking],
                             max_value=100, suffix="%", decimals=1, label_width=210,
                             title=f"督查平均得分率（前 {len(ranking)} 名）" if len(summary.rows) > 1 else "督查平均得分率"),
        "problems": bar_chart([
            ("本月发现", t.problems_found, problems_href()),
            ("本月销号", t.problems_closed, problems_href(status="closed")),
            ("未销号", t.problems_open, problems_href()),
            ("逾期未整改", t.problems_overdue, problems_href(overdue=1)),
        ], title="问题整改情况（项）"),
    }
    if len(summary.rows) > CHART_UNITS:
        # For the PDF at city scale: the top-15 chart repeats the first rows of the ranking table
        # (and every bar is costly text for WeasyPrint); the mean per kind of unit says more.
        by_kind = {}
        for r in summary.rows:
            if r.score_rate is not None:
                by_kind.setdefault(r.kind, []).append(r.score_rate)
        charts["kinds"] = bar_chart(
            [(kind, rules.round_rate(sum(rates) / len(rates))) for kind, rates in sorted(by_kind.items())],
            max_value=100, suffix="%", decimals=1, title="各类单位督查平均得分率（按单位平均）")
    busiest = sorted((r for r in summary.rows if r.activities), key=lambda r: (-r.activities, r.unit))[:CHART_UNITS]
    if len(summary.rows) > 1 and busiest:
        charts["activities"] = bar_chart([(r.unit, r.activities) for r in busiest], title="活动档案建档数（前列单位）")
    return charts


def document_context(summary, *, links=False, problems=PDF_PROBLEMS):
    """What the PDF template (and, with links, the page's tables) needs: the summary, charts, and
    the bounded problem list. Charts, rows and list are worked out when first used (the page's
    tables may come from the cache instead: {% versioned %})."""
    return {
        "summary": summary, "BUREAU_NAME": summary.bureau_name or settings.BUREAU_NAME,
        "charts": SimpleLazyObject(lambda: charts_for(summary, links=links)),
        "problems": SimpleLazyObject(lambda: summary.open_problems[:problems]),
        "more_problems": max(len(summary.open_problems) - problems, 0),
        "ranked_rows": SimpleLazyObject(lambda: sorted(summary.rows, key=lambda r: (r.rank is None, r.rank or 0))),
    }


def monthly_pdf(summary):
    return render_pdf("reports/pdf/monthly.html", document_context(summary))


def file_stem(summary):
    """"2026年11月分析小结" or "郾城区第一实验小学-2026年11月分析小结"."""
    stem = f"{summary.month.label}分析小结"
    return f"{summary.unit.name}-{stem}" if summary.unit else stem


def can_publish(user):
    return user.is_authenticated and user.is_bureau_admin


def monthly_publish(*, user, month, unit=None, bureau=None):
    """Render the month's PDF and Excel once and keep them with who and when.

    A bureau admin publishes their own bureau's summary (or one of its units')."""
    if not can_publish(user):
        raise PermissionDenied("只有局文明办可以发布分析小结。")
    bureau = unit.bureau if unit is not None else bureau or user.owning_bureau()
    if not user.is_superuser and bureau.pk != user.bureau_id:
        raise PermissionDenied("只能发布本局的分析小结。")
    summary = monthly_summary(month, unit=unit, bureau=bureau)
    pdf, xlsx = monthly_pdf(summary), monthly_workbook(summary)
    stamp = f"{timezone.localtime():%Y%m%d%H%M%S}-{get_random_string(8).lower()}"
    folder = f"reports/{month}/"
    with transaction.atomic():
        report = PublishedReport(kind=ReportKind.MONTHLY, period=str(month), unit=unit, title=summary.title,
                                 published_by=user, bureau=bureau)
        report.pdf.save(f"{folder}{stamp}.pdf", ContentFile(pdf), save=False)
        report.xlsx.save(f"{folder}{stamp}.xlsx", ContentFile(xlsx), save=False)
        remove_on_rollback(report.pdf.storage, [report.pdf.name, report.xlsx.name])
        report.full_clean()
        report.save()
        # Leaders and admins hear of it once the report is committed (ledgers' notification service).
        url = reverse("reports:monthly", args=[month]) + (f"?unit={unit.pk}" if unit else f"?bureau={bureau.pk}")
        notifications.after_commit(notifications.monthly_published, report_id=report.pk, title=summary.title,
                                   url=url, bureau_id=bureau.pk, unit_id=unit.pk if unit else None)
    return report
