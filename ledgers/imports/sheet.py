"""Reading a bureau's worksheet as it looks in Excel, finding its header and guessing its columns.

A `Sheet` keeps the first sheet's values (row-major, 0-based), the merged ranges and a copy with
every merged range filled with its top-left value (a unit name merged down three rows belongs to
all three). Row numbers shown to people are Excel's (1-based).

Header detection scores the first rows by how many cells name a known field; the header block is
that row plus the rows under it that still carry field names (a two-row header with a group label
such as 责任分工 over 牵头单位 | 责任单位). Each column's label is its path from the top header
row down (["责任分工", "牵头单位"]): the most specific part that names a field decides.
"""
import hashlib
import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from .. import files

MAX_ROWS = 5000
MAX_COLS = 40
SCAN_ROWS = 15
TOTAL_WORDS = ("合计", "总计", "小计")


def clean(value):
    """A cell's text: None → "", 3.0 → "3", dates as 2026-06-30, surrounding spaces removed."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if not (value.hour or value.minute) else value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def label_key(value):
    """"完成\\n时限（截止）" → "完成时限": no spaces, no trailing note in brackets (but "（新）" /
    "（旧）", which tell two columns of the same name apart), no *."""
    text = re.sub(r"\s+", "", clean(value)).strip("*＊:：")
    return re.sub(r"[（(](?![新旧][)）])[^（()）]*[)）]$", "", text) or text


@dataclass
class Sheet:
    values: list
    filled: list
    merges: list  # (r0, c0, r1, c1), 0-based, inclusive
    width: int
    title: str = ""

    @property
    def height(self):
        return len(self.values)

    def column_letter(self, col):
        return get_column_letter(col + 1)

    def is_wide(self, r, c):
        """A cell merged across most of the row (or the whole row of a narrow table): a title, a
        note or a section heading, never a column label."""
        for r0, c0, r1, c1 in self.merges:
            if r0 <= r <= r1 and c0 <= c <= c1:
                return (c1 - c0 + 1) >= max(3, self.width * 0.6) or (c0 == 0 and c1 == self.width - 1 > 0)
        return False

    def grid(self, first, last):
        """Rows first..last (0-based) as Excel shows them: [(excel row, [(col, text, colspan, rowspan)])]."""
        last = min(last, self.height - 1)
        covered, spans = set(), {}
        for r0, c0, r1, c1 in self.merges:
            if r1 < first or r0 > last:
                continue
            top = max(r0, first)
            spans[(top, c0)] = (c1 - c0 + 1, min(r1, last) - top + 1)
            for r in range(top, min(r1, last) + 1):
                for c in range(c0, c1 + 1):
                    if (r, c) != (top, c0):
                        covered.add((r, c))
        rows = []
        for r in range(first, last + 1):
            cells = []
            for c in range(self.width):
                if (r, c) in covered:
                    continue
                colspan, rowspan = spans.get((r, c), (1, 1))
                text = clean(self.filled[r][c]) if (r, c) in spans else clean(self.values[r][c])
                cells.append((c, text[:80] + ("…" if len(text) > 80 else ""), colspan, rowspan))
            rows.append((r + 1, cells))
        return rows


def read_sheet(fileobj, name):
    """The first worksheet of an .xlsx (file object), or UploadRefused with a Chinese reason."""
    try:
        fileobj.seek(0)
        workbook = load_workbook(io.BytesIO(fileobj.read()), data_only=True)
    except Exception:  # noqa: BLE001 - openpyxl raises many kinds for a broken file
        raise files.UploadRefused(f"“{name}”无法打开，文件可能已损坏，请在 Excel 中重新保存后再导入。")
    ws = workbook.worksheets[0]
    height = min(ws.max_row or 0, MAX_ROWS)
    width = min(ws.max_column or 0, MAX_COLS)
    values = [list(row) for row in ws.iter_rows(min_row=1, max_row=height, min_col=1, max_col=width,
                                                  values_only=True)] if height and width else []
    merges = []
    for merged in ws.merged_cells.ranges:
        if merged.min_row > height or merged.min_col > width:
            continue
        merges.append((merged.min_row - 1, merged.min_col - 1, min(merged.max_row, height) - 1,
                       min(merged.max_col, width) - 1))
    # Trailing empty rows and columns (WPS and Excel often report formatted but empty cells).
    while values and not any(clean(v) for v in values[-1]):
        values.pop()
    used = max((c + 1 for row in values for c, v in enumerate(row) if clean(v)), default=0)
    values = [row[:used] + [None] * (used - len(row)) for row in values]
    merges = [(r0, c0, min(r1, len(values) - 1), min(c1, used - 1)) for r0, c0, r1, c1 in merges
              if r0 < len(values) and c0 < used]
    filled = [list(row) for row in values]
    for r0, c0, r1, c1 in merges:
        value = values[r0][c0]
        for r in range(r0, r1 + 1):
            for c in range(c0, c1 + 1):
                filled[r][c] = value
    if not values:
        raise files.UploadRefused(f"“{name}”的第一个工作表是空的。")
    return Sheet(values=values, filled=filled, merges=merges, width=used, title=ws.title)


def match_field(label, aliases):
    """The field a header label names (exact alias first, then a short label containing one).
    A header word of a column nobody imports (得分, 督查记录: filled in by the inspector) gives ""
    (SKIP): it is a header word all the same."""
    key = label_key(label)
    if not key:
        return None
    if key in aliases:
        return aliases[key]
    if len(key) <= 16:
        for alias in sorted(aliases, key=len, reverse=True):
            if len(alias) >= 2 and alias in key:
                return aliases[alias]
    return None


def _row_fields(sheet, r, aliases):
    fields, labelled = set(), 0
    for c in range(sheet.width):
        if sheet.is_wide(r, c):
            continue
        text = clean(sheet.values[r][c])
        if not text:
            continue
        found = match_field(text, aliases)
        if found is not None:
            fields.add(found or f"skip:{label_key(text)}")
            labelled += 1
    return fields, labelled


def detect_header(sheet, aliases):
    """(header_first, header_last, data_first), 0-based, from the first rows' field names."""
    scan = min(SCAN_ROWS, sheet.height)
    scores = [len(_row_fields(sheet, r, aliases)[0]) for r in range(scan)]
    start = next((r for r in range(scan) if scores[r] >= 2), None)
    if start is None:
        best = max(range(scan), key=lambda r: scores[r], default=0)
        start = best if scan and scores[best] else 0
    end = start
    for r0, c0, r1, c1 in sheet.merges:
        if r0 == start and not sheet.is_wide(r0, c0):
            if r1 > r0:  # a label merged down: the header is that deep
                end = max(end, min(r1, start + 3))
            elif c1 > c0:  # a group label over sub-columns
                end = max(end, start + 1)
    while end + 1 < sheet.height and end - start < 3:
        nxt = end + 1
        _, labelled = _row_fields(sheet, nxt, aliases)
        texts = [clean(v) for v in sheet.values[nxt] if clean(v)]
        if labelled and labelled * 2 >= len(texts):
            end = nxt
        else:
            break
    end = min(end, sheet.height - 1)
    return start, end, end + 1


