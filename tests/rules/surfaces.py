"""Every surface that shows one of the published figures, and how a user reads it there.

`SURFACES` is the registry the cross-surface test iterates (tests/rules/test_cross_surface.py):
each surface names the templates and renderers it is made from (`covers`) and reads its figures
the way a user would — the page's text, the text extracted from the PDF, the reloaded Excel cells,
the stored messages. tests/rules/test_surface_registry.py fails when a template or renderer shows
one of the figures' labels (`LABELS`) and no surface here covers it: a new page that shows 逾期
joins this test, or says in `NOT_FIGURES` why it needs not.
"""
import io
import re
from dataclasses import dataclass, field

import cssselect2
import tinyhtml5
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

# The labels of the published figures: a file that shows one of them shows a figure.
LABELS = ["逾期", "待复查", "得分率", "已签订", "待确认", "建档", "本周督查", "通报批评"]


@dataclass
class Surface:
    name: str
    covers: list  # templates (under templates/) and Python renderers (module paths) it is made from
    collect: object  # (scenario, client_for) -> {figure: value}
    roles: list = field(default_factory=list)


# --- reading what a user reads ------------------------------------------------------------------

def page(client, url):
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


def texts(html, selector):
    root = cssselect2.ElementWrapper.from_html_root(tinyhtml5.parse(html))
    return [squash("".join(e.etree_element.itertext())) for e in root.query_all(selector)]


def text_of(html):
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return squash(re.sub(r"<[^>]+>", " ", html))


def squash(text):
    return re.sub(r"\s+", " ", text).strip()


def number(pattern, text):
    """The first number `pattern` captures in `text`; a space in the pattern stands for any spacing."""
    match = re.search(pattern.replace(" ", r"\s*"), text)
    return None if match is None else (float(match.group(1)) if "." in match.group(1) else int(match.group(1)))


def says(text, *phrases):
    """Whether `text` holds every phrase, wherever a printed line broke it."""
    flat = re.sub(r"\s+", "", text)
    return all(phrase in flat for phrase in phrases)


def pdf_text(data):
    return squash(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages))


def sheets(data):
    book = load_workbook(io.BytesIO(data), read_only=True)
    return {ws.title: [list(row) for row in ws.iter_rows(values_only=True)] for ws in book.worksheets}


def header_row(rows, first):
    """(index, header) of the row whose first cell is `first`."""
    for i, row in enumerate(rows):
        if row and row[0] == first:
            return i, row
    raise AssertionError(f"no header row {first!r}")


def problem_key(description):
    match = re.match(r"(P\d)", description or "")
    return match.group(1) if match else None


# --- the surfaces ---------------------------------------------------------------------------------

def task_matrix(s, client_for):
    client = client_for(s.users["admin"])
    overdue = page(client, reverse("ledgers:task_matrix") + "?status=overdue")
    titles = sorted(t for t in texts(overdue, "[data-testid=task-matrix] tbody td.task-col a") if t)
    matrix = page(client, reverse("ledgers:task_matrix"))
    row = next((r for r in _table_rows(matrix, "[data-testid=task-matrix] tbody tr")
                if s.tasks["monthly"].title in r[0]), [])
    detail = text_of(page(client, s.tasks["monthly"].get_absolute_url()))
    assignment = next(a for a in s.tasks["monthly"].assignments.all() if a.unit_id == s.units["A"].pk)
    mine = text_of(page(client_for(s.users["liaison"]), assignment.get_absolute_url()))
    missed = f"{s.missed_month}月" if s.missed_month else None
    return {
        "只看逾期": titles,
        "每月任务·单元格": [cell for cell in row[1:] if cell],
        "任务页·逾期": detail.count("逾期"),
        "落实页·未报": bool(missed and re.search(rf"(?<!\d){missed} \d\d-\d\d 未报", mine)),
    }


