"""Upload checks shared by every area (detailed photo tests live with activities)."""
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from ledgers import files


def jpeg_bytes(size=(800, 600), color="green"):
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, "JPEG")
    return out.getvalue()


def test_html_renamed_jpg_is_refused_naming_the_file():
    upload = SimpleUploadedFile("活动照片.jpg", b"<html><script>alert(1)</script></html>")
    with pytest.raises(files.UploadRefused) as refused:
        files.check_upload(upload, {files.IMAGE})
    assert "活动照片.jpg" in refused.value.messages[0]
    assert "不是可接受的文件" in refused.value.messages[0]


def test_pdf_is_accepted_as_pdf_but_not_as_image():
    upload = SimpleUploadedFile("签字扫描件.jpg", b"%PDF-1.4\n%...")
    assert files.check_upload(upload, {files.PDF, files.IMAGE})[0] == files.PDF
    with pytest.raises(files.UploadRefused):
        files.check_upload(upload, {files.IMAGE})


def test_oversized_upload_is_refused_with_the_limit(settings):
    settings.UPLOAD_MAX_MB = 1
    upload = SimpleUploadedFile("big.jpg", jpeg_bytes() + b"\0" * (1024 * 1024))
    with pytest.raises(files.UploadRefused) as refused:
        files.check_upload(upload, {files.IMAGE})
    assert "超过上限 1 MB" in refused.value.messages[0]


def test_truncated_jpeg_is_refused():
    upload = SimpleUploadedFile("半张.jpg", jpeg_bytes()[:400])
    with pytest.raises(files.UploadRefused) as refused:
        files.check_upload(upload, {files.IMAGE})
    assert "半张.jpg" in refused.value.messages[0]


def test_photo_gets_display_copy_and_thumbnail():
    photo = files.process_photo(SimpleUploadedFile("a.jpg", jpeg_bytes((3000, 2000))))
    display = Image.open(photo.display)
    thumb = Image.open(photo.thumbnail)
    assert max(display.size) == files.DISPLAY_PX
    assert max(thumb.size) == files.THUMB_PX
    assert (photo.width, photo.height) == (3000, 2000)
    assert len(photo.sha256) == 64


def test_display_name_drops_folders_and_control_characters():
    upload = SimpleUploadedFile("../../etc/pass\x00wd<>.jpg", b"x")
    assert files.display_name(upload) == "passwd.jpg"
    assert files.storage_name("photos", ".jpg").startswith("photos/")
