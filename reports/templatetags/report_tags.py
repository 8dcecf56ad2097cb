"""Formatting of report figures (a rate 0…1 or a percent number, "—" when there is none; a date as
documents print it), and the month summary's unit rows written in Python."""
import datetime

from django import template
from django.utils.safestring import mark_safe

from ledgers.templatetags.units import unit_label
from wenming.l10n import printed

register = template.Library()


@register.filter
def rate(value):
    """0.3333 -> "33.3%"."""
    return "—" if value is None else f"{value * 100:.1f}%"


@register.filter
def percent(value):
    """Decimal("81.3") -> "81.3%"."""
    return "—" if value is None else f"{value}%"


@register.filter
def chinese_date(value):
    """A date as documents print it (GB/T 9704: Arabic numerals): date(2026, 12, 7) or "2026-12-07"
    -> "2026年12月7日"; "" when there is none."""
    if not value:
        return ""
    if isinstance(value, str):
        value = datetime.date.fromisoformat(value)
    return f"{value.year}年{value.month}月{value.day}日"


@register.filter
def figure(comparison, which):
    """A Comparison's current or previous value, formatted for its kind."""
    value = getattr(comparison, which)
    if value is None:
        return "—"
    if comparison.kind == "rate":
        return rate(value)
    if comparison.kind == "percent":
        return percent(value)
    if comparison.kind == "days":
        return f"{value} 天"
    return value


@register.filter
def rank_cell(rank):
    """A rank right-aligned in three digit widths with figure spaces (U+2007), so it can lead a
    table cell instead of taking a column of its own: 7 -> "  7", None -> "  —"."""
    return ("—" if rank is None else str(rank)).rjust(3, "\u2007")


# --- the month summary's unit rows (the HTML preview) --------------------------------------------
# Kept in Python for speed (measured for issue 28): each unit is shown twice (a card for phones, a
# table row for desktops) with ~20 figures, and the page is made again after every write in the
# district. Through the template language the rows took 12 ms of a ~50 ms page for a district's 40
# units and 20 ms of 66 ms for the city's 64 (in Python 2.6 and 5.6 ms); ~100 ms at 330 units.
# The templates they copy: templates/reports/monthly/_unit_cards.html and _unit_table_rows.html;
# tests/reports/monthly/test_unit_rows_html.py renders both ways, in either order, and compares the
# HTML exactly. Change the template and the tag together.

_v = printed  # what `{{ value }}` writes


def _red(flag):
    return " red" if flag else ""


def _veto(r):
    """一票否决 beside a unit's rate when one of its checks failed a 一票否决 item (ranked last)."""
    return f' <small class="red">一票否决 {r.vetoed} 次</small>' if r.vetoed else ""


@register.simple_tag(takes_context=True)
def unit_cards(context, rows):
    out = []
    for r in rows:
        name = _v(unit_label(context, r.unit, unit_id=r.unit_id))
        rank = f"第 {_v(r.rank)} 名" if r.rank else "未排名"
        red_overdue = ' class="red"' if r.problems_overdue else ""
        red_activities = ' class="red"' if not r.activities else ""
        red_tasks = ' class="red"' if r.tasks_overdue else ""
        days = "—" if r.average_close_days is None else _v(r.average_close_days)
        letter = "已签" if r.letter_signed else '<span class="red">未签</span>'
        out.append(
            f'\n  <div class="unit-card{" no-archive" if not r.activities else ""}">\n'
            f'    <div class="unit-card-head"><span class="rank">{rank}</span>\n'
            f'      <span class="name">{name}</span><span class="score">{percent(r.score_rate)}<small>得分率{_veto(r)}</small></span></div>\n'
            f'    <div class="unit-card-figures">\n'
            f'      <span><b>{_v(r.tasks_done)}/{_v(r.tasks_due)}</b>任务完成/到期</span>\n'
            f'      <span><b>{_v(r.problems_open)}</b>未销号问题</span>\n'
            f'      <span{red_overdue}><b>{_v(r.problems_overdue)}</b>逾期问题</span>\n'
            f'      <span{red_activities}><b>{_v(r.activities)}</b>活动档案</span>\n'
            f'    </div>\n'
            f'    <details><summary>全部明细</summary>\n'
            f'      <dl class="unit-card-detail">\n'
            f'        <dt>到期任务</dt><dd>{_v(r.tasks_due)}</dd><dt>完成任务</dt><dd>{_v(r.tasks_done)}</dd>\n'
            f'        <dt>任务完成率</dt><dd>{rate(r.completion_rate)}</dd><dt>累计逾期任务</dt><dd{red_tasks}>{_v(r.tasks_overdue)}</dd>\n'
            f'        <dt>督查次数</dt><dd>{_v(r.checks)}</dd><dt>督查得分率</dt><dd>{percent(r.score_rate)}</dd>\n'
            f'        <dt>发现问题</dt><dd>{_v(r.problems_found)}</dd><dt>销号问题</dt><dd>{_v(r.problems_closed)}</dd>\n'
            f'        <dt>未销号问题</dt><dd>{_v(r.problems_open)}</dd><dt>逾期问题</dt><dd{red_overdue}>{_v(r.problems_overdue)}</dd>\n'
            f'        <dt>平均整改天数</dt><dd>{days}</dd><dt>活动档案</dt><dd>{_v(r.activities)}</dd>\n'
            f'        <dt>活动照片</dt><dd>{_v(r.photos)}</dd><dt>责任书</dt><dd>{letter}</dd>\n'
            f'      </dl>\n'
            f'    </details>\n'
            f'  </div>\n')
    return mark_safe("".join(out))


@register.simple_tag(takes_context=True)
def unit_table_rows(context, rows):
    out = []
    for r in rows:
        name = _v(unit_label(context, r.unit, unit_id=r.unit_id))
        days = "—" if r.average_close_days is None else _v(r.average_close_days)
        letter = "已签" if r.letter_signed else '<span class="red">未签</span>'
        out.append(
            f'\n    <tr{" class=" + chr(34) + "no-archive" + chr(34) if not r.activities else ""}>\n'
            f'      <td class="num pin">{_v(r.rank) if r.rank else "—"}</td><td class="pin pin-2">{name}</td>\n'
            f'      <td class="num">{_v(r.tasks_due)}</td><td class="num">{_v(r.tasks_done)}</td>'
            f'<td class="num">{rate(r.completion_rate)}</td>\n'
            f'      <td class="num{_red(r.tasks_overdue)}">{_v(r.tasks_overdue)}</td>\n'
            f'      <td class="num">{_v(r.checks)}</td><td class="num">{percent(r.score_rate)}{_veto(r)}</td>\n'
            f'      <td class="num">{_v(r.problems_found)}</td><td class="num">{_v(r.problems_closed)}</td>'
            f'<td class="num">{_v(r.problems_open)}</td>\n'
            f'      <td class="num{_red(r.problems_overdue)}">{_v(r.problems_overdue)}</td>\n'
            f'      <td class="num">{days}</td>\n'
            f'      <td class="num">{_v(r.activities)}</td><td class="num">{_v(r.photos)}</td>\n'
            f'      <td>{letter}</td>\n'
            f'    </tr>\n  ')
    return mark_safe("".join(out))

