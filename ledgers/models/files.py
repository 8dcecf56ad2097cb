"""Abstract bases for stored files and photos; each area's concrete models subclass them.

Files are written through Django's storage API under generated, dated names
(`<folder>/<yyyy>/<mm>/<uuid>.<ext>`). Use `StoredPhoto.build(...)` / `StoredFile.build(...)`
to make an unsaved instance from an upload after it passed `ledgers.files` checks.
"""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .. import files


class StoredFile(models.Model):
    """An attachment: image, PDF, Word or Excel, checked by content."""

    upload_folder = "files"
    allowed_kinds = {files.IMAGE, files.PDF, files.WORD, files.EXCEL}

    file = models.FileField(_("文件"), max_length=255)
    original_name = models.CharField(_("原文件名"), max_length=255)
    kind = models.CharField(_("类型"), max_length=10)
    size = models.PositiveBigIntegerField(_("大小（字节）"), default=0)
    sha256 = models.CharField(_("内容指纹"), max_length=64, db_index=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("上传人"),
                                    on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        abstract = True

    def __str__(self):
        return self.original_name

    @classmethod
    def build(cls, uploaded, *, uploaded_by, **fields):
        kind, ext = files.check_upload(uploaded, cls.allowed_kinds)
        instance = cls(original_name=files.display_name(uploaded), kind=kind, size=uploaded.size,
                       sha256=files.sha256_of(uploaded), uploaded_by=uploaded_by, **fields)
        uploaded.seek(0)
        instance.file.save(files.storage_name(cls.upload_folder, ext), uploaded, save=False)
        files.remove_on_rollback(instance.file.storage, [instance.file.name])
        return instance

    @property
    def is_image(self):
        return self.kind == files.IMAGE


class StoredPhoto(models.Model):
    """A photo kept as its original, a display copy and a thumbnail."""

    upload_folder = "photos"

    original = models.FileField(_("原图"), max_length=255)
    display = models.FileField(_("展示图"), max_length=255)
    thumbnail = models.FileField(_("缩略图"), max_length=255)
    original_name = models.CharField(_("原文件名"), max_length=255)
    width = models.PositiveIntegerField(_("宽"), default=0)
    height = models.PositiveIntegerField(_("高"), default=0)
    caption = models.CharField(_("说明"), max_length=300, blank=True,
                               help_text=_("时间、地点、人物、事件"))
    taken_at = models.DateTimeField(_("拍摄时间"), null=True, blank=True)
    sha256 = models.CharField(_("内容指纹"), max_length=64, db_index=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("上传人"),
                                    on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        abstract = True

    def __str__(self):
        return self.caption or self.original_name

    @classmethod
    def build(cls, uploaded, *, uploaded_by, **fields):
        processed = files.process_photo(uploaded)
        instance = cls(original_name=processed.original_name, width=processed.width,
                       height=processed.height, taken_at=processed.taken_at,
                       sha256=processed.sha256, uploaded_by=uploaded_by, **fields)
        base = files.storage_name(cls.upload_folder, "")
        instance.original.save(base + processed.original_ext, processed.original, save=False)
        instance.display.save(base + "_display.jpg", processed.display, save=False)
        instance.thumbnail.save(base + "_thumb.jpg", processed.thumbnail, save=False)
        files.remove_on_rollback(instance.original.storage,
                                 [instance.original.name, instance.display.name, instance.thumbnail.name])
        return instance

    def delete_files(self):
        for field in (self.original, self.display, self.thumbnail):
            if field:
                field.storage.delete(field.name)
