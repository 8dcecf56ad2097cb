"""The month summary's unit rows as a reader sees them: the preview's table (desktop) and cards
(phone), and the PDF's ranking, with every figure of the November in conftest.py."""
import re
from html import unescape
from html.parser import HTMLParser

from ledgers.models import Unit

from .test_monthly_outputs import pdf_text

URL = "/reports/monthly/2026-11/"


class _Rows(HTMLParser):
    """[(the row's class, [(cell text, cell class), ...]), ...] of the <tbody> of one table."""

    def __init__(self, testid):
        super().__init__()
        self.testid, self.inside, self.rows, self.cell = testid, False, [], None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table":
            self.inside = attrs.get("data-testid") == self.testid
        elif self.inside and tag == "tr":
            self.rows.append((attrs.get("class", ""), []))
        elif self.inside and tag == "td":
            self.cell = [attrs.get("class", ""), ""]
        elif self.cell and tag == "span" and "red" in (attrs.get("class") or ""):
            self.cell[0] += " red-text"

    def handle_data(self, data):
        if self.cell:
            self.cell[1] += data

    def handle_endtag(self, tag):
        if tag == "td" and self.cell:
            self.rows[-1][1].append((self.cell[1].strip(), self.cell[0]))
            self.cell = None
        elif tag == "table":
            self.inside = False


def rows_of(html, testid):
    parser = _Rows(testid)
    parser.feed(html)
    return [row for row in parser.rows if row[1]]  # the header rows have <th> only


def cards_of(html):
    """{unit name: (rank, score, {detail: (figure, red)}, no-archive)} of the phone's cards."""
    cards = {}
    for no_archive, card in re.findall(r'<div class="unit-card( no-archive)?">(.*?)</details>', html, re.S):
        name = unescape(re.search(r'<span class="name">([^<]*)</span>', card)[1])
        details = {dt: (unescape(re.sub(r"<[^>]+>", "", dd)), "red" in attrs + dd)
                   for dt, attrs, dd in re.findall(r"<dt>([^<]+)</dt><dd([^>]*)>(.*?)</dd>", card)}
        cards[name] = (re.search(r'<span class="rank">([^<]+)</span>', card)[1],
                       re.search(r'<span class="score">([^<]+)<small>', card)[1], details, bool(no_archive))
    return cards


# Each unit's row as the desktop table shows it (R: the cell is red).
R = "red"
ROWS = [
    ("", ["1", "郾城区第一实验小学", "2", "1", "50.0%", ("1", R), "2", "85.0%", "2", "1", "1", ("1", R), "3.0", "2",
          "4", "已签"]),
    ("no-archive", ["1", "郾城区第二实验小学", "1", "0", "0.0%", ("2", R), "1", "85.0%", "2", "1", "2", ("1", R), "4.0",
                    "0", "0", ("未签", R)]),
    ("no-archive", ["3", "局办公室（文明办）", "0", "0", "—", "0", "1", "70.0%", "0", "0", "0", "0", "—", "0", "0", "已签"]),
    ("no-archive", ["—", "郾城区第三<实验>小学&", "0", "0", "—", "0", "0", "—", "0", "0", "0", "0", "—", "0", "0",
                    ("未签", R)]),
    ("no-archive", ["—", "督导室", "0", "0", "—", "0", "0", "—", "0", "0", "0", "0", "—", "0", "0", ("未签", R)]),
]
COLUMNS = ["排名", "单位", "到期任务", "完成任务", "任务完成率", "累计逾期任务", "督查次数", "督查得分率", "发现问题", "销号问题",
           "未销号问题", "逾期问题", "平均整改天数", "活动档案", "活动照片", "责任书"]


def shown(rows):
    """The rows above as (row class, [(text, red or "")])."""
    return [(cls, [cell if isinstance(cell, tuple) else (cell, "") for cell in cells]) for cls, cells in rows]


def as_read(rows):
    return [(cls, [(text, R if "red" in css else "") for text, css in cells]) for cls, cells in rows]


def odd_name(november):
    Unit.objects.filter(pk=november["C"].pk).update(name="郾城区第三<实验>小学&")


def test_the_table_shows_each_units_figures_and_what_is_red(november, fixed_today, client_for, inspector):
    odd_name(november)
    html = client_for(inspector).get(URL).content.decode()
    assert as_read(rows_of(html, "unit-table")) == shown(ROWS)
    assert "郾城区第三&lt;实验&gt;小学&amp;" in html


def test_each_phone_card_shows_its_units_row(november, fixed_today, client_for, inspector):
    odd_name(november)
    html = client_for(inspector).get(URL).content.decode()
    cards = cards_of(html[html.index('data-testid="unit-cards"'):html.index('data-testid="unit-table"')])
    assert list(cards) == [cells[1] for _, cells in ROWS]
    for cls, cells in shown(ROWS):
        rank, score, details, no_archive = cards[cells[1][0]]
        assert rank == (f"第 {cells[0][0]} 名" if cells[0][0] != "—" else "未排名")
        assert score == cells[7][0] and no_archive == (cls == "no-archive")
        assert details == {column: (text, red == R) for column, (text, red) in zip(COLUMNS[2:], cells[2:])}


def test_a_city_user_reads_each_units_district(november, fixed_today, client_for, city_inspector):
    odd_name(november)
    html = client_for(city_inspector).get(URL).content.decode()
    names = [cells[1][0] for _, cells in rows_of(html, "unit-table")]
    assert names == ["郾城区第一实验小学（郾城区）", "郾城区第二实验小学（郾城区）", "局办公室（文明办）（郾城区）", "市教育局文明办",
                     "郾城区第三<实验>小学&（郾城区）", "督导室（郾城区）"]
    assert list(cards_of(html[html.index('data-testid="unit-cards"'):])) == names


def test_the_pdf_ranks_every_unit_with_its_figures(november, fixed_today, client_for, inspector):
    odd_name(november)
    text, _ = pdf_text(client_for(inspector).get("/reports/monthly/2026-11.pdf").content)
    lines = [line.strip() for line in text.splitlines()]
    assert [line for line in lines if "\u3000" in line and not line.startswith("名次")] == [
        "1\u3000郾城区第一实验小学 85.0 / 85.0% 50.0% 2 / 1 / 1 2 / 4",
        "1\u3000郾城区第二实验小学（责任书未签） 17.0 / 85.0% 0.0% 2 / 1 / 1 0 / 0",
        "3\u3000局办公室（文明办） 70.0 / 70.0% — 0 / 0 / 0 0 / 0",
        "—\u3000郾城区第三<实验>小学&（责任书未签） — — 0 / 0 / 0 0 / 0",
        "—\u3000督导室（责任书未签） — — 0 / 0 / 0 0 / 0",
    ]
