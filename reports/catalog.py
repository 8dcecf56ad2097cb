"""The evaluator's material catalog (测评材料目录) of a unit or the whole bureau for one year:
the archive arranged by indicator code, the way city evaluators check materials.

Under each indicator (in code order): its activity archives (submitted or approved, with photos),
check records that scored its check items (with photos), rectified problems (整改前/整改后
photos) and, for indicators scored by the responsibility letter, the signed letters (scans).

- `catalog_pdf(out, year=…, unit=None)`: cover + contents (page numbers) + one page block per
  record, rendered in batches and merged like the archive binder (reports.binder).
- `catalog_zip(out, year=…, unit=None)`: a folder per indicator, a sub-folder per record with
  its photos and files, and 目录.xlsx.
Both are plain functions writing to a binary file object, so a background job can run them
for the whole bureau; the web view serves them for one unit.
"""
import gc
import shutil
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from django.db.models import Prefetch
from django.template.loader import render_to_string
from django.utils import timezone

from ledgers.files import read_ahead
from ledgers.models import (
    Activity, ActivityPhoto, Check, CheckPhoto, Indicator, Problem, ProblemPhoto,
    ResponsibilityLetter, RuleKind,
)
from ledgers.models.assessment import IndicatorRule

from .binder import CHUNK, safe_name
from .excel import Column, table_xlsx
from .pdf import render_document

BATCH_SIZE = 15


@dataclass
class Photo:
    display: str  # storage name of the display copy (PDF)
    original: object  # FieldFile (ZIP)
    caption: str
    stage: str = ""


@dataclass
class Item:
    key: str
    what: str  # 活动档案 / 督查记录 / 整改问题 / 目标责任书
    title: str
    date: object
    unit: str
    lines: list = field(default_factory=list)  # [(label, text)]
    photos: list = field(default_factory=list)
    files: list = field(default_factory=list)  # [(FieldFile, name)] (scans)
    page: int | None = None


@dataclass
class Section:
    indicator: Indicator
    items: list = field(default_factory=list)

    @property
    def label(self):
        return f"{self.indicator.code} {self.indicator.title}"


def _filter(qs, unit, lookup="unit", bureau=None):
    if unit is not None:
        return qs.filter(**{lookup: unit})
    return qs.filter(**{f"{lookup}__bureau": bureau}) if bureau is not None else qs


def _bureau_of(unit, bureau):
    from ledgers.models import Bureau

    return unit.bureau if unit is not None else (bureau or Bureau.objects.default_district())


