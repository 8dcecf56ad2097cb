"""The real published tables in tests/fixtures/real_tables build as bureaus keep them (issue 29).

They are the importers' test material; this checks the files themselves, reloaded with openpyxl:
title merged across, header words as published, group labels merged down over their rows, 合计
formulas over the item rows, line breaks inside cells, and the real rows that sources.md counts.
"""
import io
from collections import defaultdict
from pathlib import Path

import pytest
from openpyxl import load_workbook

from tests.fixtures.real_tables import tables
from tests.fixtures.real_tables.tables import INDICATOR, PASSFAIL, SCORED, TABLES, TASKS

SOURCES_MD = Path(tables.__file__).with_name("sources.md").read_text(encoding="utf-8")
BASE_IDS = [table_id for table_id, meta in TABLES.items() if meta["variant_of"] is None]


def reloaded(table_id):
    out = io.BytesIO()
    tables.build(table_id, out)
    out.seek(0)
    return load_workbook(out).active


def merged(sheet):
    return {str(cell_range) for cell_range in sheet.merged_cells.ranges}


def shown(sheet, row, col):
    """What a reader sees in a cell: inside a merged range, the range's top-left value."""
    coordinate = sheet.cell(row=row, column=col).coordinate
    for cell_range in sheet.merged_cells.ranges:
        if coordinate in cell_range:
            return sheet.cell(row=cell_range.min_row, column=cell_range.min_col).value
    return sheet.cell(row=row, column=col).value


@pytest.mark.parametrize("table_id", TABLES)
def test_title_is_merged_across_and_header_words_are_as_published(table_id):
    meta, sheet = TABLES[table_id], reloaded(table_id)
    last = chr(ord("A") + len(meta["header"]) - 1)
    title_row = next(row for row in range(1, meta["header_row"]) if sheet[f"A{row}"].value == meta["title"])
    assert f"A{title_row}:{last}{title_row}" in merged(sheet)
    assert [cell.value for cell in sheet[meta["header_row"]]] == meta["header"]
    assert sheet.max_row == meta["data_last"]


@pytest.mark.parametrize("table_id", TABLES)
def test_each_real_row_is_in_the_file_under_its_group(table_id):
    meta, sheet = TABLES[table_id], reloaded(table_id)
    assert meta["real_rows"] == len(meta["items"]) > 0
    assert len({entry["row"] for entry in meta["items"]}) == meta["real_rows"]
    for entry in meta["items"]:
        assert meta["data_first"] <= entry["row"] <= meta["data_last"]
        assert sheet.cell(row=entry["row"], column=meta["title_col"] + 1).value == entry["text"]
        for col in meta["group_cols"]:
            label = shown(sheet, entry["row"], col + 1)
            if label is not None:
                assert tables._label(label)["title"] in entry["path"], (label, entry["path"])


def test_group_labels_are_merged_down_over_their_rows():
    xiangyang = reloaded("xiangyang_kaoping")
    assert {"A4:A8", "A9:A10", "A11:A14", "A15:A18"} <= merged(xiangyang)
    assert xiangyang["A4"].value == "宣传氛围（20分）" and xiangyang["A9"].value == "环境卫生（10分）"
    sihua = reloaded("sihua_pinggu")
    assert {"A5:A10", "A11:A14", "A15:A16"} <= merged(sihua)
    assert sihua["A5"].value == "校园硬化30分"
    # The copy's table breaks across pages: 校园文化20分 twice, the second over one row.
    assert sihua["A15"].value == sihua["A17"].value == "校园文化20分"
    yuanlin = reloaded("yuanlin_xize")
    assert {"A4:A10", "A11:A19", "B11:B13", "B14:B19", "C14:D14"} <= merged(yuanlin)
    assert yuanlin["C14"].value == "（1）校园内设施清洁无卫生死角。（13分）"
    tixi = reloaded("xuexiao_tixi")
    assert {"A4:A8", "A9:A10", "A11:A15"} <= merged(tixi)
    qiaotou = reloaded("qiaotou_weisheng")
    assert {"A4:A7", "A8:A11", "A12:B12"} <= merged(qiaotou)
    assert qiaotou["A4"].value == "（一）\n校\n园"


