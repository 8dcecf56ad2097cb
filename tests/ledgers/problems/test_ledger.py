"""The ledger pages: filters, overdue in red, a liaison's own ledger, home panels, Excel export."""
import datetime
import io

from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from ledgers.models import Problem, Unit
from ledgers.services import problems as service
from tests.ledgers.checks.factories import jpeg, make_check, make_problem

TODAY = timezone.localdate()


def overdue_problem(user, unit, description="围墙宣传画褪色"):
    """A problem found four days ago, due two days ago, still open."""
    return make_problem(user, unit, description, found_on=TODAY - datetime.timedelta(days=4),
                        deadline=TODAY - datetime.timedelta(days=2))


def table(html):
    return html.split('data-testid="problem-table"', 1)[1].split("</table>", 1)[0]


def test_overdue_is_derived_from_the_deadline_and_shown_in_red(client_for, inspector, school_a):
    late = overdue_problem(inspector, school_a)
    on_time = make_problem(inspector, school_a, "食堂门口地面湿滑")
    assert late.is_overdue() and not on_time.is_overdue()
    assert list(Problem.objects.overdue()) == [late]
    html = table(client_for(inspector).get(reverse("ledgers:problem_list")).content.decode())
    row = html.split("围墙宣传画褪色")[0].rsplit("<tr", 1)[1]
    assert 'class="table-danger"' in row
    assert html.count('data-testid="overdue"') == 1


def test_closed_problem_is_never_overdue(inspector, inspector2, liaison, school_a):
    problem = overdue_problem(inspector, school_a)
    service.problem_submit_rectification(problem=problem, user=liaison, note="已整改", photos=[jpeg()])
    service.problem_close(problem=problem, user=inspector2)
    problem.refresh_from_db()
    assert not problem.is_overdue() and not Problem.objects.overdue().exists()


def test_liaison_sees_their_own_units_ledger_on_the_same_url(client_for, inspector, liaison, school_a, school_b):
    make_problem(inspector, school_a, "一校：走廊墙面污渍")
    make_problem(inspector, school_b, "二校：厕所异味")
    html = client_for(liaison).get(reverse("ledgers:problem_list")).content.decode()
    assert "一校：走廊墙面污渍" in html and "二校：厕所异味" not in html
    assert 'name="unit"' not in html
    # Even a unit filter typed into the URL shows nothing of the other unit.
    html = client_for(liaison).get(reverse("ledgers:problem_list") + f"?unit={school_b.pk}").content.decode()
    assert "二校：厕所异味" not in html


def test_liaison_home_lists_open_problems_overdue_first(client_for, inspector, liaison, school_a, school_b):
    make_problem(inspector, school_a, "按期：花坛杂草")
    overdue_problem(inspector, school_a, "逾期：楼梯扶手积灰")
    make_problem(inspector, school_b, "别校：不应出现")
    html = client_for(liaison).get(reverse("home")).content.decode()
    panel = html.split('data-testid="panel-problems"', 1)[1]
    assert "待整改问题（2）" in panel and "逾期 1" in panel
    assert panel.index("逾期：楼梯扶手积灰") < panel.index("按期：花坛杂草")
    assert "别校：不应出现" not in html


def test_bureau_home_counts_open_and_overdue_problems_and_this_weeks_checks(client_for, inspector, leader, school_a,
                                                                           template):
    import re

    make_problem(inspector, school_a)
    overdue_problem(inspector, school_a)
    make_check(inspector, school_a, template, [1, 1, 1], date=TODAY)
    make_check(inspector, school_a, template, [1, 1, 1], date=TODAY, submit=False)  # a draft is no check yet
    html = client_for(leader).get(reverse("home")).content.decode()
    panel = html.split('data-testid="panel-checks"', 1)[1]
    panel = panel.split('data-testid="panel-', 1)[0].split('<div class="card shadow-sm">', 1)[0]
    assert re.findall(r'display-6[^>]*>(\d+)<', panel) == ["1", "2", "0", "1"]
    assert "待复查超过 2 天 0" in panel


