"""The evaluation system (测评体系) as the official table prints it.

Two layouts are understood through the mapping:
- with a 编号 column (3.2.1): the code gives the tree; a row per indicator;
- three levels in columns (一级指标 | 二级指标 | 三级指标/测评内容 | 测评标准 | 分值 | 测评方法), the
  upper levels merged down: codes are numbered 1, 1.1, 1.1.1 in table order. "一、思想道德建设（20分）"
  loses its numbering and gives its points; a parent with no points gets the sum of its children.
Indicators are matched by code within the year: re-importing updates, never duplicates.
Without a 三级指标 column the 测评标准 cells are the items ("1.校园显著位置设有……；（4分）": the
numbering and the points in the text are read off, `wording.item_text`); with a 指标描述 column the
deepest level label is the item and the description its standard. Labels are read by `wording.label`
("校园硬化30分", "I-1 领 导 班 子 建 设（15 分）").
An import writes the importer's own bureau's indicators: a district's hang beneath the city's tree
(a district row may name a city parent such as 3.2); a row whose code is the city's indicator is
left alone when unchanged and refused when it would change it. A district's table without codes,
while the city's tree is there, becomes the district's own branch: a top indicator named after the
table's title with the next free code (9 when the city's go to 8), its rows numbered beneath it
(9.1, 9.1.1 …) — it never collides with, attaches under or overwrites a city indicator.
"""
import re
from decimal import Decimal, InvalidOperation

from ..models import Indicator, Method
from ..models.checks import format_points
from ..params import to_int
from ..services.tasks import MoveRefused
from . import wording
from .base import CREATE, ERROR, SAME, UPDATE, Importer, RowResult
from .sheet import clean, sheet_title

FIELDS = [
    ("code", "指标编号"), ("level1", "一级指标"), ("level2", "二级指标"), ("title", "三级指标/测评项目"),
    ("standard", "测评标准"), ("points", "分值"), ("method", "测评方法"), ("min_photos", "最少照片数"),
    ("caption_required", "照片须有说明"), ("description", "指标描述"), ("note", "备注"),
]
ALIASES = {
    "编号": "code", "指标编号": "code", "序号": "code", "代码": "code",
    "一级指标": "level1", "测评项目": "level1", "一级": "level1", "项目": "level1",
    "考评内容": "level1", "考评项目": "level1",
    "二级指标": "level2", "测评内容": "level2", "二级": "level2", "子项目": "level2",
    "三级指标": "title", "指标名称": "title", "测评要点": "title", "三级": "title", "具体指标": "title",
    "测评标准": "standard", "标准": "standard", "评分标准": "standard", "考核标准": "standard",
    "考评标准": "standard", "赋分标准": "standard", "评价内容": "standard",
    "指标描述": "description",
    "分值": "points", "分数": "points", "权重": "points", "标准分": "points",
    "测评方法": "method", "方法": "method", "考核方法": "method", "测评方式": "method",
    "最少照片数": "min_photos", "照片数": "min_photos",
    "照片须有说明": "caption_required", "须有说明": "caption_required",
    "备注": "note", "测评要求": "note", "负责部门": "note", "责任部门": "note",
    # Columns filled in when scoring: header words, never imported.
    "得分": "", "实得分": "", "扣分": "", "督查记录": "",
}
YES = {"是", "√", "✓", "y", "yes", "true", "1", "需要", "必须"}
NO = {"", "否", "×", "n", "no", "false", "0", "不需要"}
METHOD_WORDS = [("问卷", Method.SURVEY), ("实地", Method.SITE), ("现场", Method.SITE), ("查看", Method.SITE),
                ("材料", Method.DOCUMENTS), ("资料", Method.DOCUMENTS), ("审核", Method.DOCUMENTS)]


def _tree(year, bureau):
    """{code: indicator} of the tree `bureau` works with: the city's and its own (its own wins)."""
    indicators = Indicator.objects.filter(year=year).for_bureau(bureau).select_related("bureau")
    return {i.code: i for i in sorted(indicators, key=lambda i: i.bureau_id == bureau.pk)}


def _points_text(value):
    """Points as people write them: "20", "7.5" (never "2E+1")."""
    return "" if value is None else format_points(value)


def _not_ours(indicator):
    return f"指标 {indicator.code} 由{indicator.bureau.name}发布，不能在此修改。"


def _method(text):
    if not text:
        return Method.DOCUMENTS
    for label, value in ((m.label, m.value) for m in Method):
        if text == label:
            return value
    found = [(text.index(word), value) for word, value in METHOD_WORDS if word in text]
    return min(found)[1] if found else None  # "查阅资料、实地查看": the first one named


def _label(text):
    """("思想道德建设", Decimal("20") or None) from "一、思想道德建设（20分）", "校园硬化30分"."""
    _, title, points = wording.label(text)
    return title or text.strip(), points


