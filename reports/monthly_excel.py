"""The monthly summary as an Excel workbook: one sheet per table (汇总, 单位明细, 未销号问题,
活动档案, 督导组, 问责, and 问卷调查 when a round ran in the month), written from the same `MonthlySummary` as the PDF and the HTML preview.

Rates are real numbers with a percent format, dates real dates, counts numbers; user text
that looks like a formula stays text (reports.excel). Written by XlsxWriter in constant-memory
mode (`reports.excel.Workbook`), like every export.
"""
from decimal import Decimal

from .excel import Column, Formatted, Workbook
from .summaries import archived_activities

PERCENT = "0.0%"
ONE_DECIMAL = "0.0"
DATE = "yyyy-mm-dd"

SUMMARY_COLUMNS = [Column("项目", 18), Column("本月", 12), Column("上月", 12), Column("变化", 8)]

UNIT_COLUMNS = [
    Column("序号", 6), Column("单位", 28), Column("类别", 8),
    Column("到期任务", 9), Column("已完成", 8), Column("完成率", 9, PERCENT), Column("累计逾期任务", 12),
    Column("督查次数", 9), Column("平均得分", 9, ONE_DECIMAL), Column("得分率", 9, PERCENT), Column("排名", 6),
    Column("发现问题", 9), Column("销号问题", 9), Column("未销号", 8), Column("逾期问题", 9),
    Column("平均整改天数", 12, ONE_DECIMAL), Column("活动档案", 9), Column("活动照片", 9), Column("责任书已签订", 12),
    Column("一票否决", 9),
]

PROBLEM_COLUMNS = [
    Column("序号", 6), Column("单位", 28), Column("问题描述", 48, wrap=True), Column("来源", 12),
    Column("测评指标", 10), Column("发现日期", 12, DATE), Column("整改时限", 12, DATE), Column("状态", 14),
    Column("逾期天数", 9),
]

ACTIVITY_COLUMNS = [
    Column("单位", 28), Column("活动名称", 36, wrap=True), Column("活动类别", 14), Column("活动日期", 12, DATE),
    Column("活动地点", 20), Column("参加人员", 20), Column("组织者", 16), Column("照片数", 8), Column("状态", 8),
    Column("已上传文明网", 12), Column("上传日期", 12, DATE),
]


def _number(value):
    """Decimal → float so the cell is a number; None stays an empty cell."""
    return float(value) if isinstance(value, Decimal) else value


def _percent(value):
    """Rates are kept 0…1 in cells (shown as %); score rates come as percent numbers."""
    return None if value is None else float(value) / 100


FORMATS = {"rate": PERCENT, "percent": PERCENT, "days": ONE_DECIMAL}


def _comparison_cell(comparison, value):
    value = _percent(value) if comparison.kind == "percent" else _number(value)
    return Formatted(value, FORMATS.get(comparison.kind))


def summary_rows(summary):
    t = summary.totals
    yield ("单位数", t.units, None, "")
    for c in summary.comparisons:
        yield (c.label, _comparison_cell(c, c.current), _comparison_cell(c, c.previous), c.direction)
    yield ("本月未建档单位", t.units_without_activities, summary.previous.units_without_activities, "")
    yield ("责任书已签订单位", t.letters_signed, None, "")
    for r in summary.surveys:
        yield (f"问卷知晓率（{r.survey.title}）", Formatted(_percent(r.total.rate), PERCENT), None, "")


def unit_rows(summary):
    for number, r in enumerate(summary.rows, start=1):
        yield (number, r.unit, r.kind, r.tasks_due, r.tasks_done, r.completion_rate, r.tasks_overdue,
               r.checks, _number(r.average_score), _percent(r.score_rate), r.rank,
               r.problems_found, r.problems_closed, r.problems_open, r.problems_overdue,
               _number(r.average_close_days), r.activities, r.photos, "是" if r.letter_signed else "否", r.vetoed)


def problem_rows(summary):
    for number, p in enumerate(summary.open_problems, start=1):
        yield (number, p.unit, p.description, p.source, p.indicator, p.found_on, p.deadline, p.status,
               p.overdue_days)


GROUP_COLUMNS = [Column("督导组", 16), Column("督查频次", 9), Column("组员", 24, wrap=True), Column("包督查单位", 10),
                 Column("本月已督查", 10), Column("发现问题", 9), Column("销号问题", 9), Column("逾期问题", 9),
                 Column("本月未督查的单位", 40, wrap=True)]

CASE_COLUMNS = [Column("序号", 6), Column("单位", 28), Column("情形", 16), Column("提示日期", 12, DATE),
                Column("问责事由", 48, wrap=True), Column("处理情况", 48, wrap=True), Column("状态", 9),
                Column("办结情况", 30, wrap=True)]


def group_rows(summary):
    for g in summary.groups:
        yield (g.name, g.rhythm, g.members, g.units, g.covered, g.problems_found, g.problems_closed, g.problems_overdue,
               "、".join(g.uncovered))


def case_rows(cases):
    for number, c in enumerate(cases, start=1):
        yield (number, c.unit, c.kind, c.raised_on, c.reason, "\n".join(c.actions), c.status, c.closing)


SURVEY_COLUMNS = [
    Column("问卷", 30, wrap=True), Column("单位", 28), Column("答卷", 8), Column("知晓", 8), Column("知晓率", 9, PERCENT),
    Column("平均正确率", 11, PERCENT), Column("最少样本", 9), Column("样本不足", 9),
]


def survey_rows(summary):
    """One row per round and unit: the figures of ledgers.survey_rules as of the month's end."""
    for r in summary.surveys:
        for u in r.units:
            yield (r.survey.title, u.unit, u.sample, u.passed, _percent(u.rate), _percent(u.mean), u.minimum,
                   "" if u.enough else "是")


def monthly_workbook(summary):
    book = Workbook()
    book.add_table_sheet("汇总", SUMMARY_COLUMNS, summary_rows(summary),
                         heading=f"{summary.title}（截至 {summary.as_of:%Y-%m-%d}）", list_sheet=False)
    book.add_table_sheet("单位明细", UNIT_COLUMNS, unit_rows(summary), heading=f"{summary.title} 单位明细")
    book.add_table_sheet("未销号问题", PROBLEM_COLUMNS, problem_rows(summary),
                         heading=f"{summary.title} 未销号问题（{len(summary.open_problems)} 项）")
    book.add_table_sheet("活动档案", ACTIVITY_COLUMNS, archived_activities(summary.month, summary.unit),
                         heading=f"{summary.title} 活动档案")
    if summary.groups:
        book.add_table_sheet("督导组", GROUP_COLUMNS, group_rows(summary), heading=f"{summary.title} 督导组包督查情况")
    if summary.accountability or summary.groups:  # as the page and the PDF: a bureau using neither has no sheet
        book.add_table_sheet("问责", CASE_COLUMNS, case_rows(summary.accountability),
                             heading=f"{summary.title} 问责情况（{len(summary.accountability)} 项）")


    if summary.surveys:
        book.add_table_sheet("问卷调查", SURVEY_COLUMNS, survey_rows(summary),
                             heading=f"{summary.title} 问卷调查知晓率（截至 {summary.as_of:%Y-%m-%d}）")
    return book.close()
