"""The archive binder: the PDF's text (cover, contents by indicator, captions) and the ZIP's layout.

Both are background jobs: the button POSTs, the worker builds the file, 我的下载 serves it."""
import io
import zipfile

from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from ledgers.services.activities import activity_review, activity_submit
from reports import binder
from tests.ledgers.activities.conftest import add_photo, make_activity
from tests.reports.jobs.support import export_through_job


def archive(school_a, liaison, inspector, category, year, indicator, indicator_plain):
    a = make_activity(school_a, liaison, category, year, title="学雷锋志愿服务进社区")
    a.indicators.add(indicator, indicator_plain)
    add_photo(a, liaison, caption="4月3日 沙北社区 五年级学生清扫街道", name="IMG_0001.jpg")
    add_photo(a, liaison, caption="慰问社区孤寡老人/赠送春联", color="navy", taken="2026:04:03 10:00:00")
    b = make_activity(school_a, liaison, category, year, title="敬老院慰问演出")
    # A photo without a caption, archived under a bureau whose default rule asks for none.
    type(school_a.bureau).objects.filter(pk=school_a.bureau_id).update(evidence_captions=False)
    add_photo(b, liaison, caption="", name="演出合影.jpg", color="orange")
    for activity in (a, b):
        activity_submit(activity=activity, user=liaison)
    activity_review(activity=a, user=inspector, approve=True)
    draft = make_activity(school_a, liaison, category, year, title="还没写完的草稿")
    add_photo(draft, liaison, caption="草稿照片")
    return a, b


def pdf_text(data):
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_binder_pdf_has_cover_contents_by_indicator_and_captions(school_a, liaison, inspector, category, year,
                                                                 indicator, indicator_plain, client_for, run_jobs):
    archive(school_a, liaison, inspector, category, year, indicator, indicator_plain)
    job, data = export_through_job(client_for(liaison), reverse("reports:binder_pdf"), {"unit": school_a.pk, "year": 2026})
    assert job.file_name == "郾城区第一实验小学-2026年度台账档案册.pdf"
    text = pdf_text(data)
    assert "文明创建工作台账档案册" in text and "郾城区第一实验小学" in text
    assert "3.2.1 学雷锋志愿服务常态化" in text and "2.1.4 诚信建设" in text and "未关联指标" in text
    assert "4月3日 沙北社区 五年级学生清扫街道" in text
    assert "敬老院慰问演出" in text
    assert "还没写完的草稿" not in text and "草稿照片" not in text
    reader = PdfReader(io.BytesIO(data))
    pages = len(reader.pages)
    assert f"— {pages} —" in reader.pages[-1].extract_text()


def test_binder_pdf_batches_and_contents_page_numbers_agree(school_a, liaison, inspector, category, year,
                                                            indicator, indicator_plain):
    archive(school_a, liaison, inspector, category, year, indicator, indicator_plain)
    reader = PdfReader(binder.binder_pdf(school_a, year, batch_size=1))
    texts = [page.extract_text() for page in reader.pages]
    # the contents gives the page of 敬老院慰问演出; that page starts with its title
    contents = texts[1]
    line = next(line for line in contents.splitlines() if "敬老院慰问演出" in line)
    page_number = int(line.split("）")[-1].strip())
    assert texts[page_number - 1].lstrip().startswith("敬老院慰问演出")


def test_binder_zip_is_organized_by_indicator_then_activity_with_contents_xlsx(
        school_a, liaison, inspector, category, year, indicator, indicator_plain, client_for, run_jobs):
    archive(school_a, liaison, inspector, category, year, indicator, indicator_plain)
    _job, data = export_through_job(client_for(liaison), reverse("reports:binder_zip"), {"unit": school_a.pk})
    archive_file = zipfile.ZipFile(io.BytesIO(data))
    names = archive_file.namelist()
    assert names[0] == "目录.xlsx"
    assert sorted(names[1:]) == sorted([
        "2.1.4 诚信建设/2026-04-03 学雷锋志愿服务进社区/01 4月3日 沙北社区 五年级学生清扫街道.jpg",
        "2.1.4 诚信建设/2026-04-03 学雷锋志愿服务进社区/02 慰问社区孤寡老人_赠送春联.jpg",
        "3.2.1 学雷锋志愿服务常态化/2026-04-03 学雷锋志愿服务进社区/01 4月3日 沙北社区 五年级学生清扫街道.jpg",
        "3.2.1 学雷锋志愿服务常态化/2026-04-03 学雷锋志愿服务进社区/02 慰问社区孤寡老人_赠送春联.jpg",
        "未关联指标/2026-04-03 敬老院慰问演出/01 演出合影.jpg",
    ])
    sheet = load_workbook(io.BytesIO(archive_file.read("目录.xlsx"))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "郾城区第一实验小学 2026年度台账档案册 照片目录"
    assert rows[1][:6] == ("测评指标", "活动名称", "活动日期", "活动类别", "照片文件", "照片说明")
    first = rows[2]
    assert first[0] == "2.1.4 诚信建设" and first[1] == "学雷锋志愿服务进社区"
    assert first[2].date().isoformat() == "2026-04-03"
    assert first[4].endswith("01 4月3日 沙北社区 五年级学生清扫街道.jpg")
    assert rows[3][6] is not None and rows[3][6].hour == 10  # taken time kept
    assert len(rows) == 2 + 5


def test_safe_names_have_no_separators_and_bounded_length():
    assert binder.safe_name("../../etc/passwd") == "etc_passwd"
    assert "/" not in binder.safe_name("a/b\\c:d") and len(binder.safe_name("长" * 200)) == 60


def test_binder_zip_accepts_control_characters_in_titles_and_captions(school_a, liaison, category, year,
                                                                      client_for, run_jobs):
    """Word's line break (\\x0b) pasted into a title or caption used to break the ZIP for good
    (openpyxl's IllegalCharacterError writing 目录.xlsx)."""
    a = make_activity(school_a, liaison, category, year, title="升旗仪式\x0b国旗下讲话")
    add_photo(a, liaison, caption="4月3日\x0b操场\x01全体师生\x0c升旗")
    activity_submit(activity=a, user=liaison)
    client = client_for(liaison)
    for _ in range(2):  # and again: nothing stays broken
        _job, data = export_through_job(client, reverse("reports:binder_zip"), {"unit": school_a.pk})
        archive_file = zipfile.ZipFile(io.BytesIO(data))
        rows = list(load_workbook(io.BytesIO(archive_file.read("目录.xlsx"))).active.iter_rows(values_only=True))
        assert rows[2][1] == "升旗仪式\n国旗下讲话"
        assert rows[2][5] == "4月3日\n操场全体师生\n升旗"
        assert len(archive_file.namelist()) == 2