def activities(s, client_for):
    def month_count(user):
        panel = " ".join(texts(page(client_for(user), reverse("home")), "[data-testid=panel-activities]"))
        return number(r"本月已建档 (\d+) 项", panel)

    stats = page(client_for(s.users["admin"]), reverse("ledgers:activity_stats"))
    rows = {r[0]: r for r in _table_rows(stats, "table tbody tr") if len(r) >= 4}
    home = " ".join(texts(page(client_for(s.users["admin"]), reverse("home")), "[data-testid=panel-activities]"))
    return {
        "A·首页本月已建档": month_count(s.users["liaison"]), "B·首页本月已建档": month_count(s.users["liaison2"]),
        "统计·A": int(rows[s.units["A"].name][1]), "统计·B": int(rows[s.units["B"].name][1]),
        "局首页·未建档单位": number(r"本月未建档单位 (\d+) 个", home),
    }


def problem_export(s, client_for):
    response = client_for(s.users["admin"]).get(reverse("reports:problem_export"))
    rows = next(iter(sheets(response.content).values()))
    start, header = header_row(rows, "序号")
    return {"是否逾期": {problem_key(r[6]): r[9] for r in rows[start + 1:] if r and problem_key(r[6])}}


def liaison_home(s, client_for):
    html = page(client_for(s.users["liaison"]), reverse("home"))
    problems = " ".join(texts(html, "[data-testid=panel-problems]"))
    tasks = " ".join(texts(html, "[data-testid=panel-my-tasks]"))
    month = " ".join(texts(html, "[data-testid=panel-month]"))
    letter = " ".join(texts(html, "[data-testid=panel-letter]"))
    return {
        "待整改": number(r"待整改问题（(\d+)）", problems),
        "待整改·逾期": number(r"逾期 (\d+)", problems) or 0,
        "待复查": number(r"待复查（(\d+)）", problems),
        "我的任务·逾期": number(r"逾期 (\d+) 项", tasks) or 0,
        "本月·逾期": number(r"逾期 (\d+)", month),
        "责任书": "待确认" if "待确认" in letter or "等待局文明办确认" in letter else (letter[:20] or None),
    }


def my_tasks(s, client_for):
    html = page(client_for(s.users["liaison"]), reverse("ledgers:my_tasks"))
    rows = texts(html, "[data-testid=my-tasks] .list-group-item")
    monthly = next((r for r in rows if s.tasks["monthly"].title in r), "")
    missed = f"{s.missed_month}月" if s.missed_month else None
    return {
        "每月任务·逾期": "逾期" in monthly,
        "每月任务·未报": bool(missed and re.search(rf"(?<!\d){missed}\s*未报", monthly)),
        "每月任务·还剩": "还剩" in monthly,
    }


def problem_list(s, client_for):
    url = reverse("ledgers:problem_list") + "?overdue=on"
    liaison = page(client_for(s.users["liaison"]), url)
    bureau = page(client_for(s.users["admin"]), url)

    def keys(html):
        return sorted(k for k in (problem_key(t) for t in texts(html, "[data-testid=problem-table] tbody td a")) if k)

    return {"只看逾期·A": keys(liaison), "只看逾期·局": keys(bureau)}


def problem_page(s, client_for):
    client = client_for(s.users["liaison"])
    p3 = text_of(page(client, s.problems["P3"].get_absolute_url()))
    p1 = text_of(page(client, s.problems["P1"].get_absolute_url()))
    return {"P3·整改时限": f"{s.problems['P3'].deadline:%Y-%m-%d}" in p3, "P3·逾期天数": number(r"逾期 (\d+) 天", p3),
            "P1·逾期": "逾期" in p1.split("整改前照片")[0]}


def bureau_home(s, client_for):
    html = page(client_for(s.users["admin"]), reverse("home"))
    checks = " ".join(texts(html, "[data-testid=panel-checks]"))
    tasks = " ".join(texts(html, "[data-testid=panel-tasks]"))
    return {
        "本周督查": number(r"本周督查（第\d+周） (\d+)", checks),
        "逾期未整改": number(r"逾期未整改 (\d+)", checks),
        "待复查超时": number(r"待复查超过 \d+ 天 (\d+)", checks),
        "逾期任务": number(r"逾期未完成的任务 (\d+)", tasks),
        "未签订责任书": number(r"未签订的目标责任书 (\d+)", tasks),
    }


