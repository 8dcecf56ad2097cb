"""The real published tables (tests/fixtures/real_tables) through the import pages as a clerk would:
upload, the mapping page as prefilled (nothing changed by hand), preview, confirm (issue 29).

Every table: at least 95 % of its real rows in, each as the table says (title, points, kind, group,
units, deadline); importing it again adds nothing. A district's table without codes leaves every
city indicator untouched and becomes the district's own branch.
"""
import io
import json
import os
import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from ledgers.models import CheckItem, Indicator, ItemKind, Task, Unit, UnitKind
from tests.fixtures.real_tables import tables
from tests.fixtures.real_tables.tables import INDICATOR, PASSFAIL, SCORED, TABLES, TASKS

from .conftest import XLSX, row_status, run_import

KIND = {INDICATOR: "indicators", TASKS: "tasks", SCORED: "checklists", PASSFAIL: "checklists"}
# The field the prefilled mapping must give the column holding each row's item.
ITEM_FIELDS = {INDICATOR: {"standard", "title", "level2"}, TASKS: {"title"}, SCORED: {"title"},
               PASSFAIL: {"title"}}
REPORT_DIR = os.environ.get("REAL_TABLES_REPORT")  # a folder: each table's outcome as JSON (for notes)


def upload_of(table_id):
    out = io.BytesIO()
    tables.build(table_id, out)
    return SimpleUploadedFile(f"{TABLES[table_id]['title'][:20]}.xlsx", out.getvalue(), content_type=XLSX)


def key(text):
    return re.sub(r"\s+", "", str(text or ""))[:100]


def make_units(meta):
    """The units a task table names, as the bureau has them before importing it."""
    names = set()
    for entry in meta["items"]:
        names.update(entry.get("units") or [])
        names.update([entry["lead"]] if entry.get("lead") else [])
    for n, name in enumerate(sorted(names)):
        Unit.objects.get_or_create(name=name, defaults={"kind": UnitKind.SECTION, "code": f"real{n}"})


def objects_of(meta, year):
    if meta["shape"] == INDICATOR:
        return Indicator.objects.filter(year=year)
    if meta["shape"] == TASKS:
        return Task.objects.filter(year=year).prefetch_related("assignments__unit")
    return CheckItem.objects.exclude(kind=ItemKind.GROUP)


def wrong(meta, entry, obj, year):
    """What differs between a real row's expected outcome and what was made of it ("" if nothing)."""
    if obj is None:
        return "not imported"
    if entry["points"] is not None and meta["shape"] != TASKS:
        points = obj.points if meta["shape"] == INDICATOR else obj.max_points
        if Decimal(str(entry["points"])) != points:
            return f"points {points} (table: {entry['points']})"
    if meta["shape"] in (SCORED, PASSFAIL) and entry["kind"] and obj.kind != entry["kind"]:
        return f"kind {obj.kind} (table: {entry['kind']})"
    if meta["shape"] in (SCORED, PASSFAIL) and entry["kind"] == "sampling" and entry["sample"][1] is not None:
        if (obj.sample_size, obj.sample_pass) != tuple(entry["sample"]):
            return f"sample {(obj.sample_size, obj.sample_pass)} (table: {entry['sample']})"
    if meta["shape"] == TASKS:
        if entry.get("due") and obj.deadline.strftime("%m-%d") != entry["due"]:
            return f"deadline {obj.deadline} (table: {entry['due']})"
        units = {a.unit.name for a in obj.assignments.all()}
        if not set(entry.get("units") or []) <= units | {entry.get("lead")}:
            return f"units {sorted(units)} (table: {entry['units']})"
        if entry["path"] and obj.group != entry["path"][-1]:
            return f"group {obj.group!r} (table: {entry['path'][-1]})"
    return ""


def outcome(meta, year):
    """{Excel row: "" (in, as the table says) or what is wrong}."""
    by_key = {}
    for obj in objects_of(meta, year):
        for text in (obj.title, getattr(obj, "standard", ""), getattr(obj, "requirement", "")):
            by_key.setdefault(key(text), obj)
    return {entry["row"]: wrong(meta, entry, by_key.get(key(entry["title"])), year) for entry in meta["items"]}


@pytest.mark.parametrize("table_id", TABLES)
def test_a_real_table_imports_as_published_with_the_mapping_as_prefilled(client_for, bureau_admin, year, table_id):
    meta = TABLES[table_id]
    make_units(meta)
    client = client_for(bureau_admin)
    preview, done, record = run_import(client, KIND[meta["shape"]], upload_of(table_id))
    assert record.columns[str(meta["title_col"])] in ITEM_FIELDS[meta["shape"]], record.columns
    rows = outcome(meta, year)
    refused = {row: why for row, why in rows.items() if why}
    if REPORT_DIR:
        with open(os.path.join(REPORT_DIR, f"{table_id}.json"), "w", encoding="utf-8") as f:
            json.dump({"table": table_id, "shape": meta["shape"], "real_rows": meta["real_rows"],
                       "in": len(rows) - len(refused), "refused": refused,
                       "preview": {row: row_status(preview, row) for row in refused if f'data-row="{row}"' in preview}},
                      f, ensure_ascii=False)
    assert len(rows) - len(refused) >= 0.95 * meta["real_rows"], refused
    # Again, unchanged: nothing new, nothing changed.
    _, again, _ = run_import(client, KIND[meta["shape"]], upload_of(table_id))
    assert re.search(r"0 新增，0 更新", again), re.sub(r"<[^>]+>", "", again)[-500:]

