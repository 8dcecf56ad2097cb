"""The task breakdown table (任务分解表).

A row is one task: its title (测评内容/任务, or the 测评标准 when the table has no separate task
column), indicator, requirement, lead unit, responsible units, deadline and frequency. A task
of the importer's bureau already in the year with the same title (and indicator) is the same task
(new tasks belong to that bureau; its units are the only ones a row may name): importing the table
again changes nothing, and a changed deadline or unit list updates the task and its assignments
(assignments of units that stay keep their progress; a unit with progress is never dropped).

Real tables (issue 29): a heading row — a heading merged across the table ("一、……"), or a row whose
numbering heads the rows under it ("1、宣传氛围" over "1.1 …", "1.2 …") — is not a task: it becomes
the group (`Task.group`) of the tasks it heads. A task's numbering is read off its title into 序号
(a leading number that is a word stays: "3名及以上"). A row without a 完成时限 (or a table without
that column) is a task for the whole year (12月31日), said so in the preview.
"""
import re

from ..models import Frequency, Indicator, Task
from ..services.tasks import task_save
from . import wording
from .base import CREATE, ERROR, SAME, UPDATE, Importer, RowResult
from .deadlines import Deadline, frequency_from, parse_deadline, recurring
from .sheet import clean, guess_columns
from .units import UnitIndex

FIELDS = [
    ("indicator", "测评项目/指标编号"), ("title", "测评内容/任务"), ("requirement", "测评标准/要求"),
    ("lead", "牵头单位"), ("units", "责任单位"), ("deadline", "完成时限"), ("frequency", "频次"),
    ("note", "备注"), ("number", "序号"),
]
ALIASES = {
    "序号": "number", "编号": "number",
    "测评项目": "indicator", "测评指标": "indicator", "指标编号": "indicator", "指标": "indicator",
    "项目": "indicator", "一级指标": "indicator", "二级指标": "indicator", "创建项目": "indicator",
    "测评内容": "title", "任务": "title", "工作任务": "title", "任务名称": "title", "重点任务": "title",
    "工作内容": "title", "具体任务": "title", "任务内容": "title", "创建内容": "title",
    "责任目标": "title", "目标任务": "title", "创建标准": "title", "重点工作任务": "title",
    "测评标准": "requirement", "工作要求": "requirement", "具体要求": "requirement", "工作措施": "requirement",
    "任务要求": "requirement", "标准要求": "requirement", "完成标准": "requirement",
    "活动要求": "requirement",
    "责任单位": "units", "责任股室": "units", "配合单位": "units", "责任部门": "units", "落实单位": "units",
    "责任主体": "units", "主要责任单位": "units", "协同配合单位": "units", "配合部门": "units",
    "牵头单位": "lead", "牵头股室": "lead", "牵头部门": "lead",
    "完成时限": "deadline", "完成时间": "deadline", "截止日期": "deadline", "时间要求": "deadline",
    "时限": "deadline", "时间节点": "deadline", "完成期限": "deadline", "活动时间": "deadline",
    "工作频次": "frequency", "频次": "frequency", "频率": "frequency",
    "备注": "note", "说明": "note",
}


def _key(text):
    return re.sub(r"\s+", "", text or "")


