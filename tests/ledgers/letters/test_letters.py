"""Target responsibility letters: generation, status moves, the signed scan, visibility, PDF."""
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from pypdf import PdfReader

from ledgers.models import LetterStatus as L
from ledgers.models import LetterTarget, ResponsibilityLetter
from ledgers.services.letters import letter_confirm, letter_move, letter_return, letter_upload_scan, letters_generate
from ledgers.services.tasks import MoveRefused

from tests.reports.jobs.support import export_through_job

from .conftest import TARGETS


def scan():
    return SimpleUploadedFile("签字件.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF", content_type="application/pdf")


def pdf_text(content):
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def issue(letter, admin_user):
    return letter_move(letter=letter, to=L.ISSUED, user=admin_user)


def test_generating_makes_one_letter_per_active_unit_with_the_items(letters, section, school_a):
    assert ResponsibilityLetter.objects.count() == 3  # section + two schools
    assert [i.text for i in letters[school_a].items.all()] == [t for t, _ in TARGETS]
    assert letters[school_a].total_points() == 45


def test_editing_targets_changes_drafts_but_never_issued_letters(letters, year, admin_user, school_a, school_b):
    issue(letters[school_a], admin_user)
    LetterTarget.objects.filter(year=year, order=1).update(text="新的第一条目标")
    assert letters_generate(year=year, user=admin_user) == (0, 2)
    assert letters[school_a].items.first().text == TARGETS[0][0]
    assert letters[school_b].items.first().text == "新的第一条目标"


def test_full_life_issue_scan_confirm_archive(letter_a, admin_user, liaison):
    issue(letter_a, admin_user)
    assert (letter_a.status, letter_a.issued_by) == (L.ISSUED, admin_user)
    letter_upload_scan(letter=letter_a, user=liaison, upload=scan())
    letter_a.refresh_from_db()
    # An uploaded scan waits for the bureau: any image would do, so it is not 已签订 yet.
    assert (letter_a.status, letter_a.uploaded_by, letter_a.signed_at) == (L.PENDING, liaison, None)
    letter_confirm(letter=letter_a, user=admin_user)
    letter_a.refresh_from_db()
    assert (letter_a.status, letter_a.signed_by) == (L.SIGNED, admin_user)
    letter_move(letter=letter_a, to=L.ARCHIVED, user=admin_user)
    assert letter_a.status == L.ARCHIVED and letter_a.archived_at is not None


def test_the_bureau_returns_a_bad_scan_with_a_reason_and_the_liaison_uploads_again(
        client_for, letter_a, admin_user, liaison):
    from ledgers.models import Notification

    issue(letter_a, admin_user)
    letter_upload_scan(letter=letter_a, user=liaison, upload=scan())
    response = client_for(admin_user).post(reverse("ledgers:letter_return", args=[letter_a.pk]), {"reason": ""})
    assert response.status_code == 400 and "请填写退回原因" in response.content.decode()
    with pytest.raises(MoveRefused, match="只有局文明办可以退回"):
        letter_return(letter=letter_a, user=liaison, reason="自己退回")
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        client_for(admin_user).post(reverse("ledgers:letter_return", args=[letter_a.pk]), {"reason": "缺少公章"})
    letter_a.refresh_from_db()
    assert (letter_a.status, letter_a.return_reason) == (L.ISSUED, "缺少公章")
    page = client_for(liaison).get(letter_a.get_absolute_url()).content.decode()
    assert "扫描件已被退回" in page and "缺少公章" in page
    assert Notification.objects.filter(recipient=liaison, title__contains="扫描件被退回", body__contains="缺少公章").exists()
    letter_upload_scan(letter=letter_a, user=liaison, upload=scan())
    letter_a.refresh_from_db()
    assert (letter_a.status, letter_a.return_reason) == (L.PENDING, "")


def test_confirming_completes_the_units_letter_task_in_the_same_transaction(letter_a, admin_user, liaison, year,
                                                                            school_a):
    import datetime

    from django.utils import timezone

    from ledgers.models import AssignmentStatus, Task, TaskAssignment
    from ledgers.services.tasks import task_save

    task = task_save(task=Task(year=year, title="签订文明创建目标责任书并上传签字扫描件", is_letter_task=True,
                               deadline=timezone.localdate() + datetime.timedelta(days=3)),
                     units=[school_a], user=admin_user)
    issue(letter_a, admin_user)
    letter_upload_scan(letter=letter_a, user=liaison, upload=scan())
    assignment = TaskAssignment.objects.get(task=task)
    assert assignment.status == AssignmentStatus.NOT_STARTED  # a scan alone is not a signed letter
    letter_confirm(letter=letter_a, user=admin_user)
    assignment.refresh_from_db()
    letter_a.refresh_from_db()
    assert assignment.status == AssignmentStatus.DONE
    assert assignment.completed_at == letter_a.uploaded_at  # done when the unit did its part
    assert assignment.progress.get().content.startswith("目标责任书已签订")


