"""The archive binder (台账档案册) of one unit and year: a PDF to print and a ZIP for the city upload.

Both hold the unit's submitted and approved activities (drafts and returned ones are unfinished)
grouped by the indicators they are linked to; an activity linked to several indicators is listed
under each (printed once in the PDF, its photos copied into each folder of the ZIP so every
indicator folder is complete on its own); activities without an indicator come last under
"未关联指标".

Memory: nothing here holds the whole binder at once.
- PDF: WeasyPrint keeps a laid-out document in memory, so the activity pages are rendered in
  batches of BATCH_SIZE to temporary files (display copies, never originals), the page where each
  activity starts is read from the anchors, then cover + contents are rendered with those page
  numbers, everything is concatenated with pypdf and the "第 N 页 共 M 页" footer is stamped last
  (WeasyPrint's own page counter restarts in every batch).
- ZIP: written to a temporary file, each original copied from storage in 1 MB chunks.
The functions return an open (named) temporary file positioned at 0.

The whole bureau's binder (`bureau_binder_zip`, a background job) is one ZIP with a folder per
unit holding what that unit's own ZIP holds (目录.xlsx and the photos by indicator) plus its
binder PDF; a semester or the whole year (`PERIODS`). Units are rendered one after another, so
memory stays that of the largest unit. Every builder takes `progress(done, total)`.
"""
import datetime
import gc
import re
import shutil
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from django.db.models import Prefetch
from django.template.loader import render_to_string
from django.utils import timezone

from ledgers import rules
from ledgers.files import read_ahead
from ledgers.models import Activity, ActivityPhoto, Indicator

from .excel import Column, table_xlsx
from .pdf import render_document

BATCH_SIZE = 15
UNLINKED = "未关联指标"
CHUNK = 1024 * 1024


@dataclass
class Section:
    indicator: Indicator | None
    activities: list = field(default_factory=list)

    @property
    def label(self):
        return f"{self.indicator.code} {self.indicator.title}" if self.indicator else UNLINKED


# A period of the campaign year: the whole year or a semester (by activity date; the semesters are
# the campaign year's, ledgers.rules.terms).
PERIODS = {"year": "全年", "spring": "春季学期", "autumn": "秋季学期"}


def period_bounds(year, period):
    """(first day, day after) of a period of the campaign year, or None for the whole year."""
    if period not in ("spring", "autumn"):
        return None
    span = rules.terms(year)[0 if period == "spring" else 1]
    return span.start, span.end + datetime.timedelta(days=1)


def period_label(year, period):
    return f"{year.year}年度" if period in (None, "year") else f"{year.year}年{PERIODS[period]}"


def _noop(done, total):
    pass


def output_file(suffix):
    """A named temporary file: a job's storage can move it into place instead of copying it."""
    return tempfile.NamedTemporaryFile(prefix="wenming-", suffix=suffix)


def binder_activities(unit, year, period=None):
    activities = Activity.objects.filter(unit=unit, year=year)
    bounds = period_bounds(year, period)
    if bounds:
        activities = activities.filter(date__gte=bounds[0], date__lt=bounds[1])
    return list(
        activities.archived()
        .select_related("category", "unit")
        .prefetch_related(Prefetch("photos", queryset=ActivityPhoto.objects.order_by("sort_order", "pk")),
                          Prefetch("indicators", queryset=Indicator.objects.order_by("sort_key")))
        .order_by("date", "pk")
    )


def binder_sections(activities):
    """Sections in indicator order, each with its activities by date; unlinked ones last."""
    by_indicator, unlinked = {}, Section(None)
    for activity in activities:
        indicators = list(activity.indicators.all())
        for indicator in indicators:
            by_indicator.setdefault(indicator.pk, Section(indicator)).activities.append(activity)
        if not indicators:
            unlinked.activities.append(activity)
    sections = sorted(by_indicator.values(), key=lambda s: s.indicator.sort_key)
    if unlinked.activities:
        sections.append(unlinked)
    return sections


def body_order(sections):
    """Each activity once, in the order it first appears in the contents."""
    seen, order = set(), []
    for section in sections:
        for activity in section.activities:
            if activity.pk not in seen:
                seen.add(activity.pk)
                order.append(activity)
    return order


def file_name(unit, year, ext, period=None):
    return f"{unit.name}-{period_label(year, period)}台账档案册{ext}"


# --- PDF -------------------------------------------------------------------------------------

