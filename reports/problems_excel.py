"""Excel export of the rectification ledger (问题整改台账).

Rows are streamed from the database in chunks into a write-only workbook, so a year's ledger
(tens of thousands of problems) never sits in memory as model instances all at once.
"""
from django.utils import timezone

from .excel import Column, add_table_sheet, new_workbook, workbook_bytes

COLUMNS = [
    Column("序号", 6), Column("单位", 24), Column("发现日期", 12, "yyyy-mm-dd"), Column("周次", 14),
    Column("督查类型", 12), Column("测评指标", 24, wrap=True), Column("问题描述", 40, wrap=True),
    Column("整改时限", 12, "yyyy-mm-dd"), Column("状态", 8), Column("是否逾期", 8),
    Column("整改情况", 36, wrap=True), Column("整改人", 10), Column("复查意见", 30, wrap=True),
    Column("销号人", 10), Column("销号时间", 17, "yyyy-mm-dd hh:mm"),
]


def _name(user):
    return user.display_name if user else ""


def problem_rows(problems, today=None):
    today = today or timezone.localdate()
    for number, p in enumerate(problems.iterator(chunk_size=2000), start=1):
        yield [
            number, p.unit.name, p.found_on, p.week_label, p.kind_label,
            str(p.indicator) if p.indicator_id else "", p.description, p.deadline, p.get_status_display(),
            "是" if p.is_overdue(today) else "否", p.rectification, _name(p.rectified_by), p.recheck_note,
            _name(p.closed_by), p.closed_at,
        ]


def problems_workbook(problems, title="问题整改台账"):
    wb = new_workbook()
    heading = f"{title}（导出时间 {timezone.localtime():%Y-%m-%d %H:%M}）"
    add_table_sheet(wb, "整改台账", COLUMNS, problem_rows(problems), heading=heading)
    return workbook_bytes(wb)
