"""Excel import pages (bureau admin): upload → column mapping → preview → confirm → result.

The uploaded file is stored as an `ImportUpload` of the user (never asked for twice) and each
step reads it again; only its uploader reaches it (404 for anyone else). The confirmation is one
transaction (`ledgers.services.imports.import_confirm`). Initial passwords of imported accounts
wait in the session until the admin has printed the login slips (served by reports/) and clears them.

`selected_year`, `xlsx_response` and `content_disposition` are small helpers other pages use too.
"""
from urllib.parse import quote

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from .. import files
from ..access import role_required
from ..forms.tasks import ImportForm
from ..imports import IMPORTERS, build_preview, check_file, initial_mapping, open_upload, remember_mapping
from ..imports.sheet import column_labels
from ..models import CampaignYear, ImportUpload, Role
from ..params import to_int
from ..services.imports import import_confirm
from ..services.tasks import MoveRefused

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SLIPS_SESSION_KEY = "import_login_slips"

DESCRIPTIONS = {
    "tasks": "直接上传本局现有的任务分解表（.xlsx）：标题行、说明行、两行表头（如“责任分工”下分“牵头单位、责任单位”）、"
             "合并单元格、合计行都可以；一个单元格中的多个单位用顿号、逗号或换行分隔，“各学校”“各股室”“全体单位”表示一类单位；"
             "完成时限可写日期，也可写“6月底”“上半年”“每月”“每学期”“长期坚持”。",
    "indicators": "上传测评体系表：有“编号”列（如 3.2.1）时按编号建树；没有编号时按“一级指标 / 二级指标 / 三级指标”"
                  "三列依次编号。分值、测评标准、测评方法一并导入；已有编号将被更新。",
    "units": "上传单位名单：单位名称、类别（股室、学校、幼儿园、直属单位；不填时按名称判断）、联系人、联系电话、别名（简称）。"
             "已有的单位按名称或别名匹配并更新。",
    "users": "上传联络员名单：姓名、手机号、所属单位、角色（不填为联络员）。新账号生成一次性初始密码，可打印登录条；"
             "首次登录须修改密码。已有账号不重置密码。",
    "checklists": "直接上传收到的考评表、评分表、点位测评督查标准（.xlsx）：标题行、说明行、合并单元格、合计行都可以。"
                  "“项目”列（如“宣传氛围（20分）”“校园硬化30分”）和通栏标题（如“考察校园周边：”）成为分组，分组分值为组内合计上限；"
                  "分值可在“分值”列，也可写在内容末尾（“（4分）”）；“是否达标”列（□达标 □不达标）或没有分值的表按达标/不达标检查，"
                  "“随机抽取5名学生……3名及以上为达标”为抽查项；“扣分标准”列或“每处扣0.5分，扣完为止”为扣分项；"
                  "“一票否决”为一票否决项。可导入为新检查表，也可导入到本局已有的检查表（再次导入同一张表不会重复）。",
    "oversights": "上传领导包抓、督导组包督查分工表：单位、包抓领导（本局局领导的姓名或用户名）、督导组（如 第一督导组）。"
                  "每个单位每年只有一位包抓领导、一个督导组，再次导入即改为新的分工；表中新出现的督导组名称将新建督导组，"
                  "组员在督导组页面添加。某格为空时，该项保持不变。",
    "questions": "上传应知应会题库：题型（单选、多选、判断、填空、满意度）、题目、选项（一格一行一个，或每个选项一列）、答案、"
                 "解析、适用对象（学生、教师、家长、市民，可写“师生”“全部”）、测评指标编号。填空题答案写要点，用顿号分隔，"
                 "顺序不限。题目相同的按原题更新。",
}
DONE_URLS = {"tasks": "ledgers:task_matrix", "indicators": "ledgers:indicator_list",
             "checklists": "ledgers:template_list",
             "units": "ledgers:unit_list", "users": "ledgers:user_list", "oversights": "ledgers:oversight_list",
             "questions": "ledgers:question_list"}


def selected_year(request):
    """The year in ?year=2026, else the current one (also for junk such as "²", NUL or a year
    that is not set up); 404 when no year is set up."""
    qs = CampaignYear.objects.all()
    wanted = to_int(request.GET.get("year") or request.POST.get("year"))  # the import forms post it
    year = qs.filter(year=wanted).first() if wanted is not None else None
    year = year or qs.current()
    if year is None:
        raise Http404("尚未设置创建年度，请联系市教育局管理员在“本局设置”中添加。")
    return year


def xlsx_response(content, filename):
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = content_disposition(filename)
    return response


def content_disposition(filename, inline=False):
    return f"{'inline' if inline else 'attachment'}; filename*=UTF-8''{quote(filename)}"


def _own_upload(request, pk):
    return get_object_or_404(ImportUpload, pk=pk, uploaded_by=request.user)


# --- step 1: upload ------------------------------------------------------------------------