class IndicatorImporter(Importer):
    kind = "indicators"
    title = "测评指标"
    fields = FIELDS
    aliases = ALIASES
    required = {}
    multi = ("note",)
    preview_headers = ["编号", "测评项目", "分值", "测评方法", "测评标准"]

    def missing(self, columns):
        mapped = set(columns.values())
        if "code" in mapped and ({"title", "level1", "level2", "standard"} & mapped):
            return []
        if "level1" in mapped and ({"title", "level2", "standard"} & mapped):
            return []
        return ["指标编号 或 一级指标", "三级指标/测评项目 或 测评标准"]

    def check(self, rows, *, year, user, upload=None, sheet=None, **_):
        bureau = user.owning_bureau()
        existing = _tree(year, bureau)
        if any("code" in r.values for r in rows):
            nodes, branch = self._by_code(rows, existing), None
        else:
            nodes = self._by_levels(rows)
            branch = self._branch(nodes, existing, bureau, upload, sheet)
        results = []
        for node in nodes:
            cells = [node["code"], node["title"], _points_text(node["points"]), "", node["standard"][:60]]
            if node["reasons"]:
                results.append(RowResult(node["row"], ERROR, cells, "；".join(node["reasons"])))
                continue
            cells[3] = Method(node["method"]).label
            current = existing.get(node["code"])
            plan = node
            if current is None:
                results.append(RowResult(node["row"], CREATE, cells, branch or "", plan))
                continue
            changes = [label for name, label in (("title", "名称"), ("standard", "测评标准"), ("method", "测评方法"),
                                                 ("min_photos", "最少照片数"), ("caption_required", "照片须有说明"))
                       if getattr(current, name) != node[name]]
            if current.points != node["points"]:
                changes.append(f"分值 {_points_text(current.points)} → {_points_text(node['points'])}")
            if current.bureau_id != bureau.pk:
                if changes:
                    results.append(RowResult(node["row"], ERROR, cells, _not_ours(current)))
                else:
                    results.append(RowResult(node["row"], SAME, cells, f"{current.bureau.name}发布的指标", plan))
                continue
            status = UPDATE if changes else SAME
            results.append(RowResult(node["row"], status, cells, "、".join(changes) + ("已修改" if changes else ""), plan))
        return results

    @staticmethod
    def _branch(nodes, existing, bureau, upload, sheet):
        """A table without codes while another bureau's (the city's) tree is there: its rows go into
        the bureau's own branch, a top indicator named after the table (the one of that name from an
        earlier import, else the next free top code). Returns the preview's note, or None."""
        if not nodes or all(i.bureau_id == bureau.pk for i in existing.values()):
            return None
        title = (sheet_title(sheet, upload.header_first - 1) if sheet is not None and upload is not None
                 else "") or "本局自设指标"
        tops = [i for i in existing.values() if "." not in i.code]
        own = next((i for i in tops if i.bureau_id == bureau.pk and i.title == title[:200]), None)
        root = own.code if own else str(max((int(i.code) for i in tops if i.code.isdigit()), default=0) + 1)
        for node in nodes:
            if node["code"]:
                node["code"] = f"{root}.{node['code']}"
        row = max(0, (upload.header_first - 1) if upload is not None else 0)
        nodes.insert(0, {"row": row, "code": root, "title": title[:200], "reasons": [], "points": sum(
            (n["points"] or Decimal(0) for n in nodes if n["code"].count(".") == 1), Decimal(0)),
            "method": Method.DOCUMENTS, "min_photos": 0, "caption_required": False, "standard": ""})
        return f"本局自设指标（{root} {title[:30]}）下，不与{next(i.bureau.name for i in tops if i.bureau_id != bureau.pk)}的指标编号冲突" \
            if any(i.bureau_id != bureau.pk for i in tops) else f"本局自设指标（{root} {title[:30]}）下"

    def _common(self, v, reasons, standard=None):
        try:
            points = Decimal(clean(v.get("points")).rstrip("分") or "0")
            if points < 0 or points >= 10000:
                raise InvalidOperation
        except InvalidOperation:
            points = Decimal(0)
            reasons.append(f"分值“{clean(v.get('points'))}”不是有效数字")
        method_text = clean(v.get("method"))
        method = _method(method_text)
        if method is None:
            reasons.append(f"测评方法“{method_text}”应含 材料审核、实地考察 或 问卷调查")
            method = Method.DOCUMENTS
        photos = clean(v.get("min_photos")) or "0"
        if to_int(photos) is None:
            reasons.append(f"最少照片数“{photos}”应为整数")
            photos = "0"
        caption = clean(v.get("caption_required")).lower()
        if caption not in YES | NO:
            reasons.append(f"照片须有说明“{caption}”应填 是 或 否")
        standard = clean(v.get("standard")) if standard is None else standard
        note = "\n".join(clean(x) for x in v.get("note") or [])
        if note:
            standard = f"{standard}\n备注：{note}".strip()
        return {"points": points, "method": method, "min_photos": int(photos),
                "caption_required": caption in YES, "standard": standard}

    def _by_code(self, rows, existing):
        nodes, seen = [], {}
        for row in rows:
            v, reasons = row.values, []
            code = clean(v.get("code")).rstrip(".")
            title = _label(clean(v.get("title")) or clean(v.get("level2")) or clean(v.get("level1")))[0]
            common = self._common(v, reasons)
            if not title:
                title = common["standard"][:200]
            if not re.fullmatch(r"\d+(\.\d+)*", code):
                reasons.append(f"编号“{code}”应为数字和点，如 3.2.1" if code else "缺少编号")
            elif code in seen:
                reasons.append(f"编号 {code} 与第 {seen[code]} 行重复")
            else:
                seen[code] = row.number
                parent = code.rpartition(".")[0]
                if parent and parent not in seen and parent not in existing:
                    reasons.append(f"上级指标 {parent} 不存在（请把上级指标写在前面）")
            if not title:
                reasons.append("缺少测评项目")
            nodes.append({"row": row.number, "code": code, "title": title[:200], "reasons": reasons, **common})
        return nodes

    def _by_levels(self, rows):
        nodes, index = [], {}  # (title path) -> node
        counters = {}

        def node_for(path, row, reasons, **fields):
            if path in index:
                return index[path]
            parent_code = index[path[:-1]]["code"] if len(path) > 1 else ""
            counters[parent_code] = counters.get(parent_code, 0) + 1
            code = f"{parent_code}.{counters[parent_code]}" if parent_code else str(counters[parent_code])
            title, points = _label(path[-1])
            node = {"row": row, "code": code, "title": title[:200], "reasons": reasons, "points": points,
                    "method": Method.DOCUMENTS, "min_photos": 0, "caption_required": False, "standard": "",
                    "children": [], "explicit_points": points is not None, **fields}
            index[path] = node
            if len(path) > 1:
                index[path[:-1]]["children"].append(node)
            nodes.append(node)
            return node

        heading = None  # (path, label) of a heading row over the rows below it
        for row in rows:
            v, reasons = row.values, []
            level1, level2 = clean(v.get("level1")), clean(v.get("level2"))
            description, text_points = clean(v.get("description")), None
            if clean(v.get("title")):
                _, leaf, text_points = wording.item_text(clean(v.get("title")))
                common = self._common(v, reasons)
            elif description:  # the deepest level label is the item, described
                leaf, common = "", self._common(v, reasons, "\n".join(
                    p for p in (description, clean(v.get("standard"))) if p))
            else:  # the 测评标准 cell is the item: "1.……；（4分）"
                _, text, text_points = wording.item_text(clean(v.get("standard")))
                common = self._common(v, reasons, text)
                leaf = text.split("\n")[0][:200]
            if not clean(v.get("points")):
                if text_points is not None:
                    common["points"] = text_points
                elif not leaf:
                    del common["points"]  # the label's own ("II-1 党建工作（7分）")
            if not level1:
                reasons.append("缺少一级指标")
            if not leaf and not level2:
                reasons.append("缺少测评项目或测评标准")
            if reasons:
                nodes.append({"row": row.number, "code": "", "title": leaf or level2, "reasons": reasons,
                              "points": common.get("points"), "standard": common["standard"]})
                continue
            path = (level1,)
            node_for(path, row.number, [])
            if level2:
                path += (level2,)
                node_for(path, row.number, [])
            if not clean(v.get("title")) and not description and "standard" in row.merged_across:
                # "（1）校园内设施清洁无卫生死角。（13分）" across the 得分 column: it heads the rows below.
                node_for(path + (clean(v.get("standard")),), row.number, [])
                heading = (path, clean(v.get("standard")))
                continue
            if heading and heading[0] == path:
                path += (heading[1],)
            else:
                heading = None
            if leaf and path + (leaf,) not in index:
                leaf_node = node_for(path + (leaf,), row.number, [], **common, title=leaf[:200])
                leaf_node["explicit_points"] = True
            elif not leaf or leaf == path[-1]:
                index[path].update(common)
                index[path]["explicit_points"] = True
        for node in reversed(nodes):  # children after parents: sum bottom-up
            if "children" in node and not node["explicit_points"]:
                node["points"] = sum((c["points"] or Decimal(0) for c in node["children"]), Decimal(0))
            if node.get("points") is None:
                node["points"] = Decimal(0)
        return nodes

    def apply(self, results, *, year, user, **_):
        bureau = user.owning_bureau()
        by_code = _tree(year, bureau)
        created = updated = 0
        for result in sorted(results, key=lambda r: r.plan["code"].count(".")):
            node = result.plan
            indicator = by_code.get(node["code"])
            if indicator is not None and indicator.bureau_id != bureau.pk:
                raise MoveRefused(_not_ours(indicator))
            indicator = indicator or Indicator(year=year, code=node["code"], bureau=bureau)
            created += indicator.pk is None
            updated += indicator.pk is not None
            indicator.parent = by_code.get(node["code"].rpartition(".")[0])
            for name in ("title", "standard", "method", "min_photos", "caption_required", "points"):
                setattr(indicator, name, node[name])
            indicator.save()
            by_code[indicator.code] = indicator
        return {"created": created, "updated": updated}
