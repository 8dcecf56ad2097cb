"""Deadlines as bureaus write them in a 完成时限 column.

`parse_deadline(value, year)` returns a `Deadline`: the final date, the frequency and, for
recurring work (每周 / 每月 / 每季度 / 每学期, 学期末), one (label, start, due) per period of the
campaign year — the periods of `ledgers.rules.recurring_periods`, the same whatever made the task.
`year` is the CampaignYear (its semesters) or a year number. Raises ValueError for text that
names no date.

  2026-06-30, 2026.6.30, 2026/6/30, 2026年6月30日前, 6月30日, 6月底, 6月 → that date (month end)
  Excel dates and serial numbers (46203)                            → that date
  上半年 → 6-30, 下半年 / 全年 / 年底 → 12-31, 第二季度 → 6-30
  长期坚持 / 常态化 / 持续                                          → ongoing, 12-31
  每周 → the year's weeks, 每月 → 12 periods, 每季度 → 4, 每学期 / 学期末 → 2 (the campaign
  year's 春季学期 and 秋季学期, ledgers.rules.terms)
"""
import re
from dataclasses import dataclass, field
from datetime import date, datetime

from openpyxl.utils.datetime import from_excel

from .. import rules
from ..models import Frequency

ONGOING_WORDS = ("长期坚持", "长期", "常态化", "常态", "持续", "经常性")
YEAR_END_WORDS = ("全年", "年底", "年末", "年终", "下半年")
TERM_WORDS = ("每学期", "学期末", "期末", "每个学期", "学期")
MONTH_WORDS = ("每月", "每个月", "按月", "月度")
QUARTER_WORDS = ("每季度", "每季", "按季度", "季度末")
WEEK_WORDS = ("每周", "每星期", "按周")
CN_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4}


@dataclass
class Deadline:
    due: date
    frequency: str = Frequency.ONCE
    periods: list = field(default_factory=list)  # [(label, starts, due)]
    text: str = ""

    def describe(self):
        if self.periods:
            return f"{Frequency(self.frequency).label}（{len(self.periods)} 期，首期 {self.periods[0][2]:%m-%d}）"
        if self.frequency == Frequency.ONGOING:
            return f"{Frequency(self.frequency).label}（至 {self.due}）"
        return self.due.isoformat()


month_end = rules.month_end


def periods_for(frequency, year):
    return [(p.label, p.start, p.end) for p in rules.recurring_periods(frequency, year)]


def recurring(frequency, year, text=""):
    periods = periods_for(frequency, year)
    return Deadline(due=periods[-1][2], frequency=frequency, periods=periods, text=text)


def frequency_from(text):
    """A frequency named in text (每月 …), or None."""
    text = re.sub(r"\s+", "", text or "")
    for words, freq in ((MONTH_WORDS, Frequency.MONTHLY), (QUARTER_WORDS, Frequency.QUARTERLY),
                        (TERM_WORDS, Frequency.TERM), (WEEK_WORDS, Frequency.WEEKLY),
                        (ONGOING_WORDS, Frequency.ONGOING), (("一次性", "一次"), Frequency.ONCE)):
        if any(word in text for word in words):
            return freq
    return None


DATE = re.compile(r"(?:(\d{4})\s*[-/.年])?\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2}|底|末|上旬|中旬|下旬|初)?")


def _date_in(text, year):
    match = DATE.search(text)
    if not match:
        return None
    y = int(match.group(1) or year)
    m = int(match.group(2))
    day = match.group(3)
    if not 1 <= m <= 12:
        raise ValueError
    if not day:
        # "6月" alone (or "6月前") means by the month's end; "6-" with nothing after is no date.
        if "月" not in match.group(0):
            return None
        return month_end(y, m)
    named = {"底": None, "末": None, "下旬": None, "上旬": 10, "中旬": 20, "初": 5}
    if day in named:
        return month_end(y, m) if named[day] is None else date(y, m, named[day])
    return date(y, m, int(day))  # ValueError for 2月30日


def parse_deadline(value, campaign_year):
    year = getattr(campaign_year, "year", campaign_year)
    if isinstance(value, datetime):
        return Deadline(due=value.date(), text=value.date().isoformat())
    if isinstance(value, date):
        return Deadline(due=value, text=value.isoformat())
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if 20000 < value < 80000:
            due = from_excel(value)
            due = due.date() if isinstance(due, datetime) else due
            return Deadline(due=due, text=due.isoformat())
        raise ValueError
    text = re.sub(r"\s+", "", str(value or ""))
    if not text:
        raise ValueError
    if re.fullmatch(r"\d{5}(\.0+)?", text) and 20000 < float(text) < 80000:
        return parse_deadline(float(text), year)
    freq = frequency_from(text)
    if freq in Frequency.recurring():
        return recurring(freq, campaign_year, text)
    found = _date_in(text, year)
    if found:
        return Deadline(due=found, frequency=freq or Frequency.ONCE, text=text)
    quarter = re.search(r"第([一二三四1-4])季度", text)
    if quarter:
        q = CN_DIGITS.get(quarter.group(1)) or int(quarter.group(1))
        return Deadline(due=month_end(year, 3 * q), text=text)
    if "上半年" in text:
        return Deadline(due=date(year, 6, 30), text=text)
    if freq == Frequency.ONGOING:
        return Deadline(due=date(year, 12, 31), frequency=freq, text=text)
    if any(word in text for word in YEAR_END_WORDS):
        return Deadline(due=date(year, 12, 31), text=text)
    raise ValueError