def dashboard(s, client_for):
    html = page(client_for(s.users["admin"]), reverse("reports:dashboard"))
    figures = " ".join(texts(html, "[data-testid=figures]"))
    return {"逾期未整改": number(r"(\d+) 逾期未整改", figures),
            "待复查超时": number(r"待复查超过 \d+ 天 (\d+) 个", figures)}


def _month(s):
    return f"{s.today:%Y-%m}"


def month_page(s, client_for):
    html = page(client_for(s.users["admin"]), reverse("reports:monthly", args=[_month(s)]))
    rows = {}
    for cells in _table_rows(html, "[data-testid=unit-table] tbody tr"):
        if len(cells) >= 16:
            rows[cells[1]] = cells
    a, b, c, unit_s = (rows[s.units[k].name] for k in "ABCS")
    problems = {problem_key(r[2]): r[5] for r in _table_rows(html, "[data-testid=open-problems] tbody tr")}
    notes = " ".join(texts(html, "[data-testid=notes]"))
    return {
        "A·逾期问题": int(a[11]), "A·逾期任务": int(a[5]), "A·活动档案": int(a[13]), "A·得分率": a[7],
        "A·责任书": a[15], "B·得分率": b[7].split()[0], "B·活动档案": int(b[13]), "B·一票否决": "一票否决" in b[7],
        "C·得分率": c[7], "S·得分率": unit_s[7], "排名": _rank_order(rows, s, 0),
        "P1·逾期天数": problems.get("P1"), "P2·逾期天数": problems.get("P2"), "P3·逾期天数": problems.get("P3"),
        "P4·逾期天数": problems.get("P4"),
        "说明": says(notes, "复查不通过", "同一检查表"),
    }


def _rank_order(rows, s, col):
    """"ACSB": the units by the rank a table prints for them (column `col`)."""
    return "".join(sorted((k for k in "ABCS" if s.units[k].name in rows),
                          key=lambda k: (int(rows[s.units[k].name][col]), k)))


def _table_rows(html, selector):
    root = cssselect2.ElementWrapper.from_html_root(tinyhtml5.parse(html))
    return [[squash("".join(td.etree_element.itertext())) for td in tr.query_all("td")]
            for tr in root.query_all(selector)]


def month_pdf(s, client_for):
    response = client_for(s.users["admin"]).get(reverse("reports:monthly_pdf", args=[_month(s)]))
    text = pdf_text(response.content)
    a = re.search(re.escape(s.units["A"].name) + r"[^\d]*([\d.]+) / ([\d.]+)%.*?(\d+) / (\d+) / (\d+)", text)
    return {
        "A·得分率": a.group(2) + "%" if a else None,
        "A·逾期问题": int(a.group(5)) if a else None,
        "逾期问题合计": number(r"其中 逾期 (\d+) 个", text),
        "说明": says(text, "复查不通过", "同一检查表"),
    }


def month_excel(s, client_for):
    response = client_for(s.users["admin"]).get(reverse("reports:monthly_xlsx", args=[_month(s)]))
    book = sheets(response.content)
    start, header = header_row(book["单位明细"], "序号")
    rows = {r[1]: dict(zip(header, r)) for r in book["单位明细"][start + 1:] if r and r[1]}
    a, b = rows[s.units["A"].name], rows[s.units["B"].name]
    start, header = header_row(book["未销号问题"], "序号")
    problems = {problem_key(r[2]): dict(zip(header, r)) for r in book["未销号问题"][start + 1:] if r and r[2]}
    return {
        "A·逾期问题": a["逾期问题"], "A·逾期任务": a["累计逾期任务"], "A·活动档案": a["活动档案"],
        "A·得分率": round(a["得分率"] * 100, 1) if a["得分率"] is not None else None, "A·责任书": a["责任书已签订"],
        "B·得分率": round(b["得分率"] * 100, 1) if b["得分率"] is not None else None,
        "C·得分率": round(rows[s.units["C"].name]["得分率"] * 100, 1),
        "S·得分率": round(rows[s.units["S"].name]["得分率"] * 100, 1),
        "P2·逾期天数": problems["P2"]["逾期天数"], "P3·逾期天数": problems["P3"]["逾期天数"],
        "P1·逾期天数": problems["P1"]["逾期天数"], "P4·逾期天数": problems["P4"]["逾期天数"],
    }


