"""Uploaded files: content checks, generated names, photo processing, protected serving.

Every upload in the product (photos, scans, attachments) passes through here:

- `check_upload(f, allowed)` refuses a file by its content, never its name: an HTML page or
  a PDF renamed .jpg is not an image; a file over `settings.UPLOAD_MAX_MB` is refused.
- `process_photo(f)` turns an accepted image (JPEG, PNG, WebP, HEIC) into an upright original
  (HEIC converted to JPEG), a display copy and a thumbnail, with the EXIF time it was taken and
  a content hash (to spot photos reused in another record).
- `serve_file(request, fieldfile, ...)` streams a stored file through Django's storage API;
  callers fetch the owning record with `visible_to(user)` first. There is no public media URL.
- `remove_on_rollback(storage, names)`: files just written for rows of a transaction that has
  not committed yet are deleted if that transaction rolls back (checked when the request ends,
  and whenever files are written next). `StoredFile.build` / `StoredPhoto.build` call it, so
  every upload path has it. A process killed mid-transaction leaves files no row references:
  `manage.py clean_orphans` (ledgers/services/orphans.py) finds and removes those.

Errors are `UploadRefused` (a ValidationError) whose Chinese message names the file.
"""
import hashlib
import io
import os
import posixpath
import re
import threading
import uuid
import warnings
import zipfile
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.signals import request_finished
from django.db import transaction
from django.http import FileResponse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from PIL import ExifTags, Image, ImageFile, ImageOps, UnidentifiedImageError

try:  # iPhone photos
    from pillow_heif import register_heif_opener

    register_heif_opener()
except ImportError:  # pragma: no cover - pillow-heif is in requirements.txt
    pass

DISPLAY_PX = 1600
THUMB_PX = 320

# Kinds of file, by content.
IMAGE = "image"
PDF = "pdf"
WORD = "word"
EXCEL = "excel"

