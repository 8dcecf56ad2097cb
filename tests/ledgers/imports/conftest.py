"""Fixtures for the Excel imports: a small bureau's units and helpers that drive the import pages.

`run_import(client, kind, upload, columns=None, ...)` goes through the real pages: upload, the
column mapping (optionally changing columns: {"C": "title"}), preview, confirm; it returns the
preview HTML and the result page HTML.
"""
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from ledgers.models import ImportUpload, Indicator, Unit, UnitAlias, UnitKind
from tests.conftest import make_user

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
UPLOAD_URLS = {"tasks": "ledgers:task_import", "indicators": "ledgers:indicator_import",
               "units": "ledgers:unit_import", "users": "ledgers:user_import",
               "checklists": "ledgers:checklist_import", "oversights": "ledgers:oversight_import",
               "questions": "ledgers:question_import"}


def xlsx(rows, merges=(), name="表格.xlsx"):
    """An .xlsx written by openpyxl (inline values, merged ranges)."""
    wb = Workbook()
    ws = wb.active
    for row in rows:
        ws.append(list(row))
    for merge in merges:
        ws.merge_cells(merge)
    out = io.BytesIO()
    wb.save(out)
    return SimpleUploadedFile(name, out.getvalue(), content_type=XLSX)


def letter_index(letter):
    return ord(letter) - ord("A")


@pytest.fixture
def bureau(db, year):
    """Sections, schools (one a kindergarten), an affiliate and an alias, as a bureau has them."""
    units = {}
    for name, kind, code in [
        ("基础教育股", UnitKind.SECTION, "jjg"), ("德育股", UnitKind.SECTION, "dyg"),
        ("郾城区第一实验小学", UnitKind.SCHOOL, "school01"), ("郾城区第二实验小学", UnitKind.SCHOOL, "school02"),
        ("郾城区实验中学", UnitKind.SCHOOL, "school03"), ("郾城区第一幼儿园", UnitKind.SCHOOL, "school04"),
        ("教研室", UnitKind.AFFILIATE, "jys"),
    ]:
        units[name] = Unit.objects.get_or_create(name=name, defaults={"kind": kind, "code": code})[0]
    UnitAlias.objects.create(unit=units["郾城区第一实验小学"], name="郾城区一小")
    return units


@pytest.fixture
def bureau_admin(bureau):
    return make_user("admin", "admin", bureau["基础教育股"], "王建华")


@pytest.fixture
def indicators(year):
    top = Indicator.objects.create(year=year, code="3", title="未成年人思想道德建设", points=20)
    mid = Indicator.objects.create(year=year, code="3.2", parent=top, title="学校教育", points=10)
    return {"3.2.1": Indicator.objects.create(year=year, code="3.2.1", parent=mid, title="文明校园创建", points=4),
            "3.2": mid}


def upload_file(client, kind, upload, year=2026, **options):
    response = client.post(reverse(UPLOAD_URLS[kind]) + f"?year={year}", {"file": upload, **options})
    assert response.status_code == 302, response.content.decode()[:3000]
    return ImportUpload.objects.latest("pk")


def mapping_data(client, upload, columns=None, **rows):
    """The mapping form's current values, changed by columns={"C": "title"} and header rows."""
    html = client.get(reverse("ledgers:import_map", args=[upload.pk])).content.decode()
    data = {}
    for name in ("header_first", "header_last", "data_first"):
        data[name] = re.search(rf'name="{name}" id="[^"]*" value="(\d*)"', html).group(1)
    for select in re.finditer(r'<select [^>]*name="(col_\d+)"[^>]*>(.*?)</select>', html, re.S):
        chosen = re.search(r'<option value="([^"]*)" selected>', select.group(2))
        data[select.group(1)] = chosen.group(1) if chosen else ""
    for letter, field in (columns or {}).items():
        data[f"col_{letter_index(letter)}"] = field
    data.update({k: str(v) for k, v in rows.items()})
    return data


def run_import(client, kind, upload, columns=None, exclude=(), confirm=True, options=None, **rows):
    record = upload_file(client, kind, upload, **(options or {}))
    data = mapping_data(client, record, columns, **rows)
    response = client.post(reverse("ledgers:import_map", args=[record.pk]), {**data, "preview": "1"})
    assert response.status_code == 302, re.findall(r'mapping-errors">(.*?)</div>', response.content.decode())
    preview = client.get(reverse("ledgers:import_preview", args=[record.pk])).content.decode()
    done = None
    if confirm:
        response = client.post(reverse("ledgers:import_run", args=[record.pk]), {"exclude": [str(x) for x in exclude]})
        assert response.status_code == 302
        done = client.get(response.url).content.decode()
    return preview, done, record


def row_status(preview_html, row):
    """("将新增", message) of Excel row `row` in the preview table."""
    match = re.search(rf'<tr[^>]*data-row="{row}">(.*?)</tr>', preview_html, re.S)
    assert match, f"row {row} not in preview"
    cells = re.findall(r"<td[^>]*>(.*?)</td>", match.group(1), re.S)
    status = re.sub(r"<[^>]+>", "", cells[1]).strip()
    return status, re.sub(r"<[^>]+>", "", cells[-2]).strip()


@pytest.fixture
def liaison_school01(bureau):
    return make_user("liaison", "liaison", bureau["郾城区第一实验小学"], "马晓丽")
