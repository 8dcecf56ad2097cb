"""Excel writing helpers shared by every export (openpyxl write-only workbooks).

- Text cells are always written as strings (data type "s"): text that starts with = + - @
  stays text and is never run as a formula.
- Any text a user can type is accepted: `excel_text` turns the characters XML 1.0 forbids (what
  Word's line break pastes, \x0b) into a line break or nothing, for every cell, header and
  heading of both writers, so one odd caption cannot break a workbook.
- `add_table_sheet(wb, title, columns, rows, heading=None)`: one sheet with an optional title
  row, a frozen header row and column widths that fit Chinese text, set before the first row
  (write-only mode requires it). `columns` is a list of `Column`; a value wrapped in
  `Formatted(value, number_format)` overrides its column's format.
- `workbook_bytes(wb)`: the finished file.
- `StreamingWorkbook` / `table_xlsx_streaming`: the same sheets written by XlsxWriter in
  constant-memory mode, for the exports that must be fast or big.
"""
import io
import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="F2DCDB")
TITLE_FONT = Font(bold=True, size=14)


@dataclass
class Column:
    header: str
    width: float = 12  # in Excel character units; a Chinese character is about 2
    number_format: str | None = None  # e.g. "0.0%", "yyyy-mm-dd", "0.0"
    wrap: bool = False


@dataclass
class Formatted:
    """A cell value with its own number format, for sheets whose rows mix kinds (a 汇总 sheet
    with counts, percentages and days in one column)."""
    value: object
    number_format: str | None = None


# XML 1.0 allows tab, LF and CR among the control characters, and not U+FFFE / U+FFFF.
_ILLEGAL_XML = re.compile("[\x00-\x08\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_LINE_BREAKS = re.compile("[\x0b\x0c]")  # Word's manual line break and page break


_ANY_BAD = re.compile(f"{_ILLEGAL_XML.pattern}|{_LINE_BREAKS.pattern}")


def excel_text(text):
    """`text` with the characters an .xlsx cannot hold replaced (line/page break -> newline) or
    dropped; openpyxl raises IllegalCharacterError on them."""
    if _ANY_BAD.search(text) is None:  # nearly always: no copy
        return text
    return _ILLEGAL_XML.sub("", _LINE_BREAKS.sub("\n", text))


def text_width(text):
    """Display width of text in Excel units: CJK characters count double."""
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in str(text))


def cell_value(value):
    if isinstance(value, str):
        return excel_text(value)
    if isinstance(value, datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.replace(tzinfo=None)
    return value


def new_workbook():
    return Workbook(write_only=True)


def add_table_sheet(wb, title, columns, rows, heading=None):
    ws = wb.create_sheet(title=excel_text(title)[:31])
    for index, column in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(index)].width = max(column.width, text_width(column.header) + 2)
    header_row = 2 if heading else 1
    ws.freeze_panes = f"A{header_row + 1}"
    if heading:
        cell = WriteOnlyCell(ws, value=excel_text(heading))
        cell.font = TITLE_FONT
        ws.append([cell])
    header = []
    for column in columns:
        cell = WriteOnlyCell(ws, value=excel_text(column.header))
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        header.append(cell)
    ws.append(header)
    wrap = Alignment(wrap_text=True, vertical="top")
    for row in rows:
        out = []
        for column, value in zip(columns, row):
            number_format = column.number_format
            if isinstance(value, Formatted):
                value, number_format = value.value, value.number_format
            cell = WriteOnlyCell(ws, value=cell_value(value))
            if isinstance(value, str):
                # Always a string cell, so "=1+1" typed by a user stays text.
                cell.data_type = "s"
            if number_format and not isinstance(value, str):
                cell.number_format = number_format
            elif isinstance(value, datetime):
                cell.number_format = "yyyy-mm-dd hh:mm"
            elif isinstance(value, date):
                cell.number_format = "yyyy-mm-dd"
            if column.wrap:
                cell.alignment = wrap
            out.append(cell)
        ws.append(out)
    return ws


def workbook_bytes(wb):
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