KIND_LABELS = {IMAGE: "图片（JPG、PNG、WebP、HEIC）", PDF: "PDF", WORD: "Word 文档", EXCEL: "Excel 表格"}
IMAGE_FORMATS = {"JPEG": ".jpg", "PNG": ".png", "WEBP": ".webp", "HEIF": ".heic", "MPO": ".jpg"}
EXTENSIONS = {PDF: ".pdf", WORD: ".docx", EXCEL: ".xlsx"}
CONTENT_TYPES = {
    ".jpg": "image/jpeg", ".png": "image/png", ".webp": "image/webp", ".heic": "image/heic",
    ".pdf": "application/pdf", ".doc": "application/msword", ".xls": "application/vnd.ms-excel",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


class UploadRefused(ValidationError):
    pass


def display_name(uploaded):
    """The user's file name, safe to show: no folders, no control characters, bounded length."""
    name = posixpath.basename((getattr(uploaded, "name", "") or "").replace("\\", "/"))
    name = re.sub(r"[\x00-\x1f\x7f<>:\"|?*]", "", name).strip(" .") or "未命名文件"
    return name[:120]


def max_upload_bytes():
    return settings.UPLOAD_MAX_MB * 1024 * 1024


def check_size(uploaded):
    if uploaded.size > max_upload_bytes():
        raise UploadRefused(
            f"“{display_name(uploaded)}”大小为 {uploaded.size / 1024 / 1024:.1f} MB，"
            f"超过上限 {settings.UPLOAD_MAX_MB} MB，请压缩后重新上传。"
        )


def _head(uploaded, n=8):
    uploaded.seek(0)
    head = uploaded.read(n)
    uploaded.seek(0)
    return head


def sniff(uploaded):
    """(kind, extension) by content, or (None, None) for anything we do not accept."""
    head = _head(uploaded, 8)
    if head.startswith(b"%PDF-"):
        return PDF, ".pdf"
    if head.startswith(b"PK\x03\x04"):
        try:
            uploaded.seek(0)
            with zipfile.ZipFile(uploaded) as archive:
                names = set(archive.namelist())
        except (zipfile.BadZipFile, OSError):
            return None, None
        finally:
            uploaded.seek(0)
        if "word/document.xml" in names:
            return WORD, ".docx"
        if "xl/workbook.xml" in names:
            return EXCEL, ".xlsx"
        return None, None
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        # Old binary Office file; which one is told by the name only, so keep its extension.
        ext = os.path.splitext(display_name(uploaded))[1].lower()
        if ext == ".xls":
            return EXCEL, ".xls"
        return WORD, ".doc"
    fmt = _image_format(uploaded)
    if fmt:
        return IMAGE, IMAGE_FORMATS[fmt]
    return None, None


class _KeepOpen:
    """The upload seen by Pillow, which closes some formats' files (PNG) when an image closes."""

    def __init__(self, f):
        self._f = f

    def __getattr__(self, name):
        return getattr(self._f, name)

    def close(self):
        pass


def _image_format(uploaded):
    try:
        uploaded.seek(0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(_KeepOpen(uploaded)) as image:
                fmt = image.format
    except Image.DecompressionBombError:
        # An image, but far too many pixels: say so rather than "not an image".
        raise UploadRefused(_bomb_message(uploaded))
    except (UnidentifiedImageError, OSError, ValueError):
        return None
    finally:
        uploaded.seek(0)
    return fmt if fmt in IMAGE_FORMATS else None


def _bomb_message(uploaded):
    return f"“{display_name(uploaded)}”像素过大（超过约 9000 万像素），无法处理，请缩小后重新上传。"


# Characters no phone or camera puts in a file name; their presence means a crafted request.
_FORBIDDEN_NAME = re.compile(r"[\x00-\x1f\x7f/\\<>:\"|?*]|(^|[/\\])\.\.($|[/\\])")


def check_name(uploaded):
    """Refuse a file name with folders ("../"), control or reserved characters."""
    raw = getattr(uploaded, "name", "") or ""
    if _FORBIDDEN_NAME.search(raw):
        raise UploadRefused(
            f"“{display_name(uploaded)}”的文件名含有不允许的字符（如 ../ \\ : * ? \" < > | 或控制字符），"
            f"请改名后重新上传。"
        )


def check_upload(uploaded, allowed):
    """Check size and content; return (kind, extension). `allowed` is a set of kinds."""
    check_name(uploaded)
    check_size(uploaded)
    kind, ext = sniff(uploaded)
    if kind not in allowed:
        wanted = "、".join(KIND_LABELS[k] for k in (IMAGE, PDF, WORD, EXCEL) if k in allowed)
        raise UploadRefused(f"“{display_name(uploaded)}”不是可接受的文件（只接受 {wanted}），请检查后重新上传。")
    if kind == IMAGE:
        open_image(uploaded).close()  # refuses truncated images and decompression bombs
    return kind, ext


_DECODE_LOCK = threading.Lock()


@contextmanager
def _strict_decoding():
    """Refuse truncated images even though WeasyPrint, once imported, sets Pillow's
    process-wide LOAD_TRUNCATED_IMAGES = True (which would pad a half-uploaded photo with grey)."""
    with _DECODE_LOCK:
        previous = ImageFile.LOAD_TRUNCATED_IMAGES
        ImageFile.LOAD_TRUNCATED_IMAGES = False
        try:
            yield
        finally:
            ImageFile.LOAD_TRUNCATED_IMAGES = previous


def open_image(uploaded):
    """Open and fully decode an image; refuse bombs and truncated or corrupt files."""
    name = display_name(uploaded)
    uploaded.seek(0)
    try:
        with warnings.catch_warnings(), _strict_decoding():
            # Pillow warns above ~89 M pixels and raises above ~179 M: refuse both.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(_KeepOpen(uploaded))
            image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise UploadRefused(_bomb_message(uploaded))
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        raise UploadRefused(f"“{name}”图片已损坏或不完整，无法打开，请重新拍摄或导出后上传。")
    finally:
        uploaded.seek(0)
    return image


def storage_name(folder, ext):
    """A generated name under a dated folder; never the user's file name."""
    now = timezone.localtime()
    return f"{folder}/{now:%Y/%m}/{uuid.uuid4().hex}{ext}"


def sha256_of(uploaded):
    digest = hashlib.sha256()
    uploaded.seek(0)
    for chunk in iter(lambda: uploaded.read(1024 * 1024), b""):
        digest.update(chunk)
    uploaded.seek(0)
    return digest.hexdigest()


_EXIF_DATETIME_TAGS = (ExifTags.Base.DateTimeOriginal, ExifTags.Base.DateTimeDigitized, ExifTags.Base.DateTime)


def exif_taken_at(image):
    """The time the photo was taken, from EXIF, as an aware datetime in the local zone."""
    try:
        exif = image.getexif()
    except Exception:  # noqa: BLE001 - broken EXIF must not refuse a good photo
        return None
    values = dict(exif)
    try:
        values.update(exif.get_ifd(ExifTags.IFD.Exif))
    except Exception:  # noqa: BLE001
        pass
    for tag in _EXIF_DATETIME_TAGS:
        raw = values.get(tag)
        if not raw:
            continue
        try:
            naive = datetime.strptime(str(raw).strip("\x00 ")[:19], "%Y:%m:%d %H:%M:%S")
        except ValueError:
            continue
        return timezone.make_aware(naive, timezone.get_current_timezone())
    return None


def _jpeg_bytes(image, max_px, quality=82):
    copy = image.copy()
    copy.thumbnail((max_px, max_px), Image.LANCZOS)
    if copy.mode not in ("RGB", "L"):
        background = Image.new("RGB", copy.size, "white")
        if "A" in copy.getbands():
            background.paste(copy, mask=copy.getchannel("A"))
        else:
            background.paste(copy.convert("RGB"))
        copy = background
    out = io.BytesIO()
    copy.save(out, "JPEG", quality=quality, optimize=True, progressive=True)
    return out.getvalue()


@dataclass
class ProcessedPhoto:
    original: ContentFile
    original_ext: str
    display: ContentFile
    thumbnail: ContentFile
    width: int
    height: int
    taken_at: datetime | None
    sha256: str
    original_name: str


def process_photo(uploaded):
    """Check an uploaded photo and make its stored versions (see module docstring)."""
    kind, ext = check_upload(uploaded, {IMAGE})
    name = display_name(uploaded)
    digest = sha256_of(uploaded)
    image = open_image(uploaded)
    taken_at = exif_taken_at(image)
    upright = ImageOps.exif_transpose(image)
    if ext == ".heic":
        # Browsers cannot show HEIC: keep the original as a full-size JPEG.
        original = ContentFile(_jpeg_bytes(upright, max(upright.size), quality=92))
        ext = ".jpg"
    else:
        uploaded.seek(0)
        original = ContentFile(uploaded.read())
    photo = ProcessedPhoto(
        original=original, original_ext=ext,
        display=ContentFile(_jpeg_bytes(upright, DISPLAY_PX)),
        thumbnail=ContentFile(_jpeg_bytes(upright, THUMB_PX, quality=78)),
        width=upright.width, height=upright.height, taken_at=taken_at, sha256=digest,
        original_name=name,
    )
    image.close()
    return photo


def serve_file(request, fieldfile, *, download_name=None, as_attachment=False):
    """Stream a stored file. The caller has already checked the user may see its record."""
    if not fieldfile:
        from django.http import Http404

        raise Http404("文件不存在")
    ext = os.path.splitext(fieldfile.name)[1].lower()
    try:
        stream, length = _stream(fieldfile.storage, fieldfile.name)
    except FileNotFoundError:
        from django.http import Http404

        raise Http404("文件不存在")
    response = FileResponse(
        stream,
        content_type=CONTENT_TYPES.get(ext, "application/octet-stream"),
        as_attachment=as_attachment,
        filename=download_name or os.path.basename(fieldfile.name),
    )
    if length is not None:
        response.headers["Content-Length"] = str(length)
    # Never kept in a (shared office) browser's cache after logout.
    add_never_cache_headers(response)
    return response


def open_stored(storage, name):
    """A stored file to read once, start to end (binder photos, PDF images, downloads). From an S3
    store it is one GET whose body is read as it arrives; `storage.open` would first ask for the
    object's metadata and copy the whole object into a temporary file."""
    return _stream(storage, name)[0]


READ_AHEAD_THREADS = 8


class ReadAhead:
    """Stored files that will be read in a known order (a binder's photos, a PDF's images). From an
    object store each read is a network round trip, so while the caller works on one file the next
    `ahead` are fetched by a few threads (a binder of 300 photos would otherwise wait 300 times in a
    row); at most `ahead` files wait in memory. `open(name)` gives a readable stream; a name out of
    the expected order is simply read then. Local files are opened as they are asked for.
    Use as a context manager: leaving it stops the threads."""

    def __init__(self, storage, names, *, ahead=16):
        self.storage, self.names = storage, list(names)
        self.remote = _is_remote(storage)
        self.ahead, self.next, self.pending, self.pool = ahead, 0, {}, None

    def __enter__(self):
        if self.remote and self.names:
            from concurrent.futures import ThreadPoolExecutor

            self.pool = ThreadPoolExecutor(READ_AHEAD_THREADS, thread_name_prefix="read-ahead")
            self._top_up()
        return self

    def __exit__(self, *exc):
        if self.pool is not None:
            for future in self.pending.values():
                future.cancel()
            self.pool.shutdown(wait=True)
            self.pending.clear()

    def _top_up(self):
        while len(self.pending) < self.ahead and self.next < len(self.names):
            name = self.names[self.next]
            self.next += 1
            if name not in self.pending:
                self.pending[name] = self.pool.submit(_read_whole, self.storage, name)

    def open(self, name):
        future = self.pending.pop(name, None)
        if future is None:
            return open_stored(self.storage, name)
        body = future.result()
        self._top_up()
        return io.BytesIO(body)


def read_ahead(storage, names, *, ahead=16):
    """Yield a readable stream for each stored file of `names`, in order, read ahead (ReadAhead)."""
    names = list(names)
    with ReadAhead(storage, names, ahead=ahead) as files:
        for name in names:
            yield files.open(name)


def _read_whole(storage, name):
    with open_stored(storage, name) as src:
        return src.read()


def _is_remote(storage):
    return hasattr(storage, "bucket") and hasattr(storage, "_normalize_name")  # django-storages' S3Storage


def _stream(storage, name):
    """(a readable stream of a stored file, its size if known). From an S3 store, the object's body as it arrives (no
    copy in memory or on disk, whatever its size: a bureau's binder ZIP runs to gigabytes);
    otherwise the storage's own file."""
    if _is_remote(storage):
        from botocore.exceptions import ClientError
        from storages.utils import clean_name

        try:
            answer = storage.bucket.Object(storage._normalize_name(clean_name(name))).get()
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
                raise FileNotFoundError(name) from error
            raise
        return answer["Body"], answer.get("ContentLength")
    return storage.open(name, "rb"), None


# --- files of transactions that roll back ----------------------------------------------------

_written = threading.local()


def _registry():
    if not hasattr(_written, "entries"):
        _written.entries = []
    return _written.entries


class _Written:
    def __init__(self, connection, storage, names):
        self.connection, self.storage, self.names, self.committed = connection, storage, names, False

    def mark_committed(self):
        self.committed = True


def remove_on_rollback(storage, names, using=None):
    """Delete `names` from `storage` if the current transaction does not commit.

    Django has no rollback hook: an on_commit callback marks the files kept; once that callback
    has been dropped without running (the transaction or its savepoint rolled back), the files
    are deleted. Outside a transaction the caller's row is saved at once: nothing to do."""
    connection = transaction.get_connection(using)
    remove_rolled_back_files()
    if not connection.in_atomic_block:
        return
    entry = _Written(connection, storage, [n for n in names if n])
    _registry().append(entry)
    transaction.on_commit(entry.mark_committed, using=using)


def remove_rolled_back_files(**_signal_kwargs):
    """Delete the files of this thread's finished transactions that did not commit; return how many."""
    entries = _registry()
    removed, keep = 0, []
    # An entry whose on_commit callback is still queued waits: its transaction (or savepoint) is
    # open, or committing. Django drops the callbacks of a transaction or savepoint that rolls
    # back. The queue is read once per connection (not once per entry: quadratic in a long
    # transaction, such as load_demo's inside a test).
    queued = {}
    for entry in entries:
        if entry.committed:
            continue
        if id(entry.connection) not in queued:
            queued[id(entry.connection)] = {id(getattr(func, "__self__", None))
                                            for _sids, func, _robust in entry.connection.run_on_commit}
        if id(entry) in queued[id(entry.connection)]:
            keep.append(entry)  # still open: decide later
            continue
        for name in entry.names:
            try:
                entry.storage.delete(name)
                removed += 1
            except OSError:  # pragma: no cover - clean_orphans will find it
                pass
    entries[:] = keep
    return removed


# After every request (the transaction of a failed request has rolled back by then).
request_finished.connect(remove_rolled_back_files, dispatch_uid="ledgers.files.remove_rolled_back_files")


def walk_storage(storage, path=""):
    """Every file name in `storage` under `path` (through the storage API: local or S3)."""
    try:
        directories, names = storage.listdir(path)
    except FileNotFoundError:
        return
    for name in sorted(names):
        yield f"{path}/{name}" if path else name
    for directory in sorted(directories):
        yield from walk_storage(storage, f"{path}/{directory}" if path else directory)


def file_models():
    """(model, [file fields]) of every concrete model that stores files, audit-trail copies aside
    (their names point at the same files, or at files deleted with their rows)."""
    from django.apps import apps
    from django.db.models import FileField

    found = []
    for model in apps.get_models():
        if model._meta.proxy or any(f.name == "history_id" for f in model._meta.concrete_fields):
            continue
        fields = [f for f in model._meta.concrete_fields if isinstance(f, FileField)]
        if fields:
            found.append((model, fields))
    return found


def referenced_file_names(using="default"):
    """Every stored file name a row references, read from the database `using`."""
    names = set()
    for model, fields in file_models():
        for values in model._base_manager.using(using).values_list(*[f.attname for f in fields]).iterator():
            names.update(v for v in values if v)
    return names
