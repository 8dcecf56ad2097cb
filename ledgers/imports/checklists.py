"""Check templates (检查表) from the tables bureaus publish: 考评表, 评分表, 点位测评督查标准, 实地考察点要求.

Through the same upload → 核对列对应 → 预览 → 确认导入 flow as the other imports, into a new
template (named on the upload page, else after the table's title) or one of the bureau's own.
What a row becomes:

- groups: a 项目 column (labels merged down: "校园硬化30分", "（一）\\n校\\n园"; the same label again
  further down — a table broken across pages — is the same group) and headings merged across the
  table ("考察校园周边：") become group headings; their points ("（20分）", "30分") cap their items;
- items: the 检查内容 cell without its numbering (kept as 序号) and trailing points; points from a
  分值 column or the text ("（4分）", "。2分"); line breaks kept;
- kinds (`ledgers.rules` scores them): a 是否达标 column ("□达标 □不达标"), or a table without any
  points → 达标/不达标, and 抽查 when the text asks so many people ("随机抽取5名学生……3名及以上……
  为达标"); a 扣分标准 column, or a deduction per finding in the text ("每处扣0.5分", "缺一项扣1分，
  扣完为止") → 扣分; "一票否决" → 一票否决; otherwise 计分; "（幼儿园不做要求）" → may be 不适用;
- 合计 / 小计 rows, blank rows and a repeated header are skipped (ledgers.imports.sheet).

Re-importing the same table changes nothing: an item is the same item when its group and title
(spaces ignored) match. An item already used by checks keeps its kind (a change is refused for
that row).
"""
import re
from dataclasses import dataclass

from django import forms

from ..models import CheckItem, CheckTemplate, ItemKind
from ..models.checks import format_points
from ..services.tasks import MoveRefused
from . import wording
from .base import CREATE, ERROR, SAME, UPDATE, Importer, RowResult
from .sheet import clean, column_labels, guess_columns, merged_down, sheet_title

FIELDS = [
    ("number", "序号"), ("group", "项目（分组）"), ("title", "检查内容"), ("standard", "检查标准"),
    ("points", "分值"), ("deduction", "扣分标准"), ("passfail", "是否达标"), ("note", "备注"),
]
ALIASES = {
    "序号": "number", "编号": "number",
    "项目": "group", "类别": "group", "考察项目": "group", "检查项目": "group", "考评项目": "group",
    "一级指标": "group", "测评项目": "group", "分类": "group", "子项目": "group",
    "检查内容": "title", "考察内容": "title", "测评内容": "title", "评价内容": "title", "考评内容": "title",
    "内容": "title", "考核内容": "title", "评分内容": "title", "具体内容": "title", "二级指标": "title",
    "检查标准": "standard", "考察标准": "standard", "测评标准": "standard", "评分标准": "standard",
    "评价标准": "standard", "考评标准": "standard", "标准": "standard", "考察内容及标准": "standard",
    "内容及标准": "standard", "检查要点": "standard", "测评要求": "standard", "要求": "standard",
    "赋分标准": "standard", "指标描述": "standard",
    "分值": "points", "分数": "points", "满分": "points", "标准分": "points", "权重": "points",
    "扣分标准": "deduction", "扣分办法": "deduction", "扣分细则": "deduction", "扣分说明": "deduction",
    "是否达标": "passfail", "达标情况": "passfail", "达标": "passfail",
    "备注": "note", "说明": "note",
    # Columns the inspector fills in on paper: header words, never imported.
    "得分": "", "实得分": "", "评分": "", "督查记录": "", "检查记录": "", "检查情况": "", "扣分": "",
    "检查结果": "", "测评结果": "", "存在问题": "",
}
KIND_LABELS = dict(ItemKind.choices)


def _key(text):
    return re.sub(r"\s+", "", text or "")