def test_a_heading_row_shares_its_unit_and_deadline_with_the_first_task():
    sheet = reloaded("xinxiang_chongci")
    assert sheet["A3"].value == "1、宣传氛围"
    assert {"B3:B4", "C3:C4"} <= merged(sheet)
    assert (shown(sheet, 4, 2), shown(sheet, 4, 3)) == ("党委宣传部", "8月28日")
    task = TABLES["xinxiang_chongci"]["items"][0]
    assert (task["row"], task["group"], task["units"], task["due"]) == (4, "宣传氛围", ["党委宣传部"], "08-28")


def test_line_breaks_stay_inside_cells():
    sheet = reloaded("xinxiang_chongci")
    assert len(sheet["A7"].value.split("\n")) == 9
    assert len(sheet["B7"].value.split("\n")) == 7
    assert sheet["C7"].value == "8月28日前将相关内容交到党委宣传部统一制作"
    assert "\n" in reloaded("xiangyang_kaoping")["B4"].value


def test_section_rows_are_merged_across():
    dianwei = reloaded("dianwei_dubiao")
    assert dianwei["A13"].value == "考察校园周边：" and "A13:D13" in merged(dianwei)
    assert dianwei["B6"].value == "□达标 □不达标"
    qiaocheng = reloaded("qiaocheng_2025")
    headings = [row for row in range(3, 12) if f"A{row}:D{row}" in merged(qiaocheng)]
    assert headings == [3, 5, 6, 7, 8, 9]
    assert [qiaocheng[f"A{row}"].value for row in (4, 10, 11)] == [3, 68, 69]


@pytest.mark.parametrize("table_id", [t for t in TABLES if TABLES[t]["totals"]])
def test_totals_sum_the_item_rows(table_id):
    meta, sheet = TABLES[table_id], reloaded(table_id)
    first, last = meta["items"][0]["row"], meta["items"][-1]["row"]
    for row in meta["totals"]:
        formulas = [cell.value for cell in sheet[row] if isinstance(cell.value, str) and cell.value.startswith("=")]
        assert formulas and all(f.startswith("=SUM(") and f.endswith(f"{first}:{f[5]}{last})") for f in formulas)
        assert str(sheet.cell(row=row, column=1).value).startswith("合计")


@pytest.mark.parametrize("table_id", [t for t in TABLES if TABLES[t]["variant_of"]])
def test_variants_without_a_number_column_keep_every_real_row(table_id):
    meta, base = TABLES[table_id], TABLES[TABLES[table_id]["variant_of"]]
    assert meta["header"] == [word for word in base["header"] if word != "序号"]
    assert [entry["title"] for entry in meta["items"]] == [entry["title"] for entry in base["items"]]
    assert all(entry["code"] is None for entry in meta["items"])


def test_group_points_cap_their_items():
    for meta in TABLES.values():
        children = defaultdict(float)
        caps = {}
        for entry in meta["items"]:
            if entry["group_points"] is not None and entry["points"] is not None:
                children[entry["group"]] += entry["points"]
                caps[entry["group"]] = entry["group_points"]
        assert all(children[group] <= caps[group] for group in caps), meta["id"]


def test_each_shape_comes_from_three_sources_and_sources_md_counts_the_rows():
    by_shape = defaultdict(set)
    for table_id in BASE_IDS:
        meta = TABLES[table_id]
        by_shape[meta["shape"]].add(meta["source"]["url"].split(" ;")[0].split("/")[2])
        assert f"`{table_id}`" in SOURCES_MD
        assert f"`{table_id}` — real rows: {meta['real_rows']}" in SOURCES_MD
    assert set(by_shape) == {INDICATOR, TASKS, SCORED, PASSFAIL}
    assert all(len(hosts) >= 3 for hosts in by_shape.values()), by_shape