def _bulletin(s):
    from ledgers.models import Bulletin
    from ledgers.services.bulletins import bulletin_create

    iso_year, iso_week = s.today.isocalendar()[:2]
    return (Bulletin.objects.filter(iso_year=iso_year, iso_week=iso_week).first()
            or bulletin_create(user=s.users["inspector"], iso_year=iso_year, iso_week=iso_week))


def _ranking_of(text, s):
    order = sorted(((text.find(s.units[k].name), k) for k in "ABCS" if s.units[k].name in text))
    return "".join(k for _, k in order)


def bulletin_page(s, client_for):
    bulletin = _bulletin(s)
    html = page(client_for(s.users["inspector"]), bulletin.get_absolute_url())
    ranking = {cells[1]: cells for cells in _table_rows(html, "[data-testid=ranking] tbody tr") if len(cells) == 5}
    criticised = " ".join(texts(html, "[data-testid=criticised]"))
    text = text_of(html)
    overdue = {}
    for cells in _table_rows(html, "table tbody tr"):
        if len(cells) == 4 and problem_key(cells[1]):
            overdue[problem_key(cells[1])] = int(cells[3])
    a_reason = re.search(re.escape(s.units["A"].name) + r"：([^\n]*?)(?=郾城|局办公室|$)", criticised)
    return {
        "排名": "".join(sorted((k for k in "ABCS" if s.units[k].name in ranking),
                               key=lambda k: (int(ranking[s.units[k].name][0]), k))),
        "A·得分率": ranking[s.units["A"].name][4], "B·得分率": ranking[s.units["B"].name][4].split()[0],
        "C·得分率": ranking[s.units["C"].name][4], "S·得分率": ranking[s.units["S"].name][4],
        "B·批评": "一票否决" in criticised,
        "A·批评": squash(a_reason.group(1)) if a_reason else None,
        "逾期未整改": number(r"逾期未整改 (\d+) 个", text),
        "逾期天数": overdue,
        "说明": says(text, "复查不通过", "同一检查表"),
    }


def bulletin_pdf(s, client_for):
    bulletin = _bulletin(s)
    response = client_for(s.users["inspector"]).get(reverse("reports:bulletin_pdf", args=[bulletin.pk]))
    text = pdf_text(response.content)
    a = re.search(re.escape(s.units["A"].name) + r" \d+ [\d.]+ ([\d.]+)%", text)
    return {
        "排名": _ranking_of(text.split("二、")[0], s),
        "A·得分率": f"{a.group(1)}%" if a else None,
        "逾期未整改": number(r"逾期未整改问题 (\d+) 个", text),
        "A·批评": number(re.escape(s.units["A"].name) + r"：[^：]*?有 (\d+) 个问题逾期未整改", text),
        "B·一票否决": says(text.split("二、")[0], s.units["B"].name + "（一票否决，不合格）"),
        "说明": says(text, "复查不通过", "同一检查表"),
    }


def assessment_sheet(s, client_for):
    url = reverse("reports:assessment", args=[s.year.year]) + f"?unit={s.units['A'].pk}"
    html = page(client_for(s.users["admin"]), url)

    def score(code):
        found = texts(html, f"[data-testid=score-{code.replace('.', chr(92) + '.')}]")
        return found[0] if found else None

    figures = {code: score(code) for code in ("1.1", "1.2", "2.1", "2.2", "3.1")}
    url = reverse("reports:assessment", args=[s.year.year]) + f"?unit={s.units['C'].pk}"
    html = page(client_for(s.users["admin"]), url)
    figures["C·2.1"] = score("2.1")  # a check of every item kind (issue 29)
    return figures