def catalog_sections(year, unit=None, bureau=None):
    """Sections in indicator code order, only indicators with material; a fixed number of queries.

    One unit's material, or (unit None) every unit of `bureau` (by default the first district),
    arranged by the bureau's indicator tree (the city's indicators and its own)."""
    bureau = _bureau_of(unit, bureau)
    indicators = {i.pk: i for i in Indicator.objects.filter(year=year).for_bureau(bureau).order_by("sort_key")}
    sections = {pk: Section(i) for pk, i in indicators.items()}

    activities = (_filter(Activity.objects.filter(year=year).archived(), unit, bureau=bureau)
                  .select_related("unit", "category")
                  .prefetch_related(Prefetch("photos", queryset=ActivityPhoto.objects.order_by("sort_order", "pk")),
                                    "indicators")
                  .order_by("date", "pk"))
    for a in activities:
        photos = [Photo(p.display.name, p.original, p.caption) for p in a.photos.all()]
        for ind in a.indicators.all():
            if ind.pk in sections:
                sections[ind.pk].items.append(Item(
                    f"a{a.pk}", "活动档案", a.title, a.date, a.unit.name,
                    [("活动类别", a.category.name), ("地点", a.place), ("参加人员", a.participants),
                     ("组织者", a.organizer), ("简介", a.summary)], photos))

    checks = (_filter(Check.objects.filter(year=year, status="submitted"), unit, bureau=bureau)
              .select_related("unit", "template")
              .prefetch_related("scores__item", Prefetch("photos", queryset=CheckPhoto.objects.order_by("pk")))
              .order_by("date", "pk"))
    for c in checks:
        by_indicator = {}
        for s in c.scores.all():
            if s.item.indicator_id in sections:
                by_indicator.setdefault(s.item.indicator_id, []).append(s)
        photos = [Photo(p.display.name, p.original, p.caption) for p in c.photos.all()]
        for ind_id, scores in by_indicator.items():
            lines = [("督查类型", c.get_kind_display()), ("检查表", c.template.name)]
            lines += [(s.item.title, s.figure_text(c.by_pass_rate)) for s in scores]
            if c.vetoed:
                lines.append(("一票否决", "一票否决项不达标，本次检查不合格"))
            lines.append(("检查情况", c.remarks))
            sections[ind_id].items.append(Item(f"c{c.pk}", "督查记录", f"{c.date:%Y-%m-%d} {c.get_kind_display()}",
                                               c.date, c.unit.name, lines, photos))

    problems = (_filter(Problem.objects.filter(year=year, indicator_id__in=list(sections)), unit, bureau=bureau)
                .select_related("unit")
                .prefetch_related(Prefetch("photos", queryset=ProblemPhoto.objects.order_by("stage", "pk")))
                .order_by("found_on", "pk"))
    stage_labels = {"before": "整改前", "after": "整改后"}
    for p in problems:
        photos = sorted((Photo(ph.display.name, ph.original, ph.caption, stage_labels.get(ph.stage, ""))
                         for ph in p.photos.all()), key=lambda ph: ph.stage != "整改前")
        closed = timezone.localtime(p.closed_at).strftime("%Y-%m-%d") if p.closed_at else ""
        sections[p.indicator_id].items.append(Item(
            f"p{p.pk}", "整改问题", p.description[:60], p.found_on, p.unit.name,
            [("整改时限", f"{p.deadline:%Y-%m-%d}"), ("状态", p.get_status_display() + (f"（{closed}）" if closed else "")),
             ("整改情况", p.rectification), ("复查意见", p.recheck_note)], photos))

    letter_indicators = list(IndicatorRule.objects.filter(scheme__year=year, scheme__bureau=bureau, kind=RuleKind.LETTER,
                                                                indicator__in=list(sections))
                             .values_list("indicator_id", flat=True))
    if letter_indicators:
        letters = (_filter(ResponsibilityLetter.objects.filter(
            year=year).signed(), unit, bureau=bureau)
            .select_related("unit").prefetch_related("scans"))
        for letter in letters:
            scans = list(letter.scans.all())
            photos = [Photo(s.file.name, s.file, s.original_name) for s in scans if s.is_image]
            signed = timezone.localtime(letter.signed_at).date() if letter.signed_at else None
            for ind_id in letter_indicators:
                sections[ind_id].items.append(Item(
                    f"l{letter.pk}", "目标责任书", letter.title, signed, letter.unit.name,
                    [("状态", letter.get_status_display()), ("签字扫描件", "、".join(s.original_name for s in scans))],
                    photos, [(s.file, s.original_name) for s in scans]))
    for section in sections.values():
        section.items.sort(key=lambda item: ("活动档案 督查记录 整改问题 目标责任书".split().index(item.what),
                                             item.date or timezone.localdate(), item.unit))
    return [s for s in sections.values() if s.items]


def file_name(year, unit, ext):
    who = unit.name if unit is not None else "全局"
    return f"{who}-{year.year}年度测评材料目录{ext}"


# --- PDF -------------------------------------------------------------------------------------------

