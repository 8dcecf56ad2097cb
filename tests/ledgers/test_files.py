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


def test_read_ahead_from_an_object_store_keeps_order_and_a_bounded_window(monkeypatch):
    """Binder photos and PDF images from an object store are fetched a few at a time ahead of the
    writer, by worker threads, in the order asked for; never more than `ahead` wait in memory."""
    import threading
    import time

    fetched, in_flight, peak = [], [0], [0]
    lock = threading.Lock()

    def slow_read(storage, name):
        with lock:
            in_flight[0] += 1
            peak[0] = max(peak[0], in_flight[0])
        time.sleep(0.01)  # a network round trip
        with lock:
            in_flight[0] -= 1
            fetched.append((name, threading.current_thread().name))
        return f"<{name}>".encode()

    monkeypatch.setattr(files, "_is_remote", lambda storage: True)
    monkeypatch.setattr(files, "_read_whole", slow_read)
    monkeypatch.setattr(files, "open_stored", lambda storage, name: io.BytesIO(b"direct " + name.encode()))
    names = [f"photo{i}.jpg" for i in range(40)]
    with files.ReadAhead(object(), names, ahead=4) as ahead:
        assert ahead.open("photo0.jpg").read() == b"<photo0.jpg>"
        assert len(ahead.pending) <= 4
        # a file not in the announced order is simply read when asked for
        assert ahead.open("elsewhere.jpg").read() == b"direct elsewhere.jpg"
        bodies = [ahead.open(name).read() for name in names[1:]]
    assert bodies == [f"<{name}>".encode() for name in names[1:]]
    assert all(thread.startswith("read-ahead") for _name, thread in fetched)
    assert 1 < peak[0] <= 4


def test_read_ahead_of_local_files_opens_them_in_turn(settings, tmp_path):
    from django.core.files.storage import FileSystemStorage

    storage = FileSystemStorage(location=tmp_path)
    for i in range(3):
        storage.save(f"p{i}.jpg", io.BytesIO(f"photo {i}".encode()))
    assert [f.read() for f in files.read_ahead(storage, ["p2.jpg", "p0.jpg"])] == [b"photo 2", b"photo 0"]
    with pytest.raises(FileNotFoundError):
        list(files.read_ahead(storage, ["missing.jpg"]))