def sheet_title(sheet, header_first):
    """The table's title: the first text merged across the sheet above its header ("区2020—2021年度
    文明校园考评"), else the worksheet's name."""
    for r in range(min(header_first, sheet.height)):
        for c in range(sheet.width):
            text = clean(sheet.values[r][c])
            if text and sheet.is_wide(r, c) and not re.fullmatch(r"附件\s*\d*", text):
                return re.sub(r"\s+", " ", text)[:100]
    return sheet.title


def merged_down(sheet, r, c):
    """Whether cell (r, c) is part of a range merged over several rows (a label merged down)."""
    return any(r0 <= r <= r1 and c0 <= c <= c1 and r1 > r0 for r0, c0, r1, c1 in sheet.merges)


def merged_across(sheet, r, c):
    """Whether cell (r, c) starts a range merged over several columns of its row."""
    return any(r0 <= r <= r1 and c0 == c and c1 > c0 for r0, c0, r1, c1 in sheet.merges)


def column_labels(sheet, first, last):
    """Per column, the distinct labels from the top header row down."""
    labels = []
    for c in range(sheet.width):
        path = []
        for r in range(first, min(last, sheet.height - 1) + 1):
            text = label_key(sheet.filled[r][c])
            if text and not sheet.is_wide(r, c) and (not path or path[-1] != text):
                path.append(text)
        labels.append(path)
    return labels