def test_letters_propose_the_heads_never_the_liaison(client_for, targets, year, admin_user, school_a, liaison):
    from ledgers.models import Unit

    Unit.objects.filter(pk=school_a.pk).update(head_name="刘校长", contact_name="马晓丽")
    bureau = school_a.bureau
    bureau.head_name, bureau.deputy_head_name = "", "张副局长"
    bureau.save()
    letters_generate(year=year, user=admin_user)
    letter = ResponsibilityLetter.objects.get(unit=school_a)
    assert (letter.bureau_signatory, letter.unit_signatory) == ("张副局长", "刘校长")  # 分管负责人 when no head
    bureau.head_name = "李局长"
    bureau.save()
    letters_generate(year=year, user=admin_user)  # a draft keeps what was proposed (or typed) before
    letter.refresh_from_db()
    assert letter.bureau_signatory == "张副局长"
    text = pdf_text(client_for(admin_user).get(reverse("ledgers:letter_pdf", args=[letter.pk])).content)
    assert "刘校长" in text and "张副局长" in text and "马晓丽" not in text


def test_refused_moves(letter_a, letter_b, admin_user, liaison, leader):
    with pytest.raises(MoveRefused, match="只有局文明办可以下发"):
        letter_move(letter=letter_a, to=L.ISSUED, user=liaison)
    with pytest.raises(MoveRefused, match="不能上传签字扫描件"):
        letter_upload_scan(letter=letter_a, user=liaison, upload=scan())  # still a draft
    with pytest.raises(MoveRefused, match="不能改为“已归档”"):
        letter_move(letter=letter_a, to=L.ARCHIVED, user=admin_user)
    issue(letter_b, admin_user)
    with pytest.raises(MoveRefused, match="只有本单位联络员"):
        letter_upload_scan(letter=letter_b, user=liaison, upload=scan())
    with pytest.raises(MoveRefused, match="不能改为“已签订”"):  # nothing to confirm yet
        letter_confirm(letter=letter_b, user=admin_user)
    with pytest.raises(MoveRefused):
        letter_move(letter=letter_b, to=L.SIGNED, user=leader)
    letter_a.refresh_from_db()
    assert letter_a.status == L.DRAFT


def test_liaison_sees_own_issued_letter_only(client_for, letter_a, letter_b, admin_user, liaison):
    client = client_for(liaison)
    assert client.get(reverse("ledgers:letter_detail", args=[letter_a.pk])).status_code == 404  # draft
    issue(letter_a, admin_user)
    issue(letter_b, admin_user)
    assert client.get(reverse("ledgers:letter_detail", args=[letter_a.pk])).status_code == 200
    assert client.get(reverse("ledgers:letter_detail", args=[letter_b.pk])).status_code == 404
    assert client.get(reverse("ledgers:letter_pdf", args=[letter_b.pk])).status_code == 404
    html = client.get(reverse("ledgers:letter_list")).content.decode()
    assert letter_a.unit.name in html and letter_b.unit.name not in html


def test_signed_scan_upload_through_the_page_and_served_only_to_its_unit(client_for, letter_a, admin_user,
                                                                          liaison, liaison2):
    issue(letter_a, admin_user)
    client = client_for(liaison)
    response = client.post(reverse("ledgers:letter_upload", args=[letter_a.pk]), {"file": scan()})
    assert response.status_code == 302
    letter_a.refresh_from_db()
    assert letter_a.status == L.PENDING
    assert "等待局文明办确认" in client.get(letter_a.get_absolute_url()).content.decode()
    url = reverse("ledgers:letter_scan", args=[letter_a.scans.get().pk])
    assert client.get(url).status_code == 200
    assert client_for(liaison2).get(url).status_code == 404