def catalog_pdf(out, *, year, unit=None, bureau=None, batch_size=BATCH_SIZE):
    """Write the catalog PDF to `out` (a binary file object)."""
    from pypdf import PdfReader, PdfWriter

    bureau = _bureau_of(unit, bureau)
    sections = catalog_sections(year, unit, bureau)
    order = [(n, item) for n, section in enumerate(sections) for item in section.items]
    context = {"unit": unit, "year": year, "bureau": bureau.name, "today": timezone.localdate(),
               "item_count": len(order)}
    with tempfile.TemporaryDirectory(prefix="catalog-") as tmp:
        tmp = Path(tmp)
        starts, body_pages = {}, 0
        for n in range(0, len(order), batch_size):
            batch = [(sections[s], item, f"b{n + i}") for i, (s, item) in enumerate(order[n:n + batch_size])]
            doc = render_document(render_to_string("reports/pdf/catalog.html", {**context, "part": "body", "batch": batch}))
            for index, page in enumerate(doc.pages):
                for anchor in page.anchors:
                    if anchor.startswith("b"):
                        starts.setdefault(anchor, body_pages + index + 1)
            doc.write_pdf(tmp / f"body-{n:06d}.pdf")
            body_pages += len(doc.pages)
            del doc
            gc.collect()
        front_pages, front = 1, None
        for _ in range(3):
            for i, (s, item) in enumerate(order):
                item.page = starts.get(f"b{i}", 0) + front_pages
            front = render_document(render_to_string("reports/pdf/catalog.html", {**context, "part": "front",
                                                                          "sections": sections}))
            if len(front.pages) == front_pages:
                break
            front_pages = len(front.pages)
        front.write_pdf(tmp / "front.pdf")
        total = front_pages + body_pages
        render_document(render_to_string("reports/pdf/catalog.html", {"part": "numbers", "pages": range(total)})) \
            .write_pdf(tmp / "numbers.pdf")
        writer = PdfWriter()
        for path in [tmp / "front.pdf", *sorted(tmp.glob("body-*.pdf"))]:
            writer.append(str(path))
        numbers = PdfReader(tmp / "numbers.pdf")
        for index, page in enumerate(writer.pages):
            if index:
                page.merge_page(numbers.pages[index])
        writer.write(out)
        writer.close()
    return out


# --- ZIP -------------------------------------------------------------------------------------------

CONTENTS_COLUMNS = [Column("测评指标", 30, wrap=True), Column("材料类别", 10), Column("单位", 24),
                    Column("材料", 40, wrap=True), Column("日期", 12, "yyyy-mm-dd"), Column("文件", 60, wrap=True)]


def catalog_zip(out, *, year, unit=None, bureau=None):
    """Write the catalog ZIP to `out`: a folder per indicator, one per record, with its files."""
    sections = catalog_sections(year, unit, bureau)
    rows, entries, used = [], [], set()
    for section in sections:
        top = safe_name(section.label, 80)
        for item in section.items:
            who = "" if unit is not None else f"{item.unit} "
            day = f"{item.date:%Y-%m-%d} " if item.date else ""
            folder = f"{top}/{item.what}/{safe_name(who + day + item.title, 80)}"
            base, n = folder, 2
            while folder in used:
                folder, n = f"{base}（{n}）", n + 1
            used.add(folder)
            files = []
            for number, photo in enumerate(item.photos, start=1):
                if any(photo.original is f for f, _ in item.files):
                    continue
                ext = Path(photo.original.name).suffix.lower() or ".jpg"
                prefix = f"{photo.stage}-" if photo.stage else ""
                files.append((photo.original, f"{folder}/{prefix}{number:02d} {safe_name(photo.caption or '照片', 40)}{ext}"))
            for number, (fieldfile, name) in enumerate(item.files, start=1):
                files.append((fieldfile, f"{folder}/{safe_name(name, 60)}"))
            if not files:
                rows.append((section.label, item.what, item.unit, item.title, item.date, ""))
            for fieldfile, path in files:
                rows.append((section.label, item.what, item.unit, item.title, item.date, path))
                entries.append((fieldfile, path))
    who = unit.name if unit is not None else "全局"
    contents = table_xlsx("目录", CONTENTS_COLUMNS, rows, heading=f"{who} {year.year}年度测评材料目录")
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as archive:
        archive.writestr("目录.xlsx", contents, compress_type=zipfile.ZIP_DEFLATED)
        storage = entries[0][0].storage if entries else None
        sources = read_ahead(storage, [fieldfile.name for fieldfile, _path in entries])
        for (_fieldfile, path), source in zip(entries, sources):
            with source as src, archive.open(path, "w", force_zip64=True) as dest:
                shutil.copyfileobj(src, dest, CHUNK)
    return out

