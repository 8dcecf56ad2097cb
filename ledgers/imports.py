"""Excel import of the task breakdown table (任务分解表) and the indicator tree (测评指标).

Bureaus already keep these as .xlsx with a title row, merged header cells (a two-row header such
as "责任分工" over "责任单位 | 牵头单位"), cells merged down several rows and several unit names
in one cell. Import is two steps:

1. `parse_tasks(upload, year)` / `parse_indicators(upload, year)` read the first sheet and return
   a `Parsed` with plain JSON-able rows and every bad row's number and reason. Nothing is written.
2. `import_tasks(...)` / `import_indicators(...)` write all rows in one transaction, only when
   the whole file was valid.

Files are checked by content (`ledgers.files`, kind EXCEL) before openpyxl opens them.
"""
import calendar
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.db import transaction
from openpyxl import load_workbook
from openpyxl.utils.datetime import from_excel

from reports.excel import Column, add_table_sheet, new_workbook, workbook_bytes

from . import files
from .models import Frequency, Indicator, Method, Task, Unit, UnitKind
from .services.tasks import MoveRefused, task_save

HEADER_SCAN_ROWS = 6
UNIT_SEPARATORS = re.compile(r"[、，,；;\n\r/／]+")
UNIT_GROUPS = {"各学校": UnitKind.SCHOOL, "各中小学": UnitKind.SCHOOL, "各股室": UnitKind.SECTION,
               "各直属单位": UnitKind.AFFILIATE}


@dataclass
class Parsed:
    rows: list = field(default_factory=list)
    errors: list = field(default_factory=list)  # [(row number, reason)]

    @property
    def ok(self):
        return bool(self.rows) and not self.errors


def _clean(value):
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _header_key(value):
    # "完成\n时限（截止）" -> "完成时限"
    text = re.sub(r"\s+", "", _clean(value)).strip("*＊")
    return re.sub(r"[（(].*[)）]$", "", text)


def read_sheet(upload):
    """The first sheet's rows as lists of values, merged cells filled with their value."""
    kind, ext = files.check_upload(upload, {files.EXCEL})
    name = files.display_name(upload)
    if ext != ".xlsx":
        raise files.UploadRefused(f"“{name}”是旧版 .xls 文件，请在 Excel 中另存为 .xlsx 后再导入。")
    try:
        upload.seek(0)
        workbook = load_workbook(upload, data_only=True)
    except Exception:  # noqa: BLE001 - openpyxl raises many kinds for a broken file
        raise files.UploadRefused(f"“{name}”无法打开，文件可能已损坏，请在 Excel 中重新保存后再导入。")
    sheet = workbook.worksheets[0]
    for merged in list(sheet.merged_cells.ranges):
        value = sheet.cell(merged.min_row, merged.min_col).value
        sheet.unmerge_cells(str(merged))
        for row in range(merged.min_row, merged.max_row + 1):
            for col in range(merged.min_col, merged.max_col + 1):
                sheet.cell(row, col).value = value
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def find_columns(rows, aliases, required):
    """({column index: field}, first data row index) from a header in the first rows.

    A two-row header contributes from both rows: the top row names columns merged down, the
    second the columns under a merged group label.
    """
    columns, last_header = {}, None
    for index, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        found = {col: aliases[_header_key(v)] for col, v in enumerate(row) if _header_key(v) in aliases}
        if found:
            for col, name in found.items():
                if name not in columns.values():
                    columns[col] = name
            last_header = index
        elif last_header is not None:
            break
    missing = [label for name, label in required.items() if name not in columns.values()]
    if missing:
        raise files.UploadRefused(
            f"前 {HEADER_SCAN_ROWS} 行中没有找到表头列“{'”“'.join(missing)}”，请使用导入模板的列名。")
    return columns, last_header + 1


def _data_rows(rows, columns, start):
    for index in range(start, len(rows)):
        raw = rows[index]
        values = {name: raw[col] if col < len(raw) else None for col, name in columns.items()}
        if any(_clean(v) for v in values.values()):
            yield index + 1, values  # Excel row numbers start at 1


# --- dates and units ---------------------------------------------------------------------

LONG_TERM = ("长期", "常态", "全年", "持续")