def test_word_file_as_scan_is_refused_in_chinese(client_for, letter_a, admin_user, liaison):
    issue(letter_a, admin_user)
    fake = SimpleUploadedFile("签字件.pdf", b"MZ\x90\x00" + b"\x00" * 100)
    response = client_for(liaison).post(reverse("ledgers:letter_upload", args=[letter_a.pk]), {"file": fake})
    assert response.status_code == 400
    assert "“签字件.pdf”不是可接受的文件（只接受 图片（JPG、PNG、WebP、HEIC）、PDF）" in response.content.decode()
    letter_a.refresh_from_db()
    assert letter_a.status == L.ISSUED


def test_bureau_list_names_the_units_that_have_not_signed(client_for, letters, admin_user, liaison, school_a, school_b):
    for letter in letters.values():
        issue(letter, admin_user)
    letter_upload_scan(letter=letters[school_a], user=liaison, upload=scan())
    html = client_for(admin_user).get(reverse("ledgers:letter_list")).content.decode()
    unsigned = html.split('data-testid="unsigned"', 1)[1].split("</div>\n  </div>", 1)[0]
    assert "尚未签订：3 个单位" in unsigned and f"{school_a.name}（待确认）" in unsigned  # not signed until confirmed
    letter_confirm(letter=letters[school_a], user=admin_user)
    html = client_for(admin_user).get(reverse("ledgers:letter_list")).content.decode()
    unsigned = html.split('data-testid="unsigned"', 1)[1].split("</div>\n  </div>", 1)[0]
    assert "尚未签订：2 个单位" in unsigned
    assert school_b.name in unsigned and school_a.name not in unsigned


def test_leader_cannot_post_anything(client_for, letter_a, leader):
    client = client_for(leader)
    for url in (reverse("ledgers:letter_generate"), reverse("ledgers:letter_issue", args=[letter_a.pk]),
                reverse("ledgers:letter_upload", args=[letter_a.pk])):
        assert client.post(url).status_code == 403


def test_letter_pdf_has_the_unit_the_items_and_the_signature_blocks(client_for, letter_a, admin_user):
    response = client_for(admin_user).get(reverse("ledgers:letter_pdf", args=[letter_a.pk]))
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content).replace("\n", "").replace(" ", "")
    assert "2026年度文明创建目标责任书" in text
    assert "郾城区第一实验小学" in text and "漯河市郾城区教育局" in text
    for item, _ in TARGETS:
        assert item.replace(" ", "") in text
    assert "45" in text  # the total
    assert "本责任书一式两份，甲乙双方各执一份。" in text
    assert "甲方（盖章）" in text and "乙方（盖章）" in text


def test_year_pdf_has_every_unit_on_its_own_pages(client_for, letters, leader, school_a, school_b, run_jobs):
    # All letters of a year are one background job (reports.jobs.documents.letters_year).
    _job, content = export_through_job(client_for(leader), reverse("reports:letter_year_pdf"))
    reader = PdfReader(io.BytesIO(content))
    starts = [page.extract_text().replace("\n", "") for page in reader.pages]
    assert any(school_a.name in p for p in starts) and any(school_b.name in p for p in starts)
    assert len(reader.pages) >= 3


def test_targets_formset_saves_items_for_the_year(client_for, admin_user, year):
    data = {"form-TOTAL_FORMS": "2", "form-INITIAL_FORMS": "0", "form-MIN_NUM_FORMS": "0", "form-MAX_NUM_FORMS": "1000",
            "form-0-order": "1", "form-0-text": "落实立德树人根本任务", "form-0-points": "30",
            "form-1-order": "", "form-1-text": "", "form-1-points": ""}
    response = client_for(admin_user).post(reverse("ledgers:letter_targets"), data)
    assert response.status_code == 302
    assert list(LetterTarget.objects.filter(year=year).values_list("text", flat=True)) == ["落实立德树人根本任务"]


def test_letter_list_query_count_stays_flat_as_units_grow(client_for, admin_user, year, targets,
                                                          django_assert_max_num_queries):
    from ledgers.models import Unit, UnitKind

    client = client_for(admin_user)
    for n in (3, 12):
        for i in range(Unit.objects.count(), n):
            Unit.objects.create(name=f"测试学校{i}", kind=UnitKind.SCHOOL, code=f"t{i}")
        letters_generate(year=year, user=admin_user)
        with django_assert_max_num_queries(14):
            html = client.get(reverse("ledgers:letter_list")).content.decode()
        assert f"测试学校{n - 1}" in html