class TaskImporter(Importer):
    kind = "tasks"
    title = "任务分解表"
    fields = FIELDS
    aliases = ALIASES
    required = {"title": "测评内容/任务", "units": "责任单位"}
    multi = ("units", "note")
    preview_headers = ["测评内容（任务）", "测评项目", "责任单位", "牵头单位", "完成时限"]
    takes_sections = True  # headings merged across the table: the group of the tasks under them

    def guess(self, labels):
        columns = guess_columns(labels, self.aliases, self.multi)
        if "title" not in columns.values():
            # 测评内容 as a group over 测评项目 | 测评标准: the standard is the task to do.
            for col, name in columns.items():
                if name == "requirement":
                    columns[col] = "title"
                    break
        return columns

    def check(self, rows, *, year, user, **_):
        bureau = user.owning_bureau()
        units = UnitIndex(user)
        # The city's indicators and the bureau's own; on a shared code the bureau's own wins.
        indicators = sorted(Indicator.objects.filter(year=year).for_bureau(bureau), key=lambda i: i.bureau_id == bureau.pk)
        by_code = {i.code: i for i in indicators}
        by_title = {_key(i.title): i for i in indicators}
        existing = {}
        # The same task is looked for among the bureau's own tasks only.
        for task in (Task.objects.for_year(year).filter(bureau=bureau).select_related("indicator", "lead_unit")
                     .prefetch_related("assignments__unit", "assignments__progress", "period_deadlines")):
            existing.setdefault(_key(task.title), []).append(task)
        seen, results, group = {}, [], ""
        for row, heading in _headings(rows):
            if heading:
                group = heading
                results.append(RowResult(row.number, SAME, [heading, "", "", "", ""],
                                         "分组标题：下面的任务归入此分组，本行不是任务"))
                continue
            results.append(self._check_row(row, year, units, by_code, by_title, existing, seen, group))
        return results

    def _check_row(self, row, year, units, by_code, by_title, existing, seen, group=""):
        v = row.values
        reasons, notes = [], []
        title = clean(v.get("title"))
        requirement = clean(v.get("requirement"))
        if not title and requirement:
            title, requirement = requirement[:300], (requirement if len(requirement) > 300 else "")
        code, title = wording.split_code(title)
        title = (title or "").strip()
        if len(title) > 300:  # "宣传教育工作。\n通过广播……": the first line names the task, all of it is the requirement
            title, requirement = title.split("\n")[0][:300], "\n".join(p for p in (title, requirement) if p)
        if not title:
            reasons.append("缺少测评内容（任务）")
        note = "\n".join(clean(x) for x in v.get("note") or [])
        if note:
            requirement = f"{requirement}\n备注：{note}".strip()
        responsible, unknown = units.parse(v.get("units"))
        lead, unknown_lead = units.parse(v.get("lead"))
        if unknown or unknown_lead:
            reasons.append(units.unknown_message(unknown + unknown_lead))
        if len(lead) > 1:  # "后勤管理处、学生处": the first leads, the others share the task
            notes.append(f"牵头单位填了 {len(lead)} 个，以第一个“{lead[0].name}”为牵头单位，其余为责任单位")
            responsible += [u for u in (lead if not responsible else lead[1:]) if u not in responsible]
            lead = lead[:1]
        if not responsible and lead:
            responsible = lead[:1]
        if not responsible and not (unknown or unknown_lead):
            reasons.append("缺少责任单位")
        deadline = self._deadline(v, year, reasons)
        if deadline is not None and not clean(v.get("deadline")) and not clean(v.get("frequency")):
            notes.append("未写完成时限，按全年（12月31日）")
        indicator = None
        indicator_text = clean(v.get("indicator"))
        if indicator_text:
            match = re.match(r"^\s*(\d+(?:\.\d+)*)", indicator_text)
            indicator = by_code.get(match.group(1)) if match else None
            indicator = indicator or by_title.get(_key(re.sub(r"^[\d.、\s]+", "", indicator_text)))
            if indicator is None:
                notes.append(f"测评项目“{indicator_text[:30]}”未匹配到本年度测评指标，将不关联指标")
        key = (_key(title), indicator.pk if indicator else None)
        if title and key in seen:
            reasons.append(f"与第 {seen[key]} 行的任务相同")
        elif title:
            seen[key] = row.number
        units_text = "、".join(u.name for u in responsible) if not unknown else "、".join(clean(x) for x in v.get("units") or [])
        cells = [title, indicator_text, units_text, lead[0].name if lead else clean(v.get("lead")),
                 deadline.describe() if deadline else clean(v.get("deadline"))]
        if reasons:
            return RowResult(row.number, ERROR, cells, "；".join(reasons))
        values = {"title": title[:300], "requirement": requirement, "indicator": indicator,
                  "lead_unit": lead[0] if lead else None, "deadline": deadline.due,
                  "deadline_text": deadline.text[:60], "frequency": deadline.frequency,
                  "number": (clean(v.get("number")) or code or "")[:20], "group": group[:100]}
        periods = [(label, starts, due) for label, starts, due in deadline.periods]
        task = self._match(existing, title, indicator)
        plan = {"task": task, "values": values, "units": responsible, "periods": periods}
        if task is None:
            return RowResult(row.number, CREATE, cells, "；".join(notes), plan)
        changes, blocked = self._changes(task, values, responsible, periods)
        if blocked:
            return RowResult(row.number, ERROR, cells, blocked)
        if not changes:
            return RowResult(row.number, SAME, cells, "；".join(notes), plan)
        return RowResult(row.number, UPDATE, cells, "；".join(changes + notes), plan)

    def _deadline(self, v, year, reasons):
        text = clean(v.get("deadline"))
        freq_text = clean(v.get("frequency"))
        freq = frequency_from(freq_text) if freq_text else None
        if freq_text and freq is None:
            reasons.append(f"频次“{freq_text}”应为 一次性、每周、每月、每季度、每学期 或 长期坚持")
            return None
        if freq in Frequency.recurring():
            return recurring(freq, year, text or freq_text)
        if not text:
            return parse_deadline(freq_text if freq else "全年", year)
        try:
            deadline = parse_deadline(v.get("deadline"), year)
        except (ValueError, OverflowError):
            reasons.append(f"完成时限“{text}”不是有效日期（如 {year.year}-06-30、6月底、每月、长期坚持）")
            return None
        if freq and deadline.frequency == Frequency.ONCE:
            deadline = Deadline(due=deadline.due, frequency=freq, text=deadline.text)
        return deadline

    @staticmethod
    def _match(existing, title, indicator):
        candidates = existing.get(_key(title), [])
        same_indicator = [t for t in candidates if t.indicator_id == (indicator.pk if indicator else None)]
        if same_indicator:
            return same_indicator[0]
        return candidates[0] if len(candidates) == 1 else None

    @staticmethod
    def _changes(task, values, units, periods):
        changes = []
        if task.deadline != values["deadline"]:
            changes.append(f"完成时限 {task.deadline} → {values['deadline']}")
        if task.frequency != values["frequency"]:
            changes.append(f"频次 {task.get_frequency_display()} → {Frequency(values['frequency']).label}")
        old_periods = [(p.label, p.starts, p.due) for p in task.period_deadlines.all()]
        if old_periods != periods and task.frequency == values["frequency"]:
            changes.append("周期截止日期已更新")
        if task.requirement != values["requirement"]:
            changes.append("工作要求已修改")
        if task.lead_unit_id != (values["lead_unit"].pk if values["lead_unit"] else None):
            changes.append(f"牵头单位 {task.lead_unit or '无'} → {values['lead_unit'] or '无'}")
        if task.indicator_id != (values["indicator"].pk if values["indicator"] else None):
            changes.append(f"测评项目 {task.indicator.code if task.indicator else '无'} → "
                           f"{values['indicator'].code if values['indicator'] else '无'}")
        if task.group != values["group"]:
            changes.append(f"分组 {task.group or '无'} → {values['group'] or '无'}")
        if values["number"] and task.number != values["number"]:
            changes.append(f"序号 {task.number or '无'} → {values['number']}")
        assignments = {a.unit_id: a for a in task.assignments.all()}
        wanted = {u.pk for u in units}
        added = [u.name for u in units if u.pk not in assignments]
        dropped = [a for unit_id, a in assignments.items() if unit_id not in wanted]
        busy = [a.unit.name for a in dropped if a.progress.all()]
        if busy:
            return [], f"{'、'.join(busy)} 已填报落实情况，不能从责任单位中移除（任务已存在）"
        if added:
            changes.append(f"新增责任单位 {'、'.join(added)}")
        if dropped:
            changes.append(f"移除责任单位 {'、'.join(a.unit.name for a in dropped)}")
        return changes, ""

    def apply(self, results, *, year, user, **_):
        created = updated = 0
        for result in results:
            plan = result.plan
            task = plan["task"] or Task(year=year, bureau=user.owning_bureau())
            for name, value in plan["values"].items():
                if name == "number" and not value and task.pk:
                    continue
                setattr(task, name, value)
            is_new = task.pk is None
            task_save(task=task, units=plan["units"], user=user)  # with the periods of its frequency
            created += is_new
            updated += not is_new
        return {"created": created, "updated": updated}


def _headings(rows):
    """(row, heading title or "") for each row: a heading merged across the table, or a row whose
    numbering heads the next row's ("1、宣传氛围" before "1.1 …"), is a heading, not a task."""
    rows = list(rows)
    for i, row in enumerate(rows):
        if row.section:
            yield row, wording.label(row.section)[1] or row.section.strip()
            continue
        code, _ = wording.split_code(clean(row.values.get("title")))
        following = next((r for r in rows[i + 1:] if not r.section), None)
        if code and following is not None:
            next_code, _ = wording.split_code(clean(following.values.get("title")))
            if next_code and next_code.startswith(code + "."):
                yield row, wording.label(clean(row.values.get("title")))[1]
                continue
        yield row, ""