class TargetForm(forms.Form):
    """The upload step's choice: import into a new template, or into one of the bureau's own."""
    template = forms.ModelChoiceField(label="导入到", queryset=CheckTemplate.objects.none(), required=False,
                                      empty_label="新建检查表")
    name = forms.CharField(label="新检查表名称", max_length=100, required=False,
                           help_text="不填则用表格的标题（如“中小学校点位测评督查标准”）")

    def __init__(self, *args, user, year, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["template"].queryset = CheckTemplate.objects.actable_by(user).filter(year=year).order_by("name")

    def options(self):
        template = self.cleaned_data.get("template")
        if template is not None:
            return {"template": template.pk}
        return {"name": self.cleaned_data.get("name", "").strip()}


@dataclass
class Group:
    title: str
    points: object
    number: str
    parent: object  # Group or None
    item: object = None  # the existing CheckItem, when there is one

    @property
    def trail(self):
        return (self.parent.trail if self.parent else ()) + (self.title,)

    def text(self):
        return " › ".join(self.trail)


class ChecklistImporter(Importer):
    kind = "checklists"
    title = "检查表"
    fields = FIELDS
    aliases = ALIASES
    required = {"title": "检查内容"}
    multi = ("group", "note")
    preview_headers = ["序号", "分组", "检查内容", "类型", "分值", "评分规则"]
    takes_sections = True
    options_form = TargetForm

    def missing(self, columns):
        mapped = set(columns.values())
        return [] if {"title", "standard"} & mapped else ["检查内容 或 检查标准"]

    def guess_sheet(self, sheet, first, last, data_first):
        """A 检查内容 column whose cells are labels merged down over their rows, beside a standard
        column, is the group: the items are the standards ("考察内容 | 考察标准")."""
        columns = guess_columns(column_labels(sheet, first, last), self.aliases, self.multi)
        fields = {f: c for c, f in columns.items()}
        if "title" in fields and "standard" in fields and "group" not in fields:
            col, rows = fields["title"], range(data_first, sheet.height)
            labelled = [r for r in rows if clean(sheet.values[r][col])]
            if labelled and sum(merged_down(sheet, r, col) for r in labelled) * 2 >= len(labelled):
                columns[col], columns[fields["standard"]] = "group", "title"
        return columns

    # --- the target template -------------------------------------------------------------------

    @staticmethod
    def prepare_options(options, sheet, header_first):
        """At upload: a new template without a name is named after the table's title."""
        if not options.get("template") and not options.get("name"):
            options["name"] = sheet_title(sheet, header_first)
        return options

    @staticmethod
    def target(upload, year, user):
        """(template or None, name): the template the rows go into, or the name of the one to create
        (a template of that name already in the bureau's year is the one: importing again updates it)."""
        options = (upload.options if upload else {}) or {}
        if options.get("template"):
            template = CheckTemplate.objects.actable_by(user).filter(year=year, pk=options["template"]).first()
            if template is None:
                raise MoveRefused("所选检查表不存在或不能修改，请重新上传并选择。")
            return template, template.name
        name = (options.get("name") or "导入的检查表")[:100]
        return CheckTemplate.objects.filter(year=year, bureau=user.owning_bureau(), name=name).first(), name

    def target_text(self, upload, year, user):
        template, name = self.target(upload, year, user)
        return f"导入到检查表“{name}”" + ("（已有，按检查项目核对新增和更新）" if template else "（新建）")

    # --- checking the rows ---------------------------------------------------------------------

    def check(self, rows, *, year, user, upload=None, sheet=None):
        template, _ = self.target(upload, year, user)
        existing = list(template.items.all()) if template else []
        used = set(CheckItem.objects.filter(template=template, scores__isnull=False).values_list("pk", flat=True)) \
            if template else set()
        state = _State(existing)
        has_points = any(self._points(row) is not None for row in rows if not row.section) or any(
            wording.label(clean(label))[2] for row in rows for label in row.values.get("group") or [])
        results, section = [], None
        for row in rows:
            if row.section:
                section = state.group(None, row.section)
                results.append(self._section_result(row, section))
                continue
            results.append(self._check_row(row, state, section, has_points, used))
        return results

    def _section_result(self, row, group):
        cells = [group.number, group.text(), "", "分组", format_points(group.points) if group.points else "", ""]
        if group.item is not None:
            return RowResult(row.number, SAME, cells, "已有分组", {"group": group})
        return RowResult(row.number, CREATE, cells, "分组标题", {"group": group})

    @staticmethod
    def _points(row):
        value = clean(row.values.get("points"))
        if value:
            return wording.number(value)
        return wording.item_text(clean(row.values.get("title")) or clean(row.values.get("standard")))[2]

    def _check_row(self, row, state, section, has_points, used):
        v, reasons = row.values, []
        parent = section
        for label in v.get("group") or []:
            parent = state.group(parent, clean(label))
        title_cell, standard = clean(v.get("title")), clean(v.get("standard"))
        if not title_cell:
            title_cell, standard = standard, ""
        code, title, text_points = wording.item_text(title_cell)
        number = clean(v.get("number")) or code or ""
        points_cell = clean(v.get("points"))
        points = wording.number(points_cell) if points_cell else text_points
        if points_cell and points is None:
            reasons.append(f"分值“{points_cell}”不是有效数字")
        rule = clean(v.get("deduction"))
        notes = [clean(x) for x in v.get("note") or [] if clean(x)]
        full_standard = "\n".join(part for part in (standard, f"扣分标准：{rule}" if rule else "",
                                                      *(f"备注：{n}" for n in notes)) if part)
        if not title:
            reasons.append("缺少检查内容")
        values = {"number": number[:20], "title": title[:500], "standard": full_standard, "max_points": points or 0,
                  "deduct": None, "deduct_floor": False, "sample_size": None, "sample_pass": None,
                  "allow_na": wording.may_not_apply(title + standard)}
        values["kind"] = self._kind(values, f"{title}\n{standard}\n{rule}", rule, parent, has_points,
                                    "passfail" in v, reasons)
        cells = [number, parent.text() if parent else "", title[:60], KIND_LABELS[values["kind"]],
                 format_points(points) if points else "", _rule_text(values)]
        if reasons:
            return RowResult(row.number, ERROR, cells, "；".join(reasons))
        item = state.item(parent, title)
        plan = {"parent": parent, "item": item, "values": values}
        if item is None:
            return RowResult(row.number, CREATE, cells, state.new_groups_note(parent), plan)
        changes = [label for name, label in (("kind", "类型"), ("max_points", "分值"), ("standard", "检查标准"),
                                             ("deduct", "每处扣分"), ("deduct_floor", "扣完为止"),
                                             ("sample_size", "抽查人数"), ("sample_pass", "达标人数"),
                                             ("allow_na", "可不适用"), ("number", "序号"))
                   if getattr(item, name) != values[name] and (name != "number" or values[name])]
        if not values["number"]:
            values["number"] = item.number  # a table without numbering keeps the numbers already there
        if item.max_points != values["max_points"]:
            changes[changes.index("分值")] = f"分值 {format_points(item.max_points)} → {format_points(values['max_points'])}"
        if "类型" in changes and item.pk in used:
            return RowResult(row.number, ERROR, cells,
                             f"该项目已用于督查记录，不能从“{item.get_kind_display()}”改为“{cells[3]}”")
        if not changes:
            return RowResult(row.number, SAME, cells, "", plan)
        return RowResult(row.number, UPDATE, cells, "、".join(changes) + "已修改", plan)

    @staticmethod
    def _kind(values, text, rule, parent, has_points, passfail_column, reasons):
        """The item's kind from the table's columns and the rule in its words (module docstring)."""
        points = values["max_points"]
        if wording.is_veto(text):
            return ItemKind.VETO
        group_points = parent is not None and parent.points
        per_finding, floor = wording.deduction(rule or text)
        if rule or (per_finding is not None and (points or group_points)):
            if not points and not group_points:
                reasons.append("扣分项目须有分值（或所属分组有分值）")
            values.update(deduct=per_finding, deduct_floor=floor)
            return ItemKind.DEDUCTION
        if passfail_column or not has_points or (not points and not group_points):
            sample = wording.sampling(text)
            if sample:
                values.update(sample_size=sample[0], sample_pass=sample[1])
                return ItemKind.SAMPLING
            return ItemKind.PASSFAIL
        if not points:
            reasons.append("缺少分值")
        return ItemKind.SCORED

    # --- writing --------------------------------------------------------------------------------

    def apply(self, results, *, year, user, upload=None):
        from ..services.checks import checklist_import_write

        template, name = self.target(upload, year, user)
        return checklist_import_write(user=user, year=year, template=template, name=name,
                                      rows=[r.plan for r in results])


def _rule_text(values):
    item = CheckItem(**{k: v for k, v in values.items()})
    return item.rule_text() if values["kind"] != ItemKind.PASSFAIL else ""


class _State:
    """The groups and items of the target template, and the new ones the rows make, by title path."""

    def __init__(self, existing):
        by_pk = {i.pk: i for i in existing}
        self.groups, self.items, self.new = {}, {}, []

        def path(item):
            out, parent = [], by_pk.get(item.parent_id)
            while parent is not None and len(out) < 10:
                out.insert(0, _key(parent.title))
                parent = by_pk.get(parent.parent_id)
            return tuple(out)

        for item in existing:
            if item.is_group:
                self.groups[path(item) + (_key(item.title),)] = item
            else:
                self.items[path(item) + (_key(item.title),)] = item
        self.known = {}

    def group(self, parent, label):
        code, title, points = wording.label(label)
        title = title[:500] or label.strip()[:500]
        key = (parent.trail if parent else ()) + (title,)
        found = self.known.get(tuple(_key(k) for k in key))
        if found is not None:
            if found.points is None and points is not None:
                found.points = points
            return found
        group = Group(title, points, code or "", parent, self.groups.get(tuple(_key(k) for k in key)))
        self.known[tuple(_key(k) for k in key)] = group
        if group.item is None:
            self.new.append(group)
        return group

    def item(self, parent, title):
        return self.items.get(tuple(_key(k) for k in (parent.trail if parent else ())) + (_key(title[:500]),))

    def new_groups_note(self, parent):
        made = []
        while parent is not None:
            if parent.item is None and not getattr(parent, "announced", False):
                parent.announced = True
                made.insert(0, f"新分组“{parent.title}”" + (f"（{format_points(parent.points)}分）" if parent.points else ""))
            parent = parent.parent
        return "，".join(made)