def digest(s, client_for):
    from ledgers.models import Notification, NotificationKind
    from ledgers.services import notifications

    notifications.send_digest(s.today)
    notifications.scan(s.today)

    def body(user):
        note = Notification.objects.filter(recipient=user, kind=NotificationKind.DIGEST).first()
        return note.body if note else ""

    liaison, admin, inspector = body(s.users["liaison"]), body(s.users["admin"]), body(s.users["inspector"])
    overdue_line = re.search(r"【逾期未整改的问题】([^\n]*)", liaison)
    task_line = re.search(r"【逾期未完成的任务】([^\n]*)", liaison)
    problem_messages = Notification.objects.filter(recipient=s.users["liaison"], kind=NotificationKind.PROBLEM_OVERDUE)
    task_messages = Notification.objects.filter(recipient=s.users["liaison"], kind=NotificationKind.TASK_OVERDUE)
    return {
        "联络员·逾期问题": sorted(problem_key(t) for t in overdue_line.group(1).split("；")) if overdue_line else [],
        "联络员·逾期任务": bool(task_line and s.tasks["monthly"].title in task_line.group(1)),
        "管理员·逾期未整改": number(r"【逾期未整改的问题】(\d+) 个", admin),
        "管理员·待复查": number(r"【待复查的整改】(\d+)", admin),
        "督导组·待复查超时": number(r"【待复查超过 \d+ 天的整改】(\d+)", inspector),
        "消息·问题逾期": sorted(problem_key(n.body) for n in problem_messages),
        "消息·任务逾期": any(s.tasks["monthly"].title in n.title for n in task_messages),
    }


def check_page(s, client_for):
    figures = {}
    for key in "BCS":
        html = page(client_for(s.users["inspector"]), s.checks[key].get_absolute_url())
        rate = texts(html, "[data-testid=rate]")
        figures[f"{key}·得分率"] = number(r"([\d.]+)%", rate[0]) if rate else None
        figures[f"{key}·不合格"] = bool(texts(html, "[data-testid=vetoed]"))
    return figures


def trend(s, client_for):
    from reports.summaries import weekly_score_trend

    iso_year, iso_week = s.today.isocalendar()[:2]
    figures = {}
    for key in "BCS":
        value = dict(weekly_score_trend(iso_year, unit=s.units[key])).get(iso_week)
        figures[f"{key}·本周"] = None if value is None else float(value)
    return figures


def letters(s, client_for):
    from ledgers.models import TaskAssignment

    html = text_of(page(client_for(s.users["liaison"]), s.letters["A"].get_absolute_url()))
    task = {a.unit_id: a for a in TaskAssignment.objects.filter(task=s.tasks["letter"])}
    return {
        "A·状态": s.letters["A"].get_status_display(), "B·状态": s.letters["B"].get_status_display(),
        "A·乙方负责人": s.letters["A"].unit_signatory or None, "A·甲方负责人": s.letters["A"].bureau_signatory or None,
        "A·页面": "待确认" if "待确认" in html else "已签订" if "已签订" in html else None,
        "B·责任书任务": task[s.units["B"].pk].get_status_display(),
    }


def activity_refusal(s, client_for):
    messages = s.refusals.get("activity", [])
    return {"A·提交": "拒绝" if messages else "已提交",
            "A·缺少": next((m for m in messages if "照片" in m), None) is not None}


def _figure(html, unit, figure):
    """The text of one figure (data-figure) in one unit's row (data-unit) of a table."""
    row = re.search(rf'data-unit="{re.escape(unit.name)}">(.*?)</tr>', html, re.S)
    cell = row and re.search(rf'data-figure="{figure}"[^>]*>(.*?)</a>', row.group(1), re.S)
    return cell and squash(re.sub(r"<[^>]+>", "", cell.group(1)))


