"""Confirming an Excel import: every checked row written in one transaction, or nothing."""
from django.db import transaction
from django.utils import timezone

from ..imports import IMPORTERS, build_preview
from .tasks import MoveRefused


def import_confirm(*, upload, user, excluded=()):
    """Read the stored file again with its mapping, write the rows that will create or update
    (less `excluded` Excel row numbers) in one transaction; every row with an error must be among
    the excluded (the user chose to import the rest); returns a result dict with counts
    (created, updated, same, skipped, errors) and, for accounts, the one-time credentials."""
    if not (user.is_authenticated and user.is_bureau_admin):
        raise MoveRefused("只有局文明办可以导入。")
    if upload.uploaded_by_id != user.pk:
        raise MoveRefused("只能导入自己上传的文件。")
    if upload.imported_at:
        raise MoveRefused("这个文件已经导入过了；如需再次导入，请重新上传。")
    importer = IMPORTERS[upload.kind]
    excluded = {int(x) for x in excluded}
    with transaction.atomic():
        preview = build_preview(importer, upload)
        if preview.problem:
            raise MoveRefused(preview.problem)
        unhandled = sorted({r.row for r in preview.results if r.status == "error" and r.row not in excluded})
        if unhandled:
            rows = "、".join(f"第 {n} 行" for n in unhandled[:10])
            raise MoveRefused(f"{rows}有错误：请勾选这些行的“排除”后导入其余各行，或改正文件后重新上传。")
        chosen = [r for r in preview.results if r.can_import and r.row not in excluded]
        result = importer.apply(chosen, year=upload.year, user=user, upload=upload)
        result.update(
            same=preview.count("same"),
            skipped=sum(r.can_import and r.row in excluded for r in preview.results),
            errors=preview.count("error"),
        )
        upload.excluded = sorted(excluded)
        upload.imported_at = timezone.now()
        upload.result = summary(result)
        upload.save(update_fields=["excluded", "imported_at", "result"])
    upload.delete_file()
    return result


def summary(result):
    text = f"{result['created']} 新增，{result['updated']} 更新，{result['same']} 无变化"
    if result.get("skipped"):
        text += f"，{result['skipped']} 行已排除"
    if result.get("errors"):
        text += f"，{result['errors']} 行有错误未导入"
    return text