def test_bureau_filters_the_ledger(client_for, inspector, school_a, school_b, template, indicator):
    check = make_check(inspector, school_a, template, [1, 1, 1], kind="unannounced", date=TODAY)
    make_problem(inspector, school_a, "暗访：校门口摊贩", check=check, indicator=indicator)
    make_problem(inspector, school_b, "直接：操场积水")
    overdue_problem(inspector, school_b, "逾期：宣传栏过期")
    client = client_for(inspector)
    url = reverse("ledgers:problem_list")

    def shown(query):
        html = table(client.get(url + query).content.decode())
        return {d for d in ("暗访：校门口摊贩", "直接：操场积水", "逾期：宣传栏过期") if d in html}

    assert shown("") == {"暗访：校门口摊贩", "直接：操场积水", "逾期：宣传栏过期"}
    assert shown(f"?unit={school_b.pk}") == {"直接：操场积水", "逾期：宣传栏过期"}
    assert shown("?kind=unannounced") == {"暗访：校门口摊贩"}
    assert shown("?kind=direct") == {"直接：操场积水", "逾期：宣传栏过期"}
    assert shown(f"?indicator={indicator.pk}") == {"暗访：校门口摊贩"}
    assert shown("?overdue=on") == {"逾期：宣传栏过期"}
    assert shown("?status=closed") == set()
    found = TODAY - datetime.timedelta(days=4)
    assert shown("?week=%d-W%02d" % found.isocalendar()[:2]) >= {"逾期：宣传栏过期"}


def _add_problems(user, n):
    for _ in range(n):
        number = Unit.objects.count()
        unit = Unit.objects.create(name=f"测试学校{number}", kind="school", code=f"t{number}")
        make_problem(user, unit, f"问题{number}")


def test_ledger_query_count_does_not_grow_with_rows(client_for, inspector, liaison, school_a,
                                                    django_assert_max_num_queries):
    _add_problems(inspector, 3)
    for user in (inspector, liaison):
        client = client_for(user)
        with django_assert_max_num_queries(12):
            client.get(reverse("ledgers:problem_list"))
    _add_problems(inspector, 12)
    for _ in range(4):
        make_problem(inspector, school_a)
    for user in (inspector, liaison):
        client = client_for(user)
        with django_assert_max_num_queries(12):
            client.get(reverse("ledgers:problem_list"))
    client = client_for(liaison)
    # The home page has a panel per area (tasks, letters, problems, activities, the month's figures).
    with django_assert_max_num_queries(24):
        client.get(reverse("home"))


def load(response):
    return load_workbook(io.BytesIO(response.content)).active


def test_excel_export_has_the_ledgers_columns_and_cells(client_for, inspector, inspector2, liaison, school_a,
                                                         template, indicator):
    check = make_check(inspector, school_a, template, [1, 1, 1], date=TODAY, kind="sanitation")
    problem = make_problem(inspector, school_a, "=HYPERLINK(\"x\") 办公室窗台积灰", check=check, indicator=indicator)
    service.problem_submit_rectification(problem=problem, user=liaison, note="已擦拭干净", photos=[jpeg()])
    service.problem_close(problem=problem, user=inspector2, note="复查合格")
    overdue_problem(inspector, school_a)
    response = client_for(inspector).get(reverse("ledgers:problem_export"))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    ws = load(response)
    rows = list(ws.iter_rows(values_only=True))
    assert rows[1] == ("序号", "单位", "发现日期", "周次", "督查类型", "测评指标", "问题描述", "整改时限", "状态",
                       "是否逾期", "整改情况", "整改人", "复查意见", "销号人", "销号时间")
    by_description = {r[6]: r for r in rows[2:]}
    closed = by_description["=HYPERLINK(\"x\") 办公室窗台积灰"]
    assert closed[1] == "郾城区第一实验小学" and closed[4] == "卫生检查评比" and closed[5].startswith("3.2.1")
    assert closed[8] == "已销号" and closed[9] == "否" and closed[10] == "已擦拭干净"
    assert closed[11] == "马晓丽" and closed[12] == "复查合格" and closed[13] == "周文斌"
    assert closed[2] == datetime.datetime.combine(TODAY, datetime.time())
    late = by_description["围墙宣传画褪色"]
    assert late[8] == "待整改" and late[9] == "是" and late[4] == "直接交办"
    assert ws.freeze_panes == "A3"


def test_excel_export_follows_the_filters_and_the_liaisons_unit(client_for, inspector, liaison, school_a, school_b):
    make_problem(inspector, school_a, "一校问题")
    overdue_problem(inspector, school_a, "一校逾期")
    make_problem(inspector, school_b, "二校问题")
    rows = list(load(client_for(liaison).get(reverse("ledgers:problem_export"))).iter_rows(values_only=True))
    assert {r[6] for r in rows[2:]} == {"一校问题", "一校逾期"}
    rows = list(load(client_for(inspector).get(reverse("ledgers:problem_export") + "?overdue=on"))
                .iter_rows(values_only=True))
    assert [r[6] for r in rows[2:]] == ["一校逾期"]
