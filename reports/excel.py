"""Excel writing helpers: every workbook the app exports goes through `Workbook` (XlsxWriter).

- Text cells are always written as strings: text that starts with = + - @ stays text and is
  never run as a formula.
- Any text a user can type is accepted: `excel_text` turns the characters XML 1.0 forbids (what
  Word's line break pastes, \x0b) into a line break or nothing, for every cell, header and
  heading, so one odd caption cannot break a workbook.
- `Workbook().add_table_sheet(title, columns, rows, heading=None, list_sheet=True)`: one sheet
  with an optional title row, a frozen header row, column widths that fit Chinese text, number and
  date formats (`Column`; `Formatted(value, number_format)` overrides a cell's), and a page set up
  for printing (`_print_setup`): A4, landscape when the columns are wider than a portrait page,
  one page wide, the header row repeated on every page, a footer with the sheet's title and
  "第 N 页 共 M 页", and an auto-filter on list sheets. `close()` returns the file's bytes.
- `table_xlsx(title, columns, rows, heading=None)`: a one-sheet workbook.

XlsxWriter in constant-memory mode writes the cells about twice as fast as openpyxl's write-only
mode and streams each sheet's rows to a temporary file, so memory stays flat whatever the row
count (a year's problems: 85,000 rows); `manage.py bench_reports` measures both.
"""
import io
import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.utils import timezone


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


class Workbook:
    """A workbook written by XlsxWriter in constant-memory mode, one sheet after another. Rows of
    a sheet must be written in order, and a sheet is finished once the next one starts.

        book = Workbook()
        book.add_table_sheet("汇总", columns, rows, heading="…", list_sheet=False)
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

    def add_table_sheet(self, title, columns, rows, heading=None, list_sheet=True):
        """A sheet of `rows` under `columns`. `list_sheet`: a list a reader filters (rows of like
        things); False for a summary or a scored tree whose totals would be filtered away."""
        ws = self._wb.add_worksheet(excel_text(title)[:31])
        widths = [max(column.width, text_width(column.header) + 2) for column in columns]
        # Per column: (format for numbers, for text, for dates, for datetimes).
        plans = []
        for index, column in enumerate(columns):
            ws.set_column(index, index, widths[index])
            plans.append((self._format(column.number_format, column.wrap), self._format(None, column.wrap),
                          self._format(column.number_format or self.DATE, column.wrap),
                          self._format(column.number_format or self.DATETIME, column.wrap)))
        row_index = 0
        if heading:
            ws.write_string(0, 0, excel_text(heading), self._title)
            row_index = 1
        header_row = row_index
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
        _print_setup(ws, excel_text(heading or title), widths, header_row, row_index if list_sheet else None)
        return ws

    def close(self):
        self._wb.close()
        return self._out.getvalue()


def table_xlsx(title, columns, rows, heading=None):
    """A one-sheet workbook's bytes (a list: the year's problem export, a binder's contents)."""
    book = Workbook()
    book.add_table_sheet(title, columns, rows, heading=heading)
    return book.close()


# --- printing ---------------------------------------------------------------------------------------
A4 = 9  # Excel's paper size code
# What fits across an A4 page at 100 % between the margins below: 7.3 inches at 96 pixels an inch,
# in the pixels a column of width w takes on screen (w * 7 + 5).
PORTRAIT_PIXELS = 700
PAGE_NUMBERS = "第 &P 页 共 &N 页"


def _print_setup(ws, title, widths, header_row, last_row=None):
    """The sheet's page: A4, portrait if its columns fit across it (else landscape), scaled to one
    page wide (as many pages long as it takes), the header row printed on every page, the title
    and the page numbers in the footer, and with `last_row` an auto-filter over the list."""
    ws.set_paper(A4)
    if sum(width * 7 + 5 for width in widths) > PORTRAIT_PIXELS:
        ws.set_landscape()
    else:
        ws.set_portrait()
    ws.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.6)
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(header_row)
    # "&" starts a code in Excel's header/footer language: a title's own "&" is written "&&".
    # (Excel takes at most 255 characters there.)
    ws.set_footer(f"&L{title[:120].replace('&', '&&')}&R{PAGE_NUMBERS}")
    if last_row is not None:
        ws.autofilter(header_row, 0, last_row, len(widths) - 1)
