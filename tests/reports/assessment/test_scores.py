"""Every score of the hand-built year (see conftest), year end and mid-year."""
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ledgers.models import Unit, UnitKind
from reports.assessment import assessment, scheme_of, unit_actions, unit_sheet

from .conftest import D, MID_YEAR, YEAR_END

pytestmark = pytest.mark.django_db


def cells(row, nodes):
    codes = {n.indicator_id: n.code for n in nodes}
    return {codes[i]: c for i, c in row.cells.items()}


def by_unit(result):
    return {r.unit: r for r in result.rows}


def test_year_end_scores_of_every_rule(scored_year, year):
    result = assessment(year, as_of=YEAR_END)
    rows = by_unit(result)
    a = cells(rows["郾城区第一实验小学"], result.nodes)
    assert a["1.1"].score == Decimal("2.50")  # on time 1, late 0.5, missing 0 of 3; t4 not due
    assert a["1.2"].score == Decimal("2.50")  # signed, not archived
    assert a["2.1"].score == Decimal("5.40")  # 18/20, the draft check not counted
    assert a["2.2"].score == Decimal("1.00")  # closed late + still open = 2 × 1.5
    assert a["3.1"].score == Decimal("3.00")  # 1 of 2 each semester
    assert a["3.2"].score == Decimal("3.50")
    assert not a["4"].ruled and not a["4"].counted
    assert a["1"].score == Decimal("5.00") and a["1"].full == 10
    row = rows["郾城区第一实验小学"]
    assert (row.full, row.base, row.bonus, row.penalty, row.total) == (30, Decimal("17.90"), 2, 0, Decimal("19.90"))
    assert row.percent == Decimal("66.3") and row.grade == "合格"


def test_not_applicable_and_pending_are_left_out_of_full_marks(scored_year, year):
    rows = by_unit(assessment(year, as_of=YEAR_END))
    b = rows["郾城区第二实验小学"]
    assert (b.full, b.base, b.penalty, b.total, b.percent) == (26, 21, 1, 20, Decimal("76.9"))
    assert b.pending == 1
    s = rows["局办公室（文明办）"]
    assert (s.full, s.base, s.percent, s.grade) == (20, 17, Decimal("85.0"), "良好")


def test_ranking_shares_ranks_and_filters_by_kind(scored_year, year):
    result = assessment(year, as_of=YEAR_END)
    assert [(r.unit, r.rank) for r in result.rows] == [
        ("局办公室（文明办）", 1), ("督导室", 1), ("郾城区第二实验小学", 3), ("郾城区第一实验小学", 4)]
    schools = assessment(year, as_of=YEAR_END, kind=UnitKind.SCHOOL)
    assert [(r.unit, r.rank) for r in schools.rows] == [("郾城区第二实验小学", 1), ("郾城区第一实验小学", 2)]


def test_mid_year_mock_evaluation(scored_year, year):
    a = by_unit(assessment(year, as_of=MID_YEAR))["郾城区第一实验小学"]
    c = cells(a, assessment(year, as_of=MID_YEAR).nodes)
    assert [c[k].score for k in ("1.1", "1.2", "2.1", "2.2", "3.1")] == [
        Decimal("3.75"), Decimal("2.50"), Decimal("4.80"), Decimal("2.50"), Decimal("3.00")]
    assert c["3.2"].pending
    assert (a.full, a.base, a.bonus, a.total, a.percent) == (26, Decimal("16.55"), 0, Decimal("16.55"), Decimal("63.7"))


def test_as_of_on_and_after_a_deadline(scored_year, year):
    # 制定工作方案 is due 05-20 and was done late on 06-01.
    def tasks_score(day):
        result = assessment(year, as_of=day)
        return cells(by_unit(result)["郾城区第一实验小学"], result.nodes)["1.1"].score

    assert tasks_score(D(2026, 5, 20)) == Decimal("5.00")  # deadline day: not due yet
    assert tasks_score(D(2026, 5, 21)) == Decimal("2.50")  # past due, not done
    assert tasks_score(D(2026, 6, 1)) == Decimal("3.75")  # done late: half


def test_unit_sheet_matches_the_bureau_and_lists_why(scored_year, year):
    A = scored_year["A"]
    sheet = unit_sheet(year, A, as_of=YEAR_END)
    bureau = by_unit(assessment(year, as_of=YEAR_END))[A.name]
    assert sheet.row.total == bureau.total and sheet.row.percent == bureau.percent
    notes = {(e.title, e.counted): e.note for items in sheet.evidence.values() for e in items}
    assert notes[("年终总结", False)].startswith("未到期")
    assert "逾期完成" in notes[("制定工作方案", True)]
    assert notes[("清明祭英烈", False)] == "照片 1 张，少于要求的 2 张，补充照片后可计入"
    assert notes[("重阳敬老", False)] == "尚未提交（草稿），提交后可计入"
    assert notes[("按期销号的问题", False)].startswith("按时提交整改")
    texts = [a.text for a in sheet.actions]
    assert any(t.startswith("整改超期 1 项：宣传栏破损未修复") for t in texts)
    assert "1.1 逾期未完成任务 1 项：《更新宣传栏》，尽快完成并填报落实情况" in texts
    assert "1.2 目标责任书已签订，未归档：等待局文明办归档" in texts