class StreamingWorkbook:
    """A workbook written by XlsxWriter in constant-memory mode, one sheet after another, with
    the same rules as `add_table_sheet` (title row, frozen header, widths that fit Chinese text,
    number/date formats, `Formatted` per-cell formats, text always written as text).

    For the exports that must be fast or big (the monthly summary, a year of problems):
    XlsxWriter writes the same cells about twice as fast as openpyxl's write-only mode and
    streams each sheet's rows to a temporary file, so memory stays flat whatever the row count.
    Rows of a sheet must be written in order, and a sheet is finished once the next one starts.

        book = StreamingWorkbook()
        book.add_table_sheet("汇总", columns, rows, heading="…")
        data = book.close()
    """

    DATE = "yyyy-mm-dd"
    DATETIME = "yyyy-mm-dd hh:mm"

    def __init__(self):
        import xlsxwriter

        self._out = io.BytesIO()
        # strings_to_*: False so nothing a user typed becomes a formula, number or link, even
        # if a caller uses write(); every str goes through write_string anyway.
        self._wb = xlsxwriter.Workbook(self._out, {
            "constant_memory": True, "in_memory": False, "strings_to_formulas": False,
            "strings_to_numbers": False, "strings_to_urls": False})
        self._formats = {}
        self._header = self._wb.add_format({"bold": True, "bg_color": "#F2DCDB", "align": "center",
                                            "valign": "vcenter", "text_wrap": True, "border": 1})
        self._title = self._wb.add_format({"bold": True, "font_size": 14})

    def _format(self, number_format, wrap):
        """One shared Format per (number format, wrap); None when the cell needs none."""
        if not number_format and not wrap:
            return None
        key = (number_format, wrap)
        if key not in self._formats:
            props = {"text_wrap": True, "valign": "top"} if wrap else {}
            if number_format:
                props["num_format"] = number_format
            self._formats[key] = self._wb.add_format(props)
        return self._formats[key]

    def add_table_sheet(self, title, columns, rows, heading=None):
        ws = self._wb.add_worksheet(excel_text(title)[:31])
        # Per column: (format for numbers, for text, for dates, for datetimes).
        plans = []
        for index, column in enumerate(columns):
            ws.set_column(index, index, max(column.width, text_width(column.header) + 2))
            plans.append((self._format(column.number_format, column.wrap), self._format(None, column.wrap),
                          self._format(column.number_format or self.DATE, column.wrap),
                          self._format(column.number_format or self.DATETIME, column.wrap)))
        row_index = 0
        if heading:
            ws.write_string(0, 0, excel_text(heading), self._title)
            row_index = 1
        ws.freeze_panes(row_index + 1, 0)
        for col, column in enumerate(columns):
            ws.write_string(row_index, col, excel_text(column.header), self._header)
        write_string, write_number = ws.write_string, ws.write_number
        for row in rows:
            row_index += 1
            for col, value in enumerate(row):
                number, text, day, moment = plans[col]
                if type(value) is Formatted:
                    value, custom = value.value, value.number_format
                    if custom and not isinstance(value, str):
                        number = day = moment = self._format(custom, columns[col].wrap)
                if value is None or value == "":
                    continue
                if isinstance(value, str):
                    write_string(row_index, col, excel_text(value), text)
                elif isinstance(value, bool):
                    ws.write_boolean(row_index, col, value)
                elif isinstance(value, (int, float)):
                    write_number(row_index, col, value, number)
                elif isinstance(value, Decimal):
                    write_number(row_index, col, float(value), number)
                elif isinstance(value, datetime):
                    ws.write_datetime(row_index, col, cell_value(value), moment)
                elif isinstance(value, date):
                    ws.write_datetime(row_index, col, datetime.combine(value, datetime.min.time()), day)
                else:
                    write_string(row_index, col, excel_text(str(value)), text)
        return ws

    def close(self):
        self._wb.close()
        return self._out.getvalue()


def table_xlsx_streaming(title, columns, rows, heading=None):
    """One-sheet `StreamingWorkbook` (the year's problem export, tens of thousands of rows)."""
    book = StreamingWorkbook()
    book.add_table_sheet(title, columns, rows, heading=heading)
    return book.close()