@role_required(Role.ADMIN)
def import_index(request):
    return render(request, "ledgers/imports/index.html", {
        "importers": [(i, reverse(f"ledgers:{i.kind[:-1]}_import")) for i in IMPORTERS.values()],
        "recent": ImportUpload.objects.filter(uploaded_by=request.user)[:10],
    })


@role_required(Role.ADMIN)
def import_upload(request, kind):
    importer = IMPORTERS[kind]
    year = selected_year(request) if importer.needs_year else None
    form = ImportForm(request.POST or None, request.FILES or None)
    posted = request.POST if request.method == "POST" else None
    options = importer.options_form(posted, user=request.user, year=year) if importer.options_form else None
    if request.method == "POST" and form.is_valid() and (options is None or options.is_valid()):
        uploaded = form.cleaned_data["file"]
        try:
            check_file(uploaded)
            ImportUpload.objects.stale().delete_with_files()
            upload = ImportUpload(kind=kind, year=year, original_name=files.display_name(uploaded),
                                  uploaded_by=request.user)
            uploaded.seek(0)
            upload.file.save(files.storage_name("imports", ".xlsx"), uploaded, save=False)
            try:
                sheet = open_upload(upload)
            except ValidationError:
                upload.delete_file()
                raise
            first, last, data, columns, remembered = initial_mapping(importer, sheet)
            upload.header_first, upload.header_last, upload.data_first = first + 1, last + 1, data + 1
            upload.columns = {str(c): f for c, f in columns.items()}
            upload.options = importer.prepare_options(options.options() if options else {}, sheet, first)
            upload.save()
        except ValidationError as refused:
            form.add_error("file", refused.messages[0])
        else:
            if remembered:
                messages.info(request, "已按上次导入同样表头的文件时设置的列对应填好，请核对。")
            return redirect("ledgers:import_map", pk=upload.pk)
    return render(request, "ledgers/imports/upload.html", {
        "importer": importer, "year": year, "form": form, "options": options, "description": DESCRIPTIONS[kind],
        "owner": request.user.owning_bureau(),
        "template_url": reverse("reports:import_template", args=[kind]) + (f"?year={year.year}" if year else ""),
    })


def task_import(request):
    return import_upload(request, "tasks")


def indicator_import(request):
    return import_upload(request, "indicators")


def unit_import(request):
    return import_upload(request, "units")


def checklist_import(request):
    return import_upload(request, "checklists")


def user_import(request):
    return import_upload(request, "users")


def question_import(request):
    return import_upload(request, "questions")


# --- step 2: column mapping ---------------------------------------------------------------

class MappingForm(forms.Form):
    header_first = forms.IntegerField(label="表头首行", min_value=1)
    header_last = forms.IntegerField(label="表头末行", min_value=1)
    data_first = forms.IntegerField(label="数据首行", min_value=2)

    def __init__(self, *args, importer, sheet, **kwargs):
        super().__init__(*args, **kwargs)
        self.importer, self.sheet = importer, sheet
        choices = [("", "不导入")] + list(importer.fields)
        for c in range(sheet.width):
            self.fields[f"col_{c}"] = forms.ChoiceField(label=sheet.column_letter(c), choices=choices, required=False)

    def column_fields(self):
        return [self[f"col_{c}"] for c in range(self.sheet.width)]

    def clean(self):
        data = super().clean()
        first, last, start = data.get("header_first"), data.get("header_last"), data.get("data_first")
        if None in (first, last, start):
            return data
        if not first <= last < start:
            raise ValidationError("应为：表头首行 ≤ 表头末行 < 数据首行。")
        if start > self.sheet.height:
            raise ValidationError(f"表格只有 {self.sheet.height} 行，数据首行不能是第 {start} 行。")
        columns = {c: data.get(f"col_{c}") for c in range(self.sheet.width) if data.get(f"col_{c}")}
        labels = self.importer.field_labels
        for name in set(columns.values()) - set(self.importer.multi):
            used = [self.sheet.column_letter(c) for c, f in columns.items() if f == name]
            if len(used) > 1:
                raise ValidationError(f"“{labels[name]}”选了 {len(used)} 列（{'、'.join(used)}），请只保留一列。")
        missing = self.importer.missing(columns)
        if missing:
            raise ValidationError(f"请为“{'”“'.join(missing)}”各选择一列。")
        data["columns"] = columns
        return data


def _grid_window(upload, sheet):
    first = max(0, min(upload.header_first - 1, upload.data_first - 1) - 2)
    return sheet.grid(first, max(upload.data_first - 1 + 5, first + 8))