OLD_WORDING = re.compile(r"[（(]旧[)）]|原|旧版")


def guess_columns(labels, aliases, multi=()):
    """{column index: field} from label paths; a field claimed twice goes to the more specific label,
    then to the column that is not marked as the old wording (考察内容（旧） | 考察内容（新）)."""
    claims = {}
    for c, path in enumerate(labels):
        for depth, label in enumerate(reversed(path)):
            found = match_field(label, aliases)
            if found is not None:
                if found:
                    claims[c] = (found, depth, bool(OLD_WORDING.search(label)))
                break
    columns, best = {}, {}
    for c, (found, depth, old) in sorted(claims.items(), key=lambda item: (item[1][1], item[1][2], item[0])):
        if found in multi or found not in best:
            best.setdefault(found, c)
            columns[c] = found
    return dict(sorted(columns.items()))


def signature(kind, labels):
    text = "|".join("/".join(path) for path in labels).rstrip("|")
    return hashlib.sha256(f"{kind}:{text}".encode()).hexdigest(), text


@dataclass
class DataRow:
    number: int  # Excel row number
    values: dict = field(default_factory=dict)  # field -> value (list of values for multi fields)
    section: str = ""  # a heading merged across the table ("考察校园周边："): not a data row
    merged_down: set = field(default_factory=set)  # fields whose cell is merged over several rows
    merged_across: set = field(default_factory=set)  # fields whose cell is merged into the next column(s)


def data_rows(sheet, columns, data_first, multi=(), header_labels=()):
    """Rows from data_first (0-based) with their mapped values; blank, 合计 and repeated header
    rows (a header printed again on page 2) and a row of column numbers (1 2 3 …) are skipped.
    A heading merged across the table comes as a row with `section` set (the importers that group
    rows use it, the others skip it)."""
    header_set = {label for path in header_labels for label in path}
    for r in range(data_first, sheet.height):
        raw = sheet.filled[r]
        texts = [clean(v) for v in sheet.values[r]]
        nonblank = [t for t in texts if t]
        if not nonblank:
            continue
        keys = [label_key(t) for t in nonblank]
        if any(k.startswith(TOTAL_WORDS) for k in keys[:2]):
            continue
        if header_set and all(k in header_set for k in keys):
            continue
        filled_cols = [c for c, t in enumerate(texts) if t]
        if len(filled_cols) == 1 and sheet.is_wide(r, filled_cols[0]):
            yield DataRow(r + 1, section=texts[filled_cols[0]])  # a heading merged across ("一、宣传教育")
            continue
        if len(nonblank) >= 3 and all(t.isdigit() for t in nonblank) and \
                [int(t) for t in nonblank] == list(range(1, len(nonblank) + 1)):
            continue
        values, down, across = {}, set(), set()
        for c, name in columns.items():
            value = raw[c] if c < len(raw) else None
            if clean(value) and merged_down(sheet, r, c):
                down.add(name)
            if clean(value) and merged_across(sheet, r, c):
                across.add(name)
            if name in multi:
                values.setdefault(name, [])
                if clean(value):
                    values[name].append(value)
            elif name not in values or not clean(values[name]):
                values[name] = value
        if not any(clean(v) if not isinstance(v, list) else any(clean(x) for x in v) for v in values.values()):
            continue
        yield DataRow(r + 1, values, merged_down=down, merged_across=across)
