"""What every importer shares: fields, the row results of a preview, reading a stored upload.

An importer (tasks, indicators, units, users) names its fields and the header words that usually
label them, checks mapped rows against the database (`check`, nothing written) and writes the
checked rows (`apply`, called by `ledgers.services.imports` inside one transaction).
"""
from dataclasses import dataclass, field

from .. import files
from ..models import ImportMapping
from .sheet import column_labels, data_rows, detect_header, guess_columns, read_sheet, signature

SKIP = ""

CREATE, UPDATE, SAME, ERROR = "create", "update", "same", "error"
STATUS_LABELS = {CREATE: "将新增", UPDATE: "将更新", SAME: "无变化", ERROR: "有错误"}


@dataclass
class RowResult:
    row: int
    status: str
    cells: list
    message: str = ""
    plan: object = None

    @property
    def status_label(self):
        return STATUS_LABELS[self.status]

    @property
    def can_import(self):
        return self.status in (CREATE, UPDATE)


@dataclass
class Preview:
    results: list = field(default_factory=list)
    problem: str = ""  # a message about the whole file (a required column not mapped …)

    def count(self, status):
        return sum(r.status == status for r in self.results)

    @property
    def counts(self):
        return {status: self.count(status) for status in STATUS_LABELS}


class Importer:
    kind = ""
    title = ""
    fields = []  # [(key, label)] in the order of the field choice
    aliases = {}  # header word -> field key
    required = {}  # field key -> label
    multi = ()  # fields that several columns may feed (values joined)
    preview_headers = []
    needs_year = True
    takes_sections = False  # headings merged across the table come as rows (DataRow.section)
    options_form = None  # a form of the upload step (its `options()` are kept on the upload)

    @staticmethod
    def prepare_options(options, sheet, header_first):
        return options

    def target_text(self, upload, year, user):
        """What the preview says the rows go into ("" when there is nothing to say)."""
        return ""

    @property
    def field_labels(self):
        return dict(self.fields)

    def guess(self, labels):
        return guess_columns(labels, self.aliases, self.multi)

    def guess_sheet(self, sheet, first, last, data_first):
        """The columns guessed from the header rows first..last (0-based); an importer may look at
        the data under them too (`data_first`), e.g. at which columns hold labels merged down."""
        return self.guess(column_labels(sheet, first, last))

    def missing(self, columns):
        mapped = set(columns.values())
        return [label for key, label in self.required.items() if key not in mapped]

    def check(self, rows, *, year, user, upload=None, sheet=None):
        """Row results for `user` (the uploader): units, indicators and tasks of their own bureau.
        `upload` (its options) and `sheet` (its title) are there for the importers that need them."""
        raise NotImplementedError

    def apply(self, results, *, year, user, upload=None):
        raise NotImplementedError


def open_upload(upload):
    """The stored upload's first sheet."""
    with upload.file.open("rb") as handle:
        return read_sheet(handle, upload.original_name)


def initial_mapping(importer, sheet):
    """(header_first, header_last, data_first, columns, remembered) for a sheet just uploaded:
    a mapping remembered for the same header wins over the heuristics."""
    first, last, data = detect_header(sheet, importer.aliases)
    sig, _ = signature(importer.kind, column_labels(sheet, first, last))
    remembered = ImportMapping.objects.filter(kind=importer.kind, signature=sig).first()
    if remembered is None:
        # The heuristics may have missed this header: try the rows each remembered mapping used.
        for mapping in ImportMapping.objects.filter(kind=importer.kind)[:50]:
            f, l = mapping.header_first - 1, mapping.header_last - 1
            if l < sheet.height and signature(importer.kind, column_labels(sheet, f, l))[0] == mapping.signature:
                remembered = mapping
                break
    if remembered is not None:
        first, last = remembered.header_first - 1, remembered.header_last - 1
        columns = {int(c): f for c, f in remembered.columns.items() if int(c) < sheet.width}
        return first, last, last + remembered.data_offset, columns, True
    return first, last, data, importer.guess_sheet(sheet, first, last, data), False


def remember_mapping(importer, sheet, upload, user):
    labels = column_labels(sheet, upload.header_first - 1, upload.header_last - 1)
    sig, text = signature(importer.kind, labels)
    ImportMapping.objects.update_or_create(
        kind=importer.kind, signature=sig,
        defaults={"header_text": text, "header_first": upload.header_first, "header_last": upload.header_last,
                  "data_offset": max(1, upload.data_first - upload.header_last),
                  "columns": {str(c): f for c, f in upload.columns.items() if f}, "updated_by": user})


def build_preview(importer, upload, sheet=None, *, year=None):
    sheet = sheet or open_upload(upload)
    columns = {int(c): f for c, f in upload.columns.items() if f}
    missing = importer.missing(columns)
    if missing:
        return Preview(problem=f"请为“{'”“'.join(missing)}”各选择一列。")
    labels = column_labels(sheet, upload.header_first - 1, upload.header_last - 1)
    rows = [row for row in data_rows(sheet, columns, upload.data_first - 1, importer.multi, labels)
            if importer.takes_sections or not row.section]
    if not any(not row.section for row in rows):
        return Preview(problem=f"第 {upload.data_first} 行起没有数据行，请检查“数据首行”。")
    return Preview(results=importer.check(rows, year=year or upload.year, user=upload.uploaded_by,
                                          upload=upload, sheet=sheet))


def check_file(uploaded):
    """Refuse anything that is not an .xlsx before it is stored."""
    kind, ext = files.check_upload(uploaded, {files.EXCEL})
    if ext != ".xlsx":
        raise files.UploadRefused(f"“{files.display_name(uploaded)}”是旧版 .xls 文件，请在 Excel 中另存为 .xlsx 后再导入。")
    return ext