def parse_deadline(value, year):
    """A date from a cell: a real date, an Excel serial, or text like 2026-6-30 / 6月30日 / 6月底."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, (int, float)) and 20000 < value < 80000:
        return from_excel(value).date()
    text = re.sub(r"\s+", "", _clean(value))
    if any(word in text for word in LONG_TERM):
        return date(year, 12, 31)
    match = re.search(r"(?:(\d{4})[-/.年])?(\d{1,2})[-/.月](\d{1,2}|底)", text)
    if not match:
        raise ValueError
    y, m = int(match.group(1) or year), int(match.group(2))
    d = calendar.monthrange(y, m)[1] if match.group(3) == "底" else int(match.group(3))
    return date(y, m, d)


def frequency_from(text):
    for word, freq in (("每周", Frequency.WEEKLY), ("每月", Frequency.MONTHLY), ("每学期", Frequency.TERM),
                       ("一次性", Frequency.ONCE)):
        if word in text:
            return freq
    return None


class UnitIndex:
    """Matches unit names as typed in a spreadsheet to units: exact (spaces ignored), else a
    unique unit whose name contains the text (e.g. "第一实验小学")."""

    def __init__(self, user=None):
        # Only the importing admin's own units (a district's admin: their district's).
        units = Unit.objects.actable_by(user).filter(bureau=user.owning_bureau()) if user else Unit.objects
        self.units = list(units.active())
        self.by_name = {re.sub(r"\s+", "", u.name): u for u in self.units}

    def find(self, text):
        key = re.sub(r"\s+", "", text)
        if key in self.by_name:
            return [self.by_name[key]]
        if key in UNIT_GROUPS:
            return [u for u in self.units if u.kind == UNIT_GROUPS[key]]
        candidates = [u for name, u in self.by_name.items() if key and key in name]
        return candidates if len(candidates) == 1 else None

    def parse(self, cell):
        """(units, unknown names) from a cell listing names separated by 、，, ; or new lines."""
        found, unknown = [], []
        for token in UNIT_SEPARATORS.split(_clean(cell)):
            token = token.strip()
            if not token:
                continue
            units = self.find(token)
            if units is None:
                unknown.append(token)
            else:
                found.extend(u for u in units if u not in found)
        return found, unknown


# --- tasks -------------------------------------------------------------------------------

TASK_ALIASES = {
    "序号": "number", "编号": "number",
    "测评项目": "indicator", "测评指标": "indicator", "指标编号": "indicator", "指标": "indicator",
    "测评内容": "title", "任务": "title", "工作任务": "title", "任务名称": "title", "重点任务": "title",
    "工作要求": "requirement", "具体要求": "requirement", "工作措施": "requirement", "任务要求": "requirement",
    "责任单位": "units", "责任股室": "units", "责任股室（单位）": "units", "配合单位": "units",
    "牵头单位": "lead", "牵头股室": "lead",
    "完成时限": "deadline", "完成时间": "deadline", "截止日期": "deadline", "时间要求": "deadline",
    "工作频次": "frequency", "频次": "frequency",
}
TASK_REQUIRED = {"title": "测评内容", "units": "责任单位", "deadline": "完成时限"}


def _indicator_lookup(year, bureau=None):
    indicators = list(Indicator.objects.filter(year=year).for_bureau(bureau) if bureau else
                      Indicator.objects.filter(year=year))
    return {i.code: i for i in indicators}, {i.title: i for i in indicators}


def _find_indicator(text, by_code, by_title):
    match = re.match(r"^\s*(\d+(?:\.\d+)*)", text)
    if match and match.group(1) in by_code:
        return by_code[match.group(1)]
    return by_title.get(text.strip())


def parse_tasks(upload, year, user=None):
    rows = read_sheet(upload)
    columns, start = find_columns(rows, TASK_ALIASES, TASK_REQUIRED)
    units = UnitIndex(user)
    by_code, by_title = _indicator_lookup(year, user.owning_bureau() if user else None)
    parsed = Parsed()
    for row_number, v in _data_rows(rows, columns, start):
        reasons = []
        title = _clean(v.get("title"))
        if not title:
            reasons.append("缺少测评内容（任务名称）")
        responsible, unknown = units.parse(v.get("units"))
        lead, unknown_lead = units.parse(v.get("lead"))
        unknown += unknown_lead
        if unknown:
            reasons.append(f"单位“{'”“'.join(unknown)}”不存在，请与单位管理中的名称一致")
        if len(lead) > 1:
            reasons.append("牵头单位只能填一个")
        if not responsible and lead:
            responsible = lead[:1]
        if not responsible and not unknown:
            reasons.append("缺少责任单位")
        deadline_text = _clean(v.get("deadline"))
        deadline = None
        if not deadline_text:
            reasons.append("缺少完成时限")
        else:
            try:
                deadline = parse_deadline(v.get("deadline"), year.year)
            except (ValueError, OverflowError):
                reasons.append(f"完成时限“{deadline_text}”不是有效日期（如 {year.year}-06-30）")
        indicator = None
        indicator_text = _clean(v.get("indicator"))
        if indicator_text:
            indicator = _find_indicator(indicator_text, by_code, by_title)
            if indicator is None:
                reasons.append(f"测评项目“{indicator_text}”不在本年度测评指标中")
        frequency_text = _clean(v.get("frequency"))
        frequency = frequency_from(frequency_text) or frequency_from(deadline_text) or Frequency.ONCE
        if frequency_text and not frequency_from(frequency_text):
            reasons.append(f"工作频次“{frequency_text}”应为 一次性、每周、每月 或 每学期")
        if reasons:
            parsed.errors.append((row_number, "；".join(reasons)))
            continue
        parsed.rows.append({
            "row": row_number, "number": _clean(v.get("number"))[:20], "title": title[:300],
            "requirement": _clean(v.get("requirement")),
            "indicator_id": indicator.pk if indicator else None, "indicator": str(indicator or ""),
            "unit_ids": [u.pk for u in responsible], "units": "、".join(u.name for u in responsible),
            "lead_unit_id": lead[0].pk if lead else None, "lead_unit": lead[0].name if lead else "",
            "deadline": deadline.isoformat(), "frequency": str(frequency),
            "frequency_label": str(Frequency(frequency).label),
        })
    if not parsed.rows and not parsed.errors:
        parsed.errors.append((start + 1, "表头下面没有任务行"))
    return parsed


def import_tasks(*, year, rows, user):
    """Write parsed task rows in one transaction; returns the number of tasks created."""
    unit_ids = {pk for row in rows for pk in row["unit_ids"]} | {row["lead_unit_id"] for row in rows} - {None}
    units = Unit.objects.in_bulk(unit_ids)
    if len(units) != len(unit_ids):
        raise MoveRefused("预览后单位有变动，请重新上传文件。")
    with transaction.atomic():
        for row in rows:
            task = Task(year=year, number=row["number"], title=row["title"], requirement=row["requirement"],
                        indicator_id=row["indicator_id"], lead_unit_id=row["lead_unit_id"],
                        deadline=date.fromisoformat(row["deadline"]), frequency=row["frequency"])
            task_save(task=task, units=[units[pk] for pk in row["unit_ids"]], user=user)
    return len(rows)


# --- indicators --------------------------------------------------------------------------

INDICATOR_ALIASES = {
    "编号": "code", "指标编号": "code", "序号": "code",
    "测评项目": "title", "指标名称": "title", "测评内容": "title",
    "测评标准": "standard", "标准": "standard",
    "分值": "points", "分数": "points",
    "测评方法": "method", "方法": "method",
    "最少照片数": "min_photos", "照片数": "min_photos",
    "照片须有说明": "caption_required", "须有说明": "caption_required",
}
INDICATOR_REQUIRED = {"code": "编号", "title": "测评项目"}
YES = {"是", "√", "✓", "y", "yes", "true", "1", "需要", "必须"}
NO = {"", "否", "×", "n", "no", "false", "0", "不需要"}


def parse_indicators(upload, year, user=None):
    rows = read_sheet(upload)
    columns, start = find_columns(rows, INDICATOR_ALIASES, INDICATOR_REQUIRED)
    mine = Indicator.objects.filter(year=year, bureau=user.owning_bureau()) if user else Indicator.objects.filter(
        year=year)
    existing = set(mine.values_list("code", flat=True))
    methods = {label: value for value, label in Method.choices}
    parsed, seen = Parsed(), {}
    for row_number, v in _data_rows(rows, columns, start):
        reasons = []
        code = _clean(v.get("code")).rstrip(".")
        title = _clean(v.get("title"))
        if not re.fullmatch(r"\d+(\.\d+)*", code):
            reasons.append(f"编号“{code}”应为数字和点，如 3.2.1" if code else "缺少编号")
        elif code in seen:
            reasons.append(f"编号 {code} 与第 {seen[code]} 行重复")
        else:
            seen[code] = row_number
            parent = code.rpartition(".")[0]
            if parent and parent not in seen and parent not in existing:
                reasons.append(f"上级指标 {parent} 不存在（请把上级指标写在前面）")
        if not title:
            reasons.append("缺少测评项目")
        try:
            points = Decimal(_clean(v.get("points")) or "0")
            if points < 0 or points >= 10000:
                raise InvalidOperation
        except InvalidOperation:
            points = None
            reasons.append(f"分值“{_clean(v.get('points'))}”不是有效数字")
        method_text = _clean(v.get("method"))
        method = methods.get(method_text, Method.DOCUMENTS if not method_text else None)
        if method is None:
            reasons.append(f"测评方法“{method_text}”应为 材料审核、实地考察 或 问卷调查")
        photos_text = _clean(v.get("min_photos")) or "0"
        if not photos_text.isdigit():
            reasons.append(f"最少照片数“{photos_text}”应为整数")
        caption_text = _clean(v.get("caption_required")).lower()
        if caption_text not in YES | NO:
            reasons.append(f"照片须有说明“{caption_text}”应填 是 或 否")
        if reasons:
            parsed.errors.append((row_number, "；".join(reasons)))
            continue
        parsed.rows.append({
            "row": row_number, "code": code, "title": title[:200], "standard": _clean(v.get("standard")),
            "points": str(points), "method": str(method), "method_label": str(Method(method).label),
            "min_photos": int(photos_text), "caption_required": caption_text in YES,
            "update": code in existing,
        })
    if not parsed.rows and not parsed.errors:
        parsed.errors.append((start + 1, "表头下面没有指标行"))
    return parsed


def import_indicators(*, year, rows, user):
    """Create or update indicators by code, parents first; returns (created, updated)."""
    if not (user.is_authenticated and user.is_bureau_admin):
        raise MoveRefused("只有局文明办可以导入测评指标。")
    bureau = user.owning_bureau()
    # The bureau's own indicators are created or updated; the city's tree above them is read only
    # (a district's indicators hang beneath the city's).
    by_code = {i.code: i for i in Indicator.objects.filter(year=year).for_bureau(bureau)}
    created = updated = 0
    with transaction.atomic():
        for row in sorted(rows, key=lambda r: r["code"].count(".")):
            indicator = by_code.get(row["code"])
            if indicator is not None and indicator.bureau_id != bureau.pk:
                raise MoveRefused(f"指标 {indicator.code} 由{indicator.bureau.name}发布，不能在此修改。")
            indicator = indicator or Indicator(year=year, code=row["code"], bureau=bureau)
            created += indicator.pk is None
            updated += indicator.pk is not None
            indicator.parent = by_code.get(row["code"].rpartition(".")[0])
            for name in ("title", "standard", "method", "min_photos", "caption_required"):
                setattr(indicator, name, row[name])
            indicator.points = Decimal(row["points"])
            indicator.save()
            by_code[indicator.code] = indicator
    return created, updated


# --- templates ---------------------------------------------------------------------------

def task_template_bytes(year):
    wb = new_workbook()
    columns = [Column("序号", 6), Column("测评项目", 24, wrap=True), Column("测评内容", 40, wrap=True),
               Column("工作要求", 40, wrap=True), Column("责任单位", 30, wrap=True), Column("牵头单位", 18),
               Column("完成时限", 14, "yyyy-mm-dd"), Column("工作频次", 10)]
    example = ["1", "3.2.1 学校文明校园创建", "开展文明校园创建，建立创建工作台账",
               "制定创建方案，每月报送创建进展", "郾城区第一实验小学、郾城区第二实验小学",
               "基础教育股", date(year.year, 6, 30), "每月"]
    add_table_sheet(wb, "任务分解表", columns, [example], heading=f"{year.year}年度文明创建任务分解表（多个责任单位用顿号、逗号或换行分隔）")
    return workbook_bytes(wb)


def indicator_template_bytes(year):
    wb = new_workbook()
    columns = [Column("编号", 10), Column("测评项目", 30, wrap=True), Column("测评标准", 50, wrap=True),
               Column("分值", 8, "0.##"), Column("测评方法", 12), Column("最少照片数", 10), Column("照片须有说明", 12)]
    examples = [["3", "未成年人思想道德建设", "", 20, "材料审核", 0, "否"],
                ["3.2", "学校教育", "", 10, "实地考察", 0, "否"],
                ["3.2.1", "文明校园创建", "开展文明校园创建活动，有方案、有记录、有照片", 4, "材料审核", 2, "是"]]
    add_table_sheet(wb, "测评指标", columns, examples, heading=f"{year.year}年度测评体系")
    return workbook_bytes(wb)
