"""Issue 27: the same figures on every surface, by one rule each.

The cases (tests/rules/scenario.py) are built through the app's services; every surface of
tests/rules/surfaces.py is then read as a user reads it, and each figure compared with what the
rules say (`expected`). A failure lists every figure that differs, surface by surface, and the
whole reading is written to test-output/fair-figures.txt.
"""
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
from django.conf import settings

from tests.rules import scenario
from tests.rules.surfaces import SURFACES


def expected(s):
    m = s.missed_month
    months = (s.today.month - 1)  # periods over by today, for A and B alike
    tasks_a = "5" if not months else format((Decimal(5) * (months - 1) / months).quantize(Decimal("0.01"), ROUND_HALF_UP).normalize(), "f")
    return {
        "联络员首页": {"待整改": 2, "待整改·逾期": 2, "待复查": 2, "我的任务·逾期": 1 if m else 0, "本月·逾期": 2,
                  "责任书": "待确认"},
        "我的任务": {"每月任务·逾期": bool(m), "每月任务·未报": bool(m), "每月任务·还剩": False},
        "任务分解表": {"只看逾期": [s.tasks["monthly"].title] if m else [], "每月任务·单元格": ["逾期", "进行"] if m else ["进行", "进行"],
                  "任务页·逾期": 1 if m else 0, "落实页·未报": bool(m)},
        "活动档案（首页与统计）": {"A·首页本月已建档": 0, "B·首页本月已建档": 1, "统计·A": 0, "统计·B": 1, "局首页·未建档单位": 4},
        "整改台账 Excel": {"是否逾期": {"P1": "否", "P2": "是", "P3": "是", "P4": "否", "P5": "否", "P6": "否", "P7": "是"}},
        "整改台账（只看逾期）": {"只看逾期·A": ["P2", "P3"], "只看逾期·局": ["P2", "P3", "P7"]},
        "问题页": {"P3·整改时限": True, "P3·逾期天数": 2, "P1·逾期": False},
        "局首页": {"本周督查": 6, "逾期未整改": 3, "待复查超时": 2, "逾期任务": 1 if m else 0, "未签订责任书": 4},
        "工作看板": {"逾期未整改": 3, "待复查超时": 2},
        "月度小结页面": {"A·逾期问题": 2, "A·逾期任务": 1 if m else 0, "A·活动档案": 0, "A·得分率": "77.5%",
                   "A·责任书": "未签", "B·得分率": "82.3%", "B·活动档案": 1,
                   "B·一票否决": True, "C·得分率": "77.0%", "S·得分率": "70.0%", "排名": "ACSB", "P1·逾期天数": "—",
                   "P2·逾期天数": "4", "P3·逾期天数": "2", "P4·逾期天数": "—", "说明": True},
        "月度小结 PDF": {"A·得分率": "77.5%", "A·逾期问题": 2, "逾期问题合计": 3, "说明": True},
        "月度小结 Excel": {"A·逾期问题": 2, "A·逾期任务": 1 if m else 0, "A·活动档案": 0, "A·得分率": 77.5,
                       "A·责任书": "否", "B·得分率": 82.3, "C·得分率": 77.0, "S·得分率": 70.0, "P2·逾期天数": 4, "P3·逾期天数": 2, "P1·逾期天数": 0,
                       "P4·逾期天数": 0},
        "督查通报（草稿页面）": {"排名": "ACSB", "A·得分率": "77.5%", "B·得分率": "82.3%", "C·得分率": "77.0%",
                        "S·得分率": "70.0%", "B·批评": True, "A·批评": "有 2 个问题逾期未整改",
                        "逾期未整改": 3, "逾期天数": {"P2": 4, "P3": 2, "P7": 2}, "说明": True},
        "督查通报 PDF": {"排名": "ACSB", "B·一票否决": True, "A·得分率": "77.5%", "逾期未整改": 3, "A·批评": 2, "说明": True},
        "考核得分表": {"1.1": tasks_a, "1.2": "0", "2.1": "4.59", "2.2": "1", "3.1": "0", "C·2.1": "4.62"},
        "日结日清提醒与消息": {"联络员·逾期问题": ["P2", "P3"], "联络员·逾期任务": bool(m), "管理员·逾期未整改": 3,
                      "管理员·待复查": 2, "督导组·待复查超时": 2, "消息·问题逾期": ["P2", "P3"], "消息·任务逾期": bool(m)},
        "督查记录页": {"B·得分率": 82.3, "B·不合格": True, "C·得分率": 77.0, "C·不合格": False, "S·得分率": 70.0,
                  "S·不合格": False},
        "得分率趋势": {"B·本周": 82.3, "C·本周": 77.0, "S·本周": 70.0},
        "目标责任书": {"A·状态": "待确认", "B·状态": "已签订", "A·乙方负责人": "刘校长", "A·甲方负责人": "李局长",
                  "A·页面": "待确认", "B·责任书任务": "已完成"},
        "活动档案提交": {"A·提交": "拒绝", "A·缺少": True},
        "我包抓的单位": {"A·逾期问题": "2", "A·逾期任务": "1" if m else "0", "B·本周督查": "82.3%"},
    }


@pytest.fixture
def cases(year, school_a, school_b, section, admin_user, inspector, inspector2, liaison, liaison2):
    return scenario.build(year=year, school_a=school_a, school_b=school_b, section=section, admin_user=admin_user,
                          inspector=inspector, inspector2=inspector2, liaison=liaison, liaison2=liaison2)


def test_every_surface_shows_the_same_fair_figures(cases, client_for):
    want = expected(cases)
    assert [s.name for s in SURFACES] == list(want), "every registered surface has its expected figures"
    lines, wrong = [], []
    for surface in SURFACES:
        try:
            got = surface.collect(cases, client_for)
        except Exception as error:  # a surface that cannot be read is wrong on every figure
            got = {figure: f"{type(error).__name__}: {error}"[:120] for figure in want[surface.name]}
        for figure, value in want[surface.name].items():
            ok = got.get(figure) == value
            lines.append(f"{'  ' if ok else '✗ '}{surface.name} · {figure}: {got.get(figure)!r}"
                         + ("" if ok else f"（应为 {value!r}）"))
            if not ok:
                wrong.append(lines[-1])
    out = Path(settings.BASE_DIR) / "test-output"
    out.mkdir(exist_ok=True)
    (out / "fair-figures.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert not wrong, "\n" + "\n".join(wrong)