def binder_pdf(unit, year, batch_size=BATCH_SIZE, period=None, progress=_noop):
    from pypdf import PdfReader, PdfWriter

    sections = binder_sections(binder_activities(unit, year, period))
    order = body_order(sections)
    steps = len(range(0, len(order), batch_size)) + 1
    context = {"unit": unit, "year": year, "bureau": unit.bureau.name, "today": timezone.localdate()}
    with tempfile.TemporaryDirectory(prefix="binder-") as tmp:
        tmp = Path(tmp)
        parts, starts, body_pages = [], {}, 0
        for n in range(0, len(order), batch_size):
            batch = order[n:n + batch_size]
            for activity in batch:
                activity.binder_photos = list(activity.photos.all())
            doc = render_document(render_to_string("reports/pdf/binder.html", {**context, "part": "body", "activities": batch}))
            for index, page in enumerate(doc.pages):
                for anchor in page.anchors:
                    if anchor.startswith("activity-"):
                        starts.setdefault(int(anchor.split("-")[1]), body_pages + index + 1)
            path = tmp / f"body-{n:05d}.pdf"
            doc.write_pdf(path)
            body_pages += len(doc.pages)
            del doc
            gc.collect()
            progress(n // batch_size + 1, steps)

        front_pages, front = 2, None
        for _ in range(3):  # page numbers in the contents barely change its length; settle it
            refs = {pk: page + front_pages for pk, page in starts.items()}
            for section in sections:
                section.rows = [(a, refs.get(a.pk)) for a in section.activities]
            front = render_document(render_to_string("reports/pdf/binder.html", {
                **context, "part": "front", "sections": sections, "activity_count": len(order)}))
            if len(front.pages) == front_pages:
                break
            front_pages = len(front.pages)
        front.write_pdf(tmp / "front.pdf")
        total = front_pages + body_pages
        render_document(render_to_string("reports/pdf/binder.html", {"part": "numbers", "pages": range(total)})) \
            .write_pdf(tmp / "numbers.pdf")

        writer = PdfWriter()
        for path in [tmp / "front.pdf", *sorted(tmp.glob("body-*.pdf"))]:
            writer.append(str(path))
        numbers = PdfReader(tmp / "numbers.pdf")
        for index, page in enumerate(writer.pages):
            if index:  # no number on the cover
                page.merge_page(numbers.pages[index])
        out = output_file(".pdf")
        writer.write(out)
        writer.close()
    out.seek(0)
    return out


# --- ZIP -------------------------------------------------------------------------------------

_UNSAFE = re.compile(r"[\x00-\x1f\x7f/\\:*?\"<>|]+")


def safe_name(text, limit=60):
    """A file or folder name that is safe on Windows and in a ZIP: no separators, bounded."""
    text = _UNSAFE.sub("_", str(text)).strip(" ._")
    text = re.sub(r"\s+", " ", text)
    return (text[:limit].rstrip(" ._")) or "未命名"


def zip_entries(sections):
    """[(indicator label, activity, photo, path in the ZIP)] with unique paths."""
    entries, used = [], set()
    for section in sections:
        top = safe_name(section.label, 80)
        for activity in section.activities:
            folder = f"{top}/{safe_name(f'{activity.date:%Y-%m-%d} {activity.title}', 80)}"
            base, n = folder, 2
            while folder in used:
                folder, n = f"{base}（{n}）", n + 1
            used.add(folder)
            for number, photo in enumerate(activity.photos.all(), start=1):
                stem = photo.caption or photo.original_name.rsplit(".", 1)[0]
                ext = Path(photo.original.name).suffix.lower() or ".jpg"
                path = f"{folder}/{number:02d} {safe_name(stem, 50)}{ext}"
                entries.append((section.label, activity, photo, path))
    return entries


CONTENTS_COLUMNS = [Column("测评指标", 30, wrap=True), Column("活动名称", 30, wrap=True), Column("活动日期", 12),
                    Column("活动类别", 14), Column("照片文件", 60, wrap=True), Column("照片说明", 40, wrap=True),
                    Column("拍摄时间", 18), Column("原文件名", 24)]


def contents_xlsx(unit, year, entries, period=None):
    rows = [(label, a.title, a.date, a.category.name, path, p.caption, p.taken_at, p.original_name)
            for label, a, p, path in entries]
    return table_xlsx("目录", CONTENTS_COLUMNS, rows, heading=f"{unit.name} {period_label(year, period)}台账档案册 照片目录")


def write_unit_files(archive, unit, year, *, prefix="", period=None, progress=_noop):
    """Write one unit's 目录.xlsx and photos (by indicator) into `archive` under `prefix`."""
    sections = binder_sections(binder_activities(unit, year, period))
    entries = zip_entries(sections)
    archive.writestr(f"{prefix}目录.xlsx", contents_xlsx(unit, year, entries, period),
                     compress_type=zipfile.ZIP_DEFLATED)
    storage = entries[0][2].original.storage if entries else None
    sources = read_ahead(storage, [photo.original.name for _label, _activity, photo, _path in entries])
    for number, ((_label, _activity, _photo, path), source) in enumerate(zip(entries, sources), start=1):
        # Photos are already compressed: stored as they are, copied in chunks.
        with source as src, archive.open(prefix + path, "w", force_zip64=True) as dest:
            shutil.copyfileobj(src, dest, CHUNK)
        if number % 20 == 0:
            progress(number, len(entries))
    return len(entries)


def binder_zip(unit, year, period=None, progress=_noop):
    out = output_file(".zip")
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as archive:
        write_unit_files(archive, unit, year, period=period, progress=progress)
    out.seek(0)
    return out


def bureau_binder_zip(units, year, period=None, progress=None):
    """Every unit's binder in one ZIP: `<单位>/目录.xlsx`, `<单位>/<指标>/…jpg`, `<单位>/<单位>-…档案册.pdf`.

    `progress(done, total, stage)` gets "正在生成第 i/N 个单位的档案册…"; a unit takes one
    step for its photos and one for its PDF.
    """
    progress = progress or (lambda done, total, stage=None: None)
    units = list(units)
    out = output_file(".zip")
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as archive:
        for index, unit in enumerate(units):
            stage = f"正在生成第 {index + 1}/{len(units)} 个单位的档案册…"
            folder = safe_name(unit.name, 80) + "/"

            def step(done, total, part, index=index, stage=stage):
                fraction = (done / total if total else 1) * 0.5
                progress(index + part * 0.5 + fraction, len(units), stage)

            progress(index, len(units), stage)
            write_unit_files(archive, unit, year, prefix=folder, period=period,
                             progress=lambda d, t: step(d, t, 0))
            with binder_pdf(unit, year, period=period, progress=lambda d, t: step(d, t, 1)) as pdf, \
                    archive.open(folder + file_name(unit, year, ".pdf", period), "w", force_zip64=True) as dest:
                shutil.copyfileobj(pdf, dest, CHUNK)
            gc.collect()
    out.seek(0)
    return out
