"""包抓分工 from a table: 单位 | 包抓领导 | 督导组 (a row per unit, as bureaus keep it).

A unit as typed (names, aliases, near-miss suggestions: `UnitIndex`); a leader by name or login
name among the bureau's 局领导; a group by name among the year's 督导组 — a name not seen before
makes a new group (its members are added on the group's page). An empty cell leaves that part as
it is. Writes go through ledgers.services.oversight (one transaction with the whole import).
"""
import re

from ..models import InspectionGroup, Oversight
from ..services.oversight import KEEP, group_save, leaders_of, oversight_set
from .base import CREATE, ERROR, SAME, UPDATE, Importer, RowResult
from .sheet import clean
from .units import UnitIndex


def _key(text):
    return re.sub(r"\s+", "", text or "")


class OversightImporter(Importer):
    kind = "oversights"
    title = "包抓分工"
    fields = [("unit", "单位"), ("leader", "包抓领导"), ("group", "督导组"), ("note", "备注")]
    aliases = {"单位": "unit", "单位名称": "unit", "学校": "unit", "学校名称": "unit", "责任单位": "unit",
               "包抓领导": "leader", "包抓": "leader", "分包领导": "leader", "联系领导": "leader", "包联领导": "leader",
               "督导组": "group", "包督查": "group", "督导组别": "group", "督查组": "group", "所属督导组": "group",
               "备注": "note"}
    required = {"unit": "单位"}
    multi = ("note",)
    preview_headers = ["单位", "包抓领导", "督导组"]

    def check(self, rows, *, year, user, **_):
        bureau = user.owning_bureau()
        index = UnitIndex(user)
        leaders = {}
        for leader in leaders_of(bureau):
            leaders.setdefault(_key(leader.name), leader)
            leaders[_key(leader.username)] = leader
        groups = {_key(g.name): g for g in InspectionGroup.objects.filter(bureau=bureau, year=year)}
        current = {o.unit_id: o for o in Oversight.objects.filter(year=year, unit__bureau=bureau)}
        seen, results = {}, []
        for row in rows:
            v, reasons = row.values, []
            unit, why = index.one(v.get("unit"), several="每行应填一个单位", missing="缺少单位")
            if why:
                reasons.append(why)
            else:
                if unit.pk in seen:
                    reasons.append(f"与第 {seen[unit.pk]} 行是同一个单位")
                seen[unit.pk] = row.number
            leader_text, group_text = clean(v.get("leader")), clean(v.get("group"))
            leader = leaders.get(_key(leader_text)) if leader_text else KEEP
            if leader is None:
                names = "、".join(sorted({u.display_name for u in leaders.values()})) or "（本局还没有局领导账号）"
                reasons.append(f"包抓领导“{leader_text}”不是本局的局领导（本局局领导：{names}）")
            group = groups.get(_key(group_text)) if group_text else KEEP
            new_group = group is None
            if leader is KEEP and group is KEEP and not reasons:
                reasons.append("包抓领导和督导组都没有填")
            cells = [unit.name if unit else clean(v.get("unit")), leader_text, group_text]
            if reasons:
                results.append(RowResult(row.number, ERROR, cells, "；".join(reasons)))
                continue
            plan = {"unit": unit, "leader": leader, "group": group, "group_name": group_text[:50]}
            row_now = current.get(unit.pk)
            if row_now is None:
                note = f"将新建督导组“{group_text}”" if new_group else ""
                results.append(RowResult(row.number, CREATE, cells, note, plan))
                continue
            changes = []
            if leader is not KEEP and row_now.leader_id != leader.pk:
                changes.append(f"包抓领导 {row_now.leader or '（无）'} → {leader.display_name}")
            if new_group or (group is not KEEP and row_now.group_id != group.pk):
                changes.append(f"督导组 {row_now.group or '（无）'} → {group_text}"
                               + ("（新建）" if new_group else ""))
            results.append(RowResult(row.number, UPDATE if changes else SAME, cells, "；".join(changes), plan))
        return results

    def apply(self, results, *, year, user, **_):
        made = {}
        created = updated = 0
        for result in results:
            plan = result.plan
            group = plan["group"]
            if group is None:  # a group named for the first time
                name = plan["group_name"]
                if _key(name) not in made:
                    made[_key(name)] = group_save(user=user, year=year, name=name, rhythm="weekly")
                group = made[_key(name)]
            oversight_set(user=user, year=year, units=[plan["unit"]], leader=plan["leader"], group=group)
            if result.status == CREATE:
                created += 1
            else:
                updated += 1
        return {"created": created, "updated": updated, "groups": len(made)}
