"""The assessment's documents: the bureau ranking and one unit's score sheet (考核得分表) as PDF
and Excel, file names, and the frozen copy (`assessment_publish`), all from the plain data of
`reports.assessment` — nothing here computes a score.
"""
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import get_random_string

from ledgers.models import Unit, UnitKind

from . import assessment, unit_sheet
from ..excel import Column, Formatted, Workbook
from ..models import PublishedReport, ReportKind
from ..pdf import render_pdf

ONE_DECIMAL = "0.0"
TWO_DECIMALS = "0.00"
DATE = "yyyy-mm-dd"


def _n(value):
    return float(value) if isinstance(value, Decimal) else value


# --- file names -----------------------------------------------------------------------------------

def ranking_stem(result):
    kind = f"{UnitKind(result.kind).label}-" if result.kind else ""
    return f"{result.year.year}年度考核排名-{kind}截至{result.as_of:%Y%m%d}"


def sheet_stem(sheet):
    return f"{sheet.unit.name}-{sheet.assessment.year.year}年度考核得分表-截至{sheet.assessment.as_of:%Y%m%d}"


# --- PDF ------------------------------------------------------------------------------------------

def ranking_pdf(result):
    return render_pdf("reports/pdf/assessment_ranking.html", {"result": result, "BUREAU_NAME": result.bureau_name})


def sheet_pdf(sheet):
    return render_pdf("reports/pdf/assessment_sheet.html",
                      {"sheet": sheet, "BUREAU_NAME": sheet.assessment.bureau_name})


# --- Excel ----------------------------------------------------------------------------------------

RANKING_COLUMNS = [
    Column("排名", 6), Column("单位", 28), Column("类别", 8), Column("满分", 8, ONE_DECIMAL),
    Column("指标得分", 9, TWO_DECIMALS), Column("加分", 7, TWO_DECIMALS), Column("扣分", 7, TWO_DECIMALS),
    Column("总分", 9, TWO_DECIMALS), Column("折合得分", 9, ONE_DECIMAL), Column("等次", 8), Column("待评分指标", 10),
]


def ranking_rows(result):
    for r in result.rows:
        yield (r.rank, r.unit, r.kind_label, _n(r.full), _n(r.base), _n(r.bonus), _n(r.penalty), _n(r.total),
               _n(r.percent), r.grade, r.pending)


def matrix(result):
    """Columns and rows of the 指标得分 sheet: one row per unit, one column per scored indicator."""
    leaves = [n for n in result.leaves if n.rule]
    columns = [Column("单位", 28)] + [Column(f"{n.code}（{n.points.normalize():f}）", 10, TWO_DECIMALS)
                                    for n in leaves]

    def rows():
        for r in result.rows:
            out = [r.unit]
            for n in leaves:
                cell = r.cells.get(n.indicator_id)
                out.append(_n(cell.score) if cell and cell.counted else (cell.status if cell else ""))
            yield out
    return columns, rows()


def ranking_workbook(result):
    book = Workbook()
    heading = f"{result.title}排名（截至 {result.as_of:%Y-%m-%d}{'，模拟测评' if result.is_mock else ''}）"
    book.add_table_sheet("排名", RANKING_COLUMNS, ranking_rows(result), heading=heading)
    columns, rows = matrix(result)
    book.add_table_sheet("指标得分", columns, rows, heading=f"{result.title} 各指标得分")
    return book.close()


SHEET_COLUMNS = [Column("编号", 8), Column("测评项目", 30, wrap=True), Column("分值", 7, TWO_DECIMALS),
                 Column("评分规则", 14), Column("满分", 7, TWO_DECIMALS), Column("得分", 7, TWO_DECIMALS),
                 Column("失分", 7, TWO_DECIMALS), Column("情况", 40, wrap=True)]
EVIDENCE_COLUMNS = [Column("编号", 8), Column("类别", 10), Column("记录", 40, wrap=True), Column("日期", 12, DATE),
                    Column("是否计入", 9), Column("说明", 40, wrap=True)]
ACTION_COLUMNS = [Column("编号", 8), Column("失分提示", 70, wrap=True), Column("可补救", 8)]