def leader_units(s, client_for):
    """我包抓的单位: a leader given A and B (last: the 包抓 changes no other surface's reading)."""
    from ledgers.models import Role
    from ledgers.services import oversight
    from tests.conftest import make_user

    leader = make_user("fair_leader", Role.LEADER, s.units["S"], "包抓领导")
    oversight.oversight_set(user=s.users["admin"], year=s.year, units=[s.units["A"], s.units["B"]], leader=leader)
    html = page(client_for(leader), reverse("reports:my_units"))
    a, b = s.units["A"], s.units["B"]
    return {"A·逾期问题": _figure(html, a, "overdue"), "A·逾期任务": _figure(html, a, "tasks"),
            "B·本周督查": _figure(html, b, "week")}


SURFACES = [
    Surface("联络员首页", ["ledgers/home_liaison.html", "ledgers/problems/_home_liaison.html",
                          "ledgers/tasks/_panel_liaison.html", "reports/_home_liaison.html",
                          "ledgers/letters/_panel_liaison.html"], liaison_home),
    Surface("我的任务", ["ledgers/tasks/my_tasks.html", "ledgers/views/tasks.py"], my_tasks),
    Surface("任务分解表", ["ledgers/tasks/matrix.html", "ledgers/tasks/detail.html",
                         "ledgers/tasks/assignment.html"], task_matrix),
    Surface("活动档案（首页与统计）", ["ledgers/activities/_home_liaison.html", "ledgers/activities/_home_bureau.html",
                                "ledgers/activities/stats.html", "ledgers/views/activities.py"], activities),
    Surface("整改台账 Excel", ["reports/problems_excel.py"], problem_export),
    Surface("整改台账（只看逾期）", ["ledgers/problems/problem_list.html", "ledgers/problems/_status.html",
                                "ledgers/templatetags/badges.py"], problem_list),
    Surface("问题页", ["ledgers/problems/problem_detail.html"], problem_page),
    Surface("局首页", ["ledgers/home_bureau.html", "ledgers/problems/_home_bureau.html",
                      "ledgers/tasks/_panel_bureau.html", "reports/_home_leader.html"], bureau_home),
    Surface("工作看板", ["reports/dashboard.html", "reports/city_dashboard.html", "reports/charts.py",
                        "reports/views/monthly.py"], dashboard),
    Surface("月度小结页面", ["reports/monthly.html", "reports/monthly/_tables.html", "reports/monthly/_districts.html",
                          "reports/templatetags/report_tags.py", "reports/monthly.py",
                          "reports/monthly/_unit_cards.html", "reports/monthly/_unit_table_rows.html"], month_page),
    Surface("月度小结 PDF", ["reports/pdf/monthly.html"], month_pdf),
    Surface("月度小结 Excel", ["reports/monthly_excel.py"], month_excel),
    Surface("督查通报（草稿页面）", ["ledgers/bulletins/_document.html", "ledgers/bulletins/bulletin_detail.html",
                               "ledgers/bulletins/bulletin_list.html"], bulletin_page),
    Surface("督查通报 PDF", ["reports/pdf/bulletin.html"], bulletin_pdf),
    Surface("考核得分表", ["reports/assessment/sheet.html", "reports/assessment/_home_panel.html",
                         "reports/assessment/ranking.html", "reports/pdf/assessment_sheet.html",
                         "reports/pdf/assessment_ranking.html", "reports/assessment/documents.py",
                         "reports/assessment/__init__.py"], assessment_sheet),
    Surface("日结日清提醒与消息", ["ledgers/services/notifications.py"], digest),
    Surface("督查记录页", ["ledgers/checks/check_detail.html", "ledgers/checks/check_form.html",
                         "ledgers/checks/check_list.html"], check_page),
    Surface("得分率趋势", ["reports/summaries.py"], trend),
    Surface("目标责任书", ["ledgers/letters/detail.html", "ledgers/letters/list.html", "reports/pdf/letter.html",
                          "ledgers/views/letters.py"], letters),
    Surface("活动档案提交", ["ledgers/activities/detail.html", "ledgers/activities/form.html"], activity_refusal),
    Surface("我包抓的单位", ["reports/_home_my_units.html"], leader_units),
]