def test_mid_year_action_lines(scored_year, year):
    sheet = unit_sheet(year, scored_year["A"], as_of=MID_YEAR)
    texts = [a.text for a in sheet.actions]
    assert "3.1 本学期还需 1 次有照片的活动档案（每次至少 2 张照片）" in texts
    assert "3.1 活动档案《清明祭英烈》照片 1 张，少于要求的 2 张，补充照片后可计入" in texts


@pytest.mark.parametrize("as_of", [MID_YEAR, YEAR_END])
def test_home_panel_lines_are_the_sheets_fixable_lines(scored_year, year, as_of):
    """The liaison home's panel reads fewer records but shows what the sheet shows."""
    for unit in (scored_year["A"], scored_year["B"]):
        sheet = unit_sheet(year, unit, as_of=as_of)
        row, actions = unit_actions(year, unit, scheme_of(year, unit.bureau), as_of=as_of)
        assert (row.total, row.full, row.percent, row.grade) == (
            sheet.row.total, sheet.row.full, sheet.row.percent, sheet.row.grade)
        assert [(a.text, a.url) for a in actions] == [(a.text, a.url) for a in sheet.actions if a.fixable]
        if unit is scored_year["A"] and as_of == MID_YEAR:
            assert "3.1 本学期还需 1 次有照片的活动档案（每次至少 2 张照片）" in [a.text for a in actions]


def test_query_count_does_not_grow_with_units(scored_year, year, district, district2):
    with CaptureQueriesContext(connection) as small:
        assessment(year, as_of=YEAR_END, bureau=district)
    for n in range(20):
        Unit.objects.create(name=f"新增学校{n}", kind=UnitKind.SCHOOL, code=f"extra{n}")
        Unit.objects.create(name=f"二区新增学校{n}", kind=UnitKind.SCHOOL, code=f"extra2-{n}", bureau=district2)
    with CaptureQueriesContext(connection) as big:
        result = assessment(year, as_of=YEAR_END, bureau=district)
    assert len(result.rows) == 24  # district 1's units only, ranked among themselves
    assert len(big) == len(small) <= 14  # the tasks' items: one-off and periodic (ledgers.rules.TaskItems); the 问责 entries


def test_unit_sheet_query_count_is_flat(scored_year, year, django_assert_max_num_queries):
    # 21, the tasks' periodic items, and the periods and reports behind the task evidence lines
    with django_assert_max_num_queries(25):  # + the unit's 问责 entries
        unit_sheet(year, scored_year["A"], as_of=YEAR_END)


def test_grades_follow_thresholds(scheme):
    assert [scheme.grade(Decimal(p)) for p in ("95", "90", "85", "60", "59.9")] == ["优秀", "优秀", "良好", "合格", "不合格"]
    assert scheme.grade(None) == "未评定"


def test_closing_late_is_judged_by_the_local_date(scored_year, year, indicators, inspector):
    # Deadline 05-10: closed at 23:30 local time on the day is on time, 00:30 the next day is late
    # (both fall on 05-10 in UTC).
    from ledgers.models import Problem

    from .conftest import at

    B = scored_year["B"]
    for hour, minute, text in [(23, 30, "当天深夜销号"), (0, 30, "次日凌晨销号")]:
        day = 10 if hour == 23 else 11
        closed = at(2026, 5, day, hour).replace(minute=minute)
        Problem.objects.create(year=year, unit=B, indicator=indicators["2.2"], description=text,
                               found_on=D(2026, 5, 9), deadline=D(2026, 5, 10), status="closed", closed_at=closed,
                               raised_by=inspector)
    result = assessment(year, as_of=YEAR_END)
    assert cells(by_unit(result)["郾城区第二实验小学"], result.nodes)["2.2"].score == Decimal("2.50")  # one late
    notes = {e.title: e.note for e in unit_sheet(year, B, as_of=YEAR_END).evidence[indicators["2.2"].pk]}
    # Closed without a recorded rectification: answered when closed.
    assert notes["当天深夜销号"].startswith("按时提交整改") and notes["次日凌晨销号"].startswith("超期后于 05-11 提交整改")


def test_bureau_catalog_builders_write_to_a_file_object(scored_year, year):
    import io
    import zipfile

    from reports.catalog import catalog_zip

    out = io.BytesIO()
    catalog_zip(out, year=year)
    names = zipfile.ZipFile(out).namelist()
    assert any(n.startswith("3.1 我们的节日/活动档案/郾城区第二实验小学 ") for n in names)
