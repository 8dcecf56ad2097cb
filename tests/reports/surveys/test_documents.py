"""The round's documents as a school uses them: the QR poster (its text extracts, its code decodes to
the unit's own link) and the Excel of the responses (one row each, no personal data)."""
import io
import subprocess

import zxingcpp
from openpyxl import load_workbook
from PIL import Image
from pypdf import PdfReader

from ledgers.services.surveys import response_submit
from tests.ledgers.surveys.factories import RIGHT, WRONG


def pdf_text(content):
    return [page.extract_text().replace("\n", "") for page in PdfReader(io.BytesIO(content)).pages]


def decoded(content, tmp_path):
    """The QR codes on each page, read by a decoder from the printed page (150 dpi)."""
    (tmp_path / "poster.pdf").write_bytes(content)
    subprocess.run(["pdftoppm", "-r", "150", "-png", str(tmp_path / "poster.pdf"), str(tmp_path / "page")], check=True)
    return [[r.text for r in zxingcpp.read_barcodes(Image.open(path))]
            for path in sorted(tmp_path.glob("page*.png"))]


def submit(link, audience="student", wrong=()):
    items = link.survey.items.filter(audience=audience).select_related("question")
    answers = {i.question.pk: "".join((WRONG if i.question.kind in wrong else RIGHT)[i.question.kind]) for i in items}
    return response_submit(link=link, audience=audience, grade=3 if audience == "student" else None,
                           answers=answers, address="192.0.2.50")


def test_the_liaisons_poster_names_the_unit_and_round_and_its_code_opens_the_units_link(
        link_a, liaison, client_for, settings, tmp_path):
    response = client_for(liaison).get(f"/reports/surveys/{link_a.survey_id}/poster.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    (text,) = pdf_text(response.content)
    assert "扫码参加问卷调查" in text and "郾城区第一实验小学" in text and "2026年秋季文明创建知晓率调查" in text
    assert "每部手机限答一次" in text
    assert decoded(response.content, tmp_path) == [[f"{settings.SITE_URL}/s/{link_a.token}/"]]


def test_the_bureau_prints_every_units_poster_one_page_each(link_a, link_b, admin_user, client_for, tmp_path):
    response = client_for(admin_user).get(f"/reports/surveys/{link_a.survey_id}/poster.pdf")
    pages = pdf_text(response.content)
    assert len(pages) == 2
    assert "郾城区第一实验小学" in pages[0] and "郾城区第二实验小学" in pages[1]
    codes = decoded(response.content, tmp_path)
    assert [c[0].rsplit("/s/", 1)[1] for c in codes] == [f"{link_a.token}/", f"{link_b.token}/"]


def test_a_liaison_asking_for_another_units_poster_or_responses_gets_their_own(link_b, liaison, client_for):
    client = client_for(liaison)
    for url in (f"/reports/surveys/{link_b.survey_id}/poster.pdf?unit={link_b.unit_id}",
                f"/reports/surveys/{link_b.survey_id}/responses.xlsx?unit={link_b.unit_id}"):
        response = client.get(url)
        # A liaison always gets their own unit: never school_b's.
        assert response.status_code == 200
        body = response.content
        if response["Content-Type"] == "application/pdf":
            assert "郾城区第二实验小学" not in "".join(pdf_text(body))
        else:
            cells = [c for row in load_workbook(io.BytesIO(body)).active.iter_rows(values_only=True) for c in row if c]
            assert "郾城区第二实验小学" not in " ".join(map(str, cells))


def test_the_responses_excel_has_one_row_per_response_and_nothing_about_the_person(link_a, link_b, admin_user,
                                                                                   client_for):
    submit(link_a)
    submit(link_a, "teacher", wrong=("multiple",))
    submit(link_b, "parent")
    response = client_for(admin_user).get(f"/reports/surveys/{link_a.survey_id}/responses.xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[1]
    assert header[:9] == ("序号", "单位", "答题人", "年级", "提交时间", "答对", "计分题数", "正确率", "知晓")
    assert [h.split(" ", 1)[1] for h in header[9:]][:2] == ["请写出社会主义核心价值观的12个主题词", "我市正在创建的是？"]
    data = rows[2:]
    assert len(data) == 3
    student, teacher, parent = data
    assert student[1:4] == ("郾城区第一实验小学", "学生", "三年级") and student[5:9] == (3, 3, 1, "是")
    assert teacher[2] == "教师" and teacher[5:9] == (3, 4, 0.75, "否")
    assert "✗ A" in teacher and any(str(c).startswith("✓ 富强") for c in teacher if c)
    assert parent[1] == "郾城区第二实验小学" and 5 in parent  # the 满意度 rating
    assert sheet.freeze_panes == "A3"
    text = " ".join(str(c) for row in rows for c in row if c)
    for personal in ("192.0.2.50", "姓名", "手机", "电话"):
        assert personal not in text


def test_a_liaison_gets_their_own_units_responses_only(link_a, link_b, liaison2, client_for):
    submit(link_a)
    submit(link_b)
    response = client_for(liaison2).get(f"/reports/surveys/{link_a.survey_id}/responses.xlsx")
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))[2:]
    assert [r[1] for r in rows] == ["郾城区第二实验小学"]
