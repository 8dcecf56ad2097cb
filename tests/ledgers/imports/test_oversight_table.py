"""包抓分工 from a table (单位 | 包抓领导 | 督导组) through the same upload → 核对列对应 → 预览 →
确认导入 pages as every import: units as typed (aliases too), leaders by name or login, a group named
for the first time is made; bad rows are named in Chinese and left out; importing again changes nothing."""
from ledgers.models import InspectionGroup, Oversight, Role
from ledgers.services import oversight as service
from tests.conftest import make_user

from .conftest import row_status, run_import, xlsx


def test_a_table_of_units_leaders_and_groups(client_for, bureau, bureau_admin, year):
    chen = make_user("leader", Role.LEADER, bureau["基础教育股"], "陈志远")
    zhang = make_user("leader2", Role.LEADER, bureau["德育股"], "张爱华")
    first = service.group_save(user=bureau_admin, year=year, name="第一督导组", rhythm="weekly")
    rows = [["单位名称", "包抓领导", "督导组"],
            ["郾城区一小", "陈志远", "第一督导组"],
            ["郾城区第二实验小学", "leader2", "第二督导组"],
            ["郾城区实验中学", "王不在", ""],
            ["教研室", "", ""]]
    client = client_for(bureau_admin)
    preview, done, _ = run_import(client, "oversights", xlsx(rows, name="包抓分工表.xlsx"), exclude=(4, 5))
    assert "将新建督导组“第二督导组”" in row_status(preview, 3)[1]
    assert "包抓领导“王不在”不是本局的局领导（本局局领导：张爱华、陈志远）" in row_status(preview, 4)[1]
    assert "包抓领导和督导组都没有填" in row_status(preview, 5)[1]
    assert "2 新增" in done
    second = InspectionGroup.objects.get(year=year, name="第二督导组")
    assert {(o.unit.name, o.leader, o.group) for o in Oversight.objects.filter(year=year)} == {
        ("郾城区第一实验小学", chen, first), ("郾城区第二实验小学", zhang, second)}
    # Again (the bad rows left out): nothing changes.
    _, done, _ = run_import(client, "oversights", xlsx(rows[:3]))
    assert "0 新增，0 更新，2 无变化" in done
    # A leader moved: one update, kept in the history.
    preview, done, _ = run_import(client, "oversights", xlsx([rows[0], ["郾城区第一实验小学", "张爱华", ""]]))
    assert "包抓领导 陈志远 → 张爱华" in row_status(preview, 2)[1]
    row = Oversight.objects.get(unit=bureau["郾城区第一实验小学"])
    assert (row.leader, row.group) == (zhang, first)  # the empty 督导组 cell left the group as it was
    assert [h.leader_id for h in row.history.order_by("history_date")] == [chen.pk, zhang.pk]