@role_required(Role.ADMIN)
def import_map(request, pk):
    upload = _own_upload(request, pk)
    if upload.imported_at:
        return redirect("ledgers:import_done", pk=upload.pk)
    importer = IMPORTERS[upload.kind]
    try:
        sheet = open_upload(upload)
    except (ValidationError, OSError):
        messages.error(request, "文件已过期或无法读取，请重新上传。")
        return redirect(f"ledgers:{upload.kind[:-1]}_import")
    initial = {"header_first": upload.header_first, "header_last": upload.header_last,
               "data_first": upload.data_first,
               **{f"col_{c}": upload.columns.get(str(c), "") for c in range(sheet.width)}}
    form = MappingForm(request.POST or None, initial=initial, importer=importer, sheet=sheet)
    if request.method == "POST":
        if "redetect" in request.POST:
            # New header rows: guess the columns again from the labels in those rows.
            try:
                first, last = int(request.POST["header_first"]) - 1, int(request.POST["header_last"]) - 1
                start = int(request.POST.get("data_first") or last + 2) - 1
            except (KeyError, ValueError):
                first, last, start = upload.header_first - 1, upload.header_last - 1, upload.data_first - 1
            first = max(0, min(first, sheet.height - 1))
            last = max(first, min(last, sheet.height - 1))
            start = start if start > last else last + 1
            columns = importer.guess_sheet(sheet, first, last, start)
            upload.header_first, upload.header_last, upload.data_first = first + 1, last + 1, start + 1
            upload.columns = {str(c): f for c, f in columns.items()}
            upload.mapped = False
            upload.save()
            return redirect("ledgers:import_map", pk=upload.pk)
        if form.is_valid():
            data = form.cleaned_data
            upload.header_first, upload.header_last = data["header_first"], data["header_last"]
            upload.data_first = data["data_first"]
            upload.columns = {str(c): f for c, f in data["columns"].items()}
            upload.mapped = True
            upload.save()
            remember_mapping(importer, sheet, upload, request.user)
            return redirect("ledgers:import_preview", pk=upload.pk)
    header_rows = range(upload.header_first, upload.header_last + 1)
    return render(request, "ledgers/imports/map.html", {
        "upload": upload, "importer": importer, "form": form, "grid": _grid_window(upload, sheet),
        "header_rows": header_rows, "width": sheet.width, "sheet": sheet,
        "again_url": reverse(f"ledgers:{upload.kind[:-1]}_import"),
    })


# --- step 3: preview ----------------------------------------------------------------------

@role_required(Role.ADMIN)
def import_preview(request, pk):
    upload = _own_upload(request, pk)
    if upload.imported_at:
        return redirect("ledgers:import_done", pk=upload.pk)
    if not upload.mapped:
        return redirect("ledgers:import_map", pk=upload.pk)
    importer = IMPORTERS[upload.kind]
    try:
        preview = build_preview(importer, upload)
    except (ValidationError, OSError):
        messages.error(request, "文件已过期或无法读取，请重新上传。")
        return redirect(f"ledgers:{upload.kind[:-1]}_import")
    if preview.problem:
        messages.error(request, preview.problem)
        return redirect("ledgers:import_map", pk=upload.pk)
    return render(request, "ledgers/imports/preview.html", {
        "upload": upload, "importer": importer, "preview": preview, "counts": preview.counts,
        "target": importer.target_text(upload, upload.year, request.user),
        "excluded": set(upload.excluded), "again_url": reverse(f"ledgers:{upload.kind[:-1]}_import"),
    })


@role_required(Role.ADMIN)
@require_POST
def import_run(request, pk):
    upload = _own_upload(request, pk)
    excluded = [x for x in request.POST.getlist("exclude") if x.isdigit()]
    try:
        result = import_confirm(upload=upload, user=request.user, excluded=excluded)
    except MoveRefused as refused:
        messages.error(request, refused.message)
        return redirect("ledgers:import_preview", pk=upload.pk)
    except (ValidationError, OSError):
        messages.error(request, "文件已过期或无法读取，请重新上传。")
        return redirect(f"ledgers:{upload.kind[:-1]}_import")
    if result.get("credentials"):
        slips = request.session.get(SLIPS_SESSION_KEY, {})
        slips[str(upload.pk)] = result["credentials"]
        request.session[SLIPS_SESSION_KEY] = slips
    return redirect("ledgers:import_done", pk=upload.pk)


@role_required(Role.ADMIN)
def import_done(request, pk):
    upload = _own_upload(request, pk)
    if not upload.imported_at:
        return redirect("ledgers:import_preview", pk=upload.pk)
    if request.method == "POST" and "clear" in request.POST:
        slips = request.session.get(SLIPS_SESSION_KEY, {})
        slips.pop(str(upload.pk), None)
        request.session[SLIPS_SESSION_KEY] = slips
        messages.success(request, "初始密码已从本次会话中清除。")
        return redirect("ledgers:import_done", pk=upload.pk)
    credentials = request.session.get(SLIPS_SESSION_KEY, {}).get(str(upload.pk))
    return render(request, "ledgers/imports/done.html", {
        "upload": upload, "importer": IMPORTERS[upload.kind], "credentials": credentials,
        "done_url": reverse(DONE_URLS[upload.kind]),
        "again_url": reverse(f"ledgers:{upload.kind[:-1]}_import"),
    })