def sheet_rows(sheet):
    for node, cell, _evidence in sheet.tree:
        if cell is None:
            yield (node.code, node.title, _n(node.points), node.rule_label, None, None, None, "")
            continue
        if cell.counted or (not node.is_leaf and cell.full):
            yield (node.code, node.title, _n(node.points), node.rule_label, _n(cell.full), _n(cell.score),
                   _n(cell.lost), cell.detail)
        else:
            yield (node.code, node.title, _n(node.points), node.rule_label, None, None, None, cell.status)
    row = sheet.row
    yield ("", "指标得分合计", None, "", _n(row.full), _n(row.base), _n(row.lost), "")
    yield ("", "加分", None, "", None, _n(row.bonus), None, "")
    yield ("", "扣分", None, "", None, Formatted(-_n(row.penalty), TWO_DECIMALS), None, "")
    yield ("", "总分", None, "", _n(row.full), _n(row.total), None, "")
    yield ("", "折合得分", None, "", 100, Formatted(_n(row.percent), ONE_DECIMAL), None, row.grade)


def sheet_workbook(sheet):
    book = Workbook()
    # A scored tree with its totals at the foot: no filter.
    book.add_table_sheet("得分表", SHEET_COLUMNS, sheet_rows(sheet),
                         heading=f"{sheet.title}（截至 {sheet.assessment.as_of:%Y-%m-%d}）", list_sheet=False)
    codes = {n.indicator_id: n.code for n in sheet.assessment.nodes}
    evidence = ((codes[e.indicator_id], e.what, e.title, e.date, "是" if e.counted else "否", e.note)
                for n in sheet.assessment.nodes for e in sheet.evidence.get(n.indicator_id, []))
    book.add_table_sheet("佐证记录", EVIDENCE_COLUMNS, evidence, heading=f"{sheet.title} 佐证记录")
    book.add_table_sheet("失分提示", ACTION_COLUMNS, ((a.code, a.text, "是" if a.fixable else "否")
                                                   for a in sheet.actions), heading=f"{sheet.title} 失分提示")
    return book.close()


# --- publish / freeze -----------------------------------------------------------------------------

def can_publish(user, bureau=None, unit=None):
    """Only the admin of the bureau itself publishes its ranking (or one of its units' sheets)."""
    if not (user.is_authenticated and user.is_bureau_admin):
        return False
    if unit is not None and not user.may_act_on_unit(unit):
        return False
    return bureau is None or user.is_superuser or user.owning_bureau().pk == bureau.pk


def assessment_publish(*, user, year, unit=None, as_of=None, kind="", bureau=None):
    """Render the ranking (or one unit's sheet) once and keep PDF and Excel with who and when."""
    bureau = unit.bureau if unit is not None else (bureau or user.owning_bureau())
    if not can_publish(user, bureau, unit):
        raise PermissionDenied("只有本局文明办可以发布本局的考核结果。")
    if unit is not None:
        sheet = unit_sheet(year, unit, as_of=as_of)
        pdf, xlsx, title = sheet_pdf(sheet), sheet_workbook(sheet), sheet.title
        as_of = sheet.assessment.as_of
    else:
        result = assessment(year, as_of=as_of, units=Unit.objects.visible_to(user), kind=kind, bureau=bureau)
        pdf, xlsx, title = ranking_pdf(result), ranking_workbook(result), f"{result.title}排名"
        as_of = result.as_of
    title = f"{title}（截至{as_of:%Y年%-m月%-d日}）"
    stamp = f"{timezone.localtime():%Y%m%d%H%M%S}-{get_random_string(8).lower()}"
    folder = f"reports/assessment/{year.year}/"
    with transaction.atomic():
        report = PublishedReport(kind=ReportKind.ASSESSMENT, period=str(year.year), unit=unit, title=title,
                                 published_by=user, bureau=bureau)
        report.pdf.save(f"{folder}{stamp}.pdf", ContentFile(pdf), save=False)
        report.xlsx.save(f"{folder}{stamp}.xlsx", ContentFile(xlsx), save=False)
        report.full_clean()
        report.save()
    return report
